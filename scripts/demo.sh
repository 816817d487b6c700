#!/usr/bin/env bash
# Builds gfmd and plays a short story: two laptops of the Philippine delegation
# and the secretariat edit one practice offline, exchange bundle files, see a
# conflict and resolve it. Everything happens in a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-system.sh
swift build --product gfmd >&2
gfmd_bin="$PWD/.build/debug/gfmd"
work=$(mktemp -d "${TMPDIR:-/tmp}/gfmd-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() {
  printf '$ gfmd'
  for arg in "$@"; do case "$arg" in *" "*) printf ' "%s"' "$arg" ;; *) printf ' %s' "$arg" ;; esac; done
  printf '\n'
  "$gfmd_bin" "$@"
}

say "Three laptops, each with its own replica and signing key"
run init --replica laptop1 --delegation PHL --author "Maria Santos"
run init --replica laptop2 --delegation PHL --author "Jose Rizal"
run init --replica sec --secretariat --author "Ana Lopez"

say "Maria drafts a practice and hands a bundle to her colleague and the secretariat"
printf '$ gfmd new --replica laptop1 practice --title "Diaspora bonds" ...\n'
id=$("$gfmd_bin" new --replica laptop1 practice --title "Diaspora bonds" --set start_date=2025-01-15 --add partners=IOM)
echo "$id"
run bundle create --replica laptop1 --all -o start.gfmd
run bundle apply --replica laptop2 start.gfmd
run bundle apply --replica sec start.gfmd

say "Offline, both laptops retitle it, and everyone adds partners or themes"
run set --replica laptop1 "$id" title "Diaspora bonds for development"
run set --replica laptop2 "$id" title "Philippine diaspora bonds"
run add --replica laptop1 "$id" partners ILO
run add --replica laptop2 "$id" partners UNDP
run add --replica sec "$id" themes remittances

say "They swap bundle files, in different orders"
for r in laptop1 laptop2 sec; do run bundle create --replica "$r" --all -o "$r.gfmd"; done
run bundle apply --replica laptop1 sec.gfmd laptop2.gfmd
run bundle apply --replica laptop2 laptop1.gfmd sec.gfmd
run bundle apply --replica sec laptop2.gfmd laptop1.gfmd
run bundle inspect sec.gfmd

say "Every replica shows the same state: same digest"
for r in laptop1 laptop2 sec; do run digest --replica "$r"; done

say "Nothing was lost: both partners are there, and the two titles are a visible conflict"
run show --replica sec "$id"
run conflicts --replica sec

say "The secretariat resolves it and sends a bundle back"
run resolve --replica sec "$id" title "Diaspora bonds for development"
run bundle create --replica sec --all -o resolved.gfmd
run bundle apply --replica laptop1 resolved.gfmd
run bundle apply --replica laptop2 resolved.gfmd
for r in laptop1 laptop2 sec; do run conflicts --replica "$r"; done
for r in laptop1 laptop2 sec; do run digest --replica "$r"; done

say "The history, as an auditor sees it"
run log --replica laptop2 "$id"
