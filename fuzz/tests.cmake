# ctest for the fuzz harness (standalone engine only):
#   corpus.<target>[.<device>]  every seed and regression replayed through the
#                        device's target (label corpus; under the asan preset
#                        that is ASan + UBSan); the core's have no suffix
#   corpus.seeds_current the checked-in seeds are what the generator makes
#                        from corpus/scenarios (label corpus)
# The planted-bug self-tests (fuzz_selftest.*) are defined with the planted
# devices, in planted/.
set(CORPUS_DIR ${PROJECT_SOURCE_DIR}/corpus CACHE INTERNAL "seed corpus")

# Called by virtq_fuzz_device() for each target of a device that is not a planted twin.
function(virtq_corpus_test target id exe)
  if(_virtq_planted)
    return()
  endif()
  set(dirs ${CORPUS_DIR}/${target})
  if(EXISTS ${CORPUS_DIR}/regressions/${target})
    list(APPEND dirs ${CORPUS_DIR}/regressions/${target})
  endif()
  set(name corpus.${target})
  if(NOT id STREQUAL "core")
    set(name corpus.${target}.${id})
  endif()
  add_test(NAME ${name} COMMAND ${exe} ${dirs})
  set_tests_properties(${name} PROPERTIES LABELS corpus TIMEOUT 300)
endfunction()

add_test(NAME corpus.seeds_current
  COMMAND ${CMAKE_COMMAND} -DTOOL=$<TARGET_FILE:virtq-fuzz> -DSRC=${CORPUS_DIR}
          -DOUT=${CMAKE_CURRENT_BINARY_DIR}/seeds-check -P ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_seeds.cmake)
set_tests_properties(corpus.seeds_current PROPERTIES LABELS corpus)
