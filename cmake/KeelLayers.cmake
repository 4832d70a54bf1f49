# Helpers that turn the directory layout into targets (see the top-level CMakeLists.txt).
set(KEEL_LAYERS "" CACHE INTERNAL "layers in dependency order")

# keel_layer(<name> [DEPENDS targets...]): static library keel_<name> from keel/<name>/*.cpp,
# test sources excluded. The include root is the repository root: #include "keel/core/x.hpp".
function(keel_layer name)
  cmake_parse_arguments(ARG "" "" "DEPENDS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/keel/${name}/*.cpp)
  list(FILTER srcs EXCLUDE REGEX "_test\\.cpp$")
  list(FILTER srcs EXCLUDE REGEX "/main\\.cpp$")
  add_library(keel_${name} STATIC ${srcs} ${CMAKE_SOURCE_DIR}/cmake/empty.cpp)
  target_include_directories(keel_${name} PUBLIC ${CMAKE_SOURCE_DIR})
  target_link_libraries(keel_${name} PUBLIC ${ARG_DEPENDS} Threads::Threads)
  set(KEEL_LAYERS ${KEEL_LAYERS} ${name} CACHE INTERNAL "layers in dependency order")
endfunction()

function(keel_testkit)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/keel/testkit/*.cpp)
  list(FILTER srcs EXCLUDE REGEX "_test\\.cpp$")
  add_library(keel_testkit STATIC ${srcs} ${CMAKE_SOURCE_DIR}/cmake/empty.cpp)
  target_include_directories(keel_testkit PUBLIC ${CMAKE_SOURCE_DIR})
  target_link_libraries(keel_testkit PUBLIC keel_data)
  target_compile_definitions(keel_testkit PUBLIC KEEL_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
endfunction()

# One executable per test file, named test_<layer>_<file>, so one file's failure to build or
# run stays its own. Files named *_slow_test.cpp carry the "slow" label and stay out of the
# default `make test` run.
function(keel_add_test src layer lib)
  find_package(GTest REQUIRED)
  find_package(rapidcheck CONFIG REQUIRED)
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "_test$" "" short ${name})
  set(target test_${layer}_${short})
  add_executable(${target} ${src})
  target_link_libraries(${target} PRIVATE ${lib} keel_testkit GTest::gtest GTest::gtest_main
                        GTest::gmock rapidcheck)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${target} COMMAND ${target})
  if(name MATCHES "_slow_test$")
    set_tests_properties(${target} PROPERTIES LABELS "slow;${layer}")
  else()
    set_tests_properties(${target} PROPERTIES LABELS "fast;${layer}")
  endif()
  # A fixed rapidcheck seed keeps `make test` deterministic; run a test binary by hand with
  # RC_PARAMS="max_success=10000" (random seed) to explore further.
  set_tests_properties(${target} PROPERTIES ENVIRONMENT "KEEL_SOURCE_DIR=${CMAKE_SOURCE_DIR};RC_PARAMS=seed=20261122")
endfunction()

function(keel_layer_tests layer)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/keel/${layer}/*_test.cpp)
  foreach(src IN LISTS tests)
    keel_add_test(${src} ${layer} keel_${layer})
  endforeach()
endfunction()
