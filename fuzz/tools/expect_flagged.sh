#!/usr/bin/env bash
# The fuzz self-test of one planted bug: replay a corpus through the target
# built with it, and pass only if the oracle that claims the bug is the one
# that fires (fuzz/common/fuzz.h prints "oracle <name>:"; planted/bugs.tsv
# names the claim).  A clean run, a failure through another oracle, a crash
# no oracle reports, or a missing corpus fails this check.
#   expect_flagged.sh ORACLE BINARY CORPUS...
set -u
oracle=$1; shift
bin=$1; shift
out=$(VIRTQ_FUZZ_VERBOSE=1 "$bin" "$@" 2>&1)
rc=$?
if [ $rc -eq 0 ]; then
  echo "planted bug NOT flagged: $bin replayed $* cleanly"
  exit 1
fi
fired=$(grep -oE "FUZZ_ASSERT failed at [^ ]* oracle [a-z-]+" <<<"$out" | head -n 1 | sed 's/.* oracle //')
if [ "$fired" != "$oracle" ]; then
  echo "$bin failed (exit $rc), but not through the oracle $oracle (fired: ${fired:-none}):"
  tail -n 20 <<<"$out"
  exit 1
fi
input=$(grep -E "^standalone: .*bytes\)$" <<<"$out" | tail -n 1)
echo "flagged by ${input#standalone: }, oracle $oracle:"
grep -E -A1 "FUZZ_ASSERT failed" <<<"$out" | head -n 2
