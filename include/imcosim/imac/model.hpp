#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <string>
#include <vector>

namespace imcosim::io::hdf5 {
class File;
}

namespace imcosim::imac {

// How trained weights become device conductances (see docs/imac.md).
enum class WeightEncoding {
  binary,   // every weight and bias is -1 or +1
  ternary,  // every weight and bias is -1, 0 or +1
  k_level,  // weights in [-1, 1], quantised to `levels` equally spaced values
};

// One fully-connected layer: y = W x + b, W is n_out x n_in.
struct DenseLayer {
  Eigen::MatrixXd weight;
  Eigen::VectorXd bias;
};

// A trained fully-connected network, as read from a model file. Valid once constructed: the
// layers chain (n_in of layer l+1 = n_out of layer l) and every value fits the encoding.
class ImacModel {
 public:
  // `where` names the origin (file) for error messages; throws ImacError.
  ImacModel(std::vector<DenseLayer> layers, WeightEncoding encoding, int levels,
            const std::string& where);

  [[nodiscard]] const std::vector<DenseLayer>& layers() const noexcept { return layers_; }
  [[nodiscard]] WeightEncoding encoding() const noexcept { return encoding_; }
  [[nodiscard]] int levels() const noexcept { return levels_; }  // 2, 3 or k
  [[nodiscard]] Eigen::Index input_count() const { return layers_.front().weight.cols(); }
  [[nodiscard]] Eigen::Index output_count() const { return layers_.back().weight.rows(); }

 private:
  std::vector<DenseLayer> layers_;
  WeightEncoding encoding_;
  int levels_;
};

const char* encoding_name(WeightEncoding encoding);

// Reads /layers/<l>/weight [n_out][n_in] and /layers/<l>/bias [n_out] (l = 0, 1, ...) and the
// root attributes `encoding` ("binary", "ternary" or "k-level") and, for k-level, `levels`.
// Throws ImacError or io::IoError naming the file and the dataset.
ImacModel read_model(const std::filesystem::path& path);

// Writes a model file in the same format (used by tests, examples and the demo).
void write_model(const std::filesystem::path& path, const ImacModel& model);
// Writes the same objects (attributes encoding and levels, /layers) into an open file's root,
// for files that carry an IMAC model beside other contents (CNN model files).
void write_model_into(io::hdf5::File& file, const ImacModel& model);

}  // namespace imcosim::imac
