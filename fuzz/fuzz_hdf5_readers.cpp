// Every reader of an HDF5 file a user hands imcosim, on the same bytes: crossbar problems and
// results, IMAC models, inputs and evaluations, CNN model files, image datasets and campaign
// datasets. Each open goes through the crash-isolating probe, as in the CLI.
#include <algorithm>

#include "fuzz_support.hpp"
#include "imcosim/campaign/dataset_file.hpp"
#include "imcosim/imac/evaluation_file.hpp"
#include "imcosim/imac/model.hpp"
#include "imcosim/io/crossbar_files.hpp"
#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using imcosim::fuzz::expect_typed_errors_only;
  static const imcosim::fuzz::InputFile input(".h5");
  const auto& path = input.write({data, size});
  expect_typed_errors_only("read_crossbar_problem",
                           [&] { (void)imcosim::io::read_crossbar_problem(path); });
  expect_typed_errors_only("read_crossbar_result",
                           [&] { (void)imcosim::io::read_crossbar_result(path); });
  expect_typed_errors_only("read_model", [&] { (void)imcosim::imac::read_model(path); });
  expect_typed_errors_only("read_network_inputs",
                           [&] { (void)imcosim::imac::read_network_inputs(path); });
  expect_typed_errors_only("read_evaluation", [&] { (void)imcosim::imac::read_evaluation(path); });
  expect_typed_errors_only("read_model_file", [&] { (void)imcosim::nn::read_model_file(path); });
  expect_typed_errors_only("read_image_dataset",
                           [&] { (void)imcosim::nn::read_image_dataset(path); });
  expect_typed_errors_only("read_dataset_header", [&] {
    const auto header = imcosim::campaign::read_dataset_header(path);
    const auto completed = imcosim::campaign::read_completed_samples(path);
    (void)imcosim::campaign::read_sample_block(path, header, header.range.first,
                                               std::min<std::int64_t>(completed, 4));
  });
  return 0;
}
