# cmake -DSIGV4KIT_SOURCE_DIR=... -DWORK_DIR=... -DCXX=... -P check_consumers.cmake
# Builds and runs the three ways users take sigv4kit in.
set(here ${CMAKE_CURRENT_LIST_DIR})
file(REMOVE_RECURSE ${WORK_DIR})

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

# 1. Install, then find_package.
run(${CMAKE_COMMAND} -S ${SIGV4KIT_SOURCE_DIR} -B ${WORK_DIR}/lib -DCMAKE_CXX_COMPILER=${CXX}
    -DSIGV4KIT_BUILD_TESTS=OFF -DSIGV4KIT_BUILD_TOOLS=OFF -DSIGV4KIT_BUILD_BENCHMARKS=OFF
    -DSIGV4KIT_INSTALL=ON -DCMAKE_INSTALL_PREFIX=${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --install ${WORK_DIR}/lib)
if(NOT EXISTS ${WORK_DIR}/prefix/include/sigv4kit/sigv4kit.hpp)
  message(FATAL_ERROR "install did not place include/sigv4kit/sigv4kit.hpp")
endif()
file(GLOB pc ${WORK_DIR}/prefix/share/pkgconfig/sigv4kit.pc)
if(NOT pc)
  message(FATAL_ERROR "install did not place share/pkgconfig/sigv4kit.pc")
endif()
file(READ ${pc} pc_text)
if(NOT pc_text MATCHES "prefix=${WORK_DIR}/prefix\n" OR NOT pc_text MATCHES "includedir=\\\${prefix}/include")
  message(FATAL_ERROR "sigv4kit.pc has a wrong includedir:\n${pc_text}")
endif()
run(${CMAKE_COMMAND} -S ${here}/find_package -B ${WORK_DIR}/find_package -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/find_package)
run(${WORK_DIR}/find_package/consumer)

# 2. add_subdirectory.
run(${CMAKE_COMMAND} -S ${here}/add_subdirectory -B ${WORK_DIR}/add_subdirectory -DCMAKE_CXX_COMPILER=${CXX}
    -DSIGV4KIT_SOURCE_DIR=${SIGV4KIT_SOURCE_DIR})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/add_subdirectory)
run(${WORK_DIR}/add_subdirectory/consumer)

# 3. The single header alone, copied out of the tree.
file(COPY ${SIGV4KIT_SOURCE_DIR}/single_include/sigv4kit/sigv4kit.hpp DESTINATION ${WORK_DIR}/only-header/sigv4kit)
run(${CMAKE_COMMAND} -S ${here}/single_header -B ${WORK_DIR}/single_header -DCMAKE_CXX_COMPILER=${CXX}
    -DSINGLE_INCLUDE_DIR=${WORK_DIR}/only-header)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/single_header)
run(${WORK_DIR}/single_header/consumer)
message(STATUS "all three consumers built and signed correctly")
