# Facts about the fuzz targets that every script running an engine shares
# (ci/nightly.sh, its coverage step, ci/oss-fuzz/, the scripts of fuzz/tools/):
# source it, then call the functions with the checkout's root.

# Per-input limits: the ops drains of a looping 32768-entry ring took 28 s
# before the per-run budget; 25 s leaves room for sanitizer builds.
FUZZ_TIMEOUT_S=25
FUZZ_RSS_MB=2560

# A fuzz binary is fuzz_<target> (the core) or fuzz_<target>_<device> (any
# other device behind the device interface), or fuzz_vhost_user (a vhost-user
# back-end in its own process, fed ops inputs; the nightly's vhost_user-<peer>
# is the same against a peer); the names here are what follows fuzz_.
# fuzz_input ROOT NAME: the target whose input format it takes.
fuzz_input() {
  case $2 in
    vhost_user*) echo ops ;;
    *) echo "${2%%_*}" ;;
  esac
}

# fuzz_corpus ROOT NAME: the checked-in seeds of its input format (a directory).
fuzz_corpus() { echo "$1/corpus/$(fuzz_input "$1" "$2")"; }

# fuzz_dict ROOT NAME: the dictionary of its input format.
fuzz_dict() { echo "$(fuzz_corpus "$1" "$2").dict"; }

# fuzz_seed_dirs ROOT NAME: the seeds of its input format, then the
# regression inputs if any, one directory a line.
fuzz_seed_dirs() {
  local t
  t=$(fuzz_input "$1" "$2")
  fuzz_corpus "$1" "$2"
  if [ -d "$1/corpus/regressions/$t" ]; then echo "$1/corpus/regressions/$t"; fi
}
