#!/usr/bin/env bash
# Runs the whole test suite (Swift Testing): what CI runs on a clean clone.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-system.sh
swift build --build-tests
swift test --skip-build "$@"
