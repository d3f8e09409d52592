// bench_cosim: co-simulation images/s of the TPU-only and TPU-IMAC paths on LeNet-5 (random
// weights: throughput does not depend on them), Fashion-MNIST test images, against the float
// software forward of the same model measured in the same run; and where the time goes (TPU
// model, IMAC fast path, I/O).
//
//   bench_cosim [--images 2000]
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include "imcosim/cosim/config.hpp"
#include "imcosim/cosim/cosimulation.hpp"
#include "imcosim/cosim/result_file.hpp"
#include "imcosim/imac/deck.hpp"
#include "imcosim/imac/fast_evaluation.hpp"
#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/evaluation.hpp"
#include "imcosim/nn/imac_circuit.hpp"
#include "imcosim/nn/model_file.hpp"

namespace {

using namespace imcosim;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// LeNet-5 in float and on the reference IMAC circuit with the high-gain amplifiers, as the
// trainer writes them.
void write_models(const std::filesystem::path& directory, spice::WorkerPool& pool,
                  const std::filesystem::path& cache) {
  nn::HybridNetwork network(nn::reference_architecture("lenet5"));
  network.model().initialise(3);
  nn::write_model_file(directory / "float.h5", nn::ModelFile(network));
  network.quantise(
      nn::read_fashion_mnist(nn::fashion_mnist_directory, nn::DatasetSplit::train).subset(0, 256),
      256);
  imac::ImacParameters parameters;
  parameters.amp_gains = {30.0, 300.0, 300.0};
  parameters.wire_model = imac::WireModel::ideal;
  auto table = imac::characterise_neuron(pool, imac::neuron_circuit(parameters),
                                         imac::neuron_grid_for(parameters), cache);
  network.attach_imac(std::make_shared<const nn::ImacCircuit>(
                          parameters, std::move(table), std::vector<Eigen::Index>{400, 120, 84, 10},
                          imac::WeightEncoding::ternary),
                      nn::DacParameters{});
  nn::ModelFile model(network);
  model.imac_encoding = imac::WeightEncoding::ternary;
  model.dac = network.dac();
  model.settings["imac_config"] = "amp_gains = 30,300,300\n";
  nn::write_model_file(directory / "imac.h5", model);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t images = 2000;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--images" && i + 1 < argc) {
      images = static_cast<std::size_t>(std::strtoul(argv[++i], nullptr, 10));
    } else {
      std::cout << "usage: bench_cosim [--images 2000]\n"
                   "TPU-only and TPU-IMAC images/s of LeNet-5 against its float forward.\n";
      return word == "--help" || word == "-h" ? 0 : 2;
    }
  }
  const auto directory = std::filesystem::temp_directory_path() / "imcosim-bench-cosim";
  std::filesystem::create_directories(directory);
  spice::WorkerPool pool({.worker_count = 1});
  write_models(directory, pool, directory / "cache");
  {
    std::ofstream config(directory / "cosim.ini");
    config << "[cosim]\ntest_images = " << images
           << "\n[tpu_only]\nmodel = float.h5\ncalibration_images = 256\n"
              "[tpu_imac]\nmodel = imac.h5\n";
  }
  // 1. The baseline: the float forward of the same model over the same images.
  const auto dataset =
      nn::read_fashion_mnist(nn::fashion_mnist_directory, nn::DatasetSplit::test).subset(0, images);
  const auto model = nn::read_model_file(directory / "float.h5");
  auto start = Clock::now();
  (void)nn::predict(model.network, dataset);
  const double float_s = seconds_since(start);
  // 2. The co-simulation, then its files.
  start = Clock::now();
  const auto config = cosim::read_cosim_config(directory / "cosim.ini");
  const auto result = cosim::run_cosimulation(config, {&pool, directory / "cache", {}});
  const double run_s = seconds_since(start);
  start = Clock::now();
  cosim::write_results(directory / "out", result, config,
                       {cosim::canonical_text(config), "", "bench"});
  const double write_s = seconds_since(start);
  const double other_s = run_s - result.tpu_only_seconds - result.tpu_imac_tpu_seconds -
                         result.imac_seconds - result.spice_seconds;

  const auto rate = [&](double seconds) { return static_cast<double>(images) / seconds; };
  std::cout << std::setprecision(3) << "bench_cosim: LeNet-5, " << images
            << " Fashion-MNIST test images, 32x32 os array\n"
            << "  float forward (baseline)       " << rate(float_s) << " images/s\n"
            << "  TPU-only on the TPU model      " << rate(result.tpu_only_seconds) << " images/s, "
            << float_s / result.tpu_only_seconds << "x the float forward\n"
            << "  TPU-IMAC: conv layers on the TPU model " << rate(result.tpu_imac_tpu_seconds)
            << " images/s; IMAC fast path (geometry wires) " << rate(result.imac_seconds)
            << " images/s; both " << float_s / (result.tpu_imac_tpu_seconds + result.imac_seconds)
            << "x the float forward\n"
            << "  everything else (loading, quantising, the ideal-wire and float accuracies, "
               "neuron table)  "
            << other_s << " s\n"
            << "  writing the results            " << write_s << " s\n"
            << "  whole run                      " << rate(run_s + write_s) << " images/s, "
            << float_s / (run_s + write_s) << "x the float forward\n";
  std::filesystem::remove_all(directory);
  return 0;
}
