#!/usr/bin/env bash
# The packages as a back-end project's CI uses them: build both .deb files
# (ci/package.sh, with this libFuzzer tree's driver), unpack them into a
# scratch root (dpkg -x, no root needed), and run the unpacked virtq-ci
#   - against the unpacked virtq-vhost-user-blk: must pass, with the report,
#     JUnit, JSON and summary written;
#   - against a back-end with a planted bug (a chain walk without a hop
#     limit): must fail, naming SPLIT-DESC-6 from the suite and the fuzz
#     oracle vhu-stop (the back-end stopped answering), with the input written
#     up under findings/;
#   - through .github/actions/conformance (its steps run as a runner would,
#     vhost_user/tests/run_action.py), given these packages: must pass and
#     write the job summary.
# Usage: install_deb.sh SOURCE_DIR FUZZ_TREE WORK_DIR PLANTED_BACKEND
set -euo pipefail
src=$1 fuzz_tree=$2 work=$3 planted=$4
fail() { echo "install_deb: $*" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
bash "$src/ci/package.sh" --fuzz-tree "$fuzz_tree" --out "$work/debs" >"$work/package.log" 2>&1 ||
  { tail -n 40 "$work/package.log"; fail "ci/package.sh failed"; }
for deb in virtq virtq-dev; do
  f=$work/debs/${deb}_$(sed -n 's/^project(virtq VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")_amd64.deb
  [ -f "$f" ] || fail "no $f"
  dpkg-deb -x "$f" "$work/root"
done
usr=$work/root/usr
for f in bin/virtq-ci bin/virtq-conformance bin/virtq-vhost-user-blk bin/virtq-fuzz \
         libexec/virtq/conformance_vhost_user libexec/virtq/virtq-fuzz-vhost-user share/virtq/clauses.tsv \
         share/virtq/corpus/ops/hostile-empty-loop include/virtq/virtq.h lib/x86_64-linux-gnu/libvirtq.a; do
  [ -e "$usr/$f" ] || fail "the packages lack usr/$f"
done

echo "== virtq-ci against the packaged virtq-vhost-user-blk"
(cd "$work" && "$usr/bin/virtq-ci" --backend "$usr/bin/virtq-vhost-user-blk --socket {socket}" --type blk \
  --seconds 10 --name core-blk --out "$work/clean") || fail "virtq-ci failed against a clean back-end"
for f in conformance/report.md conformance/report.html conformance/junit.xml conformance/report.json summary.md; do
  [ -s "$work/clean/$f" ] || fail "virtq-ci wrote no $f"
done
grep -q '^\*\*PASS\*\*' "$work/clean/summary.md" || fail "the clean run's summary does not say PASS"
grep -qE '^Up to 10 s: [1-9][0-9]* inputs' "$work/clean/summary.md" || fail "the clean run's summary shows no fuzzing"

echo "== virtq-ci against a back-end with a planted bug"
rc=0
(cd "$work" && "$usr/bin/virtq-ci" --backend "$planted --socket {socket}" --type blk --seconds 30 \
  --name planted --out "$work/planted") || rc=$?
[ "$rc" = 1 ] || fail "virtq-ci exited $rc against the planted bug, not 1"
grep -qE '^\| SPLIT-DESC-6 \| (fail|warn)' "$work/planted/summary.md" || fail "the summary does not name SPLIT-DESC-6"
grep -q '| vhu-stop: ' "$work/planted/summary.md" || fail "the summary names no vhu-stop finding"
ls "$work"/planted/findings/crash-*.txt >/dev/null 2>&1 || fail "no finding written up"
echo "== the composite action (.github/actions/conformance), run as a runner would, with these packages"
python3 "$src/vhost_user/tests/run_action.py" "$src/.github/actions/conformance" "$work/action" \
  "backend=$usr/bin/virtq-vhost-user-blk --socket {socket}" seconds=3 name=core-blk debs="$work/debs" \
  out="$work/action/out" || fail "the action failed against a clean back-end"
grep -q '^\*\*PASS\*\*' "$work/action/step_summary.md" || fail "the action wrote no PASS to the job summary"
[ -s "$work/action/out/conformance/junit.xml" ] || fail "the action's run wrote no JUnit"
echo "install_deb: both packages unpack, virtq-ci judges a back-end with them, and the action wraps it"
