#!/usr/bin/env bash
# Builds the helios image without a container registry or a daemon: buildah (chroot isolation, vfs
# storage) assembles it FROM scratch out of what this machine has: the Node 24 binary `make` installs, the
# glibc libraries it links (from ldd), dist/src and dist/dashboard-web (run `make build` first) and the production npm
# packages (npm ci --omit=dev into a temporary directory). It then runs `helios --help` inside the image.
# The result matches the Dockerfile's runtime stage: /app, NODE_ENV, NODE_OPTIONS, USER 65532:65532,
# entry point `node /app/dist/src/cli/main.js`; for this machine's architecture only. Unlike node:24-slim
# it holds no shell or other programs: commands an agent's `--allow-exec` lists need a derived image.
#
# Usage: hack/image/build-scratch.sh [image]        (default localhost/helios:dev)
#   HELIOS_NODE=/path/to/node        the Node 24 binary to put in the image (default: make's)
#   HELIOS_IMAGE_ARCHIVE=file.tar    also write a docker-archive (for `kind load image-archive`)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
IMAGE="${1:-localhost/helios:dev}"
NODE_VERSION=24.21.0
NODE_ARCH="$(uname -m | sed -e 's/x86_64/x64/' -e 's/aarch64/arm64/')"
NODE="${HELIOS_NODE:-${HELIOS_CACHE_DIR:-$HOME/.cache/helios}/node-v$NODE_VERSION/node_modules/node-linux-$NODE_ARCH/bin/node}"
BUILDAH=(buildah --storage-driver vfs)

fail() { printf 'build-scratch: %s\n' "$*" >&2; exit 1; }
command -v buildah >/dev/null || fail "buildah is required (Debian/Ubuntu: apt-get install -y buildah; or make image-local)"
command -v npm >/dev/null || fail "npm is required"
[[ -x "$NODE" ]] || fail "no Node binary at $NODE (run make deps, or set HELIOS_NODE)"
[[ "$("$NODE" -p 'process.versions.node.split(".")[0]')" == 24 ]] || fail "$NODE is not Node 24"
[[ -f "$ROOT/dist/src/cli/main.js" ]] || fail "no dist/src/cli/main.js: run make build first"
[[ -f "$ROOT/dist/dashboard-web/index.html" ]] || fail "no dist/dashboard-web/index.html (the dashboard's browser app): run make build first"

STAGE="$(mktemp -d "${TMPDIR:-/tmp}/helios-image-XXXXXX")"
CONTAINER=""
cleanup() {
  [[ -n "$CONTAINER" ]] && "${BUILDAH[@]}" rm "$CONTAINER" >/dev/null 2>&1 || true
  rm -rf "$STAGE"
}
trap cleanup EXIT
ROOTFS="$STAGE/rootfs"
mkdir -p "$ROOTFS"/{app,usr/local/bin,etc,tmp}
chmod 1777 "$ROOTFS/tmp"

echo "[image] node $("$NODE" --version) and the shared libraries it links"
install -m 0755 "$NODE" "$ROOTFS/usr/local/bin/node"
# ldd prints "name => /path (addr)" for libraries and "/path (addr)" for the loader; vdso has no file.
while read -r lib; do
  mkdir -p "$ROOTFS$(dirname "$lib")"
  cp -L "$lib" "$ROOTFS$lib"
done < <(ldd "$NODE" | grep -oE '/[^ ]+' | sort -u)

echo "[image] production npm packages"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$ROOTFS/app/"
(cd "$ROOTFS/app" && npm ci --omit=dev --ignore-scripts --loglevel=error --no-audit --no-fund >/dev/null)
rm -rf "$ROOTFS/app/node_modules/.package-lock.json"
mkdir -p "$ROOTFS/app/dist"
cp -R "$ROOT/dist/src" "$ROOTFS/app/dist/src"
cp -R "$ROOT/dist/dashboard-web" "$ROOTFS/app/dist/dashboard-web"
find "$ROOTFS/app/dist" -name '*.test.js' -delete
# Names for the ids the process runs as (os.userInfo(), logs); nothing else in the image reads /etc.
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$ROOTFS/etc/group"

echo "[image] assembling $IMAGE with buildah (chroot isolation, vfs storage)"
CONTAINER="$("${BUILDAH[@]}" from scratch)"
"${BUILDAH[@]}" copy --quiet "$CONTAINER" "$ROOTFS" / >/dev/null
"${BUILDAH[@]}" config \
  --workingdir /app \
  --env PATH=/usr/local/bin:/usr/bin:/bin \
  --env NODE_ENV=production \
  --env NODE_OPTIONS=--max-semi-space-size=8 \
  --user 65532:65532 \
  --entrypoint '["/usr/local/bin/node", "/app/dist/src/cli/main.js"]' \
  --cmd '' \
  --label org.opencontainers.image.source=https://github.com/helios-dev/helios \
  "$CONTAINER"
"${BUILDAH[@]}" commit --quiet --rm "$CONTAINER" "$IMAGE" >/dev/null
CONTAINER=""

echo "[image] helios --help, run from the image's filesystem as 65532"
CONTAINER="$("${BUILDAH[@]}" from "$IMAGE")"
"${BUILDAH[@]}" run --isolation chroot --user 65532:65532 "$CONTAINER" -- \
  /usr/local/bin/node /app/dist/src/cli/main.js --help

if [[ -n "${HELIOS_IMAGE_ARCHIVE:-}" ]]; then
  "${BUILDAH[@]}" push --quiet "$IMAGE" "docker-archive:$HELIOS_IMAGE_ARCHIVE:$IMAGE"
  echo "[image] wrote $HELIOS_IMAGE_ARCHIVE"
fi
echo "[image] built $IMAGE ($("${BUILDAH[@]}" images --noheading --format '{{.Size}}' "$IMAGE"))"
