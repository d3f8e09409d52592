#include "imcosim/netlist/library.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "imcosim/netlist/error.hpp"

namespace imcosim::netlist {
namespace {

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

// Every shipped file on disk, by name.
std::vector<std::filesystem::path> shipped_files() {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path source(IMCOSIM_SOURCE_DIR);
  for (const auto& [folder, extension] :
       {std::pair{"netlists", ".sub"}, std::pair{"device_models", ".lib"}}) {
    for (const auto& entry : std::filesystem::directory_iterator(source / folder)) {
      if (entry.path().extension() == extension) {
        files.push_back(entry.path());
      }
    }
  }
  return files;
}

TEST(Library, HoldsTheBytesOfEveryShippedFile) {
  const auto files = shipped_files();
  ASSERT_EQ(library_file_names().size(), files.size());
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    EXPECT_EQ(library_text(name), file_bytes(path)) << name;
  }
}

TEST(Library, NamesTheNeuronAndModelFilesInOrder) {
  const auto names = library_file_names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const char* expected :
       {"imac_neuron_mtj.sub", "imac_neuron_behavioural.sub", "imcosim_cmos.lib"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
}

TEST(Library, UnknownNameThrowsNamingTheKnownFiles) {
  try {
    (void)library_text("no_such_neuron.sub");
    FAIL() << "no exception";
  } catch (const NetlistError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("no_such_neuron.sub"), std::string::npos) << message;
    EXPECT_NE(message.find("imac_neuron_mtj.sub"), std::string::npos) << message;
    EXPECT_NE(message.find("imcosim_cmos.lib"), std::string::npos) << message;
    EXPECT_EQ(error.kind(), ErrorKind::bad_input);
  }
}

}  // namespace
}  // namespace imcosim::netlist
