#!/usr/bin/env bash
# Depends on swift-pth by version, as a user's package would, builds that package and runs it: a tagged
# clone of this repository's committed state is the dependency (tools/consumer/Package.swift). Fails if
# SwiftPM refuses the dependency (a library target with unsafe build flags) or the program's answer is off.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone -q "$root" "$work/swift-pth"
# The version `pth --version` reports is the one the clone is tagged with and the consumer asks for.
version="$(sed -n 's/.*static let version = "\(.*\)".*/\1/p' "$root/Sources/pth/PthCommand.swift")"
git -C "$work/swift-pth" tag "$version"
cp -R "$root/tools/consumer" "$work/consumer"
sed -i -e "s|SWIFT_PTH_URL|file://$work/swift-pth|" -e "s|SWIFT_PTH_VERSION|$version|" "$work/consumer/Package.swift"
cd "$work/consumer"
swift build -q
output="$(.build/debug/consumer "$root/fixtures/finetuned/resnet18_pets.pth" "$root/fixtures/images/chelsea.png")"
echo "$output"
# PyTorch's top class for chelsea.png on this network (fixtures/finetuned/expected.json).
expected="$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["networks"]["resnet18_pets"]["chelsea.png"]; print(e["top"][0], e["labels"][0])' "$root/fixtures/finetuned/expected.json")"
printf '%s\n' "$output" | sed -n 2p | grep -q "^$expected " || { echo "consumer check: expected top class '$expected'" >&2; exit 1; }
echo "consumer check: swift-pth $version resolved by version, built and classified as PyTorch does"
