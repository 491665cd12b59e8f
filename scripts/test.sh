#!/usr/bin/env bash
# Runs every check and test: formatting, lints, Rust unit/integration/end-to-end tests (real
# SQLite files, real hubs on 127.0.0.1:0, real decoders, real PostgreSQL), generated-file drift,
# the UI's type check, lint and unit tests, and the browser tests in Debian's Chromium.
set -euo pipefail
STARTED=$SECONDS
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
bash scripts/install-deps.sh
bash scripts/prune-cache.sh

# Each step says when it starts (minutes since the start), so a slow CI run shows where time went.
step() { printf '\n==> %s  [+%d min]\n' "$*" $(( (SECONDS - STARTED) / 60 )); }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust tests"
cargo test --workspace --locked

step "generated API types match the hub's OpenAPI document"
(cd ui && KIDYBOARD_BIN="$CARGO_TARGET_DIR/debug/kidyboard" npm run --silent gen:api)
git diff --exit-code -- ui/src/api/ || { echo "ui/src/api is out of date: run 'npm --prefix ui run gen:api' and commit"; exit 1; }

step "generated console types match the cloud's OpenAPI document"
(cd ui && KIDYBOARD_CLOUD_BIN="$CARGO_TARGET_DIR/debug/kidyboard-cloud" npm run --silent gen:cloud-api)
git diff --exit-code -- ui/src/console/api/ || { echo "ui/src/console/api is out of date: run 'npm --prefix ui run gen:cloud-api' and commit"; exit 1; }

step "UI: unit tests, type check, lint"
(cd ui && npm test)

step "UI: end-to-end in Chromium against the real hub"
(cd ui && KIDYBOARD_BIN="$CARGO_TARGET_DIR/debug/kidyboard" npm run test:e2e)

step "desktop shell: end-to-end under Xvfb (tauri-driver + WebKitWebDriver) and the .deb"
bash scripts/desktop-e2e.sh

echo
echo "All checks passed in $(( (SECONDS - STARTED) / 60 )) min."
