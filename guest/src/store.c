/* SPDX-License-Identifier: MIT */
/* Buffers kept across fuzz inputs; see vguest/store.h. */
#include "vguest/store.h"

#include <stdlib.h>
#include <string.h>

#include "asan.h"

void *vg_store_get(struct vg_store *s, size_t n, int zero)
{
	if (n == 0)
		n = 1;
	if (n > s->cap) {
		void *p;

		size_t cap = n > 2 * s->cap ? n : 2 * s->cap; /* geometric: growing by one stays cheap */

		UNPOISON(s->p, s->cap); /* realloc copies the whole old block */
		/* Zeroed: calloc, which leaves a large block's untouched pages unfaulted. */
		p = zero ? calloc(cap, 1) : realloc(s->p, cap);
		if (!p) {
			POISON(s->p, s->cap);
			return NULL;
		}
		if (zero)
			free(s->p);
		s->p = p;
		s->cap = cap;
	} else if (zero) {
		UNPOISON(s->p, n);
		memset(s->p, 0, n);
	}
	UNPOISON(s->p, n);
	if (n < s->cap)
		POISON((char *)s->p + n, s->cap - n);
	return s->p;
}

void vg_store_free(struct vg_store *s)
{
	UNPOISON(s->p, s->cap);
	free(s->p);
	s->p = NULL;
	s->cap = 0;
}
