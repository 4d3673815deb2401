#!/usr/bin/env python3
"""The nightly summary (ci/nightly.sh).

  summary.py coverage --dir out/coverage --targets T...
      reads the llvm-cov exports coverage.sh wrote, writes summary.json there
      and prints one line.
  summary.py write --out out --seconds N --jobs N --write-back 0|1 --targets T...
      gathers out/fuzz/<t>/{stats,corpus}.json, out/coverage/summary.json,
      out/findings/<t>/findings.json and out/conformance/report.json into
      out/summary.json and out/summary.md.  Exit status: 1 if there is a
      unique finding or a MUST-level conformance failure, else 2 if an engine
      did not run or a report is missing, else 0.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

import uncovered  # ci/nightly/uncovered.py


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def totals(export):
    t = export["data"][0]["totals"]
    return {k: {"covered": t[k]["covered"], "count": t[k]["count"],
                "percent": round(t[k]["percent"], 1)} for k in ("lines", "branches", "functions")}


def coverage(args):
    entries = {}
    for name in list(args.targets) + ["all"]:
        entries[name] = {}
        for kind in ("seeds", "merged"):
            e = load(os.path.join(args.dir, f"{name}-{kind}.json"))
            if e is None:
                print(f"summary: no coverage export {name}-{kind}.json", file=sys.stderr)
                return 2
            entries[name][kind] = totals(e)
    result = {"scope": "core/src", "all": entries.pop("all"), "targets": entries}
    # What the fuzzers can reach: all of core/src but the lines unreached.tsv
    # explains, every other uncovered line and branch direction listed as a gap.
    here = os.path.dirname(os.path.abspath(__file__))
    acct = uncovered.account(os.path.join(args.dir, "lines.txt"), os.path.join(here, "unreached.tsv"))
    result["reachable"] = {k: acct[k] for k in ("lines", "branches", "excluded_lines", "excluded_branches")}
    result["uncovered"], result["untaken"] = acct["uncovered"], acct["untaken"]
    result["stale_rows"] = acct["stale_rows"]
    with open(os.path.join(args.dir, "summary.json"), "w") as f:
        json.dump(result, f, indent=2)
    a = result["all"]
    r = result["reachable"]
    gaps = sum(1 for u in acct["uncovered"] if not u["excluded"])
    print(f"core/src lines {pct(a['seeds']['lines'])} -> {pct(a['merged']['lines'])}, "
          f"branches {pct(a['seeds']['branches'])} -> {pct(a['merged']['branches'])} "
          f"(seeds -> merged corpus); reachable by design: lines {pct(r['lines'])}, branches "
          f"{pct(r['branches'])}, {gaps} gap line(s); out/coverage/html/index.html")
    for row in acct["stale_rows"]:
        print(f"summary: unreached.tsv row matches no line: {row['file']} {row['function']} "
              f"{row['match']!r}", file=sys.stderr)
    return 0


def pct(c):
    return f"{c['percent']}% ({c['covered']}/{c['count']})"


def git_commit(root):
    try:
        return subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], check=True,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode().strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def engine_rows(t, stats):
    rows, failures = [], []
    lf = stats["libfuzzer"]
    if lf["ran"]:
        rows.append({"target": t, "engine": "libFuzzer -fork (ASan+UBSan)", "exec_per_sec": lf["exec_per_sec"],
                     "execs": lf["execs"], "seconds": lf["seconds"],
                     "coverage": f"cov {lf['cov']}, ft {lf['ft']}", "corpus": lf["corpus"],
                     "crashes_hangs": f"{lf['crashes']} / {lf['timeouts']} / {lf['ooms']} oom"})
    else:
        failures.append(f"{t}: libFuzzer did not run ({lf['error']})")
    for a in stats["afl"]:
        if a["ran"]:
            rows.append({"target": t, "engine": f"AFL++ {a['name']}" + (" (cmplog)" if a["cmplog"] else ""),
                         "exec_per_sec": a["exec_per_sec"], "execs": a["execs"], "seconds": a["seconds"],
                         "coverage": f"edges {a['edges']}/{a['total_edges']}", "corpus": a["corpus"],
                         "crashes_hangs": f"{a['crashes']} / {a['hangs']}"})
        else:
            failures.append(f"{t}: AFL++ {a['name']} did not run ({a['error']})")
    return rows, failures


def write(args):
    out = args.out
    root = os.path.dirname(os.path.abspath(out))
    summary = {"generated": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
               "commit": git_commit(root), "seconds_per_target": args.seconds, "jobs": args.jobs,
               "write_back": bool(int(args.write_back)), "targets": {}, "engines": [],
               "findings": [], "peer_findings": [], "unreproduced": []}
    problems = []
    cov = load(os.path.join(out, "coverage", "summary.json"))
    if cov is None and any("_" not in t for t in args.targets):  # coverage is of the core's targets
        problems.append("coverage summary missing (out/logs/coverage.log)")
    for t in args.targets:
        stats = load(os.path.join(out, "fuzz", t, "stats.json"))
        corpus = load(os.path.join(out, "fuzz", t, "corpus.json"))
        triage = load(os.path.join(out, "findings", t, "findings.json"))
        if stats is None or corpus is None or triage is None:
            problems.append(f"{t}: stats, corpus or triage results missing")
            continue
        rows, failures = engine_rows(t, stats)
        summary["engines"] += rows
        problems += failures
        # The peers' short runs (vhost_user-<peer>) find bugs in code that is not
        # ours: reported, never the verdict (vhost_user/findings/ has the known ones).
        summary["peer_findings" if t.startswith("vhost_user-") else "findings"] += triage["findings"]
        summary["unreproduced"] += [dict(u, target=t) for u in triage["unreproduced"]]
        summary["targets"][t] = {"corpus": corpus, "candidates": triage["candidates"],
                                 "coverage": cov["targets"].get(t) if cov else None,
                                 "plot": f"plots/{t}.png"}
    summary["coverage_all"] = cov["all"] if cov else None
    for k in ("reachable", "uncovered", "untaken"):
        summary[k] = cov.get(k) if cov else None
    conf = load(os.path.join(out, "conformance", "report.json"))
    if conf is None:
        problems.append("conformance report missing (out/logs/conformance.log)")
        must_fail = 0
    else:
        core = conf["implementations"][0]
        # The suite's "fail" is a MUST-level violation by definition (README,
        # Conformance): also of a must implied by a descriptive clause
        # (level "desc"), e.g. SPLIT-USED-3's used len; SHOULDs are "warn".
        must_fail = core["totals"].get("fail", 0)
        summary["conformance"] = {"implementation": core["name"], "totals": core["totals"],
                                  "by_level": core["summary_by_level"], "must_failures": must_fail,
                                  "report": "conformance/report.html"}
    n = len(summary["findings"])
    status = 1 if n or must_fail else (2 if problems else 0)
    summary["verdict"] = {"status": status, "new_unique_findings": n, "must_failures": must_fail,
                          "not_reproduced": len(summary["unreproduced"]), "problems": problems}
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write(markdown(summary))
    return status


def markdown(s):
    v = s["verdict"]
    L = [f"# virtq nightly, {s['generated']} (commit {s['commit']})", "",
         f"{s['seconds_per_target']} s per target, {s['jobs']} jobs, write-back "
         f"{'on' if s['write_back'] else 'off'}.", "", "## Verdict", ""]
    word = {0: "PASS", 1: "FAIL", 2: "INCOMPLETE"}[v["status"]]
    L.append(f"- **{word}** (exit {v['status']}): {v['new_unique_findings']} new unique finding(s), "
             f"{v['must_failures']} MUST-level conformance failure(s), "
             f"{v['not_reproduced']} candidate(s) not reproduced")
    L += [f"- {p}" for p in v["problems"]]
    L += ["", "## Engines", "",
          "| target | engine | exec/s | execs | s | features / edges | corpus | crashes / hangs |",
          "|---|---|---:|---:|---:|---|---:|---|"]
    for r in s["engines"]:
        L.append(f"| {r['target']} | {r['engine']} | {r['exec_per_sec']} | {r['execs']} | {r['seconds']} | "
                 f"{r['coverage']} | {r['corpus']} | {r['crashes_hangs']} |")
    L += ["", "libFuzzer's cov counts instrumented PCs reached and ft its features; AFL++'s edges are "
          "of its own map. crashes / hangs: libFuzzer crash / timeout / oom artifacts, AFL++ saved crashes "
          "/ hangs, before triage.", "",
          "## Corpus and coverage of core/src", "",
          "| target | seeds: files (bytes) | merged: files (bytes) | new seeds | lines: seeds -> merged "
          "| branches: seeds -> merged | plot |",
          "|---|---:|---:|---:|---|---|---|"]
    for t, d in s["targets"].items():
        c, cv = d["corpus"], d["coverage"]
        lines = f"{cv['seeds']['lines']['percent']}% -> {cv['merged']['lines']['percent']}%" if cv else "n/a"
        br = f"{cv['seeds']['branches']['percent']}% -> {cv['merged']['branches']['percent']}%" if cv else "n/a"
        L.append(f"| {t} | {c['before_files']} ({c['before_bytes']}) | {c['after_files']} ({c['after_bytes']}) "
                 f"| {c['new_seeds']} | {lines} | {br} | [{t}.png]({d['plot']}) |")
    a = s.get("coverage_all")
    if a:
        L.append(f"| **all** | | | | {pct(a['seeds']['lines'])} -> {pct(a['merged']['lines'])} | "
                 f"{pct(a['seeds']['branches'])} -> {pct(a['merged']['branches'])} | |")
    L += ["", "Line-by-line: [coverage/html/index.html](coverage/html/index.html). New seeds are in "
          "`corpus-delta/<target>/`" + (" and were written back to `corpus/<input>/`." if s["write_back"]
                                        else "; `--write-back` copies them into `corpus/<input>/`.")]
    L += uncovered_section(s)
    L += ["", "## Findings", ""]
    if s["findings"]:
        L += ["| target | kind | top frames in our code | inputs | report | regression file |",
              "|---|---|---|---:|---|---|"]
        for f in s["findings"]:
            frames = " > ".join(x.split(" ")[0] for x in f["frames"]) or "?"
            L.append(f"| {f['target']} | {f['kind']} | {frames} | {f['inputs']} | "
                     f"[report]({os.path.relpath(f['report'], 'out')}) | `{f['regression']}` |")
    else:
        L.append("No crash, hang, OOM or oracle failure reproduced.")
    for u in s["unreproduced"]:
        L.append(f"- not reproduced ({u['target']}, {u['found_by']}): `{u['input']}`")
    if s.get("peer_findings"):
        L += ["", "### In the packaged peers (not ours, not in the verdict)", "",
              "Known ones are written up in `vhost_user/findings/`.", "",
              "| target | kind | inputs | report |", "|---|---|---:|---|"]
        for f in s["peer_findings"]:
            L.append(f"| {f['target']} | {f['kind']} | {f['inputs']} | "
                     f"[report]({os.path.relpath(f['report'], 'out')}) |")
    L += ["", "## Conformance", ""]
    c = s.get("conformance")
    if c:
        t = c["totals"]
        L.append(f"{c['implementation']}: " + ", ".join(f"{k} {t.get(k, 0)}" for k in
                                                       ("pass", "fail", "warn", "n/a", "untested")) +
                 f"; MUST-level failures: {c['must_failures']}. "
                 "[report.html](conformance/report.html), [report.md](conformance/report.md), "
                 "`conformance/junit.xml`, `conformance/report.json`.")
    else:
        L.append("No report (see logs/conformance.log).")
    L += ["", "## Other outputs", "",
          "`nightly.log` (the progress lines), `logs/` (every step's output), `fuzz/<target>/` (engine "
          "logs, libFuzzer corpus and artifacts, AFL++ output, merged corpus, stats.json), "
          "`findings/<target>/`, `regressions/<target>/`, `plots/`, `coverage/`.", ""]
    return "\n".join(L)


def uncovered_section(s):
    """Every line and branch direction of core/src the merged corpora left, with why."""
    r = s.get("reachable")
    if not r:
        return []
    gap = lambda u: "**gap**: " + u["reason"] if not u["excluded"] else u["reason"]
    L = ["", "## What the fuzzers did not reach in core/src", "",
         f"Reachable through the device interface (all of core/src but the lines "
         f"`ci/nightly/unreached.tsv` explains): lines {pct(r['lines'])}, branches {pct(r['branches'])}; "
         f"{r['excluded_lines']} line(s) and {r['excluded_branches']} branch direction(s) left out by "
         f"design. A **gap** is code the fuzzers can reach and did not tonight.", "",
         "| line | function | code | why |", "|---|---|---|---|"]
    for u in s["uncovered"]:
        L.append(f"| {u['file']}:{u['line']} | {u['function'] or ''} | `{u['text'][:70]}` | {gap(u)} |")
    L += ["", "| branch | function | direction never taken | why |", "|---|---|---|---|"]
    for u in s["untaken"]:
        L.append(f"| {u['file']}:{u['line']}:{u['column']} | {u['function'] or ''} | {u['never']} | "
                 f"{gap(u)} |")
    return L


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("coverage")
    c.add_argument("--dir", required=True)
    c.add_argument("--targets", nargs="+", required=True)
    w = sub.add_parser("write")
    w.add_argument("--out", required=True)
    w.add_argument("--seconds", type=int, required=True)
    w.add_argument("--jobs", type=int, required=True)
    w.add_argument("--write-back", required=True)
    w.add_argument("--targets", nargs="+", required=True)
    args = p.parse_args()
    return {"coverage": coverage, "write": write}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
