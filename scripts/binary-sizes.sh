#!/usr/bin/env bash
# Builds the hub's `kidyboard` binary with every feature set that matters — all features (the
# default), none, and each optional part alone — and prints how big each one is.
#   scripts/binary-sizes.sh [PROFILE]     (release by default, the profile packages are built with; or dev)
# The builds share the usual target dir, so only the hub and the crates a feature pulls in are
# compiled again for each. The default build goes last, so target/<profile>/kidyboard is the
# usual binary again when the script ends (meanwhile it is a reduced one: the UI's end-to-end
# tests, which run target/debug/kidyboard, should not run beside `binary-sizes.sh dev`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
PROFILE="${1:-release}"
case "$PROFILE" in
  release) DIR=release ;;
  dev | debug) PROFILE=dev DIR=debug ;;
  *) echo "usage: $0 [release|dev]" >&2; exit 2 ;;
esac

# name | cargo feature flags
BUILDS=(
  "none|--no-default-features"
  "vision|--no-default-features --features vision"
  "media|--no-default-features --features media"
  "audio|--no-default-features --features audio"
  "speakers|--no-default-features --features speakers"
  "default (all)|"
)

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
ROWS=()
for build in "${BUILDS[@]}"; do
  name="${build%%|*}"
  flags="${build#*|}"
  echo "==> building kidyboard ($PROFILE): $name ${flags:+($flags)}" >&2
  started=$SECONDS
  # shellcheck disable=SC2086 # the flags are words
  cargo build --locked --profile "$PROFILE" -p kidyboard-hub --bin kidyboard $flags >&2
  bin="$CARGO_TARGET_DIR/$DIR/kidyboard"
  bytes="$(stat -c %s "$bin")"
  # Symbols are most of a debug build; the stripped size is what a package would ship.
  strip -o "$OUT/stripped" "$bin"
  stripped="$(stat -c %s "$OUT/stripped")"
  ROWS+=("$name|$bytes|$stripped|$((SECONDS - started))")
done

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000000 }'; }
echo
echo "kidyboard binary sizes ($PROFILE profile, $(rustc --version | cut -d' ' -f2), $(uname -m))"
printf '%-15s %12s %8s %14s %8s %8s\n' "features" "bytes" "MB" "stripped bytes" "MB" "build s"
for row in "${ROWS[@]}"; do
  IFS='|' read -r name bytes stripped secs <<<"$row"
  printf '%-15s %12s %8s %14s %8s %8s\n' "$name" "$bytes" "$(mb "$bytes")" "$stripped" "$(mb "$stripped")" "$secs"
done
