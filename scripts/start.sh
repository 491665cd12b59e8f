#!/usr/bin/env bash
# Sets everything up on a fresh Debian machine and starts the store hub with demo data.
# Prints the URL of every role's page. Extra arguments go to `kidyboard serve`
# (e.g. --listen 0.0.0.0:8080 to serve the store's LAN).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
bash scripts/install-deps.sh

echo "==> building the web UI"
(cd ui && npm run --silent build)
echo "==> building the hub (release)"
cargo build --release -p kidyboard-hub --bin kidyboard

export KIDYBOARD_UI_DIR="$ROOT/ui/dist"
exec "$CARGO_TARGET_DIR/release/kidyboard" serve --demo "$@"
