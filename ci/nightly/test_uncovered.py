#!/usr/bin/env python3
"""uncovered.py on a made-up llvm-cov listing: what counts, what is excused, what is a gap."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uncovered  # noqa: E402

SHOW = """\
/x/core/src/queue.c:
    1|       |/* a comment */
    2|      5|int virtq_init(struct virtq_queue *q)
    3|      5|{
    4|      5|	if (q == NULL)
  ------------------
  |  Branch (4:6): [True: 0, False: 5]
  ------------------
    5|      0|		return VIRTQ_E_INVAL;
    6|  1.20k|	if (q->size > 4)
  ------------------
  |  Branch (6:6): [True: 0, False: 1.20k]
  ------------------
    7|      0|		return other(q);
    8|      5|	return 0;
    9|      5|}
   10|      0|int virtq_broken(const struct virtq_queue *q) { return q->broken; }
"""
TSV = """\
# file, function, match, reason
queue.c\tvirtq_init\tVIRTQ_E_INVAL\tthe caller's mistake
queue.c\tvirtq_broken\t*\tnot in the interface
queue.c\tvirtq_gone\t*\ta function that no longer exists
"""


def main():
    with tempfile.TemporaryDirectory() as d:
        show, tsv = os.path.join(d, "lines.txt"), os.path.join(d, "unreached.tsv")
        with open(show, "w") as f:
            f.write(SHOW)
        with open(tsv, "w") as f:
            f.write(TSV)
        o = uncovered.account(show, tsv)
    # Lines 5 and 10 are excused; of the other seven, line 7 was not run.
    assert o["lines"] == {"covered": 6, "count": 7, "percent": 85.7}, o["lines"]
    assert o["excluded_lines"] == 2, o["excluded_lines"]
    got = [(u["line"], u["function"], u["excluded"]) for u in o["uncovered"]]
    assert got == [(5, "virtq_init", True), (7, "virtq_init", False), (10, "virtq_broken", True)], got
    assert o["uncovered"][1]["reason"] == uncovered.GAP
    # Branch 4: its true side leads to an excused line, only that side leaves
    # the figure; branch 6: a gap, both sides count.
    assert o["branches"] == {"covered": 2, "count": 3, "percent": 66.7}, o["branches"]
    assert o["excluded_branches"] == 1, o["excluded_branches"]
    assert [(u["line"], u["never"], u["excluded"]) for u in o["untaken"]] == [(4, "true", True), (6, "true", False)]
    assert [r["function"] for r in o["stale_rows"]] == ["virtq_gone"], o["stale_rows"]
    print("uncovered.py: accounting as expected")
    check_rows_match_the_code()


def check_rows_match_the_code():
    """Every row of the real unreached.tsv still names code that exists, so none excuses nothing."""
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(here, "..", "..", "core", "src")
    bad = []
    for r in uncovered.read_unreached(os.path.join(here, "unreached.tsv")):
        func, found = None, False
        with open(os.path.join(src, r["file"])) as f:
            for text in f:
                text = text.rstrip("\n")
                d = uncovered.DEFINITION.match(text)
                if d and not text.startswith(("\t", " ", "#", "/*", "*")) and \
                        (not text.rstrip().endswith(";") or "{" in text):
                    func = d.group(1)
                if func == r["function"] and (r["match"] == "*" or r["match"] in text):
                    found = True
        if not found:
            bad.append(f"{r['file']} {r['function']} {r['match']!r}")
    assert not bad, "unreached.tsv rows that match no line of core/src: " + "; ".join(bad)
    print("unreached.tsv: every row matches core/src")


if __name__ == "__main__":
    main()
