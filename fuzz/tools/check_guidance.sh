#!/usr/bin/env bash
# Under libFuzzer the engine is guided by the device under test alone
# (fuzz/CMakeLists.txt, virtq_fuzz_unguided): every object of the device's
# library carries libFuzzer's instrumentation, no object of the harness does,
# and the harness copy that fuzz_vhost_user links (its back-end has no edges
# in this process) does.  An object is instrumented when it refers to the
# sanitizer-coverage runtime (__sanitizer_cov_*, __sancov_*); one that
# defines no function of its own (a table: only the sanitizers' module
# constructors) has nothing to instrument.
#   check_guidance.sh --guided OBJECT... --unguided OBJECT...
set -euo pipefail
mode="" bad=0 seen=0
# nm's whole output first: grep -q stops reading early, and under pipefail
# nm's broken pipe would read as "no".
instrumented() { local syms; syms=$(nm "$1"); grep -qE '__sanitizer_cov_|__sancov_' <<<"$syms"; }
has_code() { # a function of its own, not only the sanitizers' module constructors
  local syms; syms=$(nm --defined-only "$1")
  awk '$2 ~ /^[Tt]$/ && $3 !~ /\.module_[cd]tor$/ { found = 1 } END { exit !found }' <<<"$syms"
}
for arg in "$@"; do
  case $arg in
    --guided | --unguided) mode=$arg; continue ;;
  esac
  [ -n "$mode" ] || { echo "check_guidance: an object before --guided or --unguided: $arg" >&2; exit 2; }
  [ -f "$arg" ] || { echo "check_guidance: no such object: $arg" >&2; exit 2; }
  seen=$((seen + 1))
  if [ "$mode" = --guided ] && has_code "$arg" && ! instrumented "$arg"; then
    echo "not instrumented for the engine, but it should guide it: $arg"
    bad=$((bad + 1))
  elif [ "$mode" = --unguided ] && instrumented "$arg"; then
    echo "instrumented for the engine, but it is harness: $arg"
    bad=$((bad + 1))
  fi
done
[ "$seen" -gt 0 ] || { echo "check_guidance: no objects given" >&2; exit 2; }
echo "check_guidance: $seen objects, $bad wrong"
[ "$bad" -eq 0 ]
