#!/usr/bin/env bash
# The main job (README "Set up"): build every engine, fuzz each target with
# libFuzzer (fork mode) and AFL++ side by side, merge and minimise what they
# found, triage every crash, hang and OOM, measure coverage of core/src from
# the merged corpus, run the conformance suite, and write a summary.
#
#   ci/nightly.sh [--seconds N] [--jobs N] [--targets a,b,...] [--backend B] [--write-back]
#
#   --seconds N    fuzzing time per target (default 60; env VIRTQ_NIGHTLY_SECONDS)
#   --jobs N       cores to use (default: all, nproc; env VIRTQ_NIGHTLY_JOBS):
#                  ceil(N/2) libFuzzer fork workers and max(1, N/2) AFL++
#                  secondaries per target, the first AFL++ one with CMPLOG
#   --targets L    comma-separated fuzz binaries without the fuzz_ prefix: the
#                  core's rings,ops,notify,race and Linux's vringh behind the
#                  device interface, rings_vringh,ops_vringh,notify_vringh, and
#                  vhost_user, a vhost-user back-end in its own process (default
#                  rings,ops,notify,race,rings_vringh,vhost_user; env VIRTQ_NIGHTLY_TARGETS)
#   --backend B    vhost_user's back-end: core (the core's virtq-vhost-user-blk,
#                  ASan build), a peer of vhost_user/peers.tsv (qsd, dpdk, virtiofsd), or a
#                  command with {socket} (its type: env VIRTQ_NIGHTLY_BACKEND_TYPE,
#                  blk or net; default blk).  Default core, and then the peers
#                  get a short run too (a quarter of --seconds, libFuzzer only):
#                  targets vhost_user-<peer>, whose findings are reported but
#                  leave the verdict alone (env VIRTQ_NIGHTLY_BACKEND)
#   --write-back   copy the new seeds of the merged corpus into corpus/<input>/ (rings for rings_vringh),
#                  named by content hash (env VIRTQ_NIGHTLY_WRITE_BACK=1)
#
# Everything it produces is under out/ (emptied first); build trees are the
# presets' own build/<preset>.  Exit status: 0 clean; 1 a new unique finding
# or a MUST-level conformance failure; 2 the pipeline itself failed (a build,
# a tool, an engine that did not run), with the step's log named.
set -eEuo pipefail   # -E: the ERR trap below fires inside functions too
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

ALL_TARGETS=(rings ops notify race rings_vringh ops_vringh notify_vringh vhost_user)
DEFAULT_TARGETS=(rings ops notify race rings_vringh vhost_user)
# The packaged vhost-user peers, fuzzed briefly when --backend is left at core.
mapfile -t PEERS < <(awk -F'\t' '!/^#/ && NF {print $1}' vhost_user/peers.tsv)
seconds=${VIRTQ_NIGHTLY_SECONDS:-60}
jobs=${VIRTQ_NIGHTLY_JOBS:-$(nproc)}
targets_csv=${VIRTQ_NIGHTLY_TARGETS:-$(IFS=,; echo "${DEFAULT_TARGETS[*]}")}
write_back=${VIRTQ_NIGHTLY_WRITE_BACK:-0}
backend=${VIRTQ_NIGHTLY_BACKEND:-}
source fuzz/tools/fuzz_env.sh   # FUZZ_TIMEOUT_S, FUZZ_RSS_MB, fuzz_corpus, fuzz_dict, fuzz_seed_dirs
minimize_s=30       # per unique finding

usage() { sed -n '7,27p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while (($#)); do
  case $1 in
    --seconds) seconds=${2:?--seconds needs a value}; shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a value}; shift 2 ;;
    --targets) targets_csv=${2:?--targets needs a value}; shift 2 ;;
    --write-back) write_back=1; shift ;;
    --backend) backend=${2:?--backend needs a value}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "nightly: unknown argument: $1" >&2; usage ;;
  esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "nightly: --seconds must be a positive integer" >&2; exit 2; }
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "nightly: --jobs must be a positive integer" >&2; exit 2; }
IFS=, read -r -a targets <<< "$targets_csv"
for t in "${targets[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] ||
    { echo "nightly: unknown target '$t' (known: ${ALL_TARGETS[*]})" >&2; exit 2; }
done
# vhost_user against the core's back-end also gives each packaged peer a short run.
if [[ " ${targets[*]} " == *" vhost_user "* && -z $backend ]]; then
  for p in "${PEERS[@]}"; do targets+=("vhost_user-$p"); done
fi
backend=${backend:-core}
if [[ $backend != core && $backend != *{socket}* && " ${PEERS[*]} " != *" $backend "* ]]; then
  echo "nightly: --backend $backend: neither core, a peer of vhost_user/peers.tsv, nor a command with {socket}" >&2
  exit 2
fi

out=$root/out
rm -rf "$out"
mkdir -p "$out/logs"
started=$(date +%s)
progress() { # a line per step and per target, also kept in out/nightly.log
  local t=$(($(date +%s) - started))
  printf '[nightly %02d:%02d] %s\n' $((t / 60)) $((t % 60)) "$*" | tee -a "$out/nightly.log"
}
current_log=""
fail() { progress "FAILED: $*${current_log:+ (log: ${current_log#"$root"/})}"; exit 2; }
trap 'fail "a command of this step exited with status $?"' ERR
# run LOGNAME CMD...: the command's output goes to out/logs/LOGNAME.log
run() { current_log=$out/logs/$1.log; shift; "$@" >>"$current_log" 2>&1; }

interop=OFF
if [[ " ${targets[*]} " == *"_vringh "* ]]; then interop=ON; fi
lf_workers=$(((jobs + 1) / 2))
afl_instances=$((jobs / 2 > 0 ? jobs / 2 : 1))
progress "targets: ${targets[*]}; ${seconds} s each; ${jobs} jobs (${lf_workers} libFuzzer worker(s) + ${afl_instances} AFL++ instance(s)); write-back $([ "$write_back" = 1 ] && echo on || echo off)"

# --- dependencies and builds -------------------------------------------------
progress "deps: Debian packages (ci/deps.sh nightly)"
run deps bash ci/deps.sh nightly

# fuzz_bin TARGET: its binary (vhost_user-PEER is vhost_user against that peer)
fuzz_bin() { echo "fuzz_${1%%-*}"; }
fuzz_bins=()
for t in "${targets[@]}"; do
  [[ " ${fuzz_bins[*]} " == *" $(fuzz_bin "$t") "* ]] || fuzz_bins+=("$(fuzz_bin "$t")")
done

# vhost_backend TARGET: exports the back-end of a vhost_user target
# (VIRTQ_FUZZ_BACKEND and, for a command, VIRTQ_FUZZ_BACKEND_TYPE; see
# fuzz/targets/vhost_user.c: peer:NAME takes its type from vhost_user/peers.tsv).
vhost_backend() {
  local b=$backend
  if [[ $1 == vhost_user-* ]]; then b=${1#vhost_user-}; fi
  unset VIRTQ_FUZZ_BACKEND_TYPE
  case $b in
    core) VIRTQ_FUZZ_BACKEND="$root/build/asan/vhost_user/virtq-vhost-user-blk --socket {socket}" ;;
    *{socket}*) VIRTQ_FUZZ_BACKEND=$b
                export VIRTQ_FUZZ_BACKEND_TYPE=${VIRTQ_NIGHTLY_BACKEND_TYPE:-blk} ;;
    *) VIRTQ_FUZZ_BACKEND=peer:$b ;;   # a peer: --backend was checked against peers.tsv above
  esac
  export VIRTQ_FUZZ_BACKEND
}

build() { # preset [extra build targets...]: configure + build into build/<preset>
  local preset=$1; shift
  progress "build: $preset"
  run "build-$preset" cmake --preset "$preset" -DVIRTQ_LINUX_INTEROP=$interop
  run "build-$preset" cmake --build "build/$preset" -j "$jobs" --target "${fuzz_bins[@]}" "$@"
}
export AFL_QUIET=1
build libfuzzer                   # libFuzzer + ASan/UBSan: fuzzing, merge, minimisation
build afl                         # AFL++ persistent + shared memory
AFL_LLVM_CMPLOG=1 build afl-cmplog
build asan virtq-fuzz conformance_core virtq-vhost-user-blk   # standalone + ASan/UBSan: triage; decoder;
                                                              # conformance; vhost_user's back-end
build fuzz-coverage               # standalone + llvm source-based coverage (core targets)
current_log=""

# --- fuzzing, merge, triage per target ------------------------------------------
# Scratch space of every tool below, vhost_user's back-end folders included (an
# input that crashes the harness leaves its back-end's folder behind).
mkdir -p "$out/tmp"
export TMPDIR=$out/tmp
afl_env=(AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
         AFL_TRY_AFFINITY=1 AFL_NO_WARN_INSTABILITY=1)

fuzz_target() { # target: libFuzzer and AFL++ at once, for $seconds (a peer's vhost_user: libFuzzer, shorter)
  local t=$1 w=$out/fuzz/$1 dict seeds secs=$seconds afl_n=$afl_instances bin
  bin=$(fuzz_bin "$t")
  if [[ $t == vhost_user-* ]]; then secs=$((seconds / 4 > 10 ? seconds / 4 : 10)) afl_n=0; fi
  # A back-end in another process: its timing varies, so AFL++ calibrates each
  # seed once; and it inherits AFL++'s address-space limit, which an ASan
  # back-end's shadow memory cannot live under, so there is none.
  local fast_cal="" afl_mem=$FUZZ_RSS_MB
  if [[ $t == vhost_user* ]]; then fast_cal=1 afl_mem=none; fi
  dict=$(fuzz_dict "$root" "$t")
  mapfile -t seeds < <(fuzz_seed_dirs "$root" "$t")
  mkdir -p "$w/libfuzzer/corpus" "$w/libfuzzer/artifacts" "$w/libfuzzer/tmp" "$w/afl/in"
  if ((afl_n == 0)); then echo "a peer's short run: libFuzzer only (its back-end polls a core)" >"$w/afl/skipped"; fi
  find "${seeds[@]}" -maxdepth 1 -type f -exec cp {} "$w/afl/in/" \;
  # Both engines exit non-zero when they found something (libFuzzer 77 after
  # crashes it ignored): the status is kept for the summary, not fatal here.
  (cd "$w/libfuzzer"; rc=0
   TMPDIR=$w/libfuzzer/tmp timeout -k 30 $((secs + 300)) \
     "$root/build/libfuzzer/fuzz/$bin" -fork="$lf_workers" -ignore_crashes=1 -ignore_timeouts=1 \
     -ignore_ooms=1 -max_total_time="$secs" -timeout=$FUZZ_TIMEOUT_S -rss_limit_mb=$FUZZ_RSS_MB \
     -dict="$dict" -artifact_prefix="$w/libfuzzer/artifacts/" corpus "${seeds[@]}" \
     >"$w/libfuzzer/log" 2>&1 || rc=$?
   echo $rc >"$w/libfuzzer/exit") &
  local pids=($!)
  for ((i = 1; i <= afl_n; i++)); do
    local extra=()
    if ((i == 1)); then extra=(-c "$root/build/afl-cmplog/fuzz/$bin"); else extra=(-p explore); fi
    (rc=0
     env "${afl_env[@]}" ${fast_cal:+AFL_FAST_CAL=1} timeout -k 30 $((secs + 300)) afl-fuzz -S "s$i" -i "$w/afl/in" \
       -o "$w/afl/out" -x "$dict" "${extra[@]}" -t $((FUZZ_TIMEOUT_S * 1000)) -m $afl_mem \
       -V "$secs" -- "$root/build/afl/fuzz/$bin" >"$w/afl/log-s$i" 2>&1 || rc=$?
     echo $rc >"$w/afl/exit-s$i") &
    pids+=($!)
  done
  wait "${pids[@]}"
}

# target: libFuzzer -merge=1 of seeds + both engines' finds into merged/.  It
# runs every input under ASan/UBSan once; its control file names those it
# could not finish, for triage.
merge_target() {
  local t=$1 w=$out/fuzz/$1
  mkdir -p "$w/merged" "$w/afl/queue"
  find "$w/afl/out" -path '*/queue/id:*' -type f -exec cp {} "$w/afl/queue/" \; 2>/dev/null || true
  current_log=$w/merge.log
  (cd "$w" && "$root/build/libfuzzer/fuzz/$(fuzz_bin "$t")" -merge=1 -timeout=$FUZZ_TIMEOUT_S \
    -rss_limit_mb=$FUZZ_RSS_MB -merge_control_file="$w/merge.control" merged \
    "$(fuzz_corpus "$root" "$t")" libfuzzer/corpus afl/queue) >"$current_log" 2>&1
}

nightly_py() { python3 "$root/ci/nightly/$1" "${@:2}"; }

for t in "${targets[@]}"; do
  w=$out/fuzz/$t
  mkdir -p "$w"
  if [[ $t == vhost_user* ]]; then
    vhost_backend "$t"
    progress "fuzz $t: back-end $VIRTQ_FUZZ_BACKEND${VIRTQ_FUZZ_BACKEND_TYPE:+ ($VIRTQ_FUZZ_BACKEND_TYPE)}"
  fi
  if [[ $t == vhost_user-* ]]; then
    progress "fuzz $t: libFuzzer -fork=$lf_workers for $((seconds / 4 > 10 ? seconds / 4 : 10)) s"
  else
    progress "fuzz $t: libFuzzer -fork=$lf_workers + $afl_instances AFL++ for ${seconds} s"
  fi
  fuzz_target "$t"
  nightly_py fuzz_stats.py engines --target "$t" --dir "$w" --out "$w/stats.json"
  line=$(nightly_py fuzz_stats.py line --stats "$w/stats.json")
  progress "fuzz $t: $line"

  progress "merge $t: seeds + libFuzzer corpus + AFL++ queue"
  merge_target "$t"
  current_log=""
  args=(corpus --target "$t" --seeds "corpus/$(fuzz_input "$root" "$t")" --merged "$w/merged" --delta "$out/corpus-delta/$t"
        --out "$w/corpus.json")
  if [ "$write_back" = 1 ]; then args+=(--write-back); fi
  line=$(nightly_py fuzz_stats.py "${args[@]}")
  progress "merge $t: $line"

  progress "triage $t"
  current_log=$out/logs/triage-$t.log
  repro_env=""
  if [[ $t == vhost_user* ]]; then
    repro_env="VIRTQ_FUZZ_BACKEND='$VIRTQ_FUZZ_BACKEND'${VIRTQ_FUZZ_BACKEND_TYPE:+ VIRTQ_FUZZ_BACKEND_TYPE=$VIRTQ_FUZZ_BACKEND_TYPE}"
  fi
  nightly_py triage.py --target "$t" --input "$(fuzz_input "$root" "$t")" --root "$root" \
    --reproduce-env "$repro_env" \
    --asan "build/asan/fuzz/$(fuzz_bin "$t")" --libfuzzer "build/libfuzzer/fuzz/$(fuzz_bin "$t")" \
    --decoder build/asan/fuzz/virtq-fuzz --timeout $FUZZ_TIMEOUT_S --rss-mb $FUZZ_RSS_MB \
    --minimize-seconds $minimize_s --findings "$out/findings/$t" --regressions "$out/regressions/$t" \
    --candidates "$w/libfuzzer/artifacts" "$w/afl/out" --merge-control "$w/merge.control" \
    2>>"$current_log" | while read -r line; do progress "triage $t: $line"; done
  current_log=""
done

# --- coverage -----------------------------------------------------------------
# Coverage is of core/src, so only the core's targets (no _<device> suffix)
# count: a peer's target replays through code that is not ours.
core_targets=()
for t in "${targets[@]}"; do [[ $t == *_* ]] || core_targets+=("$t"); done
current_log=$out/logs/coverage.log
if ((${#core_targets[@]})); then
  progress "coverage: replaying seeds and merged corpora of ${core_targets[*]} (llvm-cov)"
  bash ci/nightly/coverage.sh "$out" "${core_targets[@]}" >>"$current_log" 2>&1
  line=$(nightly_py summary.py coverage --dir "$out/coverage" --targets "${core_targets[@]}")
  progress "coverage: $line"
else
  progress "coverage: no core target selected; skipped"
fi
for t in "${targets[@]}"; do
  bash ci/nightly/plot.sh "$out/fuzz/$t" "$t" "$out/plots/$t.png" >>"$current_log" 2>&1
done
progress "plots: out/plots/{$(IFS=,; echo "${targets[*]}")}.png"
current_log=""

# --- conformance ----------------------------------------------------------------
progress "conformance: the suite against the core (ASan build)"
conf_rc=0
build/asan/conformance/virtq-conformance --impl core --out "$out/conformance" \
  >"$out/logs/conformance.log" 2>&1 || conf_rc=$?
if ((conf_rc > 1)); then current_log=$out/logs/conformance.log; fail "virtq-conformance exited $conf_rc"; fi
line=$(grep -E '^core +pass' "$out/logs/conformance.log" | tr -s ' ')
progress "conformance: $line"

# --- summary ----------------------------------------------------------------------
trap - ERR
status=0
nightly_py summary.py write --out "$out" --seconds "$seconds" --jobs "$jobs" \
  --write-back "$write_back" --targets "${targets[@]}" || status=$?
progress "summary: out/summary.md, out/summary.json"
awk '/^## Verdict/ {v = 1; next} /^## / {v = 0} v && /^- /' "$out/summary.md" |
  while read -r line; do line=${line#- }; progress "verdict: ${line//\*/}"; done
exit "$status"
