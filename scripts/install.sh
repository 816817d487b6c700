#!/usr/bin/env bash
# Builds gfmd in release mode (10–20× faster than the debug build on big
# bundles) and installs it as PREFIX/bin/gfmd (PREFIX: ~/.local by default).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-system.sh
prefix="${PREFIX:-$HOME/.local}"
swift build -c release --product gfmd >&2
mkdir -p "$prefix/bin"
install -m 0755 .build/release/gfmd "$prefix/bin/gfmd"
echo "Installed $prefix/bin/gfmd"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "Add $prefix/bin to your PATH to run gfmd from anywhere." ;; esac
