#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imcosim::tpu::detail {

std::string_view trim(std::string_view text) noexcept;
std::string to_lower(std::string_view text);
std::vector<std::string_view> split(std::string_view text, char separator);
std::vector<std::string_view> split_lines(std::string_view text);

// Parses a whole decimal integer (surrounding blanks allowed); false if the text is anything else.
bool parse_integer(std::string_view text, std::int64_t& value) noexcept;

// "FILE:LINE: " for error messages.
std::string location(std::string_view source_name, std::size_t line_number);

// The whole file; throws TpuError (bad input) naming the file if it cannot be read.
std::string read_text_file(const std::string& path);

}  // namespace imcosim::tpu::detail
