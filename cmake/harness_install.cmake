# Where an installed harness goes (README "Install and package"), and the rule
# each room uses for its harness library.  Installed in two components:
#   dev    the core library (core/cmake/install.cmake), the harness libraries,
#          their headers under include/virtq-harness, the sources compiled per
#          device (share/virtq/src), the CMake package (harness component)
#   tools  the programs (bin/, libexec/virtq) and their data (share/virtq)
# and, from a libFuzzer build tree, fuzzers (libexec/virtq/virtq-fuzz-*).
# Only a standalone-engine build installs the harness: the libFuzzer and AFL++
# presets instrument every archive for their engine's runtime.
set(VIRTQ_HARNESS_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/virtq-harness)
set(VIRTQ_HARNESS_DATADIR ${CMAKE_INSTALL_DATADIR}/virtq)
set(VIRTQ_HARNESS_SRCDIR ${VIRTQ_HARNESS_DATADIR}/src)
set(VIRTQ_HARNESS_LIBEXECDIR ${CMAKE_INSTALL_LIBEXECDIR}/virtq)

# virtq_install_harness(<target> <name> <header dir or "">): the library as
# virtq::<name> (libvirtq_<name>.a) in the harness export set, and its headers.
function(virtq_install_harness target name headers)
  if(NOT VIRTQ_FUZZ_ENGINE STREQUAL "standalone")
    return()
  endif()
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME virtq_${name})
  install(TARGETS ${target} EXPORT virtqHarnessTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
  if(headers)
    install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${headers} DESTINATION ${VIRTQ_HARNESS_INCLUDEDIR}
      COMPONENT dev)
  endif()
endfunction()

# virtq_install_program(<target>): a harness program into libexec/virtq,
# where the installed virtq-conformance and virtq-ci look for runners.
function(virtq_install_program target)
  if(VIRTQ_FUZZ_ENGINE STREQUAL "standalone")
    install(TARGETS ${target} RUNTIME DESTINATION ${VIRTQ_HARNESS_LIBEXECDIR} COMPONENT tools)
  endif()
endfunction()
