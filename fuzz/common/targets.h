/* SPDX-License-Identifier: MIT */
/* Every target's input schema and run function, for the tools that serve all. */
#ifndef VIRTQ_FUZZ_TARGETS_H
#define VIRTQ_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

#include "script.h"

struct fuzz_target {
	const char *name;
	const struct script_def *def;
	int (*run)(const uint8_t *data, size_t size);
	const char *checks; /* one line: what its oracle checks */
};

extern const struct script_def rings_def, ops_def, notify_def, race_def, empty_def;
int fuzz_rings_run(const uint8_t *data, size_t size);
int fuzz_ops_run(const uint8_t *data, size_t size);
int fuzz_notify_run(const uint8_t *data, size_t size);
int fuzz_race_run(const uint8_t *data, size_t size);
int fuzz_empty_run(const uint8_t *data, size_t size);
int fuzz_vhost_user_run(const uint8_t *data, size_t size);

extern const struct fuzz_target fuzz_targets[];
extern const unsigned fuzz_ntargets;
const struct fuzz_target *fuzz_target_find(const char *name);

/* The engine entry point, one per target binary. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#ifndef FUZZ_NO_ENTRY
#define FUZZ_ENTRY(fn)                                                                       \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                         \
	{                                                                                    \
		return fn(data, size);                                                       \
	}
#else
#define FUZZ_ENTRY(fn)
#endif

#endif /* VIRTQ_FUZZ_TARGETS_H */
