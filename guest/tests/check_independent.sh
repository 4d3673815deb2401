#!/bin/sh
# The hostile guest includes nothing of an implementation under test: no
# core header (virtq/...), no device-interface or adapter header.
dir=${1:?usage: check_independent.sh GUEST_DIR}
hits=$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"](virtq/|virtq_dut/|virtq_interop/)' "$dir/include" "$dir/src")
if [ -n "$hits" ]; then
  echo "the guest includes an implementation's header:"
  echo "$hits"
  exit 1
fi
echo "guest: no implementation headers in $(find "$dir/include" "$dir/src" -name '*.[ch]' | wc -l) files"
