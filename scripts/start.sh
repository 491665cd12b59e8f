#!/usr/bin/env bash
# Sets everything up on a fresh Debian machine and starts the store hub with demo data.
# Prints the URL of every role's page. Extra arguments go to `kidyboard serve`
# (e.g. --listen 0.0.0.0:8080 to serve the store's LAN).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
bash scripts/install-deps.sh
bash scripts/prune-cache.sh

echo "==> building the web UI"
(cd ui && npm run --silent build)
echo "==> building the hub (release)"
cargo build --release -p kidyboard-hub --bin kidyboard

export KIDYBOARD_UI_DIR="$ROOT/ui/dist"

# Where a display exists, the desktop shell opens beside the hub: on its first run it asks for
# the device's role, with "connect to the store's hub" at this hub's address filled in. A release
# build of the shell is used when there is one; otherwise a debug build is made in the background
# (the first one takes a while) and the shell opens when it is ready, while the hub already serves.
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" && -z "${KIDYBOARD_NO_DESKTOP:-}" ]]; then
  # The shell's setup offers to connect to this hub (its address from --listen, as loopback).
  listen="${KIDYBOARD_LISTEN:-127.0.0.1:8080}"
  args=("$@")
  for i in "${!args[@]}"; do
    case "${args[$i]}" in
      --listen=*) listen="${args[$i]#--listen=}" ;;
      --listen) listen="${args[$((i + 1))]:-$listen}" ;;
    esac
  done
  export KIDYBOARD_SETUP_HUB_URL="http://${listen/0.0.0.0/127.0.0.1}"
  shell="$CARGO_TARGET_DIR/release/kidyboard-desktop"
  if [[ -x "$shell" ]]; then
    echo "==> opening the desktop shell ($shell)"
    (sleep 2; exec "$shell") >/dev/null 2>&1 &
  else
    log="$CARGO_TARGET_DIR/desktop-build.log"
    echo "==> building the desktop shell in the background (log: $log); it opens when built"
    (
      cargo build --locked -p kidyboard-desktop >"$log" 2>&1 || { echo "the desktop shell did not build: see $log" >&2; exit 1; }
      exec "$CARGO_TARGET_DIR/debug/kidyboard-desktop" >/dev/null 2>&1
    ) &
  fi
fi

exec "$CARGO_TARGET_DIR/release/kidyboard" serve --demo "$@"
