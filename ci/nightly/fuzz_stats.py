#!/usr/bin/env python3
"""What the engines did for one target, and what the merge kept (ci/nightly.sh).

  fuzz_stats.py engines --target T --dir out/fuzz/T --out stats.json
      libFuzzer's fork-mode status lines and each AFL++ instance's
      fuzzer_stats and plot_data become stats.json plus the series the plot
      reads: libfuzzer.tsv (seconds, cov, ft, corpus, execs) and
      afl-<instance>.tsv (seconds, edges_found, corpus_count, execs).
  fuzz_stats.py line --stats stats.json
      one progress line.
  fuzz_stats.py corpus --target T --seeds corpus/T --merged DIR --delta DIR
                       --out corpus.json [--write-back]
      files and bytes before (the checked-in seeds) and after (the merged
      corpus); the merged files whose content is not among the seeds go to
      --delta, and with --write-back into the seeds directory too, each named
      by the SHA-1 of its content (libFuzzer's own naming).
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import sys

# "#147887: cov: 412 ft: 649 corp: 80 exec/s 5595 oom/timeout/crash: 0/0/0 time: 9s job: 3 ..."
FORK_LINE = re.compile(r"^#(\d+): cov: (\d+) ft: (\d+) corp: (\d+) exec/s:? (\d+) "
                       r"oom/timeout/crash: (\d+)/(\d+)/(\d+) time: (\d+)s")


def libfuzzer_stats(d, series_path):
    log = os.path.join(d, "log")
    rows = []
    if os.path.exists(log):
        with open(log, errors="replace") as f:
            for line in f:
                m = FORK_LINE.match(line)
                if m:
                    execs, cov, ft, corp, _, oom, tmo, crash, secs = map(int, m.groups())
                    rows.append((secs, cov, ft, corp, execs, oom, tmo, crash))
    with open(series_path, "w") as f:
        f.write("# seconds\tcov\tft\tcorpus\texecs\n")
        for r in rows:
            f.write("\t".join(map(str, r[:5])) + "\n")
    exit_code = read_int(os.path.join(d, "exit"))
    if not rows:
        return {"ran": False, "exit": exit_code,
                "error": "no status line in the libFuzzer log (it did not fuzz)"}
    secs, cov, ft, corp, execs, oom, tmo, crash = rows[-1]
    artifacts = sorted(os.listdir(os.path.join(d, "artifacts")))
    return {"ran": True, "exit": exit_code, "seconds": secs, "execs": execs,
            "exec_per_sec": round(execs / secs) if secs else None,
            "cov": cov, "ft": ft, "corpus": corp,
            "ooms": oom, "timeouts": tmo, "crashes": crash,
            "artifacts": [a for a in artifacts if not a.startswith("slow-unit-")]}


def afl_instance(inst_dir, name, series_path):
    stats = {}
    path = os.path.join(inst_dir, "fuzzer_stats")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                k, _, v = line.partition(":")
                stats[k.strip()] = v.strip()
    series = []
    plot = os.path.join(inst_dir, "plot_data")
    if os.path.exists(plot):
        with open(plot) as f:
            header = None
            for line in f:
                if line.startswith("#"):
                    header = [h.strip() for h in line[1:].split(",")]
                    continue
                vals = [v.strip() for v in line.split(",")]
                if header and len(vals) == len(header):
                    row = dict(zip(header, vals))
                    series.append((row["relative_time"], row["edges_found"], row["corpus_count"],
                                   row["total_execs"]))
    with open(series_path, "w") as f:
        f.write("# seconds\tedges_found\tcorpus_count\texecs\n")
        for r in series:
            f.write("\t".join(r) + "\n")
    if not stats:
        return {"name": name, "ran": False, "error": "no fuzzer_stats (afl-fuzz did not start)"}
    num = lambda k: float(stats.get(k, "0").rstrip("%"))
    return {"name": name, "ran": True, "seconds": int(num("run_time")),
            "execs": int(num("execs_done")), "exec_per_sec": round(num("execs_per_sec")),
            "edges": int(num("edges_found")), "total_edges": int(num("total_edges")),
            "corpus": int(num("corpus_count")), "crashes": int(num("saved_crashes")),
            "hangs": int(num("saved_hangs")), "stability": stats.get("stability"),
            "cmplog": " -c " in stats.get("command_line", "")}


def read_int(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def engines(args):
    d = args.dir
    result = {"target": args.target, "libfuzzer": libfuzzer_stats(os.path.join(d, "libfuzzer"),
                                                                os.path.join(d, "libfuzzer.tsv")),
              "afl": []}
    afl_dir = os.path.join(d, "afl")
    names = sorted(n[len("exit-"):] for n in os.listdir(afl_dir) if n.startswith("exit-"))
    for n in names:
        inst = afl_instance(os.path.join(afl_dir, "out", n), n, os.path.join(d, f"afl-{n}.tsv"))
        inst["exit"] = read_int(os.path.join(afl_dir, f"exit-{n}"))
        if inst["ran"] is False:
            inst["log"] = os.path.join(afl_dir, f"log-{n}")
        result["afl"].append(inst)
    skipped = os.path.join(afl_dir, "skipped")  # the nightly left AFL++ out on purpose, saying why
    if os.path.exists(skipped):
        with open(skipped) as f:
            result["afl_skipped"] = f.read().strip()
    elif not names:
        result["afl"].append({"name": "s1", "ran": False, "error": "no AFL++ instance was started"})
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    return 0


def line(args):
    with open(args.stats) as f:
        s = json.load(f)
    lf = s["libfuzzer"]
    parts = []
    if lf["ran"]:
        parts.append(f"libFuzzer {lf['execs']} execs ({lf['exec_per_sec']}/s), cov {lf['cov']}, "
                     f"ft {lf['ft']}, {len(lf['artifacts'])} artifact(s)")
    else:
        parts.append(f"libFuzzer DID NOT RUN: {lf['error']}")
    for a in s["afl"]:
        if a["ran"]:
            parts.append(f"AFL++ {a['name']} {a['execs']} execs ({a['exec_per_sec']}/s), "
                         f"edges {a['edges']}, {a['crashes']} crash(es), {a['hangs']} hang(s)")
        else:
            parts.append(f"AFL++ {a['name']} DID NOT RUN: {a['error']}")
    if s.get("afl_skipped"):
        parts.append(f"AFL++ not run: {s['afl_skipped']}")
    print("; ".join(parts))
    return 0


def files_of(d):
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, n) for n in os.listdir(d)
                  if not n.startswith(".") and os.path.isfile(os.path.join(d, n)))


def sha1_of(path):
    with open(path, "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()


def corpus(args):
    seeds, merged = files_of(args.seeds), files_of(args.merged)
    seed_hashes = {sha1_of(p) for p in seeds}
    os.makedirs(args.delta, exist_ok=True)
    new = []
    for p in merged:
        h = sha1_of(p)
        if h not in seed_hashes:
            shutil.copyfile(p, os.path.join(args.delta, h))
            if args.write_back:
                shutil.copyfile(p, os.path.join(args.seeds, h))
            new.append(h)
    size = lambda ps: sum(os.path.getsize(p) for p in ps)
    result = {"target": args.target, "before_files": len(seeds), "before_bytes": size(seeds),
              "after_files": len(merged), "after_bytes": size(merged), "new_seeds": len(new),
              "written_back": len(new) if args.write_back else 0}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    wb = f", {len(new)} written back to {args.seeds}" if args.write_back else ""
    print(f"{result['before_files']} seed files ({result['before_bytes']} B) -> "
          f"{result['after_files']} merged ({result['after_bytes']} B), {len(new)} new{wb}")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("engines")
    e.add_argument("--target", required=True)
    e.add_argument("--dir", required=True)
    e.add_argument("--out", required=True)
    ln = sub.add_parser("line")
    ln.add_argument("--stats", required=True)
    c = sub.add_parser("corpus")
    for a in ("--target", "--seeds", "--merged", "--delta", "--out"):
        c.add_argument(a, required=True)
    c.add_argument("--write-back", action="store_true")
    args = p.parse_args()
    return {"engines": engines, "line": line, "corpus": corpus}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
