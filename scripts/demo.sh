#!/usr/bin/env bash
# Builds gfmd and plays a short story: the secretariat enrols two laptops of the
# Philippine delegation and one of Mexico; the Philippine laptops edit one
# practice offline, exchange bundle files, see a conflict and resolve it; the
# secretariat accepts it and only then does Mexico receive it; then the hub,
# its web pages, the auditor's questions, and gfmd ui's address for the
# browser. Everything happens in a temporary folder.
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

say "The secretariat creates its replica and the root key that enrols every laptop"
run init --replica sec --secretariat --author "Ana Lopez"

say "Two Philippine laptops and one Mexican laptop ask to be enrolled"
run init --replica laptop1 --delegation PHL --author "Maria Santos"
run init --replica laptop2 --delegation PHL --author "Jose Rizal"
run init --replica mex --delegation MEX --author "Luis Garcia"
for r in laptop1 laptop2 mex; do run request --replica "$r" -o "$r.request"; done
run certify --replica sec laptop1.request --role delegate -o laptop1.cert
run certify --replica sec laptop2.request --role delegate -o laptop2.cert
run certify --replica sec mex.request --role delegate -o mex.cert
for r in laptop1 laptop2 mex; do run enroll --replica "$r" "$r.cert"; done

say "The secretariat sends the delegation a first bundle: its laptops learn each other's encryption keys"
run bundle create --replica sec --to PHL -o welcome-phl.gfmd
for r in laptop1 laptop2; do run bundle apply --replica "$r" welcome-phl.gfmd; done

say "Maria drafts a practice and hands a bundle to her colleague and the secretariat"
printf '$ gfmd new --replica laptop1 practice --title "Diaspora bonds" ...\n'
id=$("$gfmd_bin" new --replica laptop1 practice --title "Diaspora bonds" --set start_date=2025-01-15 --add partners=IOM)
echo "$id"
run bundle create --replica laptop1 --to PHL -o start.gfmd     # sealed: only PHL's laptops open it
run bundle apply --replica laptop2 start.gfmd
run bundle create --replica laptop1 --to SEC -o start-sec.gfmd # sealed: only the secretariat's sites open it
run bundle apply --replica sec start-sec.gfmd

say "Offline, both laptops retitle it, and everyone adds partners or themes"
run set --replica laptop1 "$id" title "Diaspora bonds for development"
run set --replica laptop2 "$id" title "Philippine diaspora bonds"
run add --replica laptop1 "$id" partners ILO
run add --replica laptop2 "$id" partners UNDP
run add --replica sec "$id" themes remittances

say "They swap bundle files, in different orders"
for r in laptop1 laptop2 sec; do run bundle create --replica "$r" --to PHL -o "$r.gfmd"; done
for r in laptop1 laptop2; do run bundle create --replica "$r" --to SEC -o "$r-sec.gfmd"; done
run bundle apply --replica laptop1 sec.gfmd laptop2.gfmd
run bundle apply --replica laptop2 laptop1.gfmd sec.gfmd
run bundle apply --replica sec laptop2-sec.gfmd laptop1-sec.gfmd
run bundle inspect sec.gfmd

say "Every PHL replica shows the same state: the laptops' digest is the secretariat's digest of what PHL may read"
for r in laptop1 laptop2; do run digest --replica "$r"; done
run digest --replica sec --for PHL

say "Nothing was lost: both partners are there, and the two titles are a visible conflict"
run show --replica laptop1 "$id"
run conflicts --replica laptop1

say "Maria settles the title and submits the practice"
run resolve --replica laptop1 "$id" title "Diaspora bonds for development"
run submit --replica laptop1 "$id"
run bundle create --replica laptop1 --to SEC -o submitted.gfmd
run bundle apply --replica sec submitted.gfmd

say "Mexico's laptop receives what Mexico may read: no Philippine draft yet"
run bundle create --replica sec --to MEX -o to-mex.gfmd
run bundle apply --replica mex to-mex.gfmd
run list --replica mex

say "The secretariat reviews and accepts it: now it is published, and reaches Mexico"
run review --replica sec "$id" --start
run review --replica sec "$id" --accept
run bundle create --replica sec --to MEX -o to-mex-2.gfmd
run bundle apply --replica mex to-mex-2.gfmd
run list --replica mex
run digest --replica mex
run digest --replica sec --for MEX

say "A bundle for the secretariat, sent to Mexico by mistake, opens nowhere but at the secretariat"
run bundle inspect --replica mex laptop1-sec.gfmd
run bundle apply --replica mex laptop1-sec.gfmd || true

say "Mexico may read it, not edit it"
run set --replica mex "$id" title "Bonos" || true

say "The history, as an auditor sees it"
run bundle create --replica sec --to PHL -o to-phl.gfmd
run bundle apply --replica laptop2 to-phl.gfmd
run log --replica laptop2 "$id"
run verify --replica laptop2

say "With a connection: the secretariat runs its hub, and each laptop syncs in one command"
"$gfmd_bin" serve --replica sec --port 0 > hub.out 2> hub.log &
hub_pid=$!
trap 'kill "$hub_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q "Listening on" hub.out 2>/dev/null && break; sleep 0.1; done
hub_url=$(sed -n 's/^Listening on //p' hub.out)
printf '$ gfmd serve --replica sec --port 0 &\n'; cat hub.out
run set --replica laptop2 "$id" start_date 2025-02-01
for r in laptop2 laptop1 mex; do run sync --replica "$r" "$hub_url"; done
run digest --replica laptop1
run digest --replica sec --for PHL

say "The hub's web pages: a Mexican auditor signs in with a link and sees what Mexico may read"
run web-user add auditor@sre.gob.mx --participant MEX --hub "$hub_url" --replica sec | tee web-user.out
link=$(grep -o 'http[^ ]*/login/[0-9a-f]*' web-user.out)
printf '$ curl --data "" -L LINK   # the link'"'"'s "Sign in" button, then the records page it leads to\n'
curl -s -c "$work/cookies" -b "$work/cookies" --data '' -L "$link" \
  | grep -e 'id="session"' -e '^<tr><td>' | sed -e 's#</td><td>#  |  #g' -e 's/<[^>]*>//g' -e 's/^/  /'
kill -TERM "$hub_pid"; wait "$hub_pid" 2>/dev/null || true

say "An auditor's questions, and the compendium the secretariat publishes"
run blame --replica sec "$id"
run show --replica sec "$id" --as-of "$(date -u +%F)"
run export --replica sec --format markdown --published

say "In the browser: gfmd ui serves a laptop's replica to its officer, on this computer only"
"$gfmd_bin" ui --replica laptop1 --no-browser > ui.out 2> ui.log &
ui_pid=$!
trap 'kill "$ui_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q "gfmd ui: open" ui.out 2>/dev/null && break; sleep 0.1; done
printf '$ gfmd ui --replica laptop1\n'; cat ui.out
if [ -t 0 ]; then
  read -r -p "Open that address in a browser on this computer; press Enter to stop. " _
fi
kill -TERM "$ui_pid"; wait "$ui_pid" 2>/dev/null || true
