#!/usr/bin/env bash
# Builds the Debian package of the desktop shell: the binary, the built web UI (which the hub
# inside the shell serves), a .desktop entry and icons. Plain cargo + dpkg-deb, no tauri-cli.
#   scripts/package-deb.sh [OUT_DIR]      (PROFILE=debug to package a debug build)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[[ -f scripts/env.sh ]] && source scripts/env.sh
PROFILE="${PROFILE:-release}"
OUT="${1:-$ROOT/target-deb}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"

if [[ "$PROFILE" == release ]]; then
  cargo build --locked --release -p kidyboard-desktop
else
  # The debug package (the tests' one) takes the binary `cargo test --workspace` built, with
  # the same features (see desktop-e2e.sh), so nothing is compiled twice.
  cargo test --locked --workspace --no-run
fi
[[ -f ui/dist/index.html && "${SKIP_UI_BUILD:-0}" == 1 ]] || npm --prefix ui run --silent build

VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
ARCH="$(dpkg --print-architecture)"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT

install -Dm755 "$TARGET/$PROFILE/kidyboard-desktop" "$STAGE/usr/bin/kidyboard-desktop"
mkdir -p "$STAGE/usr/share/kidyboard"
cp -r ui/dist "$STAGE/usr/share/kidyboard/ui"
for size in 32 128 256; do
  install -Dm644 "crates/desktop/icons/${size}x${size}.png" "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps/kidyboard.png"
done
install -Dm644 crates/desktop/icons/icon.png "$STAGE/usr/share/icons/hicolor/512x512/apps/kidyboard.png"
install -Dm644 /dev/stdin "$STAGE/usr/share/applications/kidyboard.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=Kidyboard
Comment=Recepción, kidibar, monitores y tótems del centro de juegos
Exec=/usr/bin/kidyboard-desktop
Icon=kidyboard
Terminal=false
Categories=Office;Finance;
StartupWMClass=kidyboard-desktop
DESKTOP

SIZE_KB="$(du -sk "$STAGE/usr" | cut -f1)"
install -Dm644 /dev/stdin "$STAGE/DEBIAN/control" <<CONTROL
Package: kidyboard-desktop
Version: $VERSION
Architecture: $ARCH
Maintainer: Kidyboard <soporte@kidyboard.mx>
Installed-Size: $SIZE_KB
Depends: libwebkit2gtk-4.1-0, libgtk-3-0, libasound2 | libasound2t64, libc6
Recommends: cups-client, espeak-ng
Section: misc
Priority: optional
Homepage: https://kidyboard.mx
Description: Kidyboard for play centres: reception, kidibar, wall monitors and totems
 The desktop and kiosk shell of Kidyboard. It can host the store's hub (works
 without internet) or connect to it, shows the device's page full screen on
 monitors and totems, and prints receipts on ESC/POS thermal printers.
CONTROL

mkdir -p "$OUT"
DEB="$OUT/kidyboard-desktop_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
echo "$DEB"
