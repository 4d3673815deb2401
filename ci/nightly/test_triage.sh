#!/usr/bin/env bash
# ctest nightly.triage: ci/nightly/triage.py on a target built with a planted
# bug (planted/bugs.tsv), replaying its seeds.  Many seeds flag the bug; triage
# must fold them into exactly one finding of the oracle that claims it, and
# the regression file it writes must fail the planted build and pass the
# real one.
# Usage: test_triage.sh WORKDIR TARGET PLANTED_BIN REAL_BIN DECODER EXPECTED_KIND
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$1 target=$2 planted=$3 real=$4 decoder=$5 kind=$6
rm -rf "$work"
python3 "$root/ci/nightly/triage.py" --target "$target" --root "$root" --asan "$planted" \
  --decoder "$decoder" --findings "$work/findings" --regressions "$work/regressions" \
  --replay "$root/corpus/$target" > "$work.out" 2> "$work.log" ||
  { cat "$work.log" >&2; echo "test_triage: triage.py failed" >&2; exit 1; }
cat "$work.out"
python3 - "$work/findings/findings.json" "$kind" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
f = r["findings"]
assert r["candidates"] >= 2, f"want several flagging seeds, got {r['candidates']}"
assert len(f) == 1, f"want 1 unique finding, got {len(f)}: {[x['signature'] for x in f]}"
assert f[0]["kind"].startswith(sys.argv[2]), f"kind {f[0]['kind']!r}, want {sys.argv[2]!r}"
assert f[0]["inputs"] == r["candidates"], "every candidate should fold into the one finding"
assert not r["unreproduced"], r["unreproduced"]
PY
reg=$(find "$work/regressions" -type f)
[ "$(echo "$reg" | wc -l)" -eq 1 ] || { echo "test_triage: want one regression file, got: $reg" >&2; exit 1; }
grep -q "make_regression.sh $target" "$work"/findings/*/report.md || { echo "test_triage: report lacks the regression command" >&2; exit 1; }
if "$planted" "$reg" > /dev/null 2>&1; then echo "test_triage: regression passes the planted build" >&2; exit 1; fi
"$real" "$reg" > /dev/null || { echo "test_triage: regression fails the real build" >&2; exit 1; }
echo "test_triage: 1 finding, regression fails planted and passes real"
