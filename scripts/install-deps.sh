#!/usr/bin/env bash
# Installs what Kidyboard needs to build, run and test on Debian, skipping what is already there.
# Safe to run again. Used by start.sh and test.sh; needs root or sudo for apt.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Build: C toolchain for bundled SQLite/libwebp/mozjpeg, nasm for the AV1 encoder, clang for bindgen.
# Run/test: fonts with Spanish glyphs, decoders that check our outputs (poppler, ffmpeg, avifdec,
# dwebp, djpeg, vips), Chromium for the UI tests, PostgreSQL for the cloud tests, a local SMTP
# server (aiosmtpd) that receives the cloud's alert mail in its tests.
APT_PACKAGES=(
  build-essential pkg-config nasm cmake libclang-dev
  fonts-dejavu-core
  poppler-utils ffmpeg libavif-bin webp libjpeg-turbo-progs libvips-tools
  python3-openpyxl python3-icalendar python3-aiosmtpd
  # The cloud's TLS test makes a test authority and a server certificate with it.
  openssl
  chromium
  postgresql
  nodejs npm
  # Audio: ALSA headers for rodio/cpal; espeak-ng speaks announcements offline.
  libasound2-dev espeak-ng
  # The desktop shell (Tauri 2 on WebKitGTK) and its end-to-end test (Xvfb + WebKitWebDriver).
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libssl-dev libxdo-dev file
  xvfb xauth webkit2gtk-driver xdotool imagemagick
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node and npm may come from elsewhere (e.g. a nodesource install); accept them if they work.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi
if ((${#missing[@]})); then
  echo "==> installing Debian packages: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  if [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "==> installing the Rust toolchain (rustup, from Debian)"
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq rustup || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq cargo rustc
    command -v rustup >/dev/null && rustup default stable
  fi
fi
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy 2>/dev/null || true

if [[ ! -d "$ROOT/ui/node_modules" || "$ROOT/ui/package-lock.json" -nt "$ROOT/ui/node_modules/.package-lock.json" ]]; then
  echo "==> installing the UI's npm packages"
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
fi
bash "$ROOT/scripts/fetch-vision.sh"
