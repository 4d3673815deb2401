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


def nm(addr, size, kind, name, where=""):
    """One line of nm -C -S -l; size None: a symbol nm gives no size."""
    head = f"{addr:016x} {size:016x} {kind} {name}" if size is not None else f"{addr:016x} {kind} {name}"
    return head + (f"\t{where}" if where else "")


NM = [
    nm(0x1000, 0x800, "t", "open_chain", "/r/fuzz/common/device_pop.c:162"),
    nm(0x2000, 0x800, "t", "open_chain", "/r/core/src/queue.c:174"),
    nm(0x2800, 0x40, "r", "a_table"),
    nm(0x3000, 0x100, "T", "__sanitizer_cov_trace_const_cmp8",
       "/build/llvm/compiler-rt/lib/sanitizer_common/c.cpp:10"),
    nm(0x4000, 0x800, "t", "diff_region", "/r/guest/src/mem_watch.c:363"),
    nm(0x5000, 0x800, "T", "fuzzer::Fuzzer::RunOne(unsigned char const*, unsigned long)"),
    nm(0x6000, 0x800, "t", "vringh_getdesc", "/r/build/linux-source-cache/linux-6.1/drivers/vhost/vringh.c:3"),
    nm(0x7000, 0x800, "t", "add_region", "/r/guest/tests/fake.c:1"),
    nm(0x8000, None, "T", "main"),
    nm(0x8000, 0x800, "T", "__main_alias"),  # two names at one address, one sized
    nm(0xA000, 0x800, "T", "image_init", "/r/fuzz/common/image.c:130"),
    nm(0xB000, 0x800, "T", "dev_init", "/r/fuzz/common/device.c:107"),
    nm(0xC000, 0x800, "t", "add_region", "/r/guest/src/mem.c:227"),
    nm(0xD000, 0x800, "T", "image_init", "/r/fuzz/targets/other.c:1"),
    nm(0xE000, 0x100, "W", "fuzzer::TracePC::HandleCmp<unsigned long>(unsigned long, unsigned long, unsigned long)"),
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
    # past a function's last byte (a data symbol follows): not that function; the caller's
    + sample(frame(0x2900, "[unknown]"), frame(0x1010, "open_chain"))
    # a weak function: libFuzzer's template, called back from the harness's code
    + sample(frame(0xE010, "fuzzer::TracePC::HandleCmp<unsigned long>"), frame(0x1030, "open_chain"))
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
    assert core["samples"] == 14, core
    got = {p: round(core["share"][p] * 14) for p in time_split.PARTS}
    # device: the callback under the core's open_chain; harness: open_chain of fuzz/, vringh (not
    # the device here), add_region and image_init of other files, the caller of a frame past its end
    assert got == {"setup": 2, "device": 1, "passes": 1, "harness": 5, "engine": 2, "kernel": 1, "other": 2}, got

    vringh = run(["interop/src/", "linux-source-cache/"])
    got = {p: round(vringh["share"][p] * 14) for p in time_split.PARTS}
    # the core's callback falls to the harness; vringh's function is the device
    assert got == {"setup": 2, "device": 1, "passes": 1, "harness": 5, "engine": 2, "kernel": 1, "other": 2}, got

    # A perf that prints run-time addresses (6.5 and later): names disagree with nm's, and it says so.
    moved = [line.replace("\t    ", "\t5555", 1) if BIN in line else line for line in PROFILE]
    for bad, why in ((moved, "run-time addresses"), (sample(frame(0x10, "x", "/other")), "no frame of")):
        try:
            time_split.split(bad, NM, BIN, "/r", ["core/src/"])
        except ValueError as e:
            assert why in str(e), e
        else:
            raise AssertionError(f"split accepted a profile it cannot read ({why})")

    empty = time_split.split([], NM, BIN, "/r", ["core/src/"])
    assert empty["samples"] == 0 and all(v == 0.0 for v in empty["share"].values()), empty

    # A row: 20000 exec/s is 50 µs an input; a quarter on the device would allow 80000.
    share = {"setup": 0.1, "device": 0.25, "passes": 0.05, "harness": 0.5, "engine": 0.05, "kernel": 0.03, "other": 0.02}
    line = time_split.row("rings", 20000, share)
    assert line == "| rings | 20000 | 50 | 10.0% | 25.0% | 5.0% | 50.0% | 5.0% | 3.0% | 2.0% | 80000 |", line
    head = time_split.header().splitlines()
    assert head[0].count("|") == head[1].count("|") == line.count("|"), (head, line)
    assert time_split.row("t", 1000, dict(share, device=0.0)).endswith("| - |")

    # Each pass and set-up step is still a function of our sources: a rename must not leave it uncounted.
    for path, fn in time_split.PASSES + time_split.SETUP:
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            text = f.read()
        assert re.search(r"^\w[^;{}]*\b" + re.escape(fn) + r"\(", text, re.M), f"{fn} is not defined in {path}"
    print("test_time_split: ok")


if __name__ == "__main__":
    main()
