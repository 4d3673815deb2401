"""Every line and branch of core/src the fuzzers did not reach, and why.

Reads `llvm-cov show -format=text -show-branches=count` of the merged
profile (coverage.sh writes it to out/coverage/lines.txt) and the list of
code the fuzz targets cannot reach by design (ci/nightly/unreached.tsv).
Each uncovered line gets the reason of the first row that matches it, or
"not reached by tonight's corpus" (a gap to close).  The reachable figures
leave out what the list excludes and nothing else.
"""
import re

FILE = re.compile(r"^(/\S+\.[ch]):$")
LINE = re.compile(r"^\s*(\d+)\|\s*([0-9.]+[kMG]?|)\|(.*)$")
BRANCH = re.compile(r"^\s*\|\s*Branch \((\d+):(\d+)\): \[True: ([0-9.]+[kMG]?), False: ([0-9.]+[kMG]?)\]")
# A definition starts in column 0 with its return type: "static int yield(struct
# virtq_chain *c, ...)", or is all on one line: "int virtq_broken(...) { return ...; }";
# an attribute may come first: "static __attribute__((noinline)) int fill(...)".
DEFINITION = re.compile(
    r"^(?:static\s+|inline\s+|__attribute__\(\([\w, ]*\)\)\s*)*[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\(")
GAP = "not reached by tonight's corpus"


def defines(text):
    """The function a source line starts the definition of, or None."""
    d = DEFINITION.match(text)
    if d and not text.startswith(("\t", " ", "#", "/*", "*")) and \
            (not text.rstrip().endswith(";") or "{" in text):
        return d.group(1)
    return None


def read_unreached(path):
    """Rows: file, function, match ('*' or a substring of the line), reason."""
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 4:
                raise SystemExit(f"{path}:{n}: want 4 tab-separated columns, got {len(cols)}")
            rows.append({"file": cols[0], "function": cols[1], "match": cols[2], "reason": cols[3]})
    return rows


def parse_show(path):
    """Per file: [(line, count or None, text, function)], and branches [(line, col, true, false)]."""
    files, cur, func = {}, None, None
    with open(path, errors="replace") as f:
        for raw in f:
            raw = raw.rstrip("\n")
            m = FILE.match(raw)
            if m:
                cur = files.setdefault(m.group(1), {"lines": [], "branches": []})
                func = None
                continue
            if cur is None:
                continue
            m = LINE.match(raw)
            if m:
                text = m.group(3)
                func = defines(text) or func
                count = None if m.group(2) == "" else m.group(2) != "0"
                cur["lines"].append((int(m.group(1)), count, text, func))
                continue
            m = BRANCH.match(raw)
            if m:
                cur["branches"].append((int(m.group(1)), int(m.group(2)),
                                        m.group(3) != "0", m.group(4) != "0", func))
    return files


def reason_for(rows, base, func, text):
    for r in rows:
        if r["file"] == base and r["function"] == func and (r["match"] == "*" or r["match"] in text):
            return r["reason"]
    return None


def account(show_path, unreached_path):
    rows = read_unreached(unreached_path)
    files = parse_show(show_path)
    used = set()
    out = {"lines": {"covered": 0, "count": 0}, "branches": {"covered": 0, "count": 0},
           "excluded_lines": 0, "excluded_branches": 0, "uncovered": [], "untaken": []}
    for path, data in sorted(files.items()):
        base = path.split("/core/src/", 1)[-1]
        why_of, carry = {}, None
        for n, hit, text, func in data["lines"]:
            if hit is None:
                continue
            why = reason_for(rows, base, func, text)
            # An excused line excuses the unrun lines right after it in its
            # block ("*err = ...; return NULL; }"): same function, still unrun.
            if why:
                carry = (func, why)
            elif carry and not hit and carry[0] == func:
                why = carry[1]
            else:
                carry = None
            why_of[n] = why
            if why:
                used.add((base, func))
                out["excluded_lines"] += 1
            else:
                out["lines"]["count"] += 1
                out["lines"]["covered"] += hit
            if not hit:
                out["uncovered"].append({"file": base, "line": n, "function": func, "text": text.strip(),
                                         "reason": why or GAP, "excluded": bool(why)})
        counted = sorted(why_of)
        for n, col, t, f_, func in data["branches"]:
            # The direction never taken inherits the reason of the line it leads
            # to: "if (bad) return VIRTQ_E_INVAL;" is the line after the test.
            why, out_of_figure = why_of.get(n), 2
            if not why and not t and f_:
                later = [k for k in counted if k > n]
                why = why_of.get(later[0]) if later else None
                out_of_figure = 1  # the false direction, taken, still counts
            if not why:
                out_of_figure = 0
            out["excluded_branches"] += out_of_figure
            out["branches"]["count"] += 2 - out_of_figure
            out["branches"]["covered"] += (int(t) + int(f_)) if out_of_figure == 0 else \
                (int(f_) if out_of_figure == 1 else 0)
            if not (t and f_):
                out["untaken"].append({"file": base, "line": n, "column": col, "function": func,
                                       "never": "either" if not (t or f_) else "true" if not t else "false",
                                       "reason": why or GAP, "excluded": bool(why)})
    for k in ("lines", "branches"):
        c = out[k]
        c["percent"] = round(100.0 * c["covered"] / c["count"], 1) if c["count"] else 0.0
    # A row that matched nothing is out of date: the code it excused moved or went.
    out["stale_rows"] = [r for r in rows if (r["file"], r["function"]) not in used]
    return out
