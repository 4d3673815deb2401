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
   11|      2|static void *map(int a)
   12|      2|{
   13|      2|	if (a) {
  ------------------
  |  Branch (13:6): [True: 0, False: 2]
  ------------------
   14|      0|		*err = VIRTQ_E_RING_ALIGN;
   15|      0|		return NULL;
   16|      0|	}
   17|      2|	return x;
   18|      0|	return y;
   19|      2|}
/x/core/src/walk.h:
    1|      3|static inline int step(int a)
    2|      3|{
    3|      3|	if (a)
  ------------------
  |  Branch (3:6): [True: 0, False: 3]
  ------------------
    4|      0|		return 1;
    5|      3|	return 0;
    6|      3|}
    7|      9|static inline int pick(int h, int b)
    8|      9|{
    9|      9|	if (h)
  ------------------
  |  Branch (9:6): [True: 4, False: 0]
  ------------------
  |  Branch (9:6): [True: 2, False: 3]
  ------------------
   10|      6|		return 1;
   11|      9|	if (b)
  ------------------
  |  Branch (11:6): [True: 0, False: 4]
  ------------------
  |  Branch (11:6): [True: 0, False: 5]
  ------------------
   12|      0|		return 2;
   13|      9|	return 0;
   14|      9|}
"""
TSV = """\
# file, function, match, reason
queue.c\tvirtq_init\tVIRTQ_E_INVAL\tthe caller's mistake
queue.c\tvirtq_broken\t*\tnot in the interface
queue.c\tmap\tVIRTQ_E_RING_ALIGN\ta host address aligned unlike its guest address
queue.c\tvirtq_gone\t*\ta function that no longer exists
walk.h\tpick\tcopy:if (h)\tone copy's callers always pass h
walk.h\tpick\tcopy:if (b)\tno copy takes it: still a gap
"""


def main():
    with tempfile.TemporaryDirectory() as d:
        show, tsv = os.path.join(d, "lines.txt"), os.path.join(d, "unreached.tsv")
        with open(show, "w") as f:
            f.write(SHOW)
        with open(tsv, "w") as f:
            f.write(TSV)
        o = uncovered.account(show, tsv)
    # Lines 5, 10 and 14-16 (the excused line and the unrun rest of its block)
    # are excused; of the other thirteen, 7 and 18 (after a run line) were not run.
    # A header's lines are its own (walk.h's inline steps): five run, line 4 a
    # gap; pick's lines all count, copy rows or not (12 is a gap).
    assert o["lines"] == {"covered": 23, "count": 27, "percent": 85.2}, o["lines"]
    assert o["excluded_lines"] == 5, o["excluded_lines"]
    got = [(u["file"], u["line"], u["function"], u["excluded"]) for u in o["uncovered"]]
    assert got == [("queue.c", 5, "virtq_init", True), ("queue.c", 7, "virtq_init", False),
                   ("queue.c", 10, "virtq_broken", True), ("queue.c", 14, "map", True),
                   ("queue.c", 15, "map", True), ("queue.c", 16, "map", True),
                   ("queue.c", 18, "map", False), ("walk.h", 4, "step", False),
                   ("walk.h", 12, "pick", False)], got
    assert o["uncovered"][1]["reason"] == uncovered.GAP
    # Branch 4: its true side leads to an excused line, only that side leaves
    # the figure; branch 6: a gap, both sides count.  Line 9's first copy
    # never takes false, which the second does: only that direction leaves;
    # line 11's true side no copy takes, so its copy row excuses nothing.
    assert o["branches"] == {"covered": 9, "count": 13, "percent": 69.2}, o["branches"]
    assert o["excluded_branches"] == 3, o["excluded_branches"]
    assert [(u["file"], u["line"], u["never"], u["excluded"], u["reason"]) for u in o["untaken"]] == \
        [("queue.c", 4, "true", True, "the caller's mistake"), ("queue.c", 6, "true", False, uncovered.GAP),
         ("queue.c", 13, "true", True, "a host address aligned unlike its guest address"),
         ("walk.h", 3, "true", False, uncovered.GAP),
         ("walk.h", 9, "false", True, "one copy's callers always pass h"),
         ("walk.h", 11, "true", False, uncovered.GAP), ("walk.h", 11, "true", False, uncovered.GAP)], \
        o["untaken"]
    assert [r["function"] for r in o["stale_rows"]] == ["virtq_gone"], o["stale_rows"]
    # The function a definition line names, past its storage class and attributes.
    assert uncovered.defines("static __attribute__((noinline)) int collect(struct c *c,") == "collect"
    assert uncovered.defines("WALK_INLINE int fast_dir(const struct r *hint,") == "fast_dir"
    assert uncovered.defines("\tif (fast(c))") is None
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
                func = uncovered.defines(text) or func
                if uncovered.matches(r, func, text):
                    found = True
        if not found:
            bad.append(f"{r['file']} {r['function']} {r['match']!r}")
    assert not bad, "unreached.tsv rows that match no line of core/src: " + "; ".join(bad)
    print("unreached.tsv: every row matches core/src")


if __name__ == "__main__":
    main()
