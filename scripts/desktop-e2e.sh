#!/usr/bin/env bash
# End-to-end test of the desktop shell under a private Xvfb display, driven through tauri-driver
# and Debian's WebKitWebDriver; checks the .deb too. Screenshots: test-output/desktop/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

for tool in Xvfb WebKitWebDriver dpkg-deb xdotool import; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/install-deps.sh"; exit 1; }
done
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked
# The binaries `cargo test --workspace` builds (a no-op right after it). `cargo build --bins`
# would resolve features without the dev-dependencies' and compile ~50 crates a second time.
cargo test --locked --workspace --no-run
[[ -f ui/dist/index.html ]] || npm --prefix ui run --silent build
rm -rf test-output/desktop
# The harness stops what it starts; the outer timeout is the last resort for a hung WebKit.
KIDYBOARD_BIN="$CARGO_TARGET_DIR/debug/kidyboard" \
  timeout --kill-after=10 600 node --test --test-concurrency=1 crates/desktop/e2e/
