/* SPDX-License-Identifier: MIT */
/*
 * The conformance suite as a library (vqc_suite): link it with a device's
 * adapter (virtq_dut/dut.h) and call vqc_main() from main(), or let
 * virtq_add_device() build that runner (README "Your implementation under
 * test").
 */
#ifndef VIRTQ_CONFORMANCE_SUITE_H
#define VIRTQ_CONFORMANCE_SUITE_H

#include "virtq_dut/dut.h"

/**
 * Run the suite against @p impl: the whole main() of a runner.
 * Options: --list, --results FILE (JSON lines the report reads),
 * --xml FILE (Check's own log), --catalogue FILE (clauses.tsv).
 * Check's CK_INCLUDE_TAGS / CK_RUN_CASE select tests by clause or name.
 * @return process exit status: 0 if every test ran clean.
 */
int vqc_main(int argc, char **argv, const struct vdut_adapter *impl);

#endif /* VIRTQ_CONFORMANCE_SUITE_H */
