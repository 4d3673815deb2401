/* SPDX-License-Identifier: MIT */
/*
 * The hook behind the shared-memory seam; compiled only into the
 * `virtq_instrumented` library (see virtq/shm_hook.h).
 */
#include "shm.h"

static virtq_shm_hook_fn hook_fn;
static void *hook_opaque;

void virtq_shm_set_hook(virtq_shm_hook_fn fn, void *opaque)
{
	hook_fn = fn;
	hook_opaque = opaque;
}

void virtq__shm_hook(enum virtq_shm_op op, enum virtq_shm_what what, const void *addr,
		     size_t size)
{
	if (hook_fn != NULL)
		hook_fn(hook_opaque, op, what, addr, size);
}
