/* SPDX-License-Identifier: MIT */
/* virtio-blk requests for the black-box harness (type_blk.c). */
#ifndef VHU_TYPE_BLK_H
#define VHU_TYPE_BLK_H

#include "bb.h"

#define BLK_T_IN 0
#define BLK_T_OUT 1
#define BLK_T_FLUSH 4
#define BLK_T_GET_ID 8
#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define BLK_S_UNSUPP 2

/** Add a request: header, @p nout readable bytes from @p out, @p nin writable bytes, status.  @return head. */
int blk_post(struct bb *b, uint32_t type, uint64_t sector, const void *out, uint32_t nout, uint32_t nin,
	     uint64_t token);
/** The status byte of @p head's reply (VG_POISON until the back-end writes it). */
uint8_t blk_status(struct bb *b, uint16_t head);
/** The data an IN request of @p n bytes got (its one writable data buffer). */
bool blk_read_data(struct bb *b, uint16_t head, void *dst, uint32_t n);

#endif /* VHU_TYPE_BLK_H */
