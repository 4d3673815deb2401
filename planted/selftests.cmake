# The planted twins behind the device interface, and the self-tests that
# must flag them (read by dut/devices.cmake once the harnesses are defined):
#   conformance.selftest     each twin flagged under its clauses of
#                            conformance/selftest.tsv and nowhere else
#   fuzz_selftest.<name>     the claiming target's corpus flags the twin, by
#                            the claiming oracle (planted/bugs.tsv)
#   nightly.triage           the main job's triage folds a planted bug's
#                            findings into one, by its oracle
foreach(_row ${VIRTQ_PLANTED_ROWS})
  string(REPLACE "\t" ";" _f "${_row}")
  list(GET _f 0 name)
  list(GET _f 1 target)
  list(GET _f 2 oracle)
  virtq_planted(${name} lib)
  virtq_add_device(planted:${name} ADAPTER ${VIRTQ_DUT_DIR}/adapters/core.c LIBRARIES ${lib}
    DESCRIPTION "virtq core with one planted bug, ${name} (planted/${name}.patch)" PLANTED FUZZ ${target})
  if(BUILD_TESTING AND VIRTQ_FUZZ_ENGINE STREQUAL "standalone")
    add_test(NAME fuzz_selftest.${name}
      COMMAND ${VIRTQ_FUZZ_DIR}/tools/expect_flagged.sh ${oracle}
              $<TARGET_FILE:fuzz_${target}_planted_${name}> ${CORPUS_DIR}/${target})
    set_tests_properties(fuzz_selftest.${name} PROPERTIES LABELS fuzz-selftest TIMEOUT 120)
  endif()
endforeach()

# The suite and the triage on planted bugs test the oracles, not the code's
# memory safety: they run in the unsanitized builds, where they take a fifth of
# the time (the asan preset still runs conformance.core and every fuzz self-test).
if(BUILD_TESTING AND NOT VIRTQ_SANITIZE)
  add_test(NAME conformance.selftest
    COMMAND ${VQC_RUNNER_DIR}/virtq-conformance --selftest ${PROJECT_SOURCE_DIR}/conformance/selftest.tsv
            --out ${VQC_RUNNER_DIR}/out/selftest --jobs 2 --quiet)
  set_tests_properties(conformance.selftest PROPERTIES LABELS conformance TIMEOUT 900)
  if(VIRTQ_FUZZ_ENGINE STREQUAL "standalone")
    add_test(NAME nightly.triage
      COMMAND ${PROJECT_SOURCE_DIR}/ci/nightly/test_triage.sh ${VIRTQ_FUZZ_BIN}/triage-test rings
              $<TARGET_FILE:fuzz_rings_planted_no_len_cap> $<TARGET_FILE:fuzz_rings>
              $<TARGET_FILE:virtq-fuzz> "oracle model-used")
    set_tests_properties(nightly.triage PROPERTIES LABELS nightly TIMEOUT 300)
  endif()
endif()
