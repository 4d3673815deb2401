# Install rules: the library, its public headers, a pkg-config file and a
# CMake package so that users can find_package(virtq).
include(CMakePackageConfigHelpers)

install(TARGETS virtq EXPORT virtqTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  PUBLIC_HEADER DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/virtq COMPONENT dev)

set(VIRTQ_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/virtq)
install(EXPORT virtqTargets NAMESPACE virtq:: DESTINATION ${VIRTQ_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/virtqConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/virtqConfig.cmake INSTALL_DESTINATION ${VIRTQ_CMAKE_DIR}
  PATH_VARS VIRTQ_HARNESS_DATADIR CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/virtqConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/virtqConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/virtqConfigVersion.cmake DESTINATION ${VIRTQ_CMAKE_DIR} COMPONENT dev)

# Relocatable: the prefix is found from the .pc file's own location, so a
# `cmake --install --prefix` anywhere yields a working file.
file(RELATIVE_PATH VIRTQ_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
configure_file(${CMAKE_CURRENT_LIST_DIR}/virtq.pc.in ${CMAKE_CURRENT_BINARY_DIR}/virtq.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/virtq.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
