#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, AddressSanitizer, LeakSanitizer) of
# every parser of untrusted bytes: bundle files, bundle bodies, changes,
# certificates, revocations and requests, stored record states, and the
# admission of changes in any order.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]    # 60 s each, all targets by default
#
# Seeds come from Protocol/vectors; the corpus grows in .build-fuzz/corpus and
# crashing inputs land in .build-fuzz/crashes/TARGET/. Each crash becomes a
# test: run it again with `GFMD_FUZZ_TARGET=T swift run gfmd-fuzz FILE`, fix
# it, and add the input to the tests. Exits 1 if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(bundle body change trust state admission)
scratch=.build-fuzz
scripts/setup-system.sh
# gold cannot link libFuzzer with the entry point SwiftPM names, so lld links it.
swift build -c release --scratch-path "$scratch" --product gfmd-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
binary="$scratch/release/gfmd-fuzz"
python3 scripts/fuzz-seeds.py "$scratch/seeds"
status=0
for target in "${targets[@]}"; do
  mkdir -p "$scratch/corpus/$target" "$scratch/crashes/$target"
  log="$scratch/$target.log"
  if GFMD_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=1 "$binary" "$scratch/corpus/$target" "$scratch/seeds/$target" \
       -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -timeout=10 \
       -artifact_prefix="$scratch/crashes/$target/" -print_final_stats=1 >"$log" 2>&1; then
    verdict="no crash"
  else
    verdict="CRASHED (see $log)"
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  echo "fuzz $target: $runs executions in ${seconds} s, $coverage, $verdict"
done
exit $status
