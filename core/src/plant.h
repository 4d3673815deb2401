/* SPDX-License-Identifier: MIT */
/*
 * Planted bugs, for proving that oracles bite.
 *
 * The fuzz self-test and the conformance self-test build core once per bug
 * below, with -DVIRTQ_PLANT=VIRTQ_PLANT_ID_<NAME>, as the library virtq_planted_<name>
 * (core/cmake/planted.cmake), and check that their oracles flag each one
 * under the rule it breaks.  A normal build defines none of them, so every
 * PLANTED() is a constant 0 and the code it guards is compiled out.
 *
 *   NEED_EVENT_OFF_BY_ONE   EVENT_IDX window taken as (old, new] (SPLIT-UNS-10)
 *   NO_AVAIL_CHECK          avail idx distance not checked (SPLIT-AV-3/AV-6)
 *   NO_LOOP_BOUND           no hop limit in a table (SPLIT-DESC-6, loops)
 *   DOUBLE_FETCH            descriptor read twice from guest memory
 *   IDX_BEFORE_ENTRY        used idx stored before the used entry (SPLIT-USED-5)
 *   IGNORE_NO_INTERRUPT     avail flags NO_INTERRUPT disregarded (SPLIT-UNS-7)
 *   NO_LEN_CAP              used len not capped to writable bytes (SPLIT-USED-3)
 *   IGNORE_USED_EVENT       EVENT_IDX: notify whatever used_event says (SPLIT-UNS-11)
 *   USED_FLAGS_EVENT_IDX    NO_NOTIFY written under EVENT_IDX (SPLIT-ANS-10)
 *   NO_AVAIL_EVENT          avail_event never written (SPLIT-ANS-11 liveness)
 *   CONSUME_BEYOND_AVAIL    one entry past avail idx consumed (SPLIT-AV-4)
 *   ACCEPT_NESTED_INDIRECT  INDIRECT inside a table mapped as a buffer (SPLIT-IND-4)
 *   WRITE_READABLE          readable segments handed out as writable (SPLIT-DESC-2)
 *   STALE_CHAIN_ACCEPTED    a chain from before a reset is filled if its head is in flight
 *   MEM_HINT_KEPT           virtq_set_mem keeps the cached region of the old map
 */
#ifndef VIRTQ_SRC_PLANT_H
#define VIRTQ_SRC_PLANT_H

/* -DVIRTQ_PLANT=VIRTQ_PLANT_ID_<NAME> selects one; none by default. */
enum {
	VIRTQ_PLANT_ID_NONE,
	VIRTQ_PLANT_ID_NEED_EVENT_OFF_BY_ONE,
	VIRTQ_PLANT_ID_NO_AVAIL_CHECK,
	VIRTQ_PLANT_ID_NO_LOOP_BOUND,
	VIRTQ_PLANT_ID_DOUBLE_FETCH,
	VIRTQ_PLANT_ID_IDX_BEFORE_ENTRY,
	VIRTQ_PLANT_ID_IGNORE_NO_INTERRUPT,
	VIRTQ_PLANT_ID_NO_LEN_CAP,
	VIRTQ_PLANT_ID_IGNORE_USED_EVENT,
	VIRTQ_PLANT_ID_USED_FLAGS_EVENT_IDX,
	VIRTQ_PLANT_ID_NO_AVAIL_EVENT,
	VIRTQ_PLANT_ID_CONSUME_BEYOND_AVAIL,
	VIRTQ_PLANT_ID_ACCEPT_NESTED_INDIRECT,
	VIRTQ_PLANT_ID_WRITE_READABLE,
	VIRTQ_PLANT_ID_STALE_CHAIN_ACCEPTED,
	VIRTQ_PLANT_ID_MEM_HINT_KEPT,
};

#ifndef VIRTQ_PLANT
#define VIRTQ_PLANT VIRTQ_PLANT_ID_NONE
#endif

/* A constant: the guarded branch is type-checked, then compiled out. */
#define PLANTED(name) (VIRTQ_PLANT == VIRTQ_PLANT_ID_##name)

#endif /* VIRTQ_SRC_PLANT_H */
