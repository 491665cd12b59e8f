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

# Where a display exists and the desktop shell has been built (`cargo build -p kidyboard-desktop`,
# which takes a while the first time), open it beside the hub: on its first run it asks for the
# device's role; choose "connect to the store's hub" at the address printed below.
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" && -z "${KIDYBOARD_NO_DESKTOP:-}" ]]; then
  for shell in "$CARGO_TARGET_DIR/release/kidyboard-desktop" "$CARGO_TARGET_DIR/debug/kidyboard-desktop"; do
    if [[ -x "$shell" ]]; then
      echo "==> opening the desktop shell ($shell)"
      (sleep 2; exec "$shell") >/dev/null 2>&1 &
      break
    fi
  done
fi

exec "$CARGO_TARGET_DIR/release/kidyboard" serve --demo "$@"
