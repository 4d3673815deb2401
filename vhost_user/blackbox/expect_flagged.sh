#!/bin/sh
# expect_flagged.sh CLAUSE RESULTS RUNNER ARGS...: the black-box self-test.
# Runs the suite (RUNNER ARGS... --results RESULTS) against a back-end built
# on a planted-bug twin of the core and passes only if some finding (fail or
# warn) names CLAUSE: the bug is seen from outside the process, under its rule.
set -u
clause=$1 results=$2
shift 2
rm -f "$results"
"$@" --results "$results" >/dev/null 2>&1
if [ ! -s "$results" ]; then
  echo "expect_flagged: the suite wrote no results ($*)" >&2
  exit 1
fi
if grep -q "\"t\":\"finding\".*\"clause\":\"$clause\",\"verdict\":\"\(fail\|warn\)\"" "$results"; then
  echo "flagged under $clause"
  exit 0
fi
echo "expect_flagged: no finding under $clause; the findings were:" >&2
grep '"t":"finding"' "$results" >&2 || echo "  (none)" >&2
exit 1
