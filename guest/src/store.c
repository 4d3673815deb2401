/* SPDX-License-Identifier: MIT */
/* Buffers kept across fuzz inputs; see vguest/store.h. */
#include "vguest/store.h"

#include <stdlib.h>
#include <string.h>

#include "asan.h"
#include "bulk.h"

/* Make exactly [0, n) addressable, touching only the difference with the last user's part. */
static void open_to(struct vg_store *s, size_t n)
{
	char *p = s->p;

	if (n > s->open)
		UNPOISON(p + s->open, n - s->open);
	else if (n < s->open)
		POISON(p + n, s->open - n);
	s->open = n;
}

void *vg_store_get(struct vg_store *s, size_t n, bool zero)
{
	if (n == 0)
		n = 1;
	if (n > s->cap) {
		size_t cap = n > 2 * s->cap ? n : 2 * s->cap; /* geometric: growing by one stays cheap */
		void *p;

		UNPOISON(s->p, s->cap); /* realloc copies the whole old block */
		/* Zeroed: calloc, which leaves a large block's untouched pages unfaulted. */
		p = zero ? calloc(cap, 1) : realloc(s->p, cap);
		if (!p) {
			POISON((char *)s->p + s->open, s->cap - s->open);
			return NULL;
		}
		if (zero)
			free(s->p);
		POISON((char *)p + n, cap - n);
		s->p = p;
		s->cap = cap;
		s->open = n;
		return p;
	}
	open_to(s, n);
	if (zero)
		vg__set(s->p, 0, n);
	return s->p;
}

void vg_store_close(struct vg_store *s) { open_to(s, 0); }

/* s->open is non-zero exactly while the block is lent: vg_store_get() never opens 0 bytes. */
void *vg_store_lend(struct vg_store *s, size_t n) { return s->open ? malloc(n) : vg_store_get(s, n, false); }

void vg_store_return(struct vg_store *s, void *p)
{
	if (p != NULL && p == s->p)
		vg_store_close(s);
	else
		free(p);
}

void vg_store_free(struct vg_store *s)
{
	UNPOISON(s->p, s->cap);
	free(s->p);
	s->p = NULL;
	s->cap = 0;
	s->open = 0;
}
