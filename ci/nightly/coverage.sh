#!/usr/bin/env bash
# Line and branch coverage of core/src from each target's corpus, before the
# night (the checked-in seeds and regressions) and after (the merged corpus),
# with the fuzz-coverage preset's build (clang source-based coverage, the
# standalone replay driver).  Writes, under OUT/coverage:
#   <target>-seeds.json, <target>-merged.json, all-seeds.json, all-merged.json
#       llvm-cov export -summary-only, restricted to core/src
#   html/index.html   llvm-cov show of all targets' merged corpora, with branches
#   lines.txt         the same as text, for the list of uncovered lines
# Usage: ci/nightly/coverage.sh OUT TARGET...
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source fuzz/tools/fuzz_env.sh
out=$1; shift
cov=$out/coverage
bin=build/fuzz-coverage/fuzz
mkdir -p "$cov/raw"
sources=(core/src/*.c core/src/*.h) # the headers hold the walk steps both walkers share (walk.h), inlined

# profile PROFDATA DIR...: replay every input of DIR... and index the profile.
# One process for all of them; if an input fails (a bug a seed or merged
# input triggers: a finding, triaged elsewhere), a process per input, merged
# online into a pool (%4m), so that the others still count.  An aborted
# process writes no profile: failing inputs are left out of the figures.
profile() {
  local profdata=$1 binary=$2 pool=${1%.profdata}.d failed=0 f; shift 2
  rm -rf "$pool"
  mkdir -p "$pool"
  if ! LLVM_PROFILE_FILE=$pool/all.profraw "$binary" "$@" >/dev/null 2>&1; then
    rm -f "$pool"/*.profraw
    while IFS= read -r f; do
      LLVM_PROFILE_FILE=$pool/%4m.profraw "$binary" "$f" >/dev/null 2>&1 || failed=$((failed + 1))
    done < <(find "$@" -maxdepth 1 -type f | sort)
    echo "coverage: $failed input(s) of $* failed when replayed; left out of $(basename "$profdata")"
  fi
  llvm-profdata-14 merge -sparse -o "$profdata" "$pool"/*.profraw
}

# summary PROFDATA JSON BINARY...: llvm-cov's totals for core/src.
summary() {
  local profdata=$1 json=$2 first=$3 objects=() b; shift 3
  for b in "$@"; do objects+=(-object "$b"); done
  llvm-cov-14 export -summary-only -instr-profile "$profdata" "$first" "${objects[@]}" "${sources[@]}" > "$json"
}

bins=()
for t in "$@"; do
  mapfile -t seeds < <(fuzz_seed_dirs . "$t")
  profile "$cov/raw/$t-seeds.profdata" "$bin/fuzz_$t" "${seeds[@]}"
  profile "$cov/raw/$t-merged.profdata" "$bin/fuzz_$t" "$out/fuzz/$t/merged"
  for kind in seeds merged; do
    summary "$cov/raw/$t-$kind.profdata" "$cov/$t-$kind.json" "$bin/fuzz_$t"
  done
  bins+=("$bin/fuzz_$t")
done
for kind in seeds merged; do
  profiles=()
  for t in "$@"; do profiles+=("$cov/raw/$t-$kind.profdata"); done
  llvm-profdata-14 merge -sparse -o "$cov/raw/all-$kind.profdata" "${profiles[@]}"
  summary "$cov/raw/all-$kind.profdata" "$cov/all-$kind.json" "${bins[@]}"
done
objects=()
for b in "${bins[@]:1}"; do objects+=(-object "$b"); done
llvm-cov-14 show -format=html -output-dir "$cov/html" -show-branches=count -show-line-counts-or-regions \
  -project-title "virtq core/src: merged corpora of $*" \
  -instr-profile "$cov/raw/all-merged.profdata" "${bins[0]}" "${objects[@]}" "${sources[@]}"
# Line by line, with branches, as text: summary.py lists every line and branch
# direction the fuzzers left, with its reason (ci/nightly/uncovered.py).
llvm-cov-14 show -format=text -show-branches=count -instr-profile "$cov/raw/all-merged.profdata" \
  "${bins[0]}" "${objects[@]}" "${sources[@]}" > "$cov/lines.txt"
echo "coverage: $cov/html/index.html"
