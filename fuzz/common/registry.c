/* SPDX-License-Identifier: MIT */
/* The list of targets, for tools that serve every target. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "targets.h"

const struct fuzz_target fuzz_targets[] = {
	{"rings", &rings_def, fuzz_rings_run,
	 "guest memory image; reference model (exact or the spec's latitude) + invariants (stray writes, "
	 "data, used ring, bounded work, probe)"},
	{"ops", &ops_def, fuzz_ops_run,
	 "driver/device op script incl. reset, restore, reopen, remap; reference model on every step + invariants"},
	{"notify", &notify_def, fuzz_notify_run,
	 "publish sequences across the wrap; a required notification is never missed"},
	{"race", &race_def, fuzz_race_run,
	 "racing driver rewrites memory between loads; no double fetch, one-snapshot consistency (needs an "
	 "access log)"},
	{"empty", &empty_def, fuzz_empty_run, "nothing: harness overhead baseline"},
};
const unsigned fuzz_ntargets = sizeof(fuzz_targets) / sizeof(fuzz_targets[0]);

const struct fuzz_target *fuzz_target_find(const char *name)
{
	for (unsigned i = 0; i < fuzz_ntargets; i++)
		if (strcmp(fuzz_targets[i].name, name) == 0)
			return &fuzz_targets[i];
	return NULL;
}
