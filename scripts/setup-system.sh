#!/usr/bin/env bash
# Installs the system libraries gfmd links against (SQLite and zlib headers),
# openssl (the hub's TLS tests make their certificates with it), chromium
# (the web pages' tests drive them in headless Chromium), the sqlite3 shell
# (auditors' queries, and gfmd-bench w4 runs gfmd list beside it, also in the
# benchmarks' smoke test) and curl (the demo signs in to the hub's pages with it),
# if they are missing; with --bench, also wrk
# (gfmd-bench w5 measures the machine's HTTP limit with it).
# Safe to run again: it does nothing when they are there.
set -euo pipefail

packages=(libsqlite3-dev zlib1g-dev openssl chromium sqlite3 curl)
[ "${1:-}" = "--bench" ] && packages+=(wrk)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: please install ${missing[*]} (the Debian names of the SQLite 3 and zlib development headers, openssl, chromium, wrk, sqlite3, curl)" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "setup-system: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
