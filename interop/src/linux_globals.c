/* SPDX-License-Identifier: MIT */
/*
 * Globals the tools/virtio shim headers declare and expect the program to
 * define (vringh_test.c does it there): the kmalloc/kfree hooks that let a
 * driver's indirect tables live in guest memory, and the bounds of "user"
 * memory that copy_from_user/copy_to_user check.  One definition for every
 * Linux object we link (linux_virtio_ring, linux_vringh).
 */
#include "virtq_interop/linux_driver.h"

void *__kmalloc_fake, *__kfree_ignore_start, *__kfree_ignore_end;
void *__user_addr_min, *__user_addr_max;

#ifndef VIRTQ_LINUX_VERSION
#define VIRTQ_LINUX_VERSION "unknown"
#endif

const char *virtq_linux_source_version(void)
{
	return VIRTQ_LINUX_VERSION;
}
