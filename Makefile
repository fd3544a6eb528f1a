# Helios make targets (kubebuilder conventions). Every target does its own set-up on a fresh machine:
# Node 24 (from the npm registry when the machine's Node is older), npm packages, and the local
# control plane binaries (built from Go modules once, cached in ~/.cache/helios by version).
SHELL := /bin/bash
.DEFAULT_GOAL := help

NODE_VERSION := 24.21.0
export HELIOS_CACHE_DIR ?= $(HOME)/.cache/helios
NODE_ARCH := $(shell uname -m | sed -e 's/x86_64/x64/' -e 's/aarch64/arm64/')
NODE_PREFIX := $(HELIOS_CACHE_DIR)/node-v$(NODE_VERSION)
NODE_BIN := $(NODE_PREFIX)/node_modules/node-linux-$(NODE_ARCH)/bin
SYSTEM_NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
ifeq ($(shell test $(SYSTEM_NODE_MAJOR) -ge 24 && echo yes),yes)
NODE := $(shell command -v node)
else
export PATH := $(NODE_BIN):$(PATH)
NODE := $(NODE_BIN)/node
endif
export npm_config_update_notifier := false
export npm_config_fund := false
export npm_config_audit := false

CP := node dist/hack/control-plane/cli.js

.PHONY: help deps build typecheck lint packages test test-unit test-integration test-chaos test-image image-local buildah chromium crds docs manifests demo bench cluster-up cluster-down binaries clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(NODE_BIN)/node:
	@echo "[helios] installing Node $(NODE_VERSION) from the npm registry into $(NODE_PREFIX)"
	@mkdir -p $(NODE_PREFIX)
	@npm install --prefix $(NODE_PREFIX) --no-save --loglevel=error node-linux-$(NODE_ARCH)@$(NODE_VERSION)

node_modules/.installed: package.json package-lock.json | $(NODE)
	@echo "[helios] installing npm packages (npm ci)"
	@npm ci --loglevel=error
	@touch $@

deps: node_modules/.installed ## Install Node 24 if needed and the npm packages

build: deps ## Compile TypeScript to dist/ and build the dashboard's browser app into dist/dashboard-web/
	@npx tsc -p tsconfig.build.json
	@npx vite build --logLevel warn --config src/dashboard/web/vite.config.ts

typecheck: deps ## Type-check everything, tests and the dashboard's browser app included
	@npx tsc -p tsconfig.json --noEmit
	@npx tsc -p src/dashboard/web/tsconfig.json --noEmit

lint: deps ## ESLint with typescript-eslint
	@npx eslint .

packages: build ## Build the npm packages of packages/ from dist/src (checking their dependencies) and pack them into .helios/packages/
	@node dist/hack/packages.js

binaries: build ## Build (or reuse) kube-apiserver, kube-controller-manager, etcd, kubectl and helm
	@$(CP) build

crds: build ## Regenerate crds/ and the chart's CRD templates from the zod schemas in src/api, the chart's values.schema.json from src/chart, docs/reference/ (and install.yaml)
	@node dist/hack/generate-crds.js
	@node dist/hack/generate-values-schema.js
	@node dist/hack/generate-docs.js
	@$(MAKE) --no-print-directory manifests

docs: build ## Regenerate docs/reference/ from the code: API reference, flags, metrics, condition reasons, audit actions
	@node dist/hack/generate-docs.js

manifests: binaries ## Render manifests/install.yaml from the chart
	@node dist/hack/render-manifests.js

test: typecheck lint binaries chromium ## Run every test but those of test-chaos: unit, and integration against a real local control plane
	@mkdir -p .helios
	@npx vitest run --reporter=default --reporter=json --outputFile.json=.helios/test-results.json; \
	  status=$$?; node dist/hack/test-summary.js .helios/test-results.json; exit $$status

test-unit: binaries ## Only the unit tests
	@npx vitest run --project unit

test-integration: binaries chromium ## Only the tests against the real control plane
	@npx vitest run --project integration

test-chaos: binaries ## The soak (SOAK_MINUTES, default 20), the long chaos run (CHAOS_LONG_MINUTES, default 4) and the heartbeat check (HEARTBEAT_MINUTES, default 10)
	@npx vitest run --config test/soak/vitest.config.ts

chromium: ## Install Debian's Chromium for the dashboard's browser tests (apt-get) when /usr/bin/chromium is missing
	@test -x /usr/bin/chromium || { echo "[helios] installing chromium (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

buildah:
	@command -v buildah >/dev/null || { echo "[helios] installing buildah (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah >/dev/null; }

image-local: build buildah ## Build the image without Docker (buildah, FROM scratch; IMAGE=localhost/helios:dev, ARCHIVE=file.tar for kind load)
	@$(if $(ARCHIVE),HELIOS_IMAGE_ARCHIVE=$(ARCHIVE)) hack/image/build-scratch.sh $(IMAGE)

test-image: build buildah ## Build the image with buildah and run it (kept out of make test for time)
	@npx vitest run --config test/image/vitest.config.ts

demo: binaries ## Run the main job on an embedded local control plane
	@node dist/hack/demo/main.js

bench: binaries chromium ## Performance table (QUICK=1 for the short smoke version)
	@node dist/bench/main.js $(if $(QUICK),--quick,)

cluster-up: binaries ## Start (or reuse) the local control plane; kubeconfig at .helios/kubeconfig
	@$(CP) up

cluster-down: build ## Stop the local control plane (PURGE=1 also deletes its data)
	@$(CP) down $(if $(PURGE),--purge,)

clean: ## Remove build output
	rm -rf dist
