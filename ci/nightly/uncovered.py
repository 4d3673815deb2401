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


COPY = "copy:"


def read_unreached(path):
    """Rows: file, function, match ('*' or a substring of the line), reason.

    A match "copy:<text>" is for a line of a header inlined in several
    files: it excuses only the branch directions one copy never takes while
    another copy takes them (a path one caller cannot take by construction).
    The line, and a direction no copy takes, still count.
    """
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


def matches(row, func, text):
    """Whether @row names this line of @func: '*' or a substring of it, after any "copy:"."""
    m = row["match"][len(COPY):] if row["match"].startswith(COPY) else row["match"]
    return row["function"] == func and (m == "*" or m in text)


def reason_for(rows, base, func, text, copies=False):
    """The reason of the first row for this line: plain rows, or (copies) the "copy:" rows."""
    for r in rows:
        if r["match"].startswith(COPY) == copies and r["file"] == base and matches(r, func, text):
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
        copy_why = {}
        for n, hit, text, func in data["lines"]:
            if hit is None:
                continue
            copy = reason_for(rows, base, func, text, copies=True)
            if copy:
                copy_why[n] = copy
                used.add((base, func))
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
            why, out_t, out_f = why_of.get(n), True, True
            if n in copy_why:
                others = [(t2, f2) for n2, c2, t2, f2, _ in data["branches"] if n2 == n and c2 == col]
                out_t = not t and any(t2 for t2, _ in others)
                out_f = not f_ and any(f2 for _, f2 in others)
                why = copy_why[n] if out_t or out_f else None
            elif not why and not t and f_:
                later = [k for k in counted if k > n]
                why = why_of.get(later[0]) if later else None
                out_f = False  # the false direction, taken, still counts
            if not why:
                out_t = out_f = False
            for taken, out_of_figure in ((t, out_t), (f_, out_f)):
                out["excluded_branches"] += out_of_figure
                out["branches"]["count"] += not out_of_figure
                out["branches"]["covered"] += taken and not out_of_figure
            if not (t and f_):
                excused = (t or out_t) and (f_ or out_f)
                out["untaken"].append({"file": base, "line": n, "column": col, "function": func,
                                       "never": "either" if not (t or f_) else "true" if not t else "false",
                                       "reason": why if excused else GAP, "excluded": excused})
    for k in ("lines", "branches"):
        c = out[k]
        c["percent"] = round(100.0 * c["covered"] / c["count"], 1) if c["count"] else 0.0
    # A row that matched nothing is out of date: the code it excused moved or went.
    out["stale_rows"] = [r for r in rows if (r["file"], r["function"]) not in used]
    return out
