# The harness's CMake package files and the Debian packages (cpack -G DEB;
# ci/package.sh builds them).  Read last: every exported target exists.
if(NOT VIRTQ_FUZZ_ENGINE STREQUAL "standalone")
  return()
endif()
set(_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/virtq)
install(EXPORT virtqHarnessTargets NAMESPACE virtq:: DESTINATION ${_cmake_dir} COMPONENT dev)
install(FILES ${PROJECT_SOURCE_DIR}/dut/cmake/virtqHarness.cmake ${PROJECT_SOURCE_DIR}/fuzz/engine/engine.cmake
  DESTINATION ${_cmake_dir} COMPONENT dev)

# Two packages, as Debian splits a library: virtq (the programs, their data
# and the libFuzzer driver for vhost-user back-ends) and virtq-dev (static
# libraries, headers, the harness sources and the CMake package).
set(CPACK_PACKAGE_NAME virtq)
set(CPACK_PACKAGE_VENDOR "virtq")
set(CPACK_PACKAGE_CONTACT "virtq developers <virtq@invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL tools fuzzers dev)
set(CPACK_COMPONENT_TOOLS_GROUP virtq)
set(CPACK_COMPONENT_FUZZERS_GROUP virtq)
set(CPACK_COMPONENT_DEV_GROUP virtq-dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# The runners link Check's libsubunit; the libFuzzer driver, libstdc++.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6, libsubunit0, libstdc++6, libgcc-s1, python3")
set(CPACK_DEBIAN_VIRTQ_PACKAGE_NAME virtq)
set(CPACK_DEBIAN_VIRTQ-DEV_PACKAGE_NAME virtq-dev)
set(CPACK_DEBIAN_VIRTQ-DEV_PACKAGE_DEPENDS "virtq (= ${PROJECT_VERSION}), check, pkg-config, cmake")
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/package)
include(CPack)
