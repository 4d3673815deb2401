#!/usr/bin/env bash
# Run a planted-bug fuzz binary over a corpus; pass only if a harness oracle
# (FUZZ_ASSERT) or a sanitizer flagged it.  Any other failure (missing
# corpus, unreadable file) or a clean run fails this check.
set -u
bin=$1; shift
out=$(VIRTQ_FUZZ_VERBOSE=1 "$bin" "$@" 2>&1)
rc=$?
if [ $rc -eq 0 ]; then
  echo "planted bug NOT flagged: $bin replayed $* cleanly"
  exit 1
fi
if ! grep -qE "FUZZ_ASSERT failed|ERROR: (Address|Undefined)Sanitizer|runtime error" <<<"$out"; then
  echo "$bin failed (exit $rc) but not through an oracle:"
  tail -n 20 <<<"$out"
  exit 1
fi
input=$(grep -E "^standalone: .*bytes\)$" <<<"$out" | tail -n 1)
echo "flagged by ${input#standalone: }:"
grep -E -A1 "FUZZ_ASSERT failed|Sanitizer|runtime error" <<<"$out" | head -n 4
