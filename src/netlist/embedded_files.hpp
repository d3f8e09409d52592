#pragma once

#include <array>
#include <span>
#include <string_view>

namespace imcosim::netlist::detail {

struct EmbeddedFile {
  std::string_view name;  // file name without directory
  std::string_view text;  // the file's bytes
};

// Defined in the source cmake/embed_text.cmake generates; sorted by name.
std::span<const EmbeddedFile> embedded_files() noexcept;

}  // namespace imcosim::netlist::detail
