# SPDX-License-Identifier: MIT
"""The conformance report's vocabulary, shared by the runner and analysis
(virtq_conformance.py) and the writers (report_writers.py)."""
import re
from collections import OrderedDict

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
FINDINGS = ("fail", "warn")  # the statuses that are findings


def findings(clauses):
    """The (clause, verdict) pairs of an analysis that are findings, in its order."""
    return [(cid, st) for cid, st in clauses.items() if st["status"] in FINDINGS]


def safe(name):
    """NAME as a file-name and identifier fragment."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)
