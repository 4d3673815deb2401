#!/bin/sh
# expect_flagged.sh CLAUSE RESULTS RUNNER BACKEND: the black-box self-test.
# Runs the suite (RUNNER) against BACKEND, a back-end built on a planted-bug
# twin of the core, and passes only if some finding (fail or warn) names
# CLAUSE: the bug is seen from outside the process, under its rule.  And no
# process of BACKEND may outlive the run (a hung back-end must be killed).
set -u
clause=$1 results=$2 runner=$3 backend=$4
rm -f "$results"
"$runner" --name "planted:$(basename "$backend")" --backend "$backend --socket {socket}" \
  --results "$results" >/dev/null 2>&1
# Processes of $backend still alive (read from /proc: no procps needed).
left() {
  for f in /proc/[0-9]*/cmdline; do
    if tr '\0' ' ' <"$f" 2>/dev/null | grep -q "^$backend --socket"; then
      p=${f#/proc/}
      echo "${p%/cmdline}"
    fi
  done
}
stray=$(left)
if [ -n "$stray" ]; then
  echo "expect_flagged: $backend still running after the suite ended (pid $stray)" >&2
  kill -9 $stray 2>/dev/null
  exit 1
fi
if [ ! -s "$results" ]; then
  echo "expect_flagged: the suite wrote no results" >&2
  exit 1
fi
if grep -q "\"t\":\"finding\".*\"clause\":\"$clause\",\"verdict\":\"\(fail\|warn\)\"" "$results"; then
  echo "flagged under $clause"
  exit 0
fi
echo "expect_flagged: no finding under $clause; the findings were:" >&2
grep '"t":"finding"' "$results" >&2 || echo "  (none)" >&2
exit 1
