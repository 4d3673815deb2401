# The implementations of this tree behind the device interface.  Read last by
# the top level, once the harnesses (fuzz/, conformance/) have defined what
# virtq_add_device() builds.
virtq_add_device(core ADAPTER ${VIRTQ_DUT_DIR}/adapters/core.c LIBRARIES virtq_instrumented
  DESCRIPTION "virtq core (virtq_instrumented: the sources of libvirtq with the access-log seam)"
  FUZZ rings ops notify race)
virtq_install_program(conformance_core) # the reference column beside a user's device

# The core's planted-bug twins and the self-tests that must flag them.
include(${VIRTQ_PLANTED_DIR}/selftests.cmake)

# Linux's vringh, when the interop could build it: judged with the spec's latitude.
if(VIRTQ_LINUX_OK)
  virtq_add_device(vringh ADAPTER ${VIRTQ_DUT_DIR}/adapters/vringh.c
    LIBRARIES virtq_vringh_device virtq
    DESCRIPTION "Linux 6.1 drivers/vhost/vringh.c (user flavour), built in user space"
    FUZZ rings ops notify)
  if(BUILD_TESTING)
    add_test(NAME conformance.vringh
      COMMAND ${VQC_RUNNER_DIR}/virtq-conformance --impl core --impl vringh
              --out ${VQC_RUNNER_DIR}/out/core-vringh --quiet
              --expect ${PROJECT_SOURCE_DIR}/conformance/peers.tsv)
    set_tests_properties(conformance.vringh PROPERTIES LABELS "conformance;interop" TIMEOUT 900)
  endif()
endif()
