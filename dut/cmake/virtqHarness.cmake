# virtq_add_device_under_test(NAME <name> ADAPTER <source>... LIBRARIES <lib>...
#                             [DESCRIPTION <text>] [FUZZ <target>...]
#                             [EXPECT <findings.tsv>])
#
# For a project outside this tree, after
#   find_package(virtq REQUIRED COMPONENTS harness)
# what virtq_add_device() (dut/CMakeLists.txt) does inside it (README "Your
# implementation under test").  <name> is the device's report column; its
# C-identifier form <id> names the targets:
#   dut_<id>            your adapter (defining vdut_device) and your libraries
#   conformance_<id>    the conformance runner
#   fuzz_<target>_<id>  one fuzz target per FUZZ entry (rings ops notify race;
#                       default rings ops notify; race needs an access log), for
#                       the engine VIRTQ_FUZZ_ENGINE names
# and ctest entries (label virtq):
#   virtq.conformance.<id>  the report beside the core's column, in
#                       <build dir>/virtq-report-<id>: fails on a MUST-level
#                       failure; with EXPECT (virtq's conformance/peers.tsv
#                       format), on any finding not listed and on a listed one
#                       that is gone
#   virtq.corpus.<target>.<id>  standalone: every installed seed replayed
#   virtq.fuzz.<target>.<id>    libfuzzer: 5000 runs from the seeds, seed 1
include(${CMAKE_CURRENT_LIST_DIR}/engine.cmake)

set(VIRTQ_FUZZ_ENGINE "standalone" CACHE STRING
  "standalone|libfuzzer|afl|external: the engine virtq_add_device_under_test builds fuzz targets for")
virtq_fuzz_engine(${VIRTQ_FUZZ_ENGINE} ${VIRTQ_HARNESS_SHARE}/src/fuzz/standalone_main.c
  _virtq_engine_sources _virtq_engine_link)

function(virtq_add_device_under_test)
  cmake_parse_arguments(A "" "NAME;DESCRIPTION;EXPECT" "ADAPTER;LIBRARIES;FUZZ" ${ARGN})
  if(A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "virtq_add_device_under_test: unknown arguments ${A_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT A_NAME OR NOT A_ADAPTER)
    message(FATAL_ERROR "virtq_add_device_under_test: NAME and ADAPTER are required")
  endif()
  if(NOT A_FUZZ AND NOT "FUZZ" IN_LIST A_KEYWORDS_MISSING_VALUES)
    set(A_FUZZ rings ops notify)
  endif()
  string(MAKE_C_IDENTIFIER ${A_NAME} id)

  add_library(dut_${id} STATIC ${A_ADAPTER})
  target_compile_definitions(dut_${id} PRIVATE VDUT_NAME="${A_NAME}" VDUT_DESCRIPTION="${A_DESCRIPTION}")
  target_link_libraries(dut_${id} PUBLIC virtq::dut ${A_LIBRARIES})

  add_executable(conformance_${id} ${VIRTQ_HARNESS_SHARE}/src/conformance/runner_main.c)
  target_link_libraries(conformance_${id} PRIVATE virtq::conformance_suite dut_${id})
  if(BUILD_TESTING)
    set(expect "")
    if(A_EXPECT)
      get_filename_component(file ${A_EXPECT} ABSOLUTE)
      set(expect --expect ${file})
    endif()
    add_test(NAME virtq.conformance.${id}
      COMMAND ${VIRTQ_HARNESS_BIN}/virtq-conformance --impl ${A_NAME}=$<TARGET_FILE:conformance_${id}>
              --impl core --out ${CMAKE_CURRENT_BINARY_DIR}/virtq-report-${id} --quiet ${expect})
    set_tests_properties(virtq.conformance.${id} PROPERTIES LABELS virtq TIMEOUT 900)
  endif()

  foreach(t ${A_FUZZ})
    if(NOT t MATCHES "^(rings|ops|notify|race)$")
      message(FATAL_ERROR "virtq_add_device_under_test(${A_NAME}): no fuzz target '${t}' (rings ops notify race)")
    endif()
    add_executable(fuzz_${t}_${id} ${VIRTQ_HARNESS_SHARE}/src/fuzz/${t}.c ${_virtq_engine_sources})
    target_link_libraries(fuzz_${t}_${id} PRIVATE virtq::fuzz_harness dut_${id} ${_virtq_engine_link})
    if(NOT BUILD_TESTING)
      continue()
    endif()
    if(VIRTQ_FUZZ_ENGINE STREQUAL "standalone")
      add_test(NAME virtq.corpus.${t}.${id} COMMAND fuzz_${t}_${id} ${VIRTQ_HARNESS_SHARE}/corpus/${t})
      set_tests_properties(virtq.corpus.${t}.${id} PROPERTIES LABELS virtq TIMEOUT 300)
    elseif(VIRTQ_FUZZ_ENGINE STREQUAL "libfuzzer")
      # New inputs go to a folder of the build, never into the installed seeds.
      set(grown ${CMAKE_CURRENT_BINARY_DIR}/virtq-corpus-${t}-${id})
      file(MAKE_DIRECTORY ${grown})
      add_test(NAME virtq.fuzz.${t}.${id}
        COMMAND fuzz_${t}_${id} -runs=5000 -seed=1 -dict=${VIRTQ_HARNESS_SHARE}/corpus/${t}.dict
                ${grown} ${VIRTQ_HARNESS_SHARE}/corpus/${t})
      set_tests_properties(virtq.fuzz.${t}.${id} PROPERTIES LABELS virtq TIMEOUT 300)
    endif()
  endforeach()
endfunction()
