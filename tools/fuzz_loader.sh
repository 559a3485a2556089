#!/usr/bin/env bash
# Builds and runs the libFuzzer target over the checkpoint loader (issue #6). Not part of
# `swift build`/CI: the PthCheckpoint sources are compiled here with swiftc, bounds checks on (-O,
# not the package's -Ounchecked), under AddressSanitizer and libFuzzer coverage.
#
#   tools/fuzz_loader.sh [RUNS] [extra libFuzzer flags…]
#
# Seeds: the committed minimised corpus (fixtures/fuzz-corpus, replayed by FuzzCorpusTests in every
# swift test) and every fixture under fixtures/checkpoints, fixtures/hostile and fixtures/fuzz-regressions.
# The working corpus grows in .build-fuzz/corpus (git-ignored); findings land in .build-fuzz/ as
# crash-*/leak-*/timeout-*: copy each into fixtures/fuzz-regressions/ with a test. Two cores: add
# `-jobs=2 -workers=2`. To refresh the committed corpus after a run:
#   (cd .build-fuzz && mkdir min && ./fuzz-loader -merge=1 -max_len=65536 min corpus ../fixtures/fuzz-corpus \
#       ../fixtures/checkpoints ../fixtures/hostile ../fixtures/fuzz-regressions)
#   then replace fixtures/fuzz-corpus with .build-fuzz/min.
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
seeds=(fixtures/fuzz-corpus fixtures/checkpoints fixtures/hostile fixtures/fuzz-regressions)
cd "$out"
exec ./fuzz-loader -runs="$runs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    "$@" corpus "${seeds[@]/#/../}"
