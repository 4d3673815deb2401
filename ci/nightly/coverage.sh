#!/usr/bin/env bash
# Line and branch coverage of core/src from each target's corpus, before the
# night (the checked-in seeds and regressions) and after (the merged corpus),
# with the fuzz-coverage preset's build (clang source-based coverage, the
# standalone replay driver).  Writes, under OUT/coverage:
#   <target>-seeds.json, <target>-merged.json, all-seeds.json, all-merged.json
#       llvm-cov export -summary-only, restricted to core/src
#   html/index.html   llvm-cov show of all targets' merged corpora, with branches
# Usage: ci/nightly/coverage.sh OUT TARGET...
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$1; shift
cov=$out/coverage
bin=build/fuzz-coverage/fuzz
mkdir -p "$cov/raw"
sources=(core/src/*.c)

export_summary() { # profdata json binary...
  local prof=$1 json=$2 first=$3; shift 3
  local objects=()
  for b in "$@"; do objects+=(-object "$b"); done
  llvm-cov-14 export -summary-only -instr-profile "$prof" "$first" "${objects[@]}" "${sources[@]}" > "$json"
}

# replay BINARY PROFILE DIR...: the profile of replaying every input.  One
# process for all of them; if an input fails (a bug that a seed or merged
# input triggers is a finding, triaged elsewhere), a process per input,
# merged online into a pool (%4m), so the others still count.  An aborted
# process writes no profile: failing inputs are not in the figures.
replay() {
  local binary=$1 profile=$2; shift 2
  rm -f "$profile"
  if LLVM_PROFILE_FILE=$profile "$binary" "$@" >/dev/null 2>&1; then return 0; fi
  local pool=$profile.d failed=0 f
  rm -rf "$pool"
  mkdir -p "$pool"
  while IFS= read -r f; do
    LLVM_PROFILE_FILE=$pool/%4m.profraw "$binary" "$f" >/dev/null 2>&1 || failed=$((failed + 1))
  done < <(find "$@" -maxdepth 1 -type f | sort)
  llvm-profdata-14 merge -sparse -o "$profile" "$pool"/*.profraw
  echo "coverage: $failed input(s) of $* failed when replayed; they are left out of $(basename "$profile")"
}

bins=()
for t in "$@"; do
  seeds=("corpus/$t")
  if [ -d "corpus/regressions/$t" ]; then seeds+=("corpus/regressions/$t"); fi
  replay "$bin/fuzz_$t" "$cov/raw/$t-seeds.profraw" "${seeds[@]}"
  replay "$bin/fuzz_$t" "$cov/raw/$t-merged.profraw" "$out/fuzz/$t/merged"
  for kind in seeds merged; do
    llvm-profdata-14 merge -sparse -o "$cov/raw/$t-$kind.profdata" "$cov/raw/$t-$kind.profraw"
    export_summary "$cov/raw/$t-$kind.profdata" "$cov/$t-$kind.json" "$bin/fuzz_$t"
  done
  bins+=("$bin/fuzz_$t")
done
for kind in seeds merged; do
  profraws=()
  for t in "$@"; do profraws+=("$cov/raw/$t-$kind.profraw"); done
  llvm-profdata-14 merge -sparse -o "$cov/raw/all-$kind.profdata" "${profraws[@]}"
  export_summary "$cov/raw/all-$kind.profdata" "$cov/all-$kind.json" "${bins[@]}"
done
objects=()
for b in "${bins[@]:1}"; do objects+=(-object "$b"); done
llvm-cov-14 show -format=html -output-dir "$cov/html" -show-branches=count -show-line-counts-or-regions \
  -project-title "virtq core/src: merged corpora of $*" \
  -instr-profile "$cov/raw/all-merged.profdata" "${bins[0]}" "${objects[@]}" "${sources[@]}"
echo "coverage: $cov/html/index.html"
