# The implementations of this tree behind the device interface.  Read last by
# the top level, once the harnesses (fuzz/, conformance/) have defined what
# virtq_add_device() builds.
virtq_add_device(core ADAPTER ${VIRTQ_DUT_DIR}/adapters/core.c LIBRARIES virtq_instrumented
  DESCRIPTION "virtq core (virtq_instrumented: the sources of libvirtq with the access-log seam)"
  FUZZ rings ops notify race)

# The core's planted-bug twins (core/src/plant.h): conformance runners for
# the conformance self-test, fuzz targets for the fuzz self-test.
foreach(bug ${VIRTQ_PLANTED_BUGS})
  virtq_planted(${bug} lib)
  string(TOLOWER ${bug} lower)
  virtq_add_device(planted:${lower} ADAPTER ${VIRTQ_DUT_DIR}/adapters/core.c LIBRARIES ${lib}
    DESCRIPTION "virtq core with one planted bug, ${bug} (core/src/plant.h)" PLANTED)
endforeach()
if(BUILD_TESTING)
  # Every planted bug flagged under its clause and only there; tags select clauses.
  add_test(NAME conformance.selftest
    COMMAND ${VQC_RUNNER_DIR}/virtq-conformance --selftest ${PROJECT_SOURCE_DIR}/conformance/selftest.tsv
            --out ${VQC_RUNNER_DIR}/out/selftest --jobs 2 --quiet)
  set_tests_properties(conformance.selftest PROPERTIES LABELS conformance TIMEOUT 900)
endif()

# Linux's vringh, when the interop could build it: judged with the spec's latitude.
if(VIRTQ_LINUX_OK)
  virtq_add_device(vringh ADAPTER ${VIRTQ_DUT_DIR}/adapters/vringh.c
    LIBRARIES virtq_vringh_device virtq
    DESCRIPTION "Linux 6.1 drivers/vhost/vringh.c (user flavour), built in user space"
    FUZZ rings ops notify)
  if(BUILD_TESTING)
    add_test(NAME conformance.vringh
      COMMAND ${VQC_RUNNER_DIR}/virtq-conformance --impl core --impl vringh
              --out ${VQC_RUNNER_DIR}/out/core-vringh --quiet)
    set_tests_properties(conformance.vringh PROPERTIES LABELS "conformance;interop" TIMEOUT 900)
  endif()
endif()
