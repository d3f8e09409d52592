#include <system_error>

#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/error.hpp"

namespace imcosim::nn {

namespace {

constexpr std::string_view fashion_mnist_name = "fashion-mnist";
constexpr const char* accepted_specs =
    "expected fashion-mnist, fashion-mnist:<directory> or the path of an HDF5 image dataset";

}  // namespace

ImageDataset load_dataset(const std::string& spec, DatasetSplit split) {
  if (spec.empty()) {
    throw NnError(std::string("empty dataset name; ") + accepted_specs);
  }
  if (spec == fashion_mnist_name) {
    return read_fashion_mnist(fashion_mnist_directory, split);
  }
  if (spec.starts_with(std::string(fashion_mnist_name) + ":")) {
    const std::string directory = spec.substr(fashion_mnist_name.size() + 1);
    if (directory.empty()) {
      throw NnError("dataset '" + spec + "': no directory after 'fashion-mnist:'; " +
                    accepted_specs);
    }
    return read_fashion_mnist(directory, split);
  }
  std::error_code status;
  if (!std::filesystem::exists(spec, status)) {
    throw NnError("dataset '" + spec + "': no such file; " + accepted_specs);
  }
  return read_image_dataset(spec);
}

}  // namespace imcosim::nn
