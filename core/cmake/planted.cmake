# Planted-bug twins of the instrumented library, one per bug of
# core/src/plant.h, for the fuzz and conformance self-tests:
#   virtq_planted(<name> <target>)   e.g. virtq_planted(NO_LEN_CAP lib)
# defines (once) and returns the target virtq_planted_<name>.
set(VIRTQ_PLANTED_BUGS
  NEED_EVENT_OFF_BY_ONE NO_AVAIL_CHECK NO_LOOP_BOUND DOUBLE_FETCH IDX_BEFORE_ENTRY
  IGNORE_NO_INTERRUPT NO_LEN_CAP IGNORE_USED_EVENT USED_FLAGS_EVENT_IDX NO_AVAIL_EVENT
  CONSUME_BEYOND_AVAIL ACCEPT_NESTED_INDIRECT WRITE_READABLE STALE_CHAIN_ACCEPTED MEM_HINT_KEPT
  CACHE INTERNAL "bugs that core/src/plant.h can plant")

function(virtq_planted bug out_var)
  if(NOT bug IN_LIST VIRTQ_PLANTED_BUGS)
    message(FATAL_ERROR "virtq_planted: unknown bug '${bug}' (see core/src/plant.h)")
  endif()
  string(TOLOWER "virtq_planted_${bug}" target)
  if(NOT TARGET ${target})
    add_library(${target} STATIC ${VIRTQ_CORE_SOURCES} ${VIRTQ_CORE_DIR}/src/shm_hook.c)
    target_include_directories(${target} PUBLIC ${VIRTQ_CORE_DIR}/include)
    target_compile_definitions(${target} PUBLIC VIRTQ_INSTRUMENTED
      PRIVATE VIRTQ_PLANT=VIRTQ_PLANT_ID_${bug})
    target_link_libraries(${target} PRIVATE virtq_warnings)
  endif()
  set(${out_var} ${target} PARENT_SCOPE)
endfunction()
