#!/usr/bin/env bash
# Builds the DocC documentation of every library module; any DocC warning (a broken symbol link, a
# missing article) fails the build. The archives land in .build/plugins/Swift-DocC/outputs/.
set -euo pipefail
cd "$(dirname "$0")/.."
for target in PthCheckpoint PthModels PthVision PthRuntime PthNumpy PthClassifier; do
  swift package --disable-sandbox generate-documentation --target "$target" --warnings-as-errors > ".build/docc-$target.log" 2>&1 \
    || { cat ".build/docc-$target.log" >&2; echo "documentation of $target has warnings or errors" >&2; exit 1; }
done
echo "documentation: 6 modules built with no warnings"
