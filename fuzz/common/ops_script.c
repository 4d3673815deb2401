/* SPDX-License-Identifier: MIT */
/* The ops input format (ops_script.h). */
#include "ops_script.h"

static const struct script_op ops_ops[] = {
	DRIVER_OP_TABLE,
	{"pop", 0, {{0}}, "device pops one chain and serves it through its cursors"},
	{"fill", 2, {{"pick", 1}, {"written", 4}}, "device returns remembered chain #pick"},
	{"flush", 0, {{0}}, "device publishes used idx and decides whether to notify"},
	{"kicks", 1, {{"on", 1}}, "device enables (odd) or disables (even) kicks"},
	{"reset", 0, {{0}}, "device resets the queue"},
	{"restore", 2, {{"last_avail", 2}, {"used", 2}}, "device restores indices"},
	{"reopen", 1, {{"head", 2}}, "device re-opens a head after restore"},
	{"drain", 0, {{0}}, "device pops, serves and returns until empty or error"},
	{"remap", 1, {{"region", 1}}, "guest memory region #region moves to a new host mapping (the first 10 in a run)"},
};
const struct script_def ops_def = {"ops", 5, FUZZ_HEADER_FIELDS, sizeof(ops_ops) / sizeof(ops_ops[0]),
				   ops_ops};
