#!/usr/bin/env bash
# Coverage over time for one target, from the series ci/nightly/fuzz_stats.py
# wrote: libFuzzer's cov (PC counters, left axis) and each AFL++ instance's
# edges_found (its edge map, right axis; the two engines count differently).
# AFL++ 4.04c writes plot_data rows only after its first minute, so a 60 s
# run has a single AFL++ point: drawn as points, not steps.
# Usage: ci/nightly/plot.sh FUZZ_DIR TARGET PNG
set -euo pipefail
dir=$1 target=$2 png=$3
mkdir -p "$(dirname "$png")"
has_rows() { grep -qv '^#' "$1" 2>/dev/null; }
plots=()
if has_rows "$dir/libfuzzer.tsv"; then
  plots+=("'$dir/libfuzzer.tsv' using 1:2 with steps lw 2 title 'libFuzzer cov (left)'")
fi
for f in "$dir"/afl-*.tsv; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .tsv)
  if has_rows "$f"; then
    plots+=("'$f' using 1:2 axes x1y2 with linespoints lw 2 pt 7 title 'AFL++ ${name#afl-} edges (right)'")
  fi
done
if ((${#plots[@]} == 0)); then
  echo "plot: no series for $target (did the engines run?)" >&2
  exit 1
fi
joined=$(IFS=,; echo "${plots[*]}")
gnuplot <<GP
set terminal png size 900,480
set output '$png'
set title '$target: coverage over time'
set xlabel 'seconds'
set ylabel 'libFuzzer cov'
set y2label 'AFL++ edges found'
set yrange [0:*]
set y2range [0:*]
set ytics nomirror
set y2tics
set key bottom right
set grid
plot $joined
GP
echo "plot: $png"
