# Every external dependency is found here, once, and exposed as an imported target.
find_package(PkgConfig REQUIRED)
pkg_check_modules(NGSPICE REQUIRED IMPORTED_TARGET ngspice)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(HDF5 REQUIRED COMPONENTS C)
# What linking libhdf5 takes, without HDF5::HDF5's compile settings (no public header includes
# hdf5.h): exported with the library, so that the installed package needs no FindHDF5, which
# wants the C language in every project that uses imcosim.
add_library(imcosim_hdf5_link INTERFACE)
target_link_libraries(imcosim_hdf5_link INTERFACE ${HDF5_C_LIBRARIES})
find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS CXX)
# SuiteSparse 5 (Debian 12) ships no CMake or pkg-config files for CHOLMOD.
find_path(CHOLMOD_INCLUDE_DIR cholmod.h PATH_SUFFIXES suitesparse REQUIRED)
find_library(CHOLMOD_LIBRARY cholmod REQUIRED)
add_library(imcosim_cholmod INTERFACE)
target_include_directories(imcosim_cholmod SYSTEM INTERFACE ${CHOLMOD_INCLUDE_DIR})
target_link_libraries(imcosim_cholmod INTERFACE ${CHOLMOD_LIBRARY})
# MPI is optional: campaigns split over the ranks of mpirun or srun (docs/campaign.md). Without it
# every command works as before, and a run under an MPI launcher is refused.
find_package(MPI COMPONENTS CXX)
if(MPI_CXX_FOUND)
  option(IMCOSIM_MPI "Run campaigns over MPI ranks (Open MPI)" ON)
else()
  option(IMCOSIM_MPI "Run campaigns over MPI ranks (Open MPI)" OFF)
  message(STATUS "imcosim: MPI not found (libopenmpi-dev): campaigns run in one process")
endif()
if(IMCOSIM_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
# Debian's python3: the interpreter that the tests write problem files and run pytest with, and
# the one the bindings are built for, so that the module they import is the one built here.
find_program(IMCOSIM_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
if(IMCOSIM_PYTHON_BINDINGS)
  set(PYBIND11_FINDPYTHON ON)
  set(Python_EXECUTABLE ${IMCOSIM_PYTHON})
  find_package(pybind11 CONFIG REQUIRED)
endif()
