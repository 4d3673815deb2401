/* SPDX-License-Identifier: MIT */
/*
 * Replaces tools/virtio/linux/uaccess.h for the user-space build of
 * drivers/vhost/vringh.c (searched first; nothing else changes).
 *
 * Why: the tools/virtio shim copies "user" memory one byte at a time through
 * volatile pointers.  In the kernel, copy_from_user/copy_to_user are a range
 * check plus an optimised block copy, so the byte loop would charge vringh
 * some 80 instructions per 16-byte descriptor that it never pays for real and
 * make the benchmark (bench/) unfair to it.  This version keeps the shim's
 * range check (an assert against __user_addr_min/max, like access_ok) and
 * copies with memcpy; get_user/put_user stay single READ_ONCE/WRITE_ONCE
 * accesses as in the shim.
 */
#ifndef UACCESS_H
#define UACCESS_H

#include <assert.h>
#include <string.h>

#include <linux/compiler.h>

extern void *__user_addr_min, *__user_addr_max;

static inline void __chk_user_ptr(const volatile void *p, size_t size)
{
	assert(p >= __user_addr_min && p + size <= __user_addr_max);
}

#define put_user(x, ptr)					\
({								\
	typeof(ptr) __pu_ptr = (ptr);				\
	__chk_user_ptr(__pu_ptr, sizeof(*__pu_ptr));		\
	WRITE_ONCE(*(__pu_ptr), x);				\
	0;							\
})

#define get_user(x, ptr)					\
({								\
	typeof(ptr) __pu_ptr = (ptr);				\
	__chk_user_ptr(__pu_ptr, sizeof(*__pu_ptr));		\
	x = READ_ONCE(*(__pu_ptr));				\
	0;							\
})

static inline int copy_from_user(void *to, const void __user volatile *from,
				 unsigned long n)
{
	__chk_user_ptr(from, n);
	memcpy(to, (const void *)from, n);
	return 0;
}

static inline int copy_to_user(void __user volatile *to, const void *from,
			       unsigned long n)
{
	__chk_user_ptr(to, n);
	memcpy((void *)to, from, n);
	return 0;
}
#endif /* UACCESS_H */
