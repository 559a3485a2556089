#!/usr/bin/env bash
# The test command: installs missing system packages, then builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
# Release: a debug build would compile the C kernels unoptimised and the parity suite over full-size
# networks would take many times longer. `-enable-testing` lets the tests' `@testable import`s see
# internal symbols of an optimised build.
swift build -c release --build-tests -Xswiftc -enable-testing
# A test that crashes must fail the run, not hang it: Swift's crash backtracer can stall suspending the
# other threads of a multi-threaded test process (seen with a SIGBUS), so it is off, and the run is
# bounded (it takes about a minute).
export SWIFT_BACKTRACE=enable=no
timeout 1800 swift test -c release --skip-build -Xswiftc -enable-testing
