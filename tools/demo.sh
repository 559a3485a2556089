#!/usr/bin/env bash
# The main job on bundled data: fetch real pretrained EfficientNet-Lite0 weights (once, verified)
# and label the photos in fixtures/images/ with them.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
swift build -c release --product pth >&2
weights=$(tools/fetch-weights.sh)
exec .build/release/pth classify fixtures/images --weights "$weights" --model efficientnet_lite0 --topk 3 "$@"
