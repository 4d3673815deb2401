#!/usr/bin/env python3
"""Where a fuzz target's time goes, from a sampled profile (perf record -g).

A sample under the harness's per-input set-up or tear-down is set-up,
whoever's code it is.  Any other sample is charged to the first frame, from
the leaf up, that is code of ours or the engine's: the sanitizer and
coverage callbacks a function makes, and the C library's copies, count as
that function's.  Our code is known by the source file the binary's debug
information gives its address (nm -l), so two static functions of one name
(the core's open_chain and the harness's) are told apart.  The parts:

  setup     under image_init, driver_init, dev_init or image_fini (SETUP):
            the image's regions and a reused one's zero fill, the driver's
            rings, the queue's create, the model, monitor and snapshot, the
            regions' release; page faults and the device's create included
  device    the device under test: source whose path (from the root) starts
            with a --device prefix or holds it after a '/'
  passes    the device-write oracle's passes over whole guest regions, the
            compare with the shadow at each reset, restore, probe and at the
            end of the run (PASSES)
  harness   the rest of ours: the guest's memory, driver and model, the
            oracles judging each step, the adapters, the target
  engine    libFuzzer's own code (fuzzer::)
  kernel    a sample taken in the kernel (page faults, mappings, syscalls)
  other     nothing of ours on the stack (the sanitizer's allocator, stacks
            the unwinder lost, start-up, the leak check at exit)

  perf script -F ip,sym,dso -i perf.data | time_split.py --binary BIN --root ROOT --device core/
prints one JSON object: samples and the share of each part.
"""
import argparse
import bisect
import json
import subprocess
import sys

PARTS = ("setup", "device", "passes", "harness", "engine", "kernel", "other")

# (source file suffix, function): the whole-region passes, and the loops over
# regions that call them (a sample in the C library's memcmp, which keeps no
# frame pointer, shows its caller's caller).  Those under the set-up count as
# set-up.  test_time_split.py checks each of these and SETUP still exists.
PASSES = (
    ("guest/src/mem_watch.c", "vg_mem_diff_runs"),
    ("guest/src/mem_watch.c", "vg_mem_diff"),
    ("guest/src/mem_watch.c", "diff_region"),
    ("guest/src/mem_watch.c", "diff_line"),
    ("guest/src/mem_watch.c", "diff_emit"),
    ("guest/src/mem_watch.c", "vg_mem_snapshot"),
    ("guest/src/mem_shadow.c", "vg__shadow_take"),
    ("guest/src/mem.c", "add_region"),
)


# (source file suffix, function): the per-input set-up and tear-down.
SETUP = (
    ("fuzz/common/image.c", "image_init"),
    ("fuzz/common/image.c", "image_fini"),
    ("fuzz/common/driver_ops.c", "driver_init"),
    ("fuzz/common/device.c", "dev_init"),
)


def named(path, name, table):
    return any(path.endswith(f) and name == fn for f, fn in table)


class Symbols:
    """Function start addresses of one binary, each with its name and source file."""

    def __init__(self, nm_lines, root):
        self.root = root.rstrip("/") + "/"
        rows = []
        for line in nm_lines:
            head, _, where = line.rstrip("\n").partition("\t")
            fields = head.split(" ", 2)
            if len(fields) < 3 or fields[1] not in ("T", "t"):
                continue
            path = where.rsplit(":", 1)[0] if where else ""
            rows.append((int(fields[0], 16), fields[2], path))
        rows.sort()
        self.starts = [r[0] for r in rows]
        self.rows = rows

    def at(self, addr):
        """(name, source path relative to the root or '') of the function holding @addr, or None."""
        i = bisect.bisect_right(self.starts, addr) - 1
        if i < 0:
            return None
        _, name, path = self.rows[i]
        if path.startswith(self.root):
            path = path[len(self.root):]
        elif path:
            path = "/" + path.lstrip("/")  # outside the project: a runtime's
        return name, path


def samples(lines):
    """The stacks of a perf script listing, leaf first: lists of (addr, symbol, dso)."""
    stack = []
    for line in lines:
        text = line.strip()
        if not text:
            if stack:
                yield stack
            stack = []
            continue
        if not line[0].isspace():
            continue  # a sample's header line
        addr, _, rest = text.partition(" ")
        sym, _, dso = rest.rpartition(" (")
        try:
            stack.append((int(addr, 16), sym, dso.rstrip(")")))
        except ValueError:
            continue
    if stack:
        yield stack


def in_setup(stack, binary, syms):
    for addr, _, dso in stack:
        found = syms.at(addr) if dso == binary else None
        if found and named(found[1], found[0], SETUP):
            return True
    return False


def part_of(stack, binary, syms, device):
    """The part one sample is charged to."""
    if in_setup(stack, binary, syms):
        return "setup"
    if stack[0][2] == "[kernel.kallsyms]":
        return "kernel"
    for addr, sym, dso in stack:
        if dso != binary:
            continue  # the C library, the loader
        found = syms.at(addr)
        if found is None:
            continue
        name, path = found
        if name.startswith("fuzzer::"):
            return "engine"
        if not path or path.startswith("/"):
            continue  # a sanitizer runtime's: its caller's cost
        if any(path.startswith(p) or "/" + p in path for p in device):
            return "device"
        if named(path, name, PASSES):
            return "passes"
        return "harness"
    return "other"


def split(perf_lines, nm_lines, binary, root, device):
    syms = Symbols(nm_lines, root)
    counts = dict.fromkeys(PARTS, 0)
    for stack in samples(perf_lines):
        counts[part_of(stack, binary, syms, device)] += 1
    total = sum(counts.values())
    return {"samples": total, "share": {p: (counts[p] / total if total else 0.0) for p in PARTS}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True, help="the profiled executable (its path as perf shows it)")
    ap.add_argument("--root", required=True, help="the project's source root, as the debug information names it")
    ap.add_argument("--device", action="append", required=True, help="source prefix of the device, repeatable")
    ap.add_argument("--nm", help="nm -C -l --defined-only output to use instead of running nm")
    args = ap.parse_args()
    if args.nm:
        with open(args.nm, encoding="utf-8") as f:
            nm_lines = f.readlines()
    else:
        try:
            out = subprocess.run(["nm", "-C", "-l", "--defined-only", args.binary], check=True,
                                 capture_output=True, text=True).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            sys.exit(f"time_split: nm failed on {args.binary}: {e}")
        nm_lines = out.splitlines()
    result = split(sys.stdin, nm_lines, args.binary, args.root, args.device)
    if result["samples"] == 0:
        sys.exit("time_split: no samples in the perf listing")
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
