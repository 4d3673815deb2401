# Find or fetch the Linux 6.1 sources the interop targets compile (DESIGN.md,
# "Outside code we build against but never commit").  Runs at configure time,
# once per cache: every preset shares ${VIRTQ_LINUX_SOURCE_CACHE}.
#
# Sets, in the including scope:
#   VIRTQ_LINUX_OK       TRUE when the tree is usable
#   VIRTQ_LINUX_TREE     the extracted tree (has tools/, include/, drivers/)
#   VIRTQ_LINUX_VERSION  "linux-source-6.1 <Debian version>", or what is known
#   VIRTQ_LINUX_REASON   why not, when VIRTQ_LINUX_OK is FALSE
# A failure is not fatal here: the interop tests are then registered as tests
# that fail and print the reason (they must not pass or skip silently).

set(VIRTQ_LINUX_SOURCE_CACHE "${PROJECT_SOURCE_DIR}/build/linux-source-cache" CACHE PATH
  "Where linux-source-6.1 is downloaded and extracted (shared by all presets)")
set(VIRTQ_LINUX_SOURCE_DIR "" CACHE PATH
  "An already extracted linux-source-6.1 tree to use instead of fetching one")

set(_virtq_linux_needed
  tools/virtio/linux/kernel.h tools/include/linux/types.h include/linux/kconfig.h
  include/linux/vringh.h drivers/virtio/virtio_ring.c drivers/vhost/vringh.c)

set(VIRTQ_LINUX_OK FALSE)
set(VIRTQ_LINUX_REASON "")
set(VIRTQ_LINUX_VERSION "unknown")

if(VIRTQ_LINUX_SOURCE_DIR)
  set(VIRTQ_LINUX_TREE "${VIRTQ_LINUX_SOURCE_DIR}")
  set(_virtq_linux_rc 0)
else()
  message(STATUS "Linux interop: obtaining linux-source-6.1 into ${VIRTQ_LINUX_SOURCE_CACHE}")
  execute_process(
    COMMAND bash "${CMAKE_CURRENT_LIST_DIR}/../fetch-linux-source.sh" "${VIRTQ_LINUX_SOURCE_CACHE}"
    RESULT_VARIABLE _virtq_linux_rc
    OUTPUT_VARIABLE _virtq_linux_out
    ERROR_VARIABLE _virtq_linux_err
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(_virtq_linux_rc EQUAL 0)
    string(REGEX REPLACE ".*\n" "" VIRTQ_LINUX_TREE "${_virtq_linux_out}")
  else()
    string(STRIP "${_virtq_linux_err}" _virtq_linux_err)
    string(REGEX REPLACE ".*\n" "" _virtq_linux_last "${_virtq_linux_err}")
    set(VIRTQ_LINUX_REASON
      "fetching linux-source-6.1 failed (exit ${_virtq_linux_rc}): ${_virtq_linux_last}")
  endif()
endif()

if(_virtq_linux_rc EQUAL 0)
  set(VIRTQ_LINUX_OK TRUE)
  foreach(_f IN LISTS _virtq_linux_needed)
    if(NOT EXISTS "${VIRTQ_LINUX_TREE}/${_f}")
      set(VIRTQ_LINUX_OK FALSE)
      set(VIRTQ_LINUX_REASON "${VIRTQ_LINUX_TREE} has no ${_f}")
      break()
    endif()
  endforeach()
  if(EXISTS "${VIRTQ_LINUX_TREE}/.virtq-extracted")
    file(STRINGS "${VIRTQ_LINUX_TREE}/.virtq-extracted" VIRTQ_LINUX_VERSION LIMIT_COUNT 1)
  endif()
endif()

if(VIRTQ_LINUX_OK)
  message(STATUS "Linux interop: using ${VIRTQ_LINUX_TREE} (${VIRTQ_LINUX_VERSION})")
else()
  message(WARNING "Linux interop: ${VIRTQ_LINUX_REASON}\n"
    "The interop and bench tests will fail until this is fixed (network, apt sources, "
    "or -DVIRTQ_LINUX_SOURCE_DIR=<extracted tree>); reconfigure to retry.")
endif()
