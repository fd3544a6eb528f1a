# syntax=docker/dockerfile:1
# The helios image: one `helios` binary (operator, agent and CLI) on Node 24 slim, running as non-root.
# Build: docker build -t helios:dev .   Run: docker run --rm helios:dev --help

# Stage 1: compile TypeScript with the dev dependencies.
FROM node:24-slim AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# tsconfig.build.json also lists hack/ and bench/, which the image leaves out; src compiles alone.
RUN npx tsc -p tsconfig.build.json

# Stage 2: production dependencies and the compiled output only.
FROM node:24-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# 65532 is the conventional "nonroot" uid; the chart's securityContext runs as the same ids.
USER 65532:65532
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
