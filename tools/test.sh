#!/usr/bin/env bash
# The test command: installs missing system packages, then builds and runs every test, checks that a
# package depending on swift-pth by version builds and classifies, and builds the DocC documentation
# with warnings as errors. Formatting is checked first, since it takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
# Every Swift file as .swift-format says (the toolchain's swift-format; `swift-format format -i FILE` fixes one).
swift-format lint --strict $(git ls-files '*.swift')
# Release: a debug build would compile the C kernels unoptimised and the parity suite over full-size
# networks would take many times longer. `-enable-testing` lets the tests' `@testable` imports see
# internal symbols of an optimised build.
swift build -c release --build-tests -Xswiftc -enable-testing
# A test that crashes must fail the run, not hang it: Swift's crash backtracer can stall suspending the
# other threads of a multi-threaded test process (seen with a SIGBUS), so it is off, and the run is
# bounded (it takes a few minutes).
export SWIFT_BACKTRACE=enable=no
log=.build/test.log
timeout 1800 swift test -c release --skip-build -Xswiftc -enable-testing 2>&1 | tee "$log"
tools/consumer-check.sh
tools/docs.sh
# XCTest's own total, as one closing line: "Executed N tests, with S tests skipped and F failures".
total=$(grep -E '^[[:space:]]*Executed [0-9]+ tests' "$log" | tail -1)
executed=$(sed -E 's/.*Executed ([0-9]+) tests.*/\1/' <<< "$total")
skipped=$(sed -nE 's/.* ([0-9]+) tests? skipped.*/\1/p' <<< "$total"); skipped=${skipped:-0}
failed=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<< "$total")
echo "tests: $((executed - skipped - failed)) passed, $failed failed, $skipped skipped"
