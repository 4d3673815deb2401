#!/usr/bin/env python3
"""Triage of one target's crashes, hangs and OOMs (ci/nightly.sh).

Candidates are libFuzzer's artifacts (crash-, timeout-, oom-, leak-), AFL++'s
crashes/ and hangs/, the inputs the libFuzzer ASan merge started but never
finished (--merge-control: AFL++ fuzzes a build without sanitizers, so its
queue can hold inputs only ASan sees, and the merge runs every one of them),
and any input of the --replay directories that fails when replayed by the
standalone ASan build (found by bisecting the replay).

Each candidate is reproduced with the standalone ASan/UBSan build, under a
timeout that sends SIGABRT so that ASan prints the stack of a hang too; if
that does not reproduce it, with the libFuzzer build (which enforces the RSS
limit, for OOMs).  The crash state is the sanitizer report kind (the oracle's
name and file:line for a FUZZ_ASSERT) plus the top three function names inside our
code.  Per unique state, the smallest input is minimised (libFuzzer
-minimize_crash, kept only if it reproduces the same state) and written out:

  FINDINGS/<id>/report.md    what, where, how found, how to reproduce, decoded input
  FINDINGS/<id>/input        the (minimised) input;  original: the one it came from
  FINDINGS/<id>/sanitizer.txt  the reproduction's output
  REGRESSIONS/<name>-<sha1>  ready to copy into corpus/regressions/<target>/
  FINDINGS/findings.json     every unique finding and every unreproduced candidate

Prints one line per unique finding and a final count on stdout; exits 0
unless triage itself failed.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

FRAME = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ in (\S+) (\S+?)(?::(\d+))?(?::\d+)?$")
# "FUZZ_ASSERT failed at FILE:LINE: oracle NAME: condition" then the message
# line (fuzz/common/fuzz.h); a fault found in a signal handler has no line.
ORACLE = re.compile(r"FUZZ_ASSERT failed at (\S+?):(\d*):? ?oracle ([\w-]+): (.*)\n\s*(.*)")
SUMMARY = re.compile(r"SUMMARY: (\w+Sanitizer|libFuzzer): ([\w-]+)")
UBSAN = re.compile(r"runtime error: (.*)")
TOP_FRAMES = 3
AFL_DIRS = {"crashes": "crash", "hangs": "hang"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sanitizer_env():
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ("handle_abort=1:abort_on_error=0:detect_leaks=1:symbolize=1:"
                           "allocator_may_return_null=0")
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:symbolize=1"
    for sym in ("llvm-symbolizer-14", "llvm-symbolizer"):
        path = shutil.which(sym)
        if path:
            env["ASAN_SYMBOLIZER_PATH"] = path
            break
    env.pop("VIRTQ_FUZZ_VERBOSE", None)
    return env


class Repro:
    def __init__(self, args):
        self.args = args
        self.root = os.path.abspath(args.root)
        self.env = sanitizer_env()

    def standalone(self, paths, limit):
        """Replays paths with the standalone ASan build; (rc, timed_out, output)."""
        cmd = ["timeout", "-s", "ABRT", "-k", "10", str(limit), self.args.asan] + list(paths)
        p = subprocess.run(cmd, cwd=self.root, env=self.env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        out = p.stdout.decode(errors="replace")
        return p.returncode, p.returncode in (124, 137), out

    def libfuzzer(self, path):
        cmd = [self.args.libfuzzer, f"-timeout={self.args.timeout}",
               f"-rss_limit_mb={self.args.rss_mb}", "-runs=1", path]
        p = subprocess.run(["timeout", "-k", "10", str(4 * self.args.timeout)] + cmd, cwd=self.root,
                           env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return p.returncode, p.stdout.decode(errors="replace")

    def state(self, path):
        """The crash state of one input, or None if it does not fail."""
        rc, timed_out, out = self.standalone([path], 2 * self.args.timeout)
        if rc == 0 and self.args.libfuzzer:
            rc, out = self.libfuzzer(path)
            timed_out = "libFuzzer: timeout" in out
            if rc == 0:
                return None
        return crash_state(out, timed_out, self.root), out

    def bisect(self, paths):
        """The inputs among paths that fail the standalone ASan replay."""
        if not paths:
            return []
        rc, _, _ = self.standalone(paths, 2 * self.args.timeout + len(paths) // 2)
        if rc == 0:
            return []
        if len(paths) == 1:
            return list(paths)
        mid = len(paths) // 2
        return self.bisect(paths[:mid]) + self.bisect(paths[mid:])


def our_frames(out, root):
    """Function names of the first stack's frames in our code (not the engine's)."""
    frames, seen_stack = [], False
    for line in out.splitlines():
        m = FRAME.match(line)
        if not m:
            if seen_stack and frames:
                break
            continue
        seen_stack = True
        func, path = m.group(1), m.group(2)
        if not path.startswith(root + "/"):
            continue
        rel = os.path.relpath(path, root)
        if rel.startswith("fuzz/engine/") or func in ("main", "LLVMFuzzerTestOneInput"):
            continue
        frames.append(f"{func} ({rel})")
        if len(frames) == TOP_FRAMES:
            break
    return frames


def crash_state(out, timed_out, root):
    oracle = ORACLE.search(out)
    ubsan = UBSAN.search(out)
    summary = SUMMARY.search(out)
    if timed_out:
        kind = "timeout"
    elif oracle:
        path = oracle.group(1)
        if path.startswith(root + "/"):
            path = os.path.relpath(path, root)
        kind = f"oracle {oracle.group(3)} {path}:{oracle.group(2)}"
    elif ubsan:
        # values vary between inputs of one bug: keep the words
        kind = "UBSan " + re.sub(r"'[^']*'|0x[0-9a-f]+|-?\d+", "N", ubsan.group(1))[:80]
    elif summary:
        kind = f"{summary.group(1)} {summary.group(2)}"
    else:
        kind = "crash"
    frames = our_frames(out, root)
    detail = f"{oracle.group(4)}: {oracle.group(5)}" if oracle else (ubsan.group(1) if ubsan else "")
    return {"kind": kind, "frames": frames, "detail": detail,
            "signature": kind + " | " + " > ".join(f.split(" ")[0] for f in frames)}


def candidates(dirs):
    """(path, how found) for every engine artifact under dirs."""
    found = []
    for d in dirs:
        for base, _, names in os.walk(d):
            parent = os.path.basename(base)
            for n in sorted(names):
                p = os.path.join(base, n)
                if re.match(r"(crash|timeout|oom|leak)-", n):
                    found.append((p, "libFuzzer " + n.split("-")[0]))
                elif n.startswith("id:") and parent in AFL_DIRS:
                    inst = os.path.basename(os.path.dirname(base))
                    found.append((p, f"AFL++ {inst} {AFL_DIRS[parent]}"))
    return found


def merge_crashers(control):
    """Inputs a libFuzzer -merge=1 run started and never finished: its inner
    process died on them (crash, timeout, OOM) and the outer one went on.
    The control file lists the inputs, then 'STARTED i size' per input and
    'FT i ...' once its features are recorded."""
    with open(control) as f:
        lines = f.read().splitlines()
    n = int(lines[0])
    names = lines[2:2 + n]
    started, finished = [], set()
    for line in lines[2 + n:]:
        word, _, rest = line.partition(" ")
        if word == "STARTED":
            started.append(int(rest.split()[0]))
        elif word == "FT":
            finished.add(int(rest.split()[0]))
    base = os.path.dirname(os.path.abspath(control))
    return [os.path.join(base, names[i]) for i in started if i not in finished]


def slug(kind):
    s = re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")
    return s[:48].strip("-") or "finding"


def minimise(repro, args, path, out, state, workdir):
    """(input, how, its reproduction output): the minimised input if it keeps
    the crash state, else path with its own output."""
    if state["kind"] == "timeout" or "out-of-memory" in state["kind"]:
        return path, "not minimised (timeouts and OOMs are kept whole)", out
    if not args.libfuzzer:
        return path, "not minimised (no libFuzzer build given)", out
    dest = os.path.join(workdir, "minimised")
    cmd = ["timeout", "-k", "10", str(args.minimize_seconds + 60), args.libfuzzer,
           "-minimize_crash=1", f"-max_total_time={args.minimize_seconds}",
           f"-timeout={args.timeout}", f"-rss_limit_mb={args.rss_mb}",
           f"-exact_artifact_path={dest}", path]
    subprocess.run(cmd, cwd=workdir, env=repro.env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    if not os.path.exists(dest) or os.path.getsize(dest) >= os.path.getsize(path):
        return path, "minimisation found nothing smaller", out
    again = repro.state(dest)
    if again is None or again[0]["signature"] != state["signature"]:
        return path, "the minimised input had another crash state; kept the original", out
    return dest, f"minimised from {os.path.getsize(path)} to {os.path.getsize(dest)} bytes", again[1]


def decode(args, path):
    p = subprocess.run([args.decoder, "decode", args.input, path], cwd=args.root,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p.stdout.decode(errors="replace")


def write_finding(args, fid, state, group, repro):
    best, _, best_out = min(group, key=lambda m: os.path.getsize(m[0]))
    d = os.path.join(args.findings, fid)
    os.makedirs(d, exist_ok=True)
    shutil.copyfile(best, os.path.join(d, "original"))
    with tempfile.TemporaryDirectory() as work:
        chosen, how, out = minimise(repro, args, best, best_out, state, work)
        shutil.copyfile(chosen, os.path.join(d, "input"))
    with open(os.path.join(d, "sanitizer.txt"), "w") as f:
        f.write(out)
    data = open(os.path.join(d, "input"), "rb").read()
    name = f"{slug(state['kind'])}-{hashlib.sha1(data).hexdigest()[:12]}"
    os.makedirs(args.regressions, exist_ok=True)
    reg = os.path.join(args.regressions, name)
    shutil.copyfile(os.path.join(d, "input"), reg)
    rel = lambda p: os.path.relpath(p, args.root)
    asan_rel = rel(os.path.join(args.root, args.asan))
    report = [
        f"# {args.target}: {state['kind']}",
        "",
        f"- **crash state:** `{state['signature']}`",
        f"- **detail:** {state['detail'] or '(see sanitizer.txt)'}",
        "- **frames in our code:** " + (", ".join(f"`{x}`" for x in state["frames"]) or "none"),
        f"- **found by:** {len(group)} input(s): " +
        ", ".join(sorted({m[1] for m in group})),
        f"- **input:** `input` ({len(data)} bytes; {how}); `original` is the input it came from",
        "",
        "## Reproduce",
        "",
        "```sh",
        (f"{args.reproduce_env} " if args.reproduce_env else "") + f"{asan_rel} {rel(os.path.join(d, 'input'))}",
        f"build/dev/fuzz/virtq-fuzz decode {args.input} {rel(os.path.join(d, 'input'))}",
        "```",
        "",
        "## Regression file",
        "",
        f"`{rel(reg)}` is ready: before fixing, add it with",
        "",
        "```sh",
        f"fuzz/tools/make_regression.sh {args.input} {rel(reg)} {slug(state['kind'])[:40]} \"<what it found>\"",
        "```",
        "",
        "## Input, decoded",
        "",
        "```",
        decode(args, os.path.join(d, "input")).rstrip(),
        "```",
        "",
        "## Sanitizer output",
        "",
        "```",
        out.strip()[-6000:],
        "```",
        "",
    ]
    with open(os.path.join(d, "report.md"), "w") as f:
        f.write("\n".join(report))
    return {"id": fid, "target": args.target, "kind": state["kind"], "signature": state["signature"],
            "frames": state["frames"], "detail": state["detail"], "inputs": len(group),
            "found_by": sorted({m[1] for m in group}), "input_bytes": len(data),
            "minimisation": how, "report": rel(os.path.join(d, "report.md")),
            "regression": rel(reg)}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--target", required=True, help="fuzz binary suffix: rings, rings_vringh, ...")
    p.add_argument("--input", help="input format the target reads (rings for rings_vringh); "
                   "default: the target")
    p.add_argument("--root", required=True)
    p.add_argument("--reproduce-env", default="",
                   help="environment the reproducer needs, shown before its command (vhost_user: the back-end)")
    p.add_argument("--asan", required=True, help="standalone ASan/UBSan build of the target")
    p.add_argument("--libfuzzer", help="libFuzzer ASan/UBSan build of the target: minimises, and "
                   "reproduces what the standalone build does not (OOMs under the RSS limit)")
    p.add_argument("--decoder", required=True, help="virtq-fuzz")
    p.add_argument("--timeout", type=int, default=25)
    p.add_argument("--rss-mb", type=int, default=2560)
    p.add_argument("--minimize-seconds", type=int, default=30)
    p.add_argument("--findings", required=True)
    p.add_argument("--regressions", required=True)
    p.add_argument("--candidates", nargs="*", default=[])
    p.add_argument("--replay", nargs="*", default=[])
    p.add_argument("--merge-control", help="the control file of a libFuzzer -merge=1 run")
    args = p.parse_args()
    args.input = args.input or args.target
    args.root = os.path.abspath(args.root)
    for tool in (args.asan, args.libfuzzer, args.decoder):
        if tool and not os.access(os.path.join(args.root, tool), os.X_OK):
            log(f"triage: missing {tool}")
            return 2
    args.asan, args.libfuzzer, args.decoder = (x and os.path.join(args.root, x) for x in
                                               (args.asan, args.libfuzzer, args.decoder))
    os.makedirs(args.findings, exist_ok=True)
    repro = Repro(args)

    found = candidates([os.path.abspath(d) for d in args.candidates])
    for d in args.replay:
        files = sorted(os.path.join(d, n) for n in os.listdir(d)) if os.path.isdir(d) else []
        failing = repro.bisect([f for f in files if os.path.isfile(f)])
        found += [(f, f"ASan replay of {os.path.relpath(d, args.root)}") for f in failing]
    if args.merge_control:
        found += [(f, "libFuzzer ASan merge") for f in merge_crashers(args.merge_control)]
    log(f"triage {args.target}: {len(found)} candidate(s)")

    groups, unreproduced = {}, []
    for path, how in found:
        res = repro.state(path)
        if res is None:
            log(f"  not reproduced: {path} ({how})")
            unreproduced.append({"input": os.path.relpath(path, args.root), "found_by": how})
            continue
        state, out = res
        log(f"  {state['signature']}: {path} ({how})")
        g = groups.setdefault(state["signature"], {"state": state, "members": []})
        g["members"].append((path, how, out))

    findings = []
    for sig, g in sorted(groups.items()):
        fid = hashlib.sha1(sig.encode()).hexdigest()[:10]
        f = write_finding(args, fid, g["state"], g["members"], repro)
        findings.append(f)
        print(f"{f['kind']} in {' > '.join(x.split(' ')[0] for x in f['frames']) or '?'} "
              f"({f['inputs']} input(s)) -> {f['report']}", flush=True)
    with open(os.path.join(args.findings, "findings.json"), "w") as fp:
        json.dump({"target": args.target, "candidates": len(found), "findings": findings,
                   "unreproduced": unreproduced}, fp, indent=2)
    print(f"{len(found)} candidate(s), {len(findings)} unique finding(s), "
          f"{len(unreproduced)} not reproduced", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
