#!/usr/bin/env python3
"""Where a fuzz target's time goes, from a sampled profile (perf record -g).

A sample under the harness's per-input set-up or tear-down is set-up,
whoever's code it is.  Any other sample is charged to the first frame, from
the leaf up, that is code of ours or the engine's: the sanitizer and
coverage callbacks a function makes, and the C library's copies, count as
that function's.  Our code is known by the source file the binary's debug
information gives its address (nm -S -l), so two static functions of one name
(the core's open_chain and the harness's) are told apart.  The parts:

  setup     under image_init, driver_init, dev_init or image_fini (SETUP):
            the image's regions and a reused one's zero fill, the driver's
            rings, the queue's create and the compare that judges it, the
            model and monitor, the regions' release; page faults and the
            device's create included
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

  perf script -F ip,sym,dso -i perf.data |
    time_split.py --binary BIN --root ROOT --device core/ --name rings --exec-per-s 20000
prints the run's row of a Markdown table (time_split.py --header: its heading):
exec/s, µs per input, the share of each part, and the exec/s the run would
reach on the device's share of its time alone.
"""
import argparse
import bisect
import subprocess
import sys

# The parts, in the table's order, with their headings.
PARTS = {
    "setup": "set-up and tear-down",
    "device": "device under test",
    "passes": "harness: whole-region passes",
    "harness": "harness: judging and driving",
    "engine": "libFuzzer",
    "kernel": "kernel",
    "other": "not attributed",
}

# (source file suffix, function): the whole-region compares, and the loops
# over regions that call them (a sample in the C library's memcmp, which keeps
# no frame pointer, shows its caller's caller).  The one under dev_init counts
# as set-up.  test_time_split.py checks each of these and SETUP still exists.
PASSES = (
    ("guest/src/mem_watch.c", "vg_mem_diff_runs"),
    ("guest/src/mem_watch.c", "vg_mem_diff"),
    ("guest/src/mem_watch.c", "diff_region"),
    ("guest/src/mem_watch.c", "diff_line"),
    ("guest/src/mem_watch.c", "diff_emit"),
)

# (source file suffix, function): the per-input set-up and tear-down.
SETUP = (
    ("fuzz/common/image.c", "image_init"),
    ("fuzz/common/image.c", "image_fini"),
    ("fuzz/common/driver_ops.c", "driver_init"),
    ("fuzz/common/device.c", "dev_init"),
)


def named(path, names, table):
    return any(path.endswith(f) and fn in names for f, fn in table)


class Symbols:
    """The functions of one binary (nm -C -S -l): start, end, names and source file."""

    def __init__(self, nm_lines, root):
        self.root = root.rstrip("/") + "/"
        by_start = {}
        for line in nm_lines:
            head, _, where = line.rstrip("\n").partition("\t")
            fields = head.split(" ")
            # addr size type name, or addr type name for a symbol of no known size
            sized = len(fields) >= 4 and len(fields[1]) == len(fields[0])
            kind = fields[2] if sized else (fields[1] if len(fields) >= 3 else "")
            if kind not in ("T", "t", "W", "w"):
                continue
            start = int(fields[0], 16)
            end = start + int(fields[1], 16) if sized else None
            name = " ".join(fields[3:] if sized else fields[2:])
            path = where.rsplit(":", 1)[0] if where else ""
            # Aliases share a start: one function, every name, the longest known extent, a path if any has one.
            ends, names, paths = by_start.setdefault(start, ([], [], []))
            ends += [end] if end is not None else []
            names.append(name)
            paths += [path] if path else []
        self.starts = sorted(by_start)
        self.rows = [(max(e) if e else None, n, p[0] if p else "") for e, n, p in (by_start[a] for a in self.starts)]

    def _row(self, addr):
        i = bisect.bisect_right(self.starts, addr) - 1
        if i < 0:
            return None
        end = self.rows[i][0]
        return None if end is not None and addr >= end else self.rows[i]  # past its end: no one's

    def names_at(self, addr):
        row = self._row(addr)
        return row[1] if row else []

    def at(self, addr):
        """(names, source path relative to the root or '') of the function holding @addr, or None."""
        row = self._row(addr)
        if row is None:
            return None
        _, names, path = row
        if path.startswith(self.root):
            path = path[len(self.root):]
        elif path:
            path = "/" + path.lstrip("/")  # outside the project: a runtime's
        return names, path


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


def part_of(stack, binary, syms, device):
    """The part one sample is charged to."""
    # Each frame of the binary resolved once: (names, path), or None for another object's or no one's.
    frames = [syms.at(addr) if dso == binary else None for addr, _, dso in stack]
    if any(f and named(f[1], f[0], SETUP) for f in frames):
        return "setup"
    if stack[0][2] == "[kernel.kallsyms]":
        return "kernel"
    for found in frames:
        if found is None:
            continue  # the C library, the loader, an address no function holds
        names, path = found
        if any(n.startswith("fuzzer::") for n in names):
            return "engine"
        if not path or path.startswith("/"):
            continue  # a sanitizer runtime's: its caller's cost
        if any(path.startswith(p) or "/" + p in path for p in device):
            return "device"
        if named(path, names, PASSES):
            return "passes"
        return "harness"
    return "other"


def check_addresses(stacks, binary, syms):
    """
    The addresses perf prints for the binary must be the ones nm lists: perf up
    to 6.4 prints call-chain entries of a position-independent executable as
    offsets in its file, which GNU ld makes equal to the link-time addresses,
    and later perf prints the run-time address.  Our C functions' names, where
    perf knows them, must then agree with nm's at the same address.
    """
    seen = agree = 0
    for stack in stacks:
        for addr, sym, dso in stack:
            if dso != binary or sym == "[unknown]" or "::" in sym or "(" in sym:
                continue
            seen += 1
            agree += sym in syms.names_at(addr)
    if seen == 0:
        raise ValueError(f"no frame of {binary} in the profile: was it the binary profiled?")
    if agree < 0.9 * seen:
        raise ValueError(f"only {agree} of {seen} frames of {binary} carry nm's name for their address: "
                         "this perf prints run-time addresses, not offsets in the file")


def split(perf_lines, nm_lines, binary, root, device):
    syms = Symbols(nm_lines, root)
    stacks = list(samples(perf_lines))
    counts = dict.fromkeys(PARTS, 0)
    if stacks:
        check_addresses(stacks, binary, syms)
    for stack in stacks:
        counts[part_of(stack, binary, syms, device)] += 1
    total = sum(counts.values())
    return {"samples": total, "share": {p: (counts[p] / total if total else 0.0) for p in PARTS}}


def header():
    heads = ["target", "exec/s", "µs per input", *PARTS.values(), "exec/s on the device's share alone"]
    return "| " + " | ".join(heads) + " |\n|---|" + "---:|" * (len(heads) - 1)


def row(name, rate, share):
    """One run's row: @rate exec/s, @share of each part."""
    ceiling = f"{rate / share['device']:.0f}" if share["device"] else "-"
    cells = [name, f"{rate:.0f}", f"{1e6 / rate:.0f}", *(f"{100 * share[p]:.1f}%" for p in PARTS), ceiling]
    return "| " + " | ".join(cells) + " |"


def main():
    if sys.argv[1:] == ["--header"]:
        print(header())
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True, help="the profiled executable (its path as perf shows it)")
    ap.add_argument("--root", required=True, help="the project's source root, as the debug information names it")
    ap.add_argument("--device", action="append", required=True, help="source prefix of the device, repeatable")
    ap.add_argument("--name", required=True, help="the target, the row's first cell")
    ap.add_argument("--exec-per-s", type=float, required=True, help="the run's exec/s (libFuzzer's final stats)")
    ap.add_argument("--nm", help="nm -C -S -l --defined-only output to use instead of running nm")
    args = ap.parse_args()
    if args.exec_per_s <= 0:
        sys.exit("time_split: --exec-per-s must be positive")
    if args.nm:
        with open(args.nm, encoding="utf-8") as f:
            nm_lines = f.readlines()
    else:
        try:
            out = subprocess.run(["nm", "-C", "-S", "-l", "--defined-only", args.binary], check=True,
                                 capture_output=True, text=True).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            sys.exit(f"time_split: nm failed on {args.binary}: {e}")
        nm_lines = out.splitlines()
    try:
        result = split(sys.stdin, nm_lines, args.binary, args.root, args.device)
    except ValueError as e:
        sys.exit(f"time_split: {e}")
    if result["samples"] == 0:
        sys.exit("time_split: no samples in the perf listing")
    print(row(args.name, args.exec_per_s, result["share"]))

if __name__ == "__main__":
    main()
