# ctest for the libFuzzer engine (libfuzzer preset; ci/test.sh runs them):
#   fuzz_smoke.<target>  a short, deterministic libFuzzer run per target: fixed
#                        seed and run count, from the checked-in seeds and
#                        regressions, with the dictionary (label fuzz-smoke)
#   oss_fuzz.build       ci/oss-fuzz/build.sh run as OSS-Fuzz's image runs it,
#                        then each binary over its seed corpus zip (label oss-fuzz)
#   fuzz_build.guidance  the device's objects are instrumented for the engine,
#                        the harness's are not (label fuzz-smoke)
set(VIRTQ_FUZZ_SMOKE_RUNS 20000 CACHE STRING "libFuzzer runs per target in fuzz_smoke.*")
set(_smoke_targets rings ops notify race)
if(VIRTQ_LINUX_INTEROP)
  list(APPEND _smoke_targets rings_vringh)   # fails, saying why, if vringh could not be built
endif()
foreach(t ${_smoke_targets})
  add_test(NAME fuzz_smoke.${t}
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tools/smoke.sh ${CMAKE_CURRENT_BINARY_DIR}/fuzz_${t} ${t}
            ${CMAKE_CURRENT_BINARY_DIR}/smoke-${t} ${VIRTQ_FUZZ_SMOKE_RUNS})
  set_tests_properties(fuzz_smoke.${t} PROPERTIES LABELS fuzz-smoke TIMEOUT 300)
endforeach()

add_test(NAME oss_fuzz.build
  COMMAND ${PROJECT_SOURCE_DIR}/ci/oss-fuzz/test.sh ${CMAKE_CURRENT_BINARY_DIR}/oss-fuzz)
set_tests_properties(oss_fuzz.build PROPERTIES LABELS oss-fuzz TIMEOUT 900)

# The engine's guidance comes from the device under test, not the harness
# (fuzz/CMakeLists.txt, "Guidance" in fuzz/README.md).
add_test(NAME fuzz_build.guidance
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tools/check_guidance.sh
          --guided $<TARGET_OBJECTS:virtq_instrumented> $<TARGET_OBJECTS:fuzz_harness_guided>
          --unguided $<TARGET_OBJECTS:virtq_guest> $<TARGET_OBJECTS:fuzz_common> $<TARGET_OBJECTS:virtq_dut>
                     $<TARGET_OBJECTS:dut_core>
  COMMAND_EXPAND_LISTS)
set_tests_properties(fuzz_build.guidance PROPERTIES LABELS fuzz-smoke TIMEOUT 60)
