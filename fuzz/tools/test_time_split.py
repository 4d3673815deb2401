#!/usr/bin/env python3
"""time_split.py on a made-up binary and profile: every part, each way a sample is charged."""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import time_split  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = "/r/build/fuzz/fuzz_x"

NM = [
    "0000000000001000 t open_chain\t/r/fuzz/common/device_pop.c:162",
    "0000000000002000 t open_chain\t/r/core/src/queue.c:174",
    "0000000000003000 T __sanitizer_cov_trace_const_cmp8\t/build/llvm/compiler-rt/lib/sanitizer_common/c.cpp:10",
    "0000000000004000 t diff_region\t/r/guest/src/mem_watch.c:363",
    "0000000000005000 T fuzzer::Fuzzer::RunOne(unsigned char const*, unsigned long)",
    "0000000000006000 t vringh_getdesc\t/r/build/linux-source-cache/linux-6.1/drivers/vhost/vringh.c:3",
    "0000000000007000 t add_region\t/r/guest/tests/fake.c:1",
    "0000000000008000 T main",
    "0000000000002800 r a_table\t/r/core/src/queue.c:1",
    "000000000000a000 T image_init\t/r/fuzz/common/image.c:130",
    "000000000000b000 T dev_init\t/r/fuzz/common/device.c:107",
    "000000000000c000 t add_region\t/r/guest/src/mem.c:227",
    "000000000000d000 T image_init\t/r/fuzz/targets/other.c:1",
]


def frame(addr, sym, dso=BIN):
    return f"\t{addr:16x} {sym} ({dso})"


def sample(*frames):
    return ["fuzz_x 1 1.0: 1000000 cpu-clock:"] + list(frames) + [""]


PROFILE = (
    # the core's sanitizer callback: the core's
    sample(frame(0x3010, "__sanitizer_cov_trace_const_cmp8"), frame(0x2010, "open_chain"), frame(0x1010, "open_chain"))
    # the harness's function of the same name
    + sample(frame(0x1020, "open_chain"), frame(0x8010, "main"))
    # in the kernel, whoever caused it
    + sample(frame(0xFFFFFFFF81000000, "exc_page_fault", "[kernel.kallsyms]"), frame(0x2010, "open_chain"))
    # the C library's memcmp for the shadow compare
    + sample(frame(0x1050, "__memcmp_evex_movbe", "/usr/lib/x86_64-linux-gnu/libc.so.6"), frame(0x4010, "diff_region"))
    + sample(frame(0x5010, "fuzzer::Fuzzer::RunOne"), frame(0x8010, "main"))
    # nothing of ours: the loader (its address is not the binary's), a stack the unwinder lost,
    # an address before any function
    + sample(frame(0x2050, "_dl_relocate_object", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"))
    + sample(frame(0x0, "[unknown]", "[unknown]"), frame(0x10, "[unknown]"), frame(0x8020, "main"))
    # Linux's vringh: the device when it is the one under test
    + sample(frame(0x6010, "vringh_getdesc"), frame(0x1010, "open_chain"))
    # a pass's name in another file is not the pass
    + sample(frame(0x7010, "add_region"))
    # past a data symbol: still the function it follows
    + sample(frame(0x2900, "open_chain"), frame(0x1010, "open_chain"))
    # set-up, whoever's code: a page fault in a region's zero fill, the device's create
    + sample(frame(0xFFFFFFFF81000000, "exc_page_fault", "[kernel.kallsyms]"),
             frame(0x1060, "__memset_avx2_unaligned_erms", "/usr/lib/x86_64-linux-gnu/libc.so.6"),
             frame(0xC010, "add_region"), frame(0xA010, "image_init"), frame(0x8010, "main"))
    + sample(frame(0x2010, "open_chain"), frame(0xB010, "dev_init"))
    # a set-up function's name in another file is not the set-up
    + sample(frame(0xD010, "image_init"))
)


def run(device):
    return time_split.split(PROFILE, NM, BIN, "/r", device)


def main():
    core = run(["core/src/"])
    assert core["samples"] == 13, core
    got = {p: round(core["share"][p] * 13) for p in time_split.PARTS}
    # device: the callback under the core's open_chain, and the core's open_chain past a table;
    # harness: open_chain of fuzz/, vringh (not the device here), add_region and image_init of other files
    assert got == {"setup": 2, "device": 2, "passes": 1, "harness": 4, "engine": 1, "kernel": 1, "other": 2}, got

    vringh = run(["interop/src/", "linux-source-cache/"])
    got = {p: round(vringh["share"][p] * 13) for p in time_split.PARTS}
    # the core's callback and table neighbour fall to the harness; vringh's function is the device
    assert got == {"setup": 2, "device": 1, "passes": 1, "harness": 5, "engine": 1, "kernel": 1, "other": 2}, got

    empty = time_split.split([], NM, BIN, "/r", ["core/src/"])
    assert empty["samples"] == 0 and all(v == 0.0 for v in empty["share"].values()), empty

    # Each pass and set-up step is still a function of our sources: a rename must not leave it uncounted.
    for path, fn in time_split.PASSES + time_split.SETUP:
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            text = f.read()
        assert re.search(r"^\w[^;{}]*\b" + re.escape(fn) + r"\(", text, re.M), f"{fn} is not defined in {path}"
    print("test_time_split: ok")


if __name__ == "__main__":
    main()
