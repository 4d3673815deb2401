/* SPDX-License-Identifier: MIT */
/*
 * The byte cursors over a walked chain's segments (layer 4): copies in and
 * out of guest buffers with counts that never touch guest memory.  See
 * virtq/chain.h for the contract; chain.c fills the segment arrays.
 */
#include "shm.h"
#include "virtq/chain.h"

/*
 * Move the cursor over up to @n bytes, copying to or from @buf (NULL: skip).
 * Writes stop at a readable segment: the device never writes a buffer the
 * driver gave it to read (§2.7.5.1, SPLIT-DESC-2), even if handed the wrong
 * iov.
 */
static size_t iov_move(struct virtq_iov *v, void *buf, size_t n, bool to_guest)
{
	size_t done = 0;

	while (done < n && v->cur < v->n) {
		struct virtq_seg *s = &v->seg[v->cur];
		size_t k = s->len - v->off;

		if (k > n - done)
			k = n - done;
		if (to_guest && !s->writable)
			break;
		if (buf != NULL && to_guest)
			shm_copy_to((char *)s->addr + v->off, (const char *)buf + done, k);
		else if (buf != NULL)
			shm_copy_from((char *)buf + done, (const char *)s->addr + v->off, k);
		done += k;
		v->off += (uint32_t)k;
		if (v->off == s->len) {
			v->cur++;
			v->off = 0;
		}
	}
	v->done += done;
	return done;
}

size_t virtq_iov_read(struct virtq_iov *rd, void *dst, size_t n)
{
	return iov_move(rd, dst, n, false);
}

size_t virtq_iov_write(struct virtq_iov *wr, const void *src, size_t n)
{
	return iov_move(wr, (void *)(uintptr_t)src, n, true);
}

size_t virtq_iov_skip(struct virtq_iov *v, size_t n)
{
	return iov_move(v, NULL, n, false);
}
