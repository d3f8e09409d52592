#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "imcosim/imac/evaluation_file.hpp"
#include "imcosim/imac/model.hpp"

namespace imcosim::testing {

// A random trained network of the given layer sizes from a fixed seed: weights and biases in
// {-1, +1} (binary), {-1, 0, +1} (ternary), or uniform in [-1, 1] (k-level, 5 levels).
inline imac::ImacModel random_model(const std::vector<Eigen::Index>& sizes,
                                    imac::WeightEncoding encoding, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> pick(encoding == imac::WeightEncoding::binary ? 0 : -1, 1);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  const auto draw = [&] {
    switch (encoding) {
      case imac::WeightEncoding::binary:
        return pick(generator) == 0 ? -1.0 : 1.0;
      case imac::WeightEncoding::ternary:
        return static_cast<double>(pick(generator));
      case imac::WeightEncoding::k_level:
        return uniform(generator);
    }
    return 0.0;
  };
  std::vector<imac::DenseLayer> layers;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    imac::DenseLayer layer;
    layer.weight = Eigen::MatrixXd::NullaryExpr(sizes[l + 1], sizes[l], draw);
    layer.bias = Eigen::VectorXd::NullaryExpr(sizes[l + 1], draw);
    layers.push_back(std::move(layer));
  }
  const int levels = encoding == imac::WeightEncoding::k_level ? 5 : 0;
  return imac::ImacModel(std::move(layers), encoding, levels, "random model");
}

// K input samples of n voltages uniform in [0, 0.8] V (the neuron output range), fixed seed.
inline Eigen::MatrixXd random_inputs(Eigen::Index samples, Eigen::Index inputs, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<double> volts(0.0, 0.8);
  return Eigen::MatrixXd::NullaryExpr(samples, inputs, [&] { return volts(generator); });
}

// Where the tests share their neuron characterisations (one ngspice sweep per circuit per
// build tree, reused by every later test).
inline std::string shared_neuron_cache() { return IMCOSIM_NEURON_CACHE_DIR; }

}  // namespace imcosim::testing
