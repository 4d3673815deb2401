# Facts about the fuzz targets that every script running an engine shares
# (ci/nightly.sh, its coverage step, fuzz/tools/smoke.sh, ci/oss-fuzz/):
# source it, then call the functions with the checkout's root.

# Per-input limits: the ops drains of a looping 32768-entry ring took 28 s
# before the per-run budget; 25 s leaves room for sanitizer builds.
FUZZ_TIMEOUT_S=25
FUZZ_RSS_MB=2560

# fuzz_dict ROOT TARGET: the target's dictionary (diff takes the rings input).
fuzz_dict() {
  if [ "$2" = diff ]; then echo "$1/corpus/rings.dict"; else echo "$1/corpus/$2.dict"; fi
}

# fuzz_seed_dirs ROOT TARGET: its seeds, then its regression inputs if any,
# one directory a line.
fuzz_seed_dirs() {
  echo "$1/corpus/$2"
  if [ -d "$1/corpus/regressions/$2" ]; then echo "$1/corpus/regressions/$2"; fi
}
