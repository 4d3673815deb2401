#!/usr/bin/env bash
# The conformance report as the main job runs it: build the dev preset and
# write out/conformance/{report.md,report.html,junit.xml,report.json} for the
# core.  Exits non-zero on any MUST-level failure of the core.  Extra
# arguments go to virtq-conformance (e.g. --impl planted:no_len_cap).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev
exec build/dev/conformance/virtq-conformance --impl core --out out/conformance "$@"
