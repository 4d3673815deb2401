#!/usr/bin/env bash
# The fuzz self-test of one planted bug: replay a corpus through the target
# built with it, and pass only if the oracle that claims the bug is the one
# that fires (fuzz/common/fuzz.h prints "oracle <name>:"; planted/bugs.tsv
# names the claim).  A clean run, a failure through another oracle, a crash
# no oracle reports, or a missing corpus fails this check.
# With --tries N a clean replay is tried again, up to N runs in all: a
# finding in a back-end in another process (vhost_user/findings/) can need
# the back-end's poll loop to run inside a window, which a loaded machine
# does not always grant.  A run through another oracle still fails at once.
#   expect_flagged.sh [--tries N] ORACLE BINARY CORPUS...
set -u
tries=1
if [ "${1:-}" = --tries ]; then tries=$2; shift 2; fi
oracle=$1; shift
bin=$1; shift
for ((try = 1; ; try++)); do
  out=$(VIRTQ_FUZZ_VERBOSE=1 "$bin" "$@" 2>&1)
  rc=$?
  [ $rc -eq 0 ] && [ "$try" -lt "$tries" ] || break
  echo "run $try of $tries replayed cleanly: again"
done
if [ $rc -eq 0 ]; then
  echo "planted bug NOT flagged: $bin replayed $* cleanly ($tries run(s))"
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
