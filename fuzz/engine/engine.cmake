# virtq_fuzz_engine(<engine> <standalone main.c> <sources var> <link var>):
# what a fuzz target built for <engine> adds to its sources and its link.
#   standalone  the replay driver (<standalone main.c>), any compiler
#   libfuzzer   clang -fsanitize=fuzzer at the final link (compile the code
#               under test with -fsanitize=fuzzer-no-link for its coverage)
#   afl         the same with afl-clang-fast (libAFLDriver: persistent mode,
#               shared-memory input)
#   external    $LIB_FUZZING_ENGINE (file or flag), as OSS-Fuzz does
# Used by this tree (fuzz/CMakeLists.txt) and, installed, by
# virtq_add_device_under_test() (virtqHarness.cmake).
function(virtq_fuzz_engine engine main sources_var link_var)
  if(engine STREQUAL "standalone")
    set(${sources_var} ${main} PARENT_SCOPE)
    set(${link_var} "" PARENT_SCOPE)
  elseif(engine STREQUAL "libfuzzer" OR engine STREQUAL "afl")
    set(${sources_var} "" PARENT_SCOPE)
    set(${link_var} -fsanitize=fuzzer PARENT_SCOPE)
  elseif(engine STREQUAL "external")
    set(lib "${LIB_FUZZING_ENGINE}")
    if(NOT lib)
      set(lib "$ENV{LIB_FUZZING_ENGINE}")
    endif()
    if(NOT lib)
      message(FATAL_ERROR "VIRTQ_FUZZ_ENGINE=external needs LIB_FUZZING_ENGINE (file or flag)")
    endif()
    separate_arguments(link UNIX_COMMAND "${lib}")
    set(${sources_var} "" PARENT_SCOPE)
    set(${link_var} ${link} PARENT_SCOPE)
  else()
    message(FATAL_ERROR "VIRTQ_FUZZ_ENGINE must be standalone, libfuzzer, afl or external, not '${engine}'")
  endif()
endfunction()
