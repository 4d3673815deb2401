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
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter, OrderedDict, defaultdict

CHECK_NS = "{http://check.sourceforge.net/ns}"
STATUSES = ["pass", "fail", "warn", "n/a", "untested"]
LEVELS = ["MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY", "desc", "implied"]
SPEC_NOTE = ("virtio 1.2 (cs01) and 1.3 (csd01): split-ring.tex is byte-identical in both, "
             "section numbers are the same")
CATALOGUE_SECTIONS = OrderedDict([
    ("2.3", "Split: layout and message framing"),
    ("2.4", "Split: descriptor table and indirect descriptors"),
    ("2.5", "Split: available ring"),
    ("2.6", "Split: used buffer notification suppression"),
    ("2.7", "Split: used ring and in-order use"),
    ("2.8", "Split: available buffer notification suppression"),
    ("2.9", "Split: virtqueue operation"),
    ("4.1", "Event index: the need_event window"),
    ("4.2", "Event index: wrap-around"),
    ("4.3", "Memory-ordering duties of the device"),
    ("2.1", "General: device status, features, reset"),
    ("2.2", "Queue-level transport rules"),
])
EXIT_FATAL = 86  # findings.h VQC_EXIT_FATAL
# Catalogue column evidence: what a verdict on a clause rests on.
EVIDENCE = OrderedDict([
    ("memory", "observed by the harness itself: guest memory (stores faulting on read-only pages, "
               "guard bytes, the shadow compare, poisoned used entries and buffers, the used ring "
               "as the driver reaps it), the request and reply bytes, the notification decisions"),
    ("log", "judged only from the access log the implementation reports about its own loads, "
            "stores and fences (VDUT_CAP_ACCESS_LOG): self-reported, so a faulty log can hide a "
            "violation; untested without a log"),
    ("none", "not observable here (n/a rows, transport and device-status rows) or no oracle of "
             "its own"),
])
JUDGED = ("pass", "fail", "warn")


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


def safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


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


# ---------------------------------------------------------------- writers

def evidence_line(lbl, f):
    parts = []
    if f.get("expected") is not None:
        parts.append(f"expected {f['expected']}")
    if f.get("observed") is not None:
        parts.append(f"observed {f['observed']}")
    ctx = f.get("ctx") or {}
    if ctx:
        parts.append("q=%s avail idx %s, device at %s, used idx %s, driver at %s" % (
            ctx.get("q"), ctx.get("avail_idx"), ctx.get("device_avail"), ctx.get("used_idx"),
            ctx.get("driver_used")))
    cnt = f" ({f['count']} times in this run)" if f.get("count", 1) > 1 else ""
    return f"{lbl}: {f['detail']}{cnt}" + (" -- " + "; ".join(parts) if parts else "")


def md_escape(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def write_json(path, report):
    def conv(o):
        if isinstance(o, Counter):
            return dict(o)
        raise TypeError(type(o))
    with open(path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, default=conv)


def json_report(catalogue, impls, started):
    out = {"generated": started, "spec": SPEC_NOTE, "statuses": STATUSES,
           "evidence_kinds": EVIDENCE, "catalogue": catalogue, "implementations": []}
    for im in impls:
        a = im["analysis"]
        out["implementations"].append({
            "name": im["name"], "description": im["impl"]["description"] if im["impl"] else "",
            "binary": im["binary"], "exit": im["exit"], "seconds": im["seconds"],
            "access_log": bool(im["impl"] and im["impl"]["access_log"]),
            "totals": a["totals"], "summary_by_level": a["summary"],
            # Per level: clauses whose verdict in this run rests on memory / log;
            # none = no oracle of its own, or n/a / untested in this run.
            "evidence_totals": a["evidence_totals"], "evidence_by_level": a["evidence"],
            "clauses": {cid: {"status": st["status"], "why": st["why"],
                              "evidence": st["evidence"], "tests": st["tests"],
                              "findings": [dict(f, run=l) for l, f in st["findings"]],
                              "notes": [dict(f, run=l) for l, f in st["notes"]],
                              "errors": [{"run": l, "message": m} for l, m in st["errors"]]}
                        for cid, st in a["clauses"].items()},
            "runs": [{k: v for k, v in it.items() if k != "findings"} for it in a["iterations"]],
        })
    return out


def evidence_notes(catalogue):
    """The legend's facts taken from the catalogue: clauses per kind, and the
    testable clauses that have no evidence of their own."""
    kinds = Counter(r["evidence"] for r in catalogue)
    counts = ", ".join(f"{kinds.get(k, 0)} {k}" for k in EVIDENCE)
    bare = [r["id"] for r in catalogue
            if r["testable"] in ("yes", "robust") and r["evidence"] == "none"]
    return counts, bare


def write_md(path, catalogue, impls, started):
    L = []
    L.append("# virtq conformance report\n")
    L.append(f"Generated {started}. Spec: {SPEC_NOTE}. Catalogue: {len(catalogue)} clauses "
             "(conformance/clauses.tsv).\n")
    L.append("Status: **pass** nothing found; **fail** a MUST-level violation, crash or timeout; "
             "**warn** SHOULD-level findings (counted); **n/a** not a device obligation or a feature "
             "the implementation lacks; **untested** outside a queue library, no access log, or "
             "blocked by another clause's violation.\n")
    counts, bare = evidence_notes(catalogue)
    L.append("Evidence (what a verdict rests on; column *evidence* of the matrix): "
             f"**memory** {EVIDENCE['memory']}; **log** {EVIDENCE['log']}; "
             f"**none** {EVIDENCE['none']}. Catalogue: {counts}"
             + (f"; testable but with no evidence of their own: {', '.join(bare)}" if bare else "")
             + ". The evidence counts per implementation below count a clause under its kind "
             "only when this run judged it (pass, fail, warn); n/a and untested clauses count "
             "as none.\n")
    for im in impls:
        a = im["analysis"]
        L.append(f"## {im['name']}\n")
        if im["impl"]:
            L.append(f"{im['impl']['description']}. Access log: "
                     f"{'yes' if im['impl']['access_log'] else 'no'}. Suite exit {im['exit']}, "
                     f"{im['seconds']} s.\n")
        L.append("| level | " + " | ".join(STATUSES) + " | total |")
        L.append("|---|" + "---|" * (len(STATUSES) + 1))
        for lvl in LEVELS:
            c = a["summary"][lvl]
            L.append(f"| {lvl} | " + " | ".join(str(c.get(s, 0)) for s in STATUSES) +
                     f" | {sum(c.values())} |")
        t = a["totals"]
        L.append("| **all** | " + " | ".join(f"**{t.get(s, 0)}**" for s in STATUSES) +
                 f" | **{sum(t.values())}** |\n")
        L.append("Evidence behind the verdicts (log: self-reported by the implementation):\n")
        L.append("| level | " + " | ".join(EVIDENCE) + " | total |")
        L.append("|---|" + "---|" * (len(EVIDENCE) + 1))
        for lvl in LEVELS:
            c = a["evidence"][lvl]
            L.append(f"| {lvl} | " + " | ".join(str(c.get(k, 0)) for k in EVIDENCE) +
                     f" | {sum(c.values())} |")
        t = a["evidence_totals"]
        L.append("| **all** | " + " | ".join(f"**{t.get(k, 0)}**" for k in EVIDENCE) +
                 f" | **{sum(t.values())}** |\n")
    L.append("## Clause matrix\n")
    L.append("| clause | section | level | binds | evidence | " +
             " | ".join(im["name"] for im in impls) + " |")
    L.append("|---|---|---|---|---|" + "---|" * len(impls))
    for sec, title in CATALOGUE_SECTIONS.items():
        rows = [r for r in catalogue if r["cat"] == sec]
        if not rows:
            continue
        L.append(f"| **{sec} {title}** | | | | |" + " |" * len(impls))
        for r in rows:
            cells = []
            for im in impls:
                st = im["analysis"]["clauses"][r["id"]]
                cells.append(st["status"] + (f" ({md_escape(st['why'])})"
                                             if st["why"] and st["status"] not in ("n/a",) and
                                             not (st["status"] == "untested" and r["testable"] == "out")
                                             else ""))
            L.append(f"| {r['id']} | §{r['spec']} | {r['level']} | {r['binds']} | "
                     f"{r['evidence']} | " + " | ".join(cells) + " |")
    L.append("")
    for im in impls:
        a = im["analysis"]
        bad = [(cid, st) for cid, st in a["clauses"].items() if st["status"] in ("fail", "warn")]
        L.append(f"## Findings: {im['name']}\n")
        if not bad:
            L.append("No failures or warnings.\n")
        for cid, st in bad:
            r = a["rows"][cid]
            L.append(f"### {cid} ({r['level']}, §{r['spec']}, evidence {r['evidence']}): "
                     f"{st['status'].upper()}"
                     f"{' (' + st['why'] + ')' if st['why'] else ''}\n")
            L.append(f"{r['summary']}\n")
            for lbl, f in st["findings"][:8]:
                L.append(f"- {md_escape(evidence_line(lbl, f))}")
            if len(st["findings"]) > 8:
                L.append(f"- ... {len(st['findings']) - 8} more in report.json")
            for lbl, m in st["errors"][:4]:
                L.append(f"- {md_escape(lbl)}: crashed or timed out: {md_escape(m)}")
            L.append("")
        blocked = [(cid, st) for cid, st in a["clauses"].items()
                   if st["status"] == "untested" and a["rows"][cid]["testable"] in ("yes", "robust")]
        if blocked:
            L.append("Device-side clauses left untested in this run:\n")
            for cid, st in blocked:
                L.append(f"- {cid}: {md_escape(st['why'])}")
            L.append("")
        notes = [(cid, st) for cid, st in a["clauses"].items() if st["notes"]]
        if notes:
            L.append("Recorded (information, not failures):\n")
            for cid, st in notes:
                seen = set()
                for lbl, f in st["notes"]:
                    if f["detail"] in seen:
                        continue
                    seen.add(f["detail"])
                    L.append(f"- {cid}: {md_escape(f['detail'])}")
            L.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")


CSS = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#fafbfc}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#c8cfdb;font-size:13px}
nav{background:#eef1f6;padding:6px 28px;font-size:13px;border-bottom:1px solid #dde2ea}
nav a{margin-right:14px;color:#1d4ed8;text-decoration:none}
main{padding:4px 28px 40px}
h2{margin:30px 0 10px;font-size:19px;border-bottom:1px solid #dde2ea;padding-bottom:4px}
h3{margin:20px 0 6px;font-size:16px}
p{max-width:1100px}
table{border-collapse:collapse;background:#fff;font-size:13px}
th,td{border:1px solid #dde2ea;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.sec td{background:#e4e9f2;font-weight:600}
.st{display:inline-block;min-width:58px;text-align:center;border-radius:3px;padding:1px 6px;font-weight:600;font-size:12px;white-space:nowrap}
.pass{background:#d8f0dc;color:#175c26}.fail{background:#f7d4d4;color:#8a1010}
.warn{background:#fbe9c4;color:#7a4c00}.na{background:#eceef1;color:#5c6470}
.untested{background:#fff;color:#5c6470;border:1px dashed #b5bcc7}
.why{display:block;color:#5c6470;font-size:11px;max-width:200px;margin-top:2px}
.legend{margin:14px 0 4px}.legend .st{margin-right:4px}
details{background:#fff;border:1px solid #dde2ea;border-radius:6px;margin:8px 0;padding:6px 12px;max-width:1300px}
summary{cursor:pointer;font-weight:600}
ul.ev{margin:6px 0 6px 18px;padding:0}
ul.ev li{margin:5px 0;font-size:13px}
ul.ev small{color:#3b4454}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#eef1f6;padding:0 3px;border-radius:2px}
.matrix{margin-top:6px}
.matrix th{position:sticky;top:0;z-index:2;font-size:12px}
.matrix th.impl{min-width:86px;max-width:120px;word-break:break-word}
.matrix td.id{white-space:nowrap;font-family:ui-monospace,Menlo,monospace;font-size:12px;
  position:sticky;left:0;background:#fff;z-index:1}
.matrix th:first-child{left:0;z-index:3}
.matrix tr.sec td{position:static}
.matrix td.nw{white-space:nowrap;width:1%}
.matrix td.rule{max-width:340px;min-width:220px}
.matrix td.rule .note{display:block;color:#5c6470;font-size:11px;margin-top:2px}
.ok{color:#175c26;font-weight:600}.bad{color:#8a1010;font-weight:600}
.scroll{overflow-x:auto}
.evk{display:inline-block;border-radius:3px;padding:0 5px;font-size:11px;font-weight:600;white-space:nowrap}
.evk.memory{background:#dbe7fb;color:#1d3f8a}.evk.log{background:#f3e3f7;color:#6b1f7d}
.evk.none{background:#fff;color:#5c6470;border:1px dashed #b5bcc7}
"""


def badge(status, why=""):
    cls = {"n/a": "na"}.get(status, status)
    w = f'<span class="why">{html.escape(why)}</span>' if why else ""
    return f'<span class="st {cls}">{html.escape(status)}</span>{w}'


def evidence_tag(kind):
    return f'<span class="evk {html.escape(kind)}">{html.escape(kind)}</span>'


def impl_header(name):
    """Let long implementation names wrap after ':' and '_'."""
    return html.escape(name).replace(":", ":<wbr>").replace("_", "_<wbr>")


def anchor(name):
    return "f-" + safe(name)


def write_html(path, catalogue, impls, started):
    e = html.escape
    H = ["<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
         "<title>virtq conformance report</title><style>" + CSS + "</style></head><body>",
         "<header><h1>virtq conformance report</h1>",
         f"<p>Generated {e(started)} &middot; {e(SPEC_NOTE)} &middot; {len(catalogue)} clauses "
         "(conformance/clauses.tsv)</p></header>",
         '<nav><a href="#summary">Summary</a><a href="#levels">Counts by level</a>'
         '<a href="#matrix">Clause matrix</a>' +
         "".join(f'<a href="#{anchor(im["name"])}">{e(im["name"])}</a>' for im in impls[:6]) +
         ('<a href="#findings">&hellip;</a>' if len(impls) > 6 else "") + "</nav><main>"]
    H.append('<p class="legend">' + " ".join(badge(s) for s in STATUSES) + "</p>")
    H.append("<p><b>pass</b> nothing found &middot; <b>fail</b> a MUST-level violation, crash or "
             "timeout &middot; <b>warn</b> SHOULD-level findings, counted &middot; <b>n/a</b> not a "
             "device obligation, or a feature the implementation lacks &middot; <b>untested</b> "
             "outside a queue library, no access log, or blocked by another clause's violation.</p>")
    counts, bare = evidence_notes(catalogue)
    H.append("<p>Evidence, what a verdict rests on: " +
             " &middot; ".join(f"{evidence_tag(k)} {e(v)}" for k, v in EVIDENCE.items()) +
             f". Catalogue: {e(counts)}" +
             (f"; testable but with no evidence of their own: {e(', '.join(bare))}" if bare else "") +
             ". Evidence counts per implementation count a clause under its kind only when this "
             "run judged it (pass, fail, warn); n/a and untested clauses count as none.</p>")

    H.append('<h2 id="summary">Summary</h2><div class="scroll"><table><tr><th>implementation</th>'
             "<th>access log</th>" + "".join(f"<th>{e(s)}</th>" for s in STATUSES) +
             "".join(f"<th>{evidence_tag(k)}</th>" for k in EVIDENCE) +
             "<th>failing clauses</th><th>warnings</th><th>time</th></tr>")
    for im in impls:
        a = im["analysis"]
        t = a["totals"]
        failing = [cid for cid, st in a["clauses"].items() if st["status"] == "fail"]
        warned = [cid for cid, st in a["clauses"].items() if st["status"] == "warn"]
        H.append(f'<tr><td><a href="#{anchor(im["name"])}"><b>{e(im["name"])}</b></a><br>'
                 f'<small>{e(im["impl"]["description"] if im["impl"] else "")}</small></td>'
                 f'<td>{"yes" if im["impl"] and im["impl"]["access_log"] else "no"}</td>' +
                 "".join(f'<td class="num">{t.get(s, 0)}</td>' for s in STATUSES) +
                 "".join(f'<td class="num">{a["evidence_totals"].get(k, 0)}</td>' for k in EVIDENCE) +
                 f'<td class="{"bad" if failing else "ok"}">{e(", ".join(failing)) or "none"}</td>'
                 f'<td>{e(", ".join(warned)) or "&ndash;"}</td><td class="num">{im["seconds"]} s</td></tr>')
    H.append("</table></div>")
    H.append("<p>The memory / log / none columns count the clauses whose verdict in this run "
             "rests on that kind of evidence; per level under Counts by level.</p>")

    H.append('<h2 id="levels">Counts by level</h2>')
    for n, im in enumerate(impls):
        a = im["analysis"]
        t = a["totals"]
        H.append(f"<details{' open' if n == 0 else ''}><summary>{e(im['name'])}</summary>")
        H.append("<table><tr><th>level</th>" + "".join(f"<th>{e(s)}</th>" for s in STATUSES) +
                 "<th>total</th></tr>")
        for lvl in LEVELS:
            c = a["summary"][lvl]
            H.append(f"<tr><td>{e(lvl)}</td>" +
                     "".join(f'<td class="num">{c.get(s, 0)}</td>' for s in STATUSES) +
                     f'<td class="num">{sum(c.values())}</td></tr>')
        H.append("<tr><td><b>all</b></td>" +
                 "".join(f'<td class="num"><b>{t.get(s, 0)}</b></td>' for s in STATUSES) +
                 f'<td class="num"><b>{sum(t.values())}</b></td></tr></table>')
        et = a["evidence_totals"]
        H.append("<p>Evidence behind the verdicts (log: self-reported by the implementation):</p>"
                 "<table><tr><th>level</th>" +
                 "".join(f"<th>{evidence_tag(k)}</th>" for k in EVIDENCE) + "<th>total</th></tr>")
        for lvl in LEVELS:
            c = a["evidence"][lvl]
            H.append(f"<tr><td>{e(lvl)}</td>" +
                     "".join(f'<td class="num">{c.get(k, 0)}</td>' for k in EVIDENCE) +
                     f'<td class="num">{sum(c.values())}</td></tr>')
        H.append("<tr><td><b>all</b></td>" +
                 "".join(f'<td class="num"><b>{et.get(k, 0)}</b></td>' for k in EVIDENCE) +
                 f'<td class="num"><b>{sum(et.values())}</b></td></tr></table></details>')

    H.append('<h2 id="matrix">Clause &times; implementation</h2>')
    H.append("<p>Rows are the catalogue's clauses; a reason given once under the rule holds for "
             "every implementation (not a device obligation, or outside a queue library).</p>")
    H.append('<table class="matrix"><tr><th>clause</th><th>spec</th><th>level</th><th>binds</th>'
             "<th>evidence</th><th>rule</th>" + "".join(f'<th class="impl">{impl_header(im["name"])}</th>'
                                      for im in impls) + "</tr>")
    for sec, title in CATALOGUE_SECTIONS.items():
        rows = [r for r in catalogue if r["cat"] == sec]
        if not rows:
            continue
        H.append(f'<tr class="sec"><td colspan="{6 + len(impls)}">{e(sec)} {e(title)}</td></tr>')
        for r in rows:
            note = ""
            if r["testable"] == "na":
                note = "n/a: " + r["how"]
            elif r["testable"] == "out":
                note = "untested: " + r["how"]
            elif r["testable"] == "robust":
                note = "robustness: the driver breaks this on purpose"
            cells = []
            for im in impls:
                st = im["analysis"]["clauses"][r["id"]]
                why = st["why"] if st["status"] != "pass" else ""
                if r["testable"] in ("na", "out"):
                    why = ""
                cells.append(f"<td>{badge(st['status'], why)}</td>")
            H.append(f'<tr><td class="id">{e(r["id"])}</td><td class="nw">&sect;{e(r["spec"])}</td>'
                     f'<td class="nw">{e(r["level"])}</td><td class="nw">{e(r["binds"])}</td>'
                     f'<td class="nw">{evidence_tag(r["evidence"])}</td>'
                     f'<td class="rule">{e(r["summary"])}'
                     f'{"<span class=note>" + e(note) + "</span>" if note else ""}</td>' +
                     "".join(cells) + "</tr>")
    H.append("</table>")

    H.append('<h2 id="findings">Findings per implementation</h2>')
    for im in impls:
        a = im["analysis"]
        bad = [(cid, st) for cid, st in a["clauses"].items() if st["status"] in ("fail", "warn")]
        H.append(f'<h3 id="{anchor(im["name"])}">{e(im["name"])}</h3>')
        if not bad:
            H.append("<p>No failures or warnings.</p>")
        for cid, st in bad:
            r = a["rows"][cid]
            H.append(f"<details{' open' if st['status'] == 'fail' else ''}><summary>{e(cid)} "
                     f"{badge(st['status'])} {evidence_tag(r['evidence'])} "
                     f"<small>{e(r['level'])}, &sect;{e(r['spec'])}"
                     f"{' &middot; ' + e(st['why']) if st['why'] else ''}</small></summary>")
            H.append(f"<p>{e(r['summary'])}</p><ul class=\"ev\">")
            for lbl, f in st["findings"][:10]:
                H.append(f"<li><code>{e(lbl)}</code> {e(f['detail'])}"
                         f"{' (' + str(f['count']) + ' times in this run)' if f.get('count', 1) > 1 else ''}<br>")
                bits = []
                if f.get("expected") is not None:
                    bits.append(f"expected <b>{e(f['expected'])}</b>")
                if f.get("observed") is not None:
                    bits.append(f"observed <b>{e(f['observed'])}</b>")
                ctx = f.get("ctx") or {}
                if ctx:
                    bits.append(e("queue size %s; avail idx %s, device at %s; used idx %s, driver at %s" % (
                        ctx.get("q"), ctx.get("avail_idx"), ctx.get("device_avail"),
                        ctx.get("used_idx"), ctx.get("driver_used"))))
                H.append("<small>" + " &middot; ".join(bits) + "</small></li>")
            if len(st["findings"]) > 10:
                H.append(f"<li>&hellip; {len(st['findings']) - 10} more in report.json</li>")
            for lbl, m in st["errors"][:4]:
                H.append(f"<li><code>{e(lbl)}</code> crashed or timed out: {e(m)}</li>")
            H.append("</ul></details>")
        left = [(cid, st) for cid, st in a["clauses"].items()
                if st["status"] == "untested" and a["rows"][cid]["testable"] in ("yes", "robust")]
        if left:
            H.append("<p>Device-side clauses left untested in this run:</p><ul>")
            H.extend(f"<li><code>{e(cid)}</code> {e(st['why'])}</li>" for cid, st in left)
            H.append("</ul>")
        notes = [(cid, st) for cid, st in a["clauses"].items() if st["notes"]]
        if notes:
            H.append("<details><summary>Recorded information (not failures)</summary><ul class=\"ev\">")
            for cid, st in notes:
                for d in sorted({f["detail"] for _, f in st["notes"]}):
                    H.append(f"<li><code>{e(cid)}</code> {e(d)}</li>")
            H.append("</ul></details>")
    H.append("</main></body></html>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(H) + "\n")


def evidence_kinds(rows, clauses):
    """One line for junit: what the verdict on each of @clauses rests on."""
    return "Evidence: " + ", ".join(
        f"{c} {rows[c]['evidence'] if c in rows else '?'}"
        f"{' (self-reported access log)' if c in rows and rows[c]['evidence'] == 'log' else ''}"
        for c in clauses)


def write_junit(path, impls):
    """JUnit XML as CI systems read it: a crash or timeout is an <error>, never a pass."""
    root = ET.Element("testsuites", name="virtq conformance")
    for im in impls:
        a = im["analysis"]
        runs = [i for i in a["iterations"] if i["outcome"] != "not-run"]
        suite = ET.SubElement(root, "testsuite", name=f"virtq.conformance.{im['name']}")
        sprops = ET.SubElement(suite, "properties")
        for k in EVIDENCE:
            ET.SubElement(sprops, "property", name=f"clauses.evidence.{k}",
                          value=str(a["evidence_totals"].get(k, 0)))
        n = Counter()
        total_time = 0.0
        for it in runs:
            name = it.get("label") or f"{it['test']}[{it['iter']}]"
            cls = f"virtq.conformance.{safe(im['name'])}.{it['tags'][0] if it['tags'] else 'suite'}"
            tc = ET.SubElement(suite, "testcase", classname=cls, name=name,
                               time=f"{it.get('seconds', 0.0):.3f}")
            total_time += it.get("seconds", 0.0)
            props = ET.SubElement(tc, "properties")
            ET.SubElement(props, "property", name="clauses", value=" ".join(it["tags"]))
            # What each tagged clause's verdict rests on (log: self-reported).
            ET.SubElement(props, "property", name="evidence",
                          value=" ".join(f"{c}={a['rows'][c]['evidence']}" if c in a["rows"]
                                         else f"{c}=?" for c in it["tags"]))
            fails = [f for f in it["findings"] if f["verdict"] == "fail"]
            warns = [f for f in it["findings"] if f["verdict"] == "warn"]
            n["tests"] += 1
            if it["outcome"] == "error":
                n["errors"] += 1
                el = ET.SubElement(tc, "error", type="crash",
                                   message=f"crashed or timed out: {it.get('message', '')}")
                el.text = (f"Check: {it.get('check')} -- {it.get('message')}\n"
                           "The test child died without finishing (signal, early exit or timeout).")
            elif fails:
                n["failures"] += 1
                clauses = sorted({f["clause"] for f in fails})
                el = ET.SubElement(tc, "failure", type=",".join(clauses),
                                   message="; ".join(f"{f['clause']}: {f['detail']}" for f in fails[:3]))
                el.text = "\n".join(evidence_line(name, f) for f in fails) + "\n" + \
                    evidence_kinds(a["rows"], clauses)
            elif it["outcome"] in ("na", "untested"):
                n["skipped"] += 1
                ET.SubElement(tc, "skipped", message=f"{it['outcome']}: {it.get('note', '')}")
            if warns:
                so = ET.SubElement(tc, "system-out")
                so.text = ("WARNINGS (SHOULD-level):\n" +
                           "\n".join(evidence_line(name, f) for f in warns) + "\n" +
                           evidence_kinds(a["rows"], sorted({f["clause"] for f in warns})))
        for k in ("tests", "failures", "errors", "skipped"):
            suite.set(k, str(n.get(k, 0)))
        suite.set("time", f"{total_time:.3f}")
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


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
        flagged = {cid: st["status"] for cid, st in clauses.items() if st["status"] in ("fail", "warn")}
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
        if len(cols) != 4 or cols[2] not in ("fail", "warn") or not cols[3].strip():
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
        for cid, st in sorted(clauses.items()):
            if st["status"] in ("fail", "warn") and cid not in want:
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
