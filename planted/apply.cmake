# A copy of core/src with one planted bug applied:
#   cmake -DSRC=<core/src> -DPATCH=<planted/x.patch> -DOUT=<dir> -P apply.cmake
# writes <dir>/src.  A patch that no longer applies stops the build and says
# which, so a change to core/src cannot silently disarm a self-test.  No fuzz:
# every context line must match, so a hunk cannot land beside the code it
# was written for (offsets, whole hunks moved, are fine).
file(REMOVE_RECURSE ${OUT}/src)
file(COPY ${SRC} DESTINATION ${OUT})
find_program(PATCH_TOOL patch)
if(NOT PATCH_TOOL)
  message(FATAL_ERROR "planted bugs need the patch tool (Debian package patch; ci/deps.sh installs it)")
endif()
execute_process(COMMAND ${PATCH_TOOL} -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch -d ${OUT} -i ${PATCH}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "planted bug ${PATCH} no longer applies to core/src:\n${out}${err}"
    "Refresh it against the current core/src (planted/README: how).")
endif()
file(GLOB rejects ${OUT}/src/*.rej ${OUT}/src/*.orig)
if(rejects)
  message(FATAL_ERROR "planted bug ${PATCH} left ${rejects}")
endif()
