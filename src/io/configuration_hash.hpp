#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace imcosim::io {

// FNV-1a, 64 bits: a fingerprint of a configuration, so that a dataset or a training run is only
// ever resumed or merged with samples of the same campaign. Not cryptographic; it guards against
// mistakes.
class ConfigurationHash {
 public:
  void add(std::string_view text) {
    for (const char character : text) {
      add_byte(static_cast<unsigned char>(character));
    }
  }
  // The values of a matrix, in column-major order, as their IEEE-754 bytes.
  void add(const Eigen::MatrixXd& values) {
    for (Eigen::Index index = 0; index < values.size(); ++index) {
      std::uint64_t bits = 0;
      std::memcpy(&bits, values.data() + index, sizeof bits);
      for (int shift = 0; shift < 64; shift += 8) {
        add_byte(static_cast<unsigned char>(bits >> shift));
      }
    }
  }

  // 16 lower-case hexadecimal digits.
  [[nodiscard]] std::string hex() const {
    constexpr std::string_view digits = "0123456789abcdef";
    std::string text(16, '0');
    for (std::size_t position = 0; position < 16; ++position) {
      text[15 - position] = digits[(state_ >> (4 * position)) & 0xFU];
    }
    return text;
  }

 private:
  void add_byte(unsigned char byte) {
    state_ ^= byte;
    state_ *= 0x100000001B3ULL;
  }

  std::uint64_t state_ = 0xCBF29CE484222325ULL;
};

}  // namespace imcosim::io
