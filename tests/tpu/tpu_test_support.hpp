#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "imcosim/tpu/functional.hpp"
#include "imcosim/tpu/tensor.hpp"

namespace imcosim::tpu::testing {

inline std::filesystem::path source_dir() { return IMCOSIM_SOURCE_DIR; }

// A fresh directory under the system temp dir, removed when the object goes away.
class TempDirectory {
 public:
  explicit TempDirectory(const std::string& tag) {
    std::random_device entropy;
    path_ = std::filesystem::temp_directory_path() /
            ("imcosim_tpu_" + tag + "_" + std::to_string(entropy()));
    std::filesystem::create_directories(path_);
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  ~TempDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

inline std::vector<std::int8_t> random_int8(std::size_t count, std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> distribution(-128, 127);
  std::vector<std::int8_t> values(count);
  for (auto& value : values) {
    value = static_cast<std::int8_t>(distribution(generator));
  }
  return values;
}

inline Int8Matrix random_matrix(std::size_t rows, std::size_t cols, std::uint32_t seed) {
  return {rows, cols, random_int8(rows * cols, seed)};
}

// Plain triple loop, the reference the array must match bit for bit.
inline Int32Matrix reference_gemm(const Int8Matrix& a, const Int8Matrix& b) {
  Int32Matrix c(a.rows(), b.cols());
  for (std::size_t i = 0; i < a.rows(); ++i) {
    for (std::size_t j = 0; j < b.cols(); ++j) {
      std::int64_t sum = 0;
      for (std::size_t k = 0; k < a.cols(); ++k) {
        sum += std::int64_t{a(i, k)} * std::int64_t{b(k, j)};
      }
      c(i, j) = static_cast<std::int32_t>(sum);
    }
  }
  return c;
}

// Direct convolution from the definition, with signed coordinates for the padding.
inline Int32FeatureMap reference_conv(const Int8FeatureMap& input, const FilterBank& filters,
                                      const ConvGeometry& geometry) {
  const auto pad_y = static_cast<long>(geometry.padding_height);
  const auto pad_x = static_cast<long>(geometry.padding_width);
  const long out_h =
      (static_cast<long>(input.height()) + 2 * pad_y - static_cast<long>(filters.height())) /
          static_cast<long>(geometry.stride_height) +
      1;
  const long out_w =
      (static_cast<long>(input.width()) + 2 * pad_x - static_cast<long>(filters.width())) /
          static_cast<long>(geometry.stride_width) +
      1;
  Int32FeatureMap output(static_cast<std::size_t>(out_h), static_cast<std::size_t>(out_w),
                         filters.count());
  for (long oy = 0; oy < out_h; ++oy) {
    for (long ox = 0; ox < out_w; ++ox) {
      for (std::size_t n = 0; n < filters.count(); ++n) {
        std::int64_t sum = 0;
        for (std::size_t fy = 0; fy < filters.height(); ++fy) {
          for (std::size_t fx = 0; fx < filters.width(); ++fx) {
            const long y =
                oy * static_cast<long>(geometry.stride_height) + static_cast<long>(fy) - pad_y;
            const long x =
                ox * static_cast<long>(geometry.stride_width) + static_cast<long>(fx) - pad_x;
            if (y < 0 || x < 0 || y >= static_cast<long>(input.height()) ||
                x >= static_cast<long>(input.width())) {
              continue;
            }
            for (std::size_t c = 0; c < filters.channels(); ++c) {
              sum +=
                  std::int64_t{input(static_cast<std::size_t>(y), static_cast<std::size_t>(x), c)} *
                  std::int64_t{filters(n, fy, fx, c)};
            }
          }
        }
        output(static_cast<std::size_t>(oy), static_cast<std::size_t>(ox), n) =
            static_cast<std::int32_t>(sum);
      }
    }
  }
  return output;
}

}  // namespace imcosim::tpu::testing
