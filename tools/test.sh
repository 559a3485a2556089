#!/usr/bin/env bash
# The test command: installs missing system packages, then builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
swift build --build-tests
# A test that crashes must fail the run, not hang it: Swift's crash backtracer can stall suspending the
# other threads of a multi-threaded test process (seen with a SIGBUS), so it is off, and the run is
# bounded (it takes about a minute).
export SWIFT_BACKTRACE=enable=no
timeout 1800 swift test --skip-build
