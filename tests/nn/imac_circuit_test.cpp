// The differentiable IMAC circuit: its forward against imac::FastEvaluator on the same network
// with ideal wires and, after refresh_wires, with geometry wires; its backward against central
// finite differences (both wire models); its input checks, and its speed on the reference
// 400-120-84-10 network.
#include "imcosim/nn/imac_circuit.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <limits>
#include <random>
#include <thread>

#include "imac/imac_test_support.hpp"
#include "imcosim/imac/deck.hpp"
#include "imcosim/imac/fast_evaluation.hpp"
#include "imcosim/nn/error.hpp"

namespace imcosim::nn {
namespace {

constexpr double agreement_tolerance_volt = 1e-6;

imac::ImacParameters ideal_parameters(int xbar_size) {
  imac::ImacParameters parameters;
  parameters.xbar_rows = xbar_size;
  parameters.xbar_cols = xbar_size;
  parameters.wire_model = imac::WireModel::ideal;
  return parameters;
}

// The MTJ neuron characterised once per build tree (shared with the imac tests' cache).
const imac::NeuronTable& mtj_table() {
  static const imac::NeuronTable table = [] {
    const auto parameters = ideal_parameters(8);
    spice::WorkerPool pool({.worker_count = 1});
    return imac::characterise_neuron(pool, imac::neuron_circuit(parameters),
                                     imac::neuron_grid_for(parameters),
                                     testing::shared_neuron_cache());
  }();
  return table;
}

int model_levels(imac::WeightEncoding encoding) {
  return encoding == imac::WeightEncoding::k_level ? 5 : 0;
}

ImacCircuit make_circuit(const std::vector<Eigen::Index>& sizes, imac::WeightEncoding encoding,
                         int xbar_size) {
  return {ideal_parameters(xbar_size), mtj_table(), sizes, encoding, model_levels(encoding)};
}

struct AgreementCase {
  std::string name;
  std::vector<Eigen::Index> sizes;
  imac::WeightEncoding encoding;
  int xbar_size;
};

void PrintTo(const AgreementCase& c, std::ostream* os) { *os << c.name; }

class AgreesWithFastPath : public ::testing::TestWithParam<AgreementCase> {};

TEST_P(AgreesWithFastPath, OnEveryOutput) {
  const AgreementCase& c = GetParam();
  const auto model = testing::random_model(c.sizes, c.encoding, 17);
  const Eigen::MatrixXd inputs = testing::random_inputs(40, c.sizes.front(), 23);
  const imac::ImacNetwork network(model, ideal_parameters(c.xbar_size));
  const imac::FastEvaluator fast(network, mtj_table());
  const auto reference = fast.evaluate(inputs);

  const ImacCircuit circuit = make_circuit(c.sizes, c.encoding, c.xbar_size);
  ImacTape tape;
  const Eigen::MatrixXd outputs = circuit.forward(model.layers(), inputs, tape);
  ASSERT_EQ(outputs.rows(), inputs.rows());
  ASSERT_EQ(outputs.cols(), c.sizes.back());
  const double difference = (outputs - reference.outputs_volt).cwiseAbs().maxCoeff();
  std::cout << c.name << ": max |V - V_fast| = " << difference << " V\n";
  EXPECT_LE(difference, agreement_tolerance_volt);
  EXPECT_GT(outputs.maxCoeff() - outputs.minCoeff(), 0.1) << "outputs span too little";

  // Both amplifier states occur, and both partition layouts, or the agreement proves less.
  Eigen::Index saturated = 0;
  Eigen::Index total = 0;
  for (std::size_t l = 0; l < network.layers().size(); ++l) {
    saturated += tape.amplifier_count(l).saturated;
    total += tape.amplifier_count(l).total;
  }
  EXPECT_GT(saturated, 0);
  EXPECT_LT(saturated, total);

  // On binary and ternary values the continuous map is device_pair itself (k-level values are
  // quantised by device_pair, not by the continuous map).
  if (c.encoding != imac::WeightEncoding::k_level) {
    ImacTape continuous_tape;
    const Eigen::MatrixXd continuous =
        circuit.forward_continuous(model.layers(), inputs, continuous_tape);
    EXPECT_LE((continuous - outputs).cwiseAbs().maxCoeff(), 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Networks, AgreesWithFastPath,
    ::testing::Values(
        // 17 and 9 rows on 8-row tiles: both layers summed (h = 3, 2).
        AgreementCase{"ternary_16_8_4", {16, 8, 4}, imac::WeightEncoding::ternary, 8},
        // h = 3, 2, 1: a boundary into a single-partition layer, the last layer unsummed.
        AgreementCase{"ternary_16_12_7_4", {16, 12, 7, 4}, imac::WeightEncoding::ternary, 8},
        AgreementCase{"binary_16_8_4", {16, 8, 4}, imac::WeightEncoding::binary, 8},
        AgreementCase{"k_level_16_7_4", {16, 7, 4}, imac::WeightEncoding::k_level, 8}),
    [](const auto& test_info) { return test_info.param.name; });

// Continuous weights drawn away from the kink at 0 and from the ends of [-1, 1].
std::vector<imac::DenseLayer> continuous_layers(const std::vector<Eigen::Index>& sizes,
                                                unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<double> magnitude(0.1, 0.9);
  std::bernoulli_distribution negative(0.5);
  const auto draw = [&] { return (negative(generator) ? -1.0 : 1.0) * magnitude(generator); };
  std::vector<imac::DenseLayer> layers;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    layers.push_back({Eigen::MatrixXd::NullaryExpr(sizes[l + 1], sizes[l], draw),
                      Eigen::VectorXd::NullaryExpr(sizes[l + 1], draw)});
  }
  return layers;
}

// Central differences of L = sum(c . outputs) against backward, relative to max(|exact|, floor).
struct GradientCheck {
  const ImacCircuit& circuit;
  Eigen::MatrixXd inputs;
  std::vector<imac::DenseLayer> layers;
  Eigen::MatrixXd output_weights;

  [[nodiscard]] double loss(const std::vector<imac::DenseLayer>& l,
                            const Eigen::MatrixXd& x) const {
    ImacTape tape;
    return circuit.forward_continuous(l, x, tape).cwiseProduct(output_weights).sum();
  }

  // Returns the largest relative error over every input and weight.
  [[nodiscard]] double worst_relative_error(double step) const {
    ImacTape tape;
    (void)circuit.forward_continuous(layers, inputs, tape);
    const ImacGradients exact = circuit.backward(tape, output_weights);
    double worst = 0.0;
    const auto compare = [&](double analytic, double numeric, double floor) {
      worst = std::max(worst, std::abs(analytic - numeric) / std::max(std::abs(analytic), floor));
    };
    const double input_floor = 1e-2 * exact.d_inputs.cwiseAbs().maxCoeff();

    for (Eigen::Index k = 0; k < inputs.rows(); ++k) {
      for (Eigen::Index i = 0; i < inputs.cols(); ++i) {
        Eigen::MatrixXd up = inputs;
        Eigen::MatrixXd down = inputs;
        up(k, i) += step;
        down(k, i) -= step;
        compare(exact.d_inputs(k, i), (loss(layers, up) - loss(layers, down)) / (2.0 * step),
                input_floor);
      }
    }
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const double floor = 1e-2 * std::max(exact.d_layers[l].weight.cwiseAbs().maxCoeff(),
                                           exact.d_layers[l].bias.cwiseAbs().maxCoeff());
      const Eigen::Index rows = layers[l].weight.rows();
      for (Eigen::Index j = 0; j < rows; ++j) {
        for (Eigen::Index i = 0; i <= layers[l].weight.cols(); ++i) {
          const bool bias = i == layers[l].weight.cols();
          auto up = layers;
          auto down = layers;
          (bias ? up[l].bias(j) : up[l].weight(j, i)) += step;
          (bias ? down[l].bias(j) : down[l].weight(j, i)) -= step;
          const double numeric = (loss(up, inputs) - loss(down, inputs)) / (2.0 * step);
          compare(bias ? exact.d_layers[l].bias(j) : exact.d_layers[l].weight(j, i), numeric,
                  floor);
        }
      }
    }
    return worst;
  }
};

TEST(ImacCircuitBackward, MatchesFiniteDifferences) {
  for (const auto encoding : {imac::WeightEncoding::ternary, imac::WeightEncoding::k_level}) {
    for (const auto& sizes :
         {std::vector<Eigen::Index>{16, 4}, std::vector<Eigen::Index>{16, 12, 7, 4}}) {
      const ImacCircuit circuit = make_circuit(sizes, encoding, 8);
      const GradientCheck check{circuit, testing::random_inputs(3, sizes.front(), 5),
                                continuous_layers(sizes, 11),
                                testing::random_inputs(3, sizes.back(), 7).array() - 0.4};
      const double worst = check.worst_relative_error(1e-4);
      std::cout << imac::encoding_name(encoding) << ": worst relative gradient error " << worst
                << "\n";
      // Measured 7e-7 (one layer) to 4e-5 (three layers) at this step, falling as 1/step from
      // 1e-5 to 1e-4 (finite-difference noise of the nested root solves), so the bound is 1e-4.
      EXPECT_LE(worst, 1e-4);
    }
  }
}

imac::ImacParameters geometry_parameters(int xbar_size) {
  auto parameters = ideal_parameters(xbar_size);
  parameters.wire_model = imac::WireModel::geometry;
  return parameters;
}

class WiresAgreeWithFastPath : public ::testing::TestWithParam<AgreementCase> {};

// Right after a refresh on the same weights the wire-aware circuit is the fast path's circuit
// with geometry wires; the ideal-wire circuit is not (or the agreement proves nothing).
TEST_P(WiresAgreeWithFastPath, OnEveryOutput) {
  const AgreementCase& c = GetParam();
  const auto model = testing::random_model(c.sizes, c.encoding, 17);
  const Eigen::MatrixXd inputs = testing::random_inputs(40, c.sizes.front(), 23);
  const imac::FastEvaluator fast(imac::ImacNetwork(model, geometry_parameters(c.xbar_size)),
                                 mtj_table());
  const auto reference = fast.evaluate(inputs);

  ImacCircuit circuit(geometry_parameters(c.xbar_size), mtj_table(), c.sizes, c.encoding,
                      model_levels(c.encoding));
  ImacTape tape;
  // A forward after a refresh on other weights is kept by the circuit; the refresh on the
  // weights themselves must replace it.
  circuit.refresh_wires(testing::random_model(c.sizes, c.encoding, 41).layers());
  (void)circuit.forward(model.layers(), inputs, tape);
  circuit.refresh_wires(model.layers());
  const Eigen::MatrixXd outputs = circuit.forward(model.layers(), inputs, tape);
  const double difference = (outputs - reference.outputs_volt).cwiseAbs().maxCoeff();
  ImacTape ideal_tape;
  const double wire_effect =
      (make_circuit(c.sizes, c.encoding, c.xbar_size).forward(model.layers(), inputs, ideal_tape) -
       reference.outputs_volt)
          .cwiseAbs()
          .maxCoeff();
  std::cout << c.name << " (geometry wires): max |V - V_fast| = " << difference
            << " V; ideal-wire circuit off by " << wire_effect << " V\n";
  EXPECT_LE(difference, agreement_tolerance_volt);
  EXPECT_GT(wire_effect, 1e3 * agreement_tolerance_volt);
  Eigen::Index saturated = 0;
  Eigen::Index total = 0;
  for (std::size_t l = 0; l + 1 < c.sizes.size(); ++l) {
    saturated += tape.amplifier_count(l).saturated;
    total += tape.amplifier_count(l).total;
  }
  EXPECT_GT(saturated, 0);
  EXPECT_LT(saturated, total);
}

INSTANTIATE_TEST_SUITE_P(
    Networks, WiresAgreeWithFastPath,
    ::testing::Values(
        AgreementCase{"ternary_16_8_4", {16, 8, 4}, imac::WeightEncoding::ternary, 8},
        AgreementCase{"ternary_16_12_7_4", {16, 12, 7, 4}, imac::WeightEncoding::ternary, 8},
        // 20 neurons on 8-column tiles: three vertical partitions per layer.
        AgreementCase{"binary_16_20_4", {16, 20, 4}, imac::WeightEncoding::binary, 8}),
    [](const auto& test_info) { return test_info.param.name; });

// With the wire correction held (refreshed on quantised weights), backward is the exact
// derivative of the forward on continuous weights: inputs and weights against central
// differences.
TEST(ImacCircuitBackward, MatchesFiniteDifferencesWithWires) {
  for (const auto& sizes :
       {std::vector<Eigen::Index>{16, 4}, std::vector<Eigen::Index>{16, 12, 7, 4}}) {
    ImacCircuit circuit(geometry_parameters(8), mtj_table(), sizes, imac::WeightEncoding::ternary);
    circuit.refresh_wires(testing::random_model(sizes, imac::WeightEncoding::ternary, 13).layers());
    const GradientCheck check{circuit, testing::random_inputs(3, sizes.front(), 5),
                              continuous_layers(sizes, 11),
                              testing::random_inputs(3, sizes.back(), 7).array() - 0.4};
    const double worst = check.worst_relative_error(1e-4);
    std::cout << sizes.size() - 1 << " layers, geometry wires: worst relative gradient error "
              << worst << "\n";
    EXPECT_LE(worst, 1e-4);  // the bound of the ideal-wire check above
  }
}

TEST(ImacCircuitBackward, StraightThroughSlopesAtTheKink) {
  const ImacCircuit circuit = make_circuit({4, 2}, imac::WeightEncoding::ternary, 8);
  const imac::ImacParameters parameters = ideal_parameters(8);
  const double span = 1.0 / parameters.r_low_ohm - 1.0 / parameters.r_high_ohm;
  EXPECT_DOUBLE_EQ(circuit.device_slopes(0.0).d_g_plus, 0.5 * span);
  EXPECT_DOUBLE_EQ(circuit.device_slopes(0.0).d_g_minus, -0.5 * span);
  EXPECT_DOUBLE_EQ(circuit.device_slopes(-0.5).d_g_plus, span);
  EXPECT_DOUBLE_EQ(circuit.device_slopes(-0.5).d_g_minus, 0.0);
  for (const double w : {-1.0, 0.0, 1.0}) {
    const auto exact = imac::device_pair(w, imac::WeightEncoding::ternary, 0, parameters);
    EXPECT_DOUBLE_EQ(circuit.continuous_device_pair(w).g_plus_siemens, exact.g_plus_siemens);
    EXPECT_DOUBLE_EQ(circuit.continuous_device_pair(w).g_minus_siemens, exact.g_minus_siemens);
  }
}

TEST(ImacCircuitForward, BatchesRunInParallelOnOneCircuit) {
  const std::vector<Eigen::Index> sizes{16, 8, 4};
  const ImacCircuit circuit = make_circuit(sizes, imac::WeightEncoding::ternary, 8);
  const auto model = testing::random_model(sizes, imac::WeightEncoding::ternary, 3);
  const Eigen::MatrixXd first = testing::random_inputs(30, 16, 1);
  const Eigen::MatrixXd second = testing::random_inputs(30, 16, 2);
  ImacTape serial_tape;
  const Eigen::MatrixXd first_serial = circuit.forward(model.layers(), first, serial_tape);
  const Eigen::MatrixXd second_serial = circuit.forward(model.layers(), second, serial_tape);
  Eigen::MatrixXd first_parallel;
  Eigen::MatrixXd second_parallel;
  ImacTape first_tape;
  ImacTape second_tape;
  std::thread worker([&] { first_parallel = circuit.forward(model.layers(), first, first_tape); });
  second_parallel = circuit.forward(model.layers(), second, second_tape);
  worker.join();
  EXPECT_EQ(first_parallel, first_serial);
  EXPECT_EQ(second_parallel, second_serial);
}

void expect_nn_error(const std::function<void()>& action, const std::string& fragment) {
  try {
    action();
    ADD_FAILURE() << "no NnError, expected one mentioning '" << fragment << "'";
  } catch (const NnError& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

TEST(ImacCircuitInput, BadInputThrowsNnError) {
  const std::vector<Eigen::Index> sizes{16, 8, 4};
  auto parameters = ideal_parameters(8);
  parameters.wire_model = imac::WireModel::geometry;
  {
    const ImacCircuit wired(parameters, mtj_table(), sizes, imac::WeightEncoding::ternary);
    const auto model = testing::random_model(sizes, imac::WeightEncoding::ternary, 3);
    ImacTape tape;
    expect_nn_error(
        [&] { (void)wired.forward(model.layers(), testing::random_inputs(4, 16, 1), tape); },
        "refresh_wires");
  }
  parameters = ideal_parameters(8);
  parameters.sensing = imac::SensingScheme::tia;
  expect_nn_error(
      [&] { ImacCircuit(parameters, mtj_table(), sizes, imac::WeightEncoding::ternary); },
      "not supported");
  parameters = ideal_parameters(8);
  parameters.amp_gains = {30.0};
  expect_nn_error(
      [&] { ImacCircuit(parameters, mtj_table(), sizes, imac::WeightEncoding::ternary); },
      "amp_gains");

  const ImacCircuit circuit = make_circuit(sizes, imac::WeightEncoding::ternary, 8);
  const auto model = testing::random_model(sizes, imac::WeightEncoding::ternary, 3);
  const Eigen::MatrixXd inputs = testing::random_inputs(4, 16, 1);
  ImacTape tape;
  expect_nn_error([&] { (void)circuit.forward(model.layers(), inputs.leftCols(15), tape); },
                  "inputs must be K x 16");
  Eigen::MatrixXd nan_inputs = inputs;
  nan_inputs(2, 3) = std::numeric_limits<double>::quiet_NaN();
  expect_nn_error([&] { (void)circuit.forward(model.layers(), nan_inputs, tape); }, "non-finite");
  auto layers = model.layers();
  layers.pop_back();
  expect_nn_error([&] { (void)circuit.forward(layers, inputs, tape); }, "1 layers given");
  layers = model.layers();
  layers[1].weight.resize(4, 7);
  expect_nn_error([&] { (void)circuit.forward(layers, inputs, tape); }, "layer 1 has weight 4 x 7");
  layers = model.layers();
  layers[0].weight(2, 5) = 0.5;
  expect_nn_error([&] { (void)circuit.forward(layers, inputs, tape); }, "-1, 0 or +1");
  layers[0].weight(2, 5) = 1.5;
  expect_nn_error([&] { (void)circuit.forward_continuous(layers, inputs, tape); },
                  "within [-1, 1]");

  expect_nn_error([&] { (void)circuit.backward(ImacTape{}, Eigen::MatrixXd::Zero(4, 4)); },
                  "completed forward");
  (void)circuit.forward(model.layers(), inputs, tape);
  expect_nn_error([&] { (void)circuit.backward(tape, Eigen::MatrixXd::Zero(3, 4)); },
                  "must be 4 x 4");
}

// The reference network on 32 x 32 tiles: agreement with the fast path on a few samples, and
// the time per sample of forward and backward (one thread), printed for the record.
TEST(ImacCircuitSpeed, ReferenceNetwork) {
  const std::vector<Eigen::Index> sizes{400, 120, 84, 10};
  const auto model = testing::random_model(sizes, imac::WeightEncoding::ternary, 29);
  const ImacCircuit circuit = make_circuit(sizes, imac::WeightEncoding::ternary, 32);
  const Eigen::MatrixXd inputs = testing::random_inputs(128, sizes.front(), 31);
  ImacTape tape;
  const auto start = std::chrono::steady_clock::now();
  const Eigen::MatrixXd outputs = circuit.forward(model.layers(), inputs, tape);
  const auto forward_done = std::chrono::steady_clock::now();
  const ImacGradients gradients = circuit.backward(tape, Eigen::MatrixXd::Ones(128, 10));
  const auto backward_done = std::chrono::steady_clock::now();
  const auto per_sample_us = [&](auto from, auto to) {
    return std::chrono::duration<double, std::micro>(to - from).count() / 128.0;
  };
  std::cout << "400-120-84-10 on 32x32 tiles, 128 samples: forward "
            << per_sample_us(start, forward_done) << " us/sample, backward "
            << per_sample_us(forward_done, backward_done) << " us/sample\n";
  EXPECT_TRUE(gradients.d_inputs.allFinite());

  const Eigen::Index checked = 16;
  const imac::FastEvaluator fast(imac::ImacNetwork(model, ideal_parameters(32)), mtj_table());
  const auto reference = fast.evaluate(inputs.topRows(checked));
  const double difference =
      (outputs.topRows(checked) - reference.outputs_volt).cwiseAbs().maxCoeff();
  std::cout << "400-120-84-10: max |V - V_fast| = " << difference << " V\n";
  EXPECT_LE(difference, agreement_tolerance_volt);
}

}  // namespace
}  // namespace imcosim::nn
