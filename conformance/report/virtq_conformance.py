#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""virtq-conformance: run the conformance suite against implementations and
write report.md, report.html, junit.xml and report.json.

Each implementation is a conformance runner (the suite linked with a device's
adapter, see dut/include/virtq_dut/dut.h; virtq_add_device builds it).  This script runs it,
joins its results file (JSON lines written by the test children) with Check's
own XML log (crashes, timeouts) and the clause catalogue, and gives every
clause of the catalogue a status per implementation:

  pass       every test of the clause ran and nothing was found against it
  fail       a MUST-level violation (or a crash or timeout of its test)
  warn       a SHOULD-level finding (counted), nothing worse
  n/a        not a device obligation, or a feature the implementation lacks
  untested   outside a queue library (transport, device status), no access
             log, or every test of it was cut short by another clause's
             violation ("blocked by ...")

Every clause also says what a verdict on it rests on (catalogue column
evidence): memory (what the harness observes itself: guest memory, the
request and reply bytes, the notification decisions), log (only the access
log the implementation reports about its own loads, stores and fences:
self-reported) or none (not observable here, or no oracle of its own).

Exit status: 1 if the first implementation has any clause failing, 2 on a
usage or run error, 0 otherwise.  See README "Conformance".
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter, OrderedDict, defaultdict

from report_vocab import EVIDENCE, FINDINGS, JUDGED, LEVELS, STATUSES, findings, safe
from report_writers import json_report, write_html, write_json, write_junit, write_md

CHECK_NS = "{http://check.sourceforge.net/ns}"
EXIT_FATAL = 86  # findings.h VQC_EXIT_FATAL


# ---------------------------------------------------------------- catalogue

def load_catalogue(path):
    rows, header = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
                continue
            if len(cols) != len(header):
                raise SystemExit(f"{path}: row {cols[0]} has {len(cols)} columns, want {len(header)}")
            rows.append(dict(zip(header, cols)))
    if header is None or "evidence" not in header:
        raise SystemExit(f"{path}: no evidence column ({', '.join(EVIDENCE)})")
    for r in rows:
        if r["evidence"] not in EVIDENCE:
            raise SystemExit(f"{path}: row {r['id']}: evidence {r['evidence']!r}, "
                             f"want one of {', '.join(EVIDENCE)}")
        if r["testable"] in ("na", "out") and r["evidence"] != "none":
            raise SystemExit(f"{path}: row {r['id']} is testable={r['testable']}, so its "
                             "evidence must be none")
    return rows


def evidence_of_verdict(row, status):
    """What this run's verdict on a clause rests on: the catalogue's kind when
    the clause was judged (pass, fail, warn), none when it is n/a or untested."""
    return row["evidence"] if status in JUDGED else "none"


# ---------------------------------------------------------------- running

def tsv_rows(path):
    """(line number, columns) of each row of a tab-separated file; blank and # lines skipped."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                yield n, line.split("\t")


# Real vhost-user back-ends from Debian's packages, by name (--impl peer:NAME):
# vhost_user/peers.tsv holds their type, package and command (ci/nightly.sh
# --backend NAME reads it too).
PEERS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "vhost_user", "peers.tsv")


def load_peers(path):
    """NAME -> (device type, Debian package, command) from vhost_user/peers.tsv."""
    peers = {}
    for n, cols in tsv_rows(path):
        if len(cols) != 4 or cols[1] not in ("blk", "net", "fs"):
            raise SystemExit(f"{path}:{n}: expected NAME, blk|net|fs, PACKAGE, COMMAND (tab-separated)")
        peers[cols[0]] = (cols[1], cols[2], cols[3])
    return peers


def peer_command(name, outdir, peers_file):
    """The back-end command of a named peer, its program checked for (a missing package
    is an error that says which, never a skipped column)."""
    peers = load_peers(peers_file)
    if name not in peers:
        raise SystemExit(f"virtq-conformance: --impl peer:{name}: the peers are {', '.join(peers)}")
    dtype, package, command = peers[name]
    program = command.split()[0]
    if not shutil.which(program):
        raise SystemExit(f"virtq-conformance: --impl peer:{name}: {program} is missing "
                         f"(Debian package {package}; ci/deps.sh installs it)")
    os.makedirs(outdir, exist_ok=True)
    if "{image}" in command:  # a fresh 1 MiB disk
        image = os.path.abspath(os.path.join(outdir, f"{safe(name)}.img"))
        with open(image, "wb") as f:
            f.truncate(1 << 20)
        command = command.replace("{image}", image)
    if "{dir}" in command:  # a fresh empty folder
        folder = os.path.abspath(os.path.join(outdir, f"{safe(name)}.dir"))
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        command = command.replace("{dir}", folder)
    return dtype, command


def impl_binary(build_dir, spec, outdir=".", peers_file=PEERS_FILE):
    """The command line of a runner: NAME=PATH; vhost-user:NAME=TYPE:COMMAND (the
    black-box runner against a back-end COMMAND started with {socket} replaced,
    or @SOCKET for one already listening); peer:NAME (a vhost-user back-end from
    vhost_user/peers.tsv); or NAME: the runner virtq_add_device(NAME ...) built,
    conformance_<NAME as a C identifier> in the build folder (core,
    planted:no_len_cap -> conformance_planted_no_len_cap)."""
    if spec.startswith("peer:"):
        name = spec[len("peer:"):]
        dtype, command = peer_command(name, outdir, peers_file)
        spec = f"vhost-user:{name}={dtype}:{command}"
    if spec.startswith("vhost-user:"):
        name, _, rest = spec[len("vhost-user:"):].partition("=")
        dtype, _, command = rest.partition(":")
        if not name or not dtype or not command:
            raise SystemExit(f"virtq-conformance: --impl {spec}: expected vhost-user:NAME=TYPE:COMMAND")
        return name, [os.path.join(build_dir, "conformance_vhost_user"), "--name", name,
                      "--type", dtype, "--backend", command]
    if "=" in spec:
        name, path = spec.split("=", 1)
        return name, [path]
    ident = re.sub(r"[^A-Za-z0-9_]", "_", spec)
    if ident[:1].isdigit():
        ident = "_" + ident
    return spec, [os.path.join(build_dir, "conformance_" + ident)]


def list_inventory(binary, catalogue):
    out = subprocess.run(binary + ["--catalogue", catalogue, "--list"], capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{binary} --list failed: {out.stderr.strip()}")
    impl, tests = None, []
    for line in out.stdout.splitlines():
        cols = line.split("\t")
        if cols[0] == "impl":
            impl = {"name": cols[1], "description": cols[2], "features": int(cols[3], 16),
                    "access_log": cols[4] == "access_log"}
        elif cols[0] == "test":
            tests.append({"name": cols[1], "tags": cols[2].split(), "iterations": int(cols[3])})
    return impl, tests



def run_impl(name, binary, args, outdir):
    """Run one suite binary; return its raw material."""
    d = os.path.join(outdir, "impl", safe(name))
    os.makedirs(d, exist_ok=True)
    results, xml, log = (os.path.join(d, n) for n in ("results.jsonl", "check.xml", "run.log"))
    for p in (results, xml):
        if os.path.exists(p):
            os.remove(p)
    impl, tests = list_inventory(binary, args.catalogue)
    env = dict(os.environ)
    if args.tags:
        env["CK_INCLUDE_TAGS"] = args.tags
    if args.run_case:
        env["CK_RUN_CASE"] = args.run_case
    start = time.monotonic()
    with open(log, "w", encoding="utf-8") as lf:
        proc = subprocess.run(binary + ["--catalogue", args.catalogue, "--results", results,
                               "--xml", xml], stdout=lf, stderr=subprocess.STDOUT, env=env,
                              check=False)
    return {"name": name, "binary": binary[0], "command": binary, "impl": impl, "tests": tests,
            "exit": proc.returncode, "seconds": round(time.monotonic() - start, 2),
            "results": results, "xml": xml, "log": log}


# ---------------------------------------------------------------- joining

def parse_check_xml(path):
    """(test name, iteration) -> (result, message) from Check's XML log."""
    out = {}
    if not os.path.exists(path):
        return out
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        return out
    for t in root.iter(CHECK_NS + "test"):
        name = t.findtext(CHECK_NS + "description") or ""
        it = int(t.findtext(CHECK_NS + "iteration") or 0)
        dur = max(0.0, float(t.findtext(CHECK_NS + "duration") or 0))  # -1 when unknown
        out[(name, it)] = (t.get("result"), t.findtext(CHECK_NS + "message") or "", dur)
    return out


def parse_results(path):
    runs = defaultdict(lambda: {"begin": None, "params": {}, "findings": [], "counts": [],
                                "end": None})
    if not os.path.exists(path):
        return runs
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            r = runs[(rec.get("test"), rec.get("iter"))]
            t = rec.get("t")
            if t == "begin":
                r["begin"] = rec
            elif t == "param":
                r["params"].update({k: v for k, v in rec.items() if k not in ("t", "test", "iter")})
            elif t == "finding":
                r["findings"].append(rec)
            elif t == "count":
                r["counts"].append(rec)
            elif t == "end":
                r["end"] = rec
    return runs


def label(test, it, params):
    bits = []
    if "q" in params:
        bits.append(f"q={params['q']}")
    if params.get("features") and params["features"] != "none":
        bits.append(params["features"].replace(" ", "+"))
    if params.get("relocated"):
        bits.append("relocated")
    return f"{test}[{it}{': ' + ', '.join(bits) if bits else ''}]"


def analyse(raw, catalogue):
    """Per test iteration outcome and per clause status for one implementation."""
    checks = parse_check_xml(raw["xml"])
    runs = parse_results(raw["results"])
    rows = {r["id"]: r for r in catalogue}
    iterations = []
    for t in raw["tests"]:
        for it in range(t["iterations"]):
            key = (t["name"], it)
            chk = checks.get(key)
            run = runs.get(key)
            if chk is None and (run is None or run["begin"] is None):
                iterations.append({"test": t["name"], "iter": it, "tags": t["tags"],
                                   "outcome": "not-run", "findings": [], "params": {}})
                continue
            run = run or {"begin": None, "params": {}, "findings": [], "counts": [], "end": None}
            result, message, dur = chk if chk else ("error", "no Check result", 0.0)
            # Repeats beyond the first few were only counted: the first of each
            # kind carries the run's total.
            counts = {(c["clause"], c["kind"], c["verdict"]): c["count"] for c in run["counts"]}
            seen = set()
            for fnd in run["findings"]:
                k = (fnd["clause"], fnd["kind"], fnd["verdict"])
                fnd["count"] = counts.get(k, 1) if k not in seen else 1
                seen.add(k)
            fatal = [f for f in run["findings"] if f.get("fatal")]
            fails = [f for f in run["findings"] if f["verdict"] == "fail"]
            end = run["end"]
            if end is not None:
                outcome = {"done": "done", "na": "na", "untested": "untested"}.get(end["status"], "done")
            elif fatal:
                outcome = "aborted"
            elif fails:
                outcome = "aborted"   # cut short after violations it recorded
            else:
                outcome = "error"     # crash, timeout, or a harness assertion
            if outcome == "done" and result == "error":
                outcome = "error"
            iterations.append({
                "test": t["name"], "iter": it, "tags": t["tags"], "outcome": outcome,
                "check": result, "message": message, "seconds": dur,
                "note": end["note"] if end else "", "params": run["params"],
                "label": label(t["name"], it, run["params"]), "findings": run["findings"],
                "blocked_by": sorted({f["clause"] for f in (fatal or fails)}) if outcome == "aborted" else [],
            })
    clauses = OrderedDict()
    by_clause_findings = defaultdict(list)
    for it in iterations:
        for f in it["findings"]:
            by_clause_findings[f["clause"]].append((it, f))
    for row in catalogue:
        cid = row["id"]
        st = {"status": None, "why": "", "findings": [], "tests": [], "notes": [],
              "evidence": row["evidence"]}
        tagged = [it for it in iterations if cid in it["tags"]]
        st["tests"] = [it["label"] if "label" in it else f"{it['test']}[{it['iter']}]" for it in tagged]
        fnd = by_clause_findings.get(cid, [])
        fails = [(i, f) for i, f in fnd if f["verdict"] == "fail"]
        warns = [(i, f) for i, f in fnd if f["verdict"] == "warn"]
        infos = [(i, f) for i, f in fnd if f["verdict"] == "info"]
        errors = [i for i in tagged if i["outcome"] == "error"]
        st["findings"] = [(i["label"], f) for i, f in fails + warns]
        st["notes"] = [(i["label"], f) for i, f in infos]
        st["errors"] = [(i["label"], i["message"]) for i in errors]
        if row["testable"] == "na":
            st["status"], st["why"] = "n/a", row["how"]
        elif row["testable"] == "out":
            st["status"], st["why"] = "untested", row["how"]
        elif fails or errors:
            st["status"] = "fail"
            if row["grade"] == "liveness":
                st["why"] = "liveness"
            if errors and not fails:
                st["why"] = "test crashed or timed out"
        elif warns:
            st["status"] = "warn"
            st["why"] = f"{sum(f.get('count', 1) for _, f in warns)} finding(s)"
        elif any(i["outcome"] == "done" for i in tagged):
            st["status"] = "pass"
            blocked = sorted({c for i in tagged if i["outcome"] == "aborted" for c in i["blocked_by"]})
            if blocked:
                st["why"] = "some runs blocked by " + ", ".join(blocked)
        elif tagged and all(i["outcome"] == "na" for i in tagged):
            st["status"], st["why"] = "n/a", tagged[0]["note"]
        elif any(i["outcome"] == "aborted" for i in tagged):
            blocked = sorted({c for i in tagged if i["outcome"] == "aborted" for c in i["blocked_by"]})
            st["status"], st["why"] = "untested", "blocked by " + ", ".join(blocked)
        elif any(i["outcome"] == "untested" for i in tagged):
            st["status"] = "untested"
            st["why"] = next(i["note"] for i in tagged if i["outcome"] == "untested")
        elif tagged:
            st["status"], st["why"] = "untested", "not selected in this run"
        elif row["evidence"] == "log" and not (raw["impl"] and raw["impl"]["access_log"]):
            st["status"], st["why"] = "untested", "rests on an access log, which this device has none of"
        else:
            st["status"], st["why"] = "untested", "NO TEST (suite gap)"
        clauses[cid] = st
    summary = {lvl: Counter() for lvl in LEVELS}
    for row in catalogue:
        summary[row["level"]][clauses[row["id"]]["status"]] += 1
    totals = Counter(c["status"] for c in clauses.values())
    evidence = {lvl: Counter() for lvl in LEVELS}
    for row in catalogue:
        evidence[row["level"]][evidence_of_verdict(row, clauses[row["id"]]["status"])] += 1
    ev_totals = Counter()
    for c in evidence.values():
        ev_totals.update(c)
    return {"iterations": iterations, "clauses": clauses, "summary": summary, "totals": totals,
            "evidence": evidence, "evidence_totals": ev_totals, "rows": rows}


# ---------------------------------------------------------------- self-test

def load_expectations(path):
    exp = OrderedDict()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            impl, clauses, status = cols[0], cols[1], cols[2]
            exp[impl] = ({c for c in clauses.split(",") if c and c != "-"}, status)
    return exp


def selftest_checks(args, impls, expectations):
    problems = []
    for im in impls:
        want, status = expectations[im["name"]]
        clauses = im["analysis"]["clauses"]
        flagged = {cid: st["status"] for cid, st in findings(clauses)}
        for cid in sorted(want):
            if clauses[cid]["status"] != status:
                problems.append(f"{im['name']}: {cid} is {clauses[cid]['status']}, expected {status}")
        for cid, s in sorted(flagged.items()):
            if cid not in want:
                problems.append(f"{im['name']}: {cid} flagged {s} but the variant does not break it")
        if im["name"] == "core":
            gaps = [cid for cid, st in clauses.items() if st["why"] == "NO TEST (suite gap)"]
            if gaps:
                problems.append("core: testable clauses without a test: " + ", ".join(gaps))
    return problems


def load_findings(path):
    """Expected findings of peers: NAME, CLAUSE, STATUS (fail | warn), EVIDENCE per row."""
    exp = OrderedDict()
    for n, cols in tsv_rows(path):
        if len(cols) != 4 or cols[2] not in FINDINGS or not cols[3].strip():
            raise SystemExit(f"{path}:{n}: expected NAME, CLAUSE, fail|warn, evidence (tab-separated)")
        exp.setdefault(cols[0], {})[cols[1]] = cols[2]
    return exp


def findings_checks(impls, expected):
    """Each implementation flags exactly its expected clauses, each with its status: a new
    finding and one that no longer appears are both problems."""
    problems = []
    for im in impls:
        want = expected.get(im["name"], {})  # no row: no finding expected
        clauses = im["analysis"]["clauses"]
        for cid, status in sorted(want.items()):
            got = clauses.get(cid, {}).get("status", "unknown clause")
            if got != status:
                problems.append(f"{im['name']}: {cid} is {got}, expected {status} (a finding gone?)")
        for cid, st in sorted(findings(clauses)):
            if cid not in want:
                problems.append(f"{im['name']}: new finding: {cid} {st['status']}")
    return problems


def selftest_mechanics(args, outdir):
    """Tags select one clause; a crash and a timeout are junit errors, never passes."""
    problems = []
    core = impl_binary(args.build_dir, "core")[1]
    sub = argparse.Namespace(**vars(args))
    # One clause by tag.
    sub.tags, sub.run_case = "SPLIT-UNS-10", None
    raw = run_impl("core", core, sub, os.path.join(outdir, "mechanics", "tags"))
    begun = parse_results(raw["results"])
    tags = {tuple(r["begin"]["tags"]) for r in begun.values() if r["begin"]}
    if not tags or any("SPLIT-UNS-10" not in t for t in tags):
        problems.append(f"CK_INCLUDE_TAGS=SPLIT-UNS-10 ran tests tagged {sorted(tags)}")
    # A crash and a timeout, planted in the runner by environment.
    for kind in ("crash", "hang"):
        env_before = dict(os.environ)
        os.environ["VQC_SELFTEST_FAULT"] = kind
        os.environ["VQC_SELFTEST_TEST"] = "SPLIT-LAY-2.queue_size_is_honoured"
        if kind == "hang":
            os.environ["CK_TIMEOUT_MULTIPLIER"] = "0.01"
        try:
            sub.tags, sub.run_case = None, "SPLIT-LAY-2.queue_size_is_honoured"
            d = os.path.join(outdir, "mechanics", kind)
            raw = run_impl("core", core, sub, d)
            raw["analysis"] = analyse(raw, load_catalogue(args.catalogue))
            write_junit(os.path.join(d, "junit.xml"), [raw])
            root = ET.parse(os.path.join(d, "junit.xml")).getroot()
            cases = [tc for tc in root.iter("testcase") if tc.get("name", "").startswith("SPLIT-LAY-2.")]
            errs = [tc for tc in cases if tc.find("error") is not None]
            if len(cases) != 5 or len(errs) != 5:
                problems.append(f"{kind}: {len(errs)} of {len(cases)} junit cases are errors, want 5 of 5")
            if raw["analysis"]["clauses"]["SPLIT-LAY-2"]["status"] != "fail":
                problems.append(f"{kind}: SPLIT-LAY-2 is not failed after a {kind}")
        finally:
            os.environ.clear()
            os.environ.update(env_before)
    return problems


# ---------------------------------------------------------------- main

def main(argv=None):
    p = argparse.ArgumentParser(prog="virtq-conformance", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--impl", action="append", default=[],
                   help="an implementation built with virtq_add_device (core, planted:<bug>, "
                        "...), NAME=/path/to/runner, or a vhost-user back-end "
                        "'vhost-user:NAME=blk|net:COMMAND --socket {socket}' (or ...:@/path/to/socket), "
                        "or a packaged back-end peer:qsd|dpdk; "
                        "repeatable, the first decides the exit status. Default: core")
    p.add_argument("--out", default="out/conformance", help="output folder (default out/conformance)")
    p.add_argument("--build-dir", default=os.path.dirname(os.path.abspath(__file__)),
                   help="folder holding conformance_core and conformance_planted_*")
    p.add_argument("--catalogue", required=True, help="conformance/clauses.tsv")
    p.add_argument("--peers", default=PEERS_FILE,
                   help="the packaged back-ends --impl peer:NAME names (default vhost_user/peers.tsv)")
    p.add_argument("--tags", help="run only tests tagged with these clause IDs (CK_INCLUDE_TAGS)")
    p.add_argument("--run-case", help="run only this test (CK_RUN_CASE)")
    p.add_argument("--jobs", type=int, default=1, help="implementations run in parallel (default 1)")
    p.add_argument("--require-coverage", action="store_true",
                   help="fail if a testable clause has no test, or ends untested without a stated reason")
    p.add_argument("--selftest", metavar="EXPECTATIONS",
                   help="run core and every variant in EXPECTATIONS and check each is flagged "
                        "under its clauses and only there")
    p.add_argument("--expect", metavar="FINDINGS",
                   help="check every --impl against its expected findings (conformance/peers.tsv): "
                        "fails on a new finding and on one that no longer appears")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    started = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    catalogue = load_catalogue(args.catalogue)
    expectations = None
    if args.selftest:
        expectations = load_expectations(args.selftest)
        specs = list(expectations)
    else:
        specs = args.impl or ["core"]
    os.makedirs(args.out, exist_ok=True)
    todo = [impl_binary(args.build_dir, s, args.out, args.peers) for s in specs]
    for name, argv in todo:
        if not os.access(argv[0], os.X_OK):
            print(f"virtq-conformance: no runner for {name} at {argv[0]} (build the conformance targets)",
                  file=sys.stderr)
            return 2
    impls = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = [ex.submit(run_impl, n, b, args, args.out) for n, b in todo]
        for fut in futs:
            try:
                impls.append(fut.result())
            except RuntimeError as err:
                print(f"virtq-conformance: {err}", file=sys.stderr)
                return 2
    for im in impls:
        im["analysis"] = analyse(im, catalogue)
    write_json(os.path.join(args.out, "report.json"), json_report(catalogue, impls, started))
    write_md(os.path.join(args.out, "report.md"), catalogue, impls, started)
    write_html(os.path.join(args.out, "report.html"), catalogue, impls, started)
    write_junit(os.path.join(args.out, "junit.xml"), impls)
    status = 0
    first = impls[0]["analysis"]
    if first["totals"].get("fail", 0):
        status = 1
    problems = []
    if args.require_coverage:
        problems += [f"{impls[0]['name']}: {cid}: {st['why']}" for cid, st in first["clauses"].items()
                     if st["why"] == "NO TEST (suite gap)" or
                     (st["status"] == "untested" and first["rows"][cid]["testable"] in ("yes", "robust")
                      and not st["why"])]
    if expectations is not None:
        problems += selftest_checks(args, impls, expectations)
        problems += selftest_mechanics(args, args.out)
        status = 0
    if args.expect:
        problems += findings_checks(impls, load_findings(args.expect))
        status = 0
    for im in impls:
        t = im["analysis"]["totals"]
        if not args.quiet or problems:
            print(f"{im['name']:32s} " + "  ".join(f"{s} {t.get(s, 0)}" for s in STATUSES) +
                  f"   ({im['seconds']} s)")
    for pr in problems:
        print("virtq-conformance: " + pr, file=sys.stderr)
    if problems:
        status = 1
    if not args.quiet:
        print(f"reports in {args.out}: report.md report.html junit.xml report.json")
    if status and not problems and not args.quiet:
        print(f"virtq-conformance: {impls[0]['name']} fails "
              f"{first['totals'].get('fail', 0)} clause(s) at MUST level", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
