# ctest for the fuzz harness (standalone engine only):
#   corpus.<target>        every seed and regression replayed (label corpus;
#                          under the asan preset that is ASan + UBSan); diff
#                          only with VIRTQ_LINUX_INTEROP
#   corpus.seeds_current   the checked-in seeds are what the generator makes
#                          from corpus/scenarios (label corpus)
#   fuzz_selftest.<bug>    core built with one planted bug; replaying the
#                          corpus of the target that claims it must flag it
#                          (label fuzz-selftest)
set(CORPUS_DIR ${PROJECT_SOURCE_DIR}/corpus)

set(_corpus_targets rings ops notify race)
if(VIRTQ_LINUX_INTEROP)
  list(APPEND _corpus_targets diff)
endif()
foreach(t ${_corpus_targets})
  set(dirs ${CORPUS_DIR}/${t})
  if(EXISTS ${CORPUS_DIR}/regressions/${t})
    list(APPEND dirs ${CORPUS_DIR}/regressions/${t})
  endif()
  add_test(NAME corpus.${t} COMMAND fuzz_${t} ${dirs})
  set_tests_properties(corpus.${t} PROPERTIES LABELS corpus TIMEOUT 300)
endforeach()

add_test(NAME corpus.seeds_current
  COMMAND ${CMAKE_COMMAND} -DTOOL=$<TARGET_FILE:virtq-fuzz> -DSRC=${CORPUS_DIR}
          -DOUT=${CMAKE_CURRENT_BINARY_DIR}/seeds-check -P ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_seeds.cmake)
set_tests_properties(corpus.seeds_current PROPERTIES LABELS corpus)

# Which target's oracle claims each planted bug (core/src/plant.h).
set(FUZZ_SELFTEST_CLAIMS
  NEED_EVENT_OFF_BY_ONE:notify NO_AVAIL_CHECK:ops NO_LOOP_BOUND:rings DOUBLE_FETCH:race
  IDX_BEFORE_ENTRY:ops IGNORE_NO_INTERRUPT:ops NO_LEN_CAP:rings)
foreach(claim ${FUZZ_SELFTEST_CLAIMS})
  string(REPLACE ":" ";" pair ${claim})
  list(GET pair 0 bug)
  list(GET pair 1 target)
  string(TOLOWER ${bug} lbug)
  virtq_planted(${bug} core)
  if(NOT TARGET fuzz_common_planted_${lbug})
    virtq_fuzz_common(fuzz_common_planted_${lbug} ${core})
  endif()
  virtq_fuzz_target(${target} fuzz_common_planted_${lbug} _planted_${lbug})
  add_test(NAME fuzz_selftest.${lbug}
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tools/expect_flagged.sh
            $<TARGET_FILE:fuzz_${target}_planted_${lbug}> ${CORPUS_DIR}/${target})
  set_tests_properties(fuzz_selftest.${lbug} PROPERTIES LABELS fuzz-selftest TIMEOUT 120)
endforeach()

# The nightly's triage (ci/nightly/triage.py) on a planted bug: the flagging
# seeds fold into one finding of the claiming oracle (label nightly).
add_test(NAME nightly.triage
  COMMAND ${PROJECT_SOURCE_DIR}/ci/nightly/test_triage.sh ${CMAKE_CURRENT_BINARY_DIR}/triage-test rings
          $<TARGET_FILE:fuzz_rings_planted_no_len_cap> $<TARGET_FILE:fuzz_rings>
          $<TARGET_FILE:virtq-fuzz> "oracle fuzz/common/device.c")
set_tests_properties(nightly.triage PROPERTIES LABELS nightly TIMEOUT 300)
