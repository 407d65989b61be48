# check.cmake - build one layer case (tests/layers/CMakeLists.txt) and
# check the outcome: BUILDS=yes must build; BUILDS=no must fail because
# HEADER is not found (any other failure is a broken test, not a pass).
execute_process(
  COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET}
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE out)
if(BUILDS STREQUAL "yes")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${TARGET} should build but did not:\n${out}")
  endif()
else()
  if(rc EQUAL 0)
    message(FATAL_ERROR "${TARGET} built: its layer may include ${HEADER}")
  endif()
  string(FIND "${out}" "${HEADER}: No such file" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${TARGET} failed, but not for want of ${HEADER}:\n${out}")
  endif()
endif()
