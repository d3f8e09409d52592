# Warnings and sanitizers live in interface targets so that every imcosim target opts in
# explicitly and third-party code is never compiled with them.
add_library(imcosim_warnings INTERFACE)
target_compile_options(imcosim_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
  -Wnon-virtual-dtor -Woverloaded-virtual -Wdouble-promotion -Wformat=2
  -Wimplicit-fallthrough)
# GCC 12 reports std::string concatenation at -O3 as overlapping memcpy (-Wrestrict), a false
# positive inside libstdc++ (GCC bug 105651, fixed in GCC 13).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(imcosim_warnings INTERFACE -Wno-restrict)
endif()
if(IMCOSIM_WERROR)
  target_compile_options(imcosim_warnings INTERFACE -Werror)
endif()

add_library(imcosim_sanitizers INTERFACE)
if(IMCOSIM_SANITIZE)
  target_compile_options(imcosim_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(imcosim_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
if(IMCOSIM_FUZZ)
  # Coverage for libFuzzer in everything the fuzz targets reach; the targets link the fuzzer.
  target_compile_options(imcosim_sanitizers INTERFACE -fsanitize=fuzzer-no-link)
  # The coverage counters keep clang from vectorising the `omp simd` loops, which it reports.
  target_compile_options(imcosim_warnings INTERFACE -Wno-pass-failed)
endif()
