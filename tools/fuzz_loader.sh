#!/usr/bin/env bash
# Builds and runs the libFuzzer target over the checkpoint loader (issue #6). Not part of
# `swift build`/CI: the PthCheckpoint sources are compiled here with swiftc, bounds checks on (-O,
# not the package's -Ounchecked), under AddressSanitizer and libFuzzer coverage.
#
#   tools/fuzz_loader.sh [RUNS] [extra libFuzzer flags…]
#
# Seeds: every fixture under fixtures/checkpoints and fixtures/hostile. The working corpus grows in
# .build-fuzz/corpus; findings land in .build-fuzz/ as crash-*/leak-*/timeout-*. The committed
# minimised corpus (tools/fuzz/corpus) is refreshed with:
#   .build-fuzz/fuzz-loader -merge=1 tools/fuzz/corpus .build-fuzz/corpus
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10000000}"
shift || true
out=.build-fuzz
mkdir -p "$out/corpus"
swiftc -O -parse-as-library -sanitize=fuzzer,address -module-name FuzzLoader \
    -I Sources/CZip $(pkg-config --cflags-only-I libzip | sed 's/-I/-Xcc -I/g') \
    Sources/PthCheckpoint/*.swift Sources/PthCheckpoint/*/*.swift tools/fuzz/FuzzLoader.swift \
    $(pkg-config --libs libzip) -o "$out/fuzz-loader" 2>&1 | grep -v "warning:" || true
test -x "$out/fuzz-loader"
seeds=(fixtures/checkpoints fixtures/hostile)
[ -d tools/fuzz/corpus ] && seeds+=(tools/fuzz/corpus)
cd "$out"
exec ./fuzz-loader -runs="$runs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    "$@" corpus "${seeds[@]/#/../}"
