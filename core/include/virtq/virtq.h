/* SPDX-License-Identifier: MIT */
/*
 * virtq: device-side split virtqueues (virtio v1.2/v1.3 §2.7) for VMMs,
 * hypervisors and firmware.  Umbrella header.
 *
 * Layers, lowest first; each calls only down:
 *   mem.h    guest-physical ranges to host pointers
 *   ring.h   the split layout and the event-index test
 *   queue.h  pop, return, notifications both ways, reset, restore
 *   chain.h  walking one chain; segment arrays and byte cursors
 *   error.h  error codes
 */
#ifndef VIRTQ_VIRTQ_H
#define VIRTQ_VIRTQ_H

#include "virtq/chain.h"
#include "virtq/error.h"
#include "virtq/mem.h"
#include "virtq/queue.h"
#include "virtq/ring.h"

#define VIRTQ_VERSION_MAJOR 0
#define VIRTQ_VERSION_MINOR 1
#define VIRTQ_VERSION_PATCH 0

#endif /* VIRTQ_VIRTQ_H */
