#!/usr/bin/env bash
# Builds and runs a libFuzzer target. Not part of `swift build`/CI: the module under test is compiled
# here with swiftc, bounds checks on (-O), under AddressSanitizer and
# libFuzzer coverage, against PthFoundation (every library module's dependency) built first as a
# module of its own.
#
#   tools/fuzz_loader.sh [TARGET] [RUNS] [extra libFuzzer flags…]
#
# PTH_FUZZ_ASAN=0 builds without AddressSanitizer (into .build-fuzz/TARGET-noasan, sharing TARGET's
# corpus): about 3× the executions per second. Swift's own bounds and overflow checks still trap, but
# an out-of-bounds access through an unsafe pointer or inside a C library goes unseen, so spend most
# of the machine's time under ASan and use this only to add executions.
#
# TARGET (default loader):
#   loader  mutates checkpoint bytes through the whole PthCheckpoint loader (tools/fuzz/FuzzLoader.swift)
#   pickle  structure-aware: the input is a stream of choices that builds a well-formed pickle program
#           (aliasing and self-referencing memo entries, every container opcode, calls of every allowlisted
#           global, persistent ids of every kind) inside a zip, legacy or tar checkpoint, then loads it
#           the same way (tools/fuzz/FuzzPickle.swift, PickleProgram.swift, CheckpointArchive.swift)
#   npy     the PthNumpy .npy reader, with a write/read round trip (tools/fuzz/FuzzNumpy.swift)
#   image   ImageDecoder.decode over every format it knows, and the conversions to RGB (FuzzImage.swift)
#
# Seeds: the committed corpora under fixtures/ (fuzz-corpus for loader, fuzz-corpus-pickle/choices for
# pickle) and the fixtures of the target's kind. The working corpus grows in .build-fuzz/TARGET/corpus
# (git-ignored); findings land in .build-fuzz/TARGET/ as crash-*/leak-*/timeout-*: copy each into
# fixtures/fuzz-regressions/ with a test. The machine is shared: keep `-jobs=1`. To refresh a committed
# corpus after a run, merge into an empty folder and replace the committed one with it, e.g. (a set-cover
# merge keeps the pickle corpus near 1,200 inputs, 2 MB of generated checkpoints)
#   (cd .build-fuzz/pickle && mkdir min && ./fuzz-pickle -set_cover_merge=1 min corpus ../../fixtures/fuzz-corpus-pickle/choices)
# and for pickle also regenerate the checkpoints `swift test` replays from the merged choices:
#   (cd .build-fuzz/pickle && rm -rf ../../fixtures/fuzz-corpus-pickle/checkpoints && mkdir -p ../../fixtures/fuzz-corpus-pickle/checkpoints \
#       && PTH_FUZZ_EMIT=../../fixtures/fuzz-corpus-pickle/checkpoints ./fuzz-pickle -runs=0 min)
set -euo pipefail
cd "$(dirname "$0")/.."
target=loader
case "${1:-}" in loader|pickle|npy|image) target="$1"; shift ;; esac
runs="${1:-10000000}"
shift || true

checkpoint_sources=(Sources/PthCheckpoint/*.swift Sources/PthCheckpoint/*/*.swift tools/fuzz/LoaderExercise.swift)
checkpoint_flags=(-I Sources/CZip $(pkg-config --cflags-only-I libzip | sed 's/-I/-Xcc -I/g'))
case "$target" in
    loader)
        sources=("${checkpoint_sources[@]}" tools/fuzz/FuzzLoader.swift)
        flags=("${checkpoint_flags[@]}"); libs=(libzip); max_len=65536
        seeds=(fixtures/fuzz-corpus fixtures/checkpoints fixtures/hostile fixtures/fuzz-regressions) ;;
    pickle)
        sources=("${checkpoint_sources[@]}" tools/fuzz/FuzzChoices.swift tools/fuzz/PickleProgram.swift
                 tools/fuzz/CheckpointArchive.swift tools/fuzz/FuzzPickle.swift)
        flags=("${checkpoint_flags[@]}"); libs=(libzip); max_len=4096
        seeds=(fixtures/fuzz-corpus-pickle/choices) ;;
    npy)
        sources=(Sources/PthNumpy/*.swift tools/fuzz/FuzzNumpy.swift)
        flags=(); libs=(); max_len=4096
        seeds=(fixtures/kernels) ;;
    image)
        # Every C library PthVision links (a system-library target under Sources/C*) and its pkg-config name.
        sources=(Sources/PthVision/*.swift tools/fuzz/FuzzImage.swift)
        flags=(-I Sources/CJPEG -I Sources/CPNG); libs=(libjpeg libpng); max_len=65536
        seeds=(fixtures/images fixtures/broken) ;;
esac

sanitizers=fuzzer,address corpus=corpus out=".build-fuzz/$target"
if [[ "${PTH_FUZZ_ASAN:-1}" == 0 ]]; then
    sanitizers=fuzzer corpus="../$target/corpus" out=".build-fuzz/$target-noasan"
fi
mkdir -p "$out" ".build-fuzz/$target/corpus"
for seed in "${seeds[@]}"; do mkdir -p "$seed"; done
cflags=() ldflags=()
if ((${#libs[@]})); then
    cflags=($(pkg-config --cflags-only-I "${libs[@]}" | sed 's/-I/-Xcc -I/g'))
    ldflags=($(pkg-config --libs "${libs[@]}"))
fi
swiftc -O -wmo -parse-as-library -sanitize=$sanitizers -module-name PthFoundation Sources/PthFoundation/*.swift \
    -emit-module -emit-module-path "$out/PthFoundation.swiftmodule" -emit-object -o "$out/PthFoundation.o" 2>&1 | grep -v "warning:" || true
swiftc -O -parse-as-library -sanitize=$sanitizers -module-name "Fuzz_$target" -I "$out" "$out/PthFoundation.o" \
    "${flags[@]}" "${cflags[@]}" "${sources[@]}" "${ldflags[@]}" -o "$out/fuzz-$target" 2>&1 | grep -v "warning:" || true
test -x "$out/fuzz-$target"
cd "$out"
exec "./fuzz-$target" -runs="$runs" -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    "$@" "$corpus" "${seeds[@]/#/../../}"
