# `cmake --install BUILD --prefix PREFIX` puts under PREFIX the static library, the public headers,
# the CLI and its HDF5 probe program, the Python package, a CMake package (find_package(imcosim
# CONFIG) and target_link_libraries(app PRIVATE imcosim::imcosim)) and a pkg-config file.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(IMCOSIM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/imcosim)
# Debian's python3 looks for packages of a prefix in lib/python3/dist-packages.
set(IMCOSIM_INSTALL_PYTHONDIR lib/python3/dist-packages
    CACHE STRING "where `cmake --install` puts the Python package imcosim, below the prefix")

install(TARGETS imcosim imcosim_cholmod imcosim_hdf5_link EXPORT imcosimTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/imcosim DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/generated/imcosim/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/imcosim)
install(TARGETS imcosim_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The HDF5 probe program (src/io/hdf5_probe.hpp), where the CLI looks for it: ../libexec/imcosim.
install(TARGETS imcosim_hdf5_probe RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/imcosim)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/python/imcosim
        DESTINATION ${IMCOSIM_INSTALL_PYTHONDIR} FILES_MATCHING PATTERN "*.py")
if(TARGET imcosim_python)
  install(TARGETS imcosim_python LIBRARY DESTINATION ${IMCOSIM_INSTALL_PYTHONDIR}/imcosim)
endif()

install(EXPORT imcosimTargets NAMESPACE imcosim:: DESTINATION ${IMCOSIM_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/imcosimConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/package/imcosimConfig.cmake
                              INSTALL_DESTINATION ${IMCOSIM_INSTALL_CMAKEDIR}
                              PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/imcosimConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/imcosimConfig.cmake
              ${PROJECT_BINARY_DIR}/package/imcosimConfigVersion.cmake
        DESTINATION ${IMCOSIM_INSTALL_CMAKEDIR})

# pkg-config: the static library's own dependencies are private (pkg-config --static).
string(JOIN " " IMCOSIM_PC_HDF5_LIBS ${HDF5_C_LIBRARIES})
set(IMCOSIM_PC_MPI_LIBS "")
if(IMCOSIM_MPI)
  string(JOIN " " IMCOSIM_PC_MPI_LIBS ${MPI_CXX_LIBRARIES})
endif()
file(RELATIVE_PATH IMCOSIM_PC_PREFIX_FROM_PCDIR /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${PROJECT_SOURCE_DIR}/cmake/imcosim.pc.in ${PROJECT_BINARY_DIR}/package/imcosim.pc
               @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/package/imcosim.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
