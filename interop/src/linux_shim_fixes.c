/* SPDX-License-Identifier: MIT */
/*
 * tools/virtio/linux/kmsan.h (6.1) defines kmsan_handle_dma() as a plain C99
 * "inline" function, which provides no external definition: an unoptimised
 * build of virtio_ring.c then fails to link.  Declaring it extern in one
 * translation unit makes this the external definition (C11 6.7.4p7).
 */
#include <linux/kernel.h>
#include <linux/dma-mapping.h>
#include <linux/kmsan.h>

extern void kmsan_handle_dma(struct page *page, size_t offset, size_t size,
			     enum dma_data_direction dir);
