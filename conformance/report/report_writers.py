# SPDX-License-Identifier: MIT
"""The conformance report's writers: report.md, report.html, junit.xml and
report.json from the analysed implementations (virtq_conformance.py)."""
import html
import json
import xml.etree.ElementTree as ET
from collections import Counter

from report_vocab import CATALOGUE_SECTIONS, EVIDENCE, LEVELS, SPEC_NOTE, STATUSES, findings, safe

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
        bad = findings(a["clauses"])
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
        bad = findings(a["clauses"])
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
