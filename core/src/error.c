/* SPDX-License-Identifier: MIT */
/* Error texts, from the single table in virtq/error.h. */
#include "virtq/error.h"

#include <string.h>

const char *virtq_strerror(int err)
{
	switch (err) {
	case VIRTQ_OK:
		return "success";
#define VIRTQ__ERR_TEXT(name, val, scope, msg) \
	case VIRTQ_E_##name:                   \
		return msg;
		VIRTQ_ERRNO_MAP(VIRTQ__ERR_TEXT)
#undef VIRTQ__ERR_TEXT
	default:
		return "unknown error";
	}
}

const char *virtq_err_name(int err)
{
	switch (err) {
	case VIRTQ_OK:
		return "VIRTQ_OK";
#define VIRTQ__ERR_NAME(name, val, scope, msg) \
	case VIRTQ_E_##name:                   \
		return "VIRTQ_E_" #name;
		VIRTQ_ERRNO_MAP(VIRTQ__ERR_NAME)
#undef VIRTQ__ERR_NAME
	default:
		return "VIRTQ_E_UNKNOWN";
	}
}

int virtq_err_is_fatal(int err)
{
	switch (err) {
#define VIRTQ__ERR_FATAL(name, val, scope, msg) \
	case VIRTQ_E_##name:                    \
		return strcmp(#scope, "queue") == 0;
		VIRTQ_ERRNO_MAP(VIRTQ__ERR_FATAL)
#undef VIRTQ__ERR_FATAL
	default:
		return 0;
	}
}
