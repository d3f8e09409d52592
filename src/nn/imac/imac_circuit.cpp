#include "imcosim/nn/imac_circuit.hpp"

#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>

#include "imcosim/imac/error.hpp"
#include "imcosim/imac/fast_evaluation.hpp"
#include "imcosim/nn/error.hpp"

namespace imcosim::nn {

namespace {

// The fast path's boundary Newton iteration (src/imac/fast_evaluation.cpp): open-circuit start,
// steps scaled to at most 0.1 V, stop once the largest step is below its tolerance.
constexpr int max_newton_iterations = 100;
constexpr double max_newton_step_volt = 0.1;

using StateArray = Eigen::Array<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic>;

// One layer's circuit, fixed by the sizes and parameters (not by the weights).
struct LayerPlan {
  Eigen::Index input_count = 0;
  Eigen::Index neuron_count = 0;
  std::vector<imac::Span> row_partitions;  // the bias row is row input_count, in the last one
  bool swapped = false;                    // h > 1: line a is the "-" line, a summer follows
  double g_line_siemens = 0.0;             // 1 / (r_in + r_f): each line's amplifier load
  double kappa_beta = 0.0;                 // linear amplifier: V_o = kappa beta (V_a - V_b)
  // h > 1: the inverting summer (inputs r_sum, feedback r_sum / h, open-loop gain A) sets
  // v_in = summer_gain sum_p V_o,p while linear, summer_gain = -(1/r_sum) / (1/r_fb + g_total/A)
  // with g_total = h / r_sum + 1 / r_fb its junction's conductance.
  double summer_gain = 0.0;

  [[nodiscard]] Eigen::Index partitions() const {
    return static_cast<Eigen::Index>(row_partitions.size());
  }
  [[nodiscard]] Eigen::Index line_a(Eigen::Index n) const { return 2 * n + (swapped ? 1 : 0); }
  [[nodiscard]] Eigen::Index line_b(Eigen::Index n) const { return 2 * n + (swapped ? 0 : 1); }
  // Rows of partition p that are layer inputs (the bias row is not an unknown of a boundary).
  [[nodiscard]] Eigen::Index input_rows(Eigen::Index p) const {
    const auto& span = row_partitions[static_cast<std::size_t>(p)];
    return std::min(span.first + span.count, input_count) - span.first;
  }
};

// The line voltages, amplifier states and outputs of one layer for a batch.
struct LineSolution {
  Eigen::MatrixXd lines_volt;      // K x (h 2n): partition p's line c at column p 2n + c
  StateArray linear;               // K x (h n): 1 where the amplifier of (p, neuron) is linear
  Eigen::MatrixXd amplifier_volt;  // K x (h n)
};

}  // namespace

struct ImacTape::Data {
  // Per layer: the conductances the weights gave, then the batch's voltages and states.
  struct Layer {
    Eigen::MatrixXd weight;  // the weight values (for the straight-through slopes)
    Eigen::VectorXd bias;
    Eigen::MatrixXd g_siemens;  // (n_in + 1) x 2n: row i (bias row n_in), column 2j "+", 2j+1 "-"
    Eigen::VectorXd row_sums_siemens;       // sum of each row's conductances
    Eigen::MatrixXd line_sums_siemens;      // h x 2n: each line's sum over its partition
    std::vector<Eigen::MatrixXd> y_linear;  // per partition: d i_rows / d v_rows, all linear
    Eigen::MatrixXd rows_volt;              // K x (n_in + 1), bias column at vdd
    LineSolution lines;
    Eigen::MatrixXd neuron_in_volt;  // K x n
    StateArray summer_linear;        // K x n (h > 1)
    // The boundary that sets this layer's inputs (layers > 0): Jacobian LU per (sample k,
    // partition p) at k h + p, and d(neuron output current)/dv_in of the driving neurons.
    std::vector<Eigen::PartialPivLU<Eigen::MatrixXd>> boundary_lu;
    Eigen::MatrixXd d_current_d_in;  // K x n_in
  };
  std::vector<Layer> layers;
  Eigen::MatrixXd d_outputs_d_in;  // K x n_out: slope of the open-circuit output
  Eigen::Index samples = 0;
};

ImacTape::ImacTape() : data_(std::make_unique<Data>()) {}
ImacTape::~ImacTape() = default;
ImacTape::ImacTape(ImacTape&&) noexcept = default;
ImacTape& ImacTape::operator=(ImacTape&&) noexcept = default;
Eigen::Index ImacTape::samples() const { return data_ ? data_->samples : 0; }

ImacTape::AmplifierCount ImacTape::amplifier_count(std::size_t layer) const {
  if (samples() == 0 || layer >= data_->layers.size()) {
    throw NnError("IMAC tape: no forward result for layer " + std::to_string(layer));
  }
  const auto& linear = data_->layers[layer].lines.linear;
  return {.saturated = linear.size() - (linear != 0).count(), .total = linear.size()};
}

namespace {

using TapeLayer = ImacTape::Data::Layer;

// The line equations of one (partition, neuron), A V = G^T v - t0 with A lower triangular:
// line a: (S_a + g) V_a = P_a; line b linear: (S_b + g (1 + kb)) V_b - g kb V_a = P_b;
// line b saturated at rail: (S_b + g) V_b = P_b + g rail.
struct PairEquations {
  double a_aa;
  double a_bb_linear;
  double a_bb_saturated;
  double a_ba_linear;  // -g kb
};

PairEquations pair_equations(const LayerPlan& plan, const TapeLayer& layer, Eigen::Index p,
                             Eigen::Index n) {
  const double g = plan.g_line_siemens;
  const double s_a = layer.line_sums_siemens(p, plan.line_a(n));
  const double s_b = layer.line_sums_siemens(p, plan.line_b(n));
  return {.a_aa = s_a + g,
          .a_bb_linear = s_b + g * (1.0 + plan.kappa_beta),
          .a_bb_saturated = s_b + g,
          .a_ba_linear = -g * plan.kappa_beta};
}

}  // namespace

struct ImacCircuit::Model {
  imac::ImacParameters parameters;
  imac::NeuronTable neuron;
  std::vector<Eigen::Index> sizes;
  imac::WeightEncoding encoding;
  int levels;
  std::vector<LayerPlan> plans;

  [[nodiscard]] Eigen::MatrixXd run(const std::vector<imac::DenseLayer>& layers,
                                    const Eigen::MatrixXd& inputs_volt, bool continuous,
                                    ImacTape& tape) const;
  void check_shapes(const std::vector<imac::DenseLayer>& layers,
                    const Eigen::MatrixXd& inputs_volt) const;
  void program(const std::vector<imac::DenseLayer>& layers, bool continuous,
               ImacTape::Data& data) const;
  void solve_lines(const LayerPlan& plan, const TapeLayer& layer, const Eigen::MatrixXd& rows_volt,
                   LineSolution& solution) const;
  void solve_boundary(std::size_t l, const Eigen::MatrixXd& v_in, ImacTape::Data& data) const;
  void factor_jacobian(const LayerPlan& plan, TapeLayer& layer, const Eigen::VectorXd& slopes,
                       const StateArray& linear, Eigen::Index row, Eigen::Index k,
                       Eigen::MatrixXd& jacobian) const;
  void neuron_drive(std::size_t l, TapeLayer& layer) const;
  void apply_adjoint_lines(const LayerPlan& plan, const TapeLayer& layer,
                           Eigen::MatrixXd& adjoint) const;
  [[nodiscard]] double clamp_output(double v) const {
    const auto& grid = neuron.grid();
    return std::clamp(v, grid.v_out_min_volt, grid.v_out_max_volt);
  }
  [[nodiscard]] imac::DevicePair continuous_pair(double w) const;
  [[nodiscard]] DeviceSlopes slopes(double w) const;
  // Conductance change per unit weight on the active line; for binary/ternary weights the
  // active line is the one that leaves g_on.
  [[nodiscard]] double span_siemens() const {
    return encoding == imac::WeightEncoding::k_level
               ? parameters.g_max_siemens - parameters.g_min_siemens
               : 1.0 / parameters.r_low_ohm - 1.0 / parameters.r_high_ohm;
  }
};

imac::DevicePair ImacCircuit::Model::continuous_pair(double w) const {
  const double span = span_siemens();
  if (encoding == imac::WeightEncoding::k_level) {
    return {parameters.g_min_siemens + span * std::max(w, 0.0),
            parameters.g_min_siemens + span * std::max(-w, 0.0)};
  }
  const double g_on = 1.0 / parameters.r_low_ohm;
  return {g_on - span * std::max(-w, 0.0), g_on - span * std::max(w, 0.0)};
}

ImacCircuit::DeviceSlopes ImacCircuit::Model::slopes(double w) const {
  const double span = span_siemens();
  // One-sided slopes of the piecewise-linear map; at w = 0 their mean.
  const double left = w < 0.0 ? 1.0 : (w > 0.0 ? 0.0 : 0.5);  // weight of the w < 0 piece
  if (encoding == imac::WeightEncoding::k_level) {
    return {span * (1.0 - left), -span * left};
  }
  return {span * left, -span * (1.0 - left)};
}

void ImacCircuit::Model::check_shapes(const std::vector<imac::DenseLayer>& layers,
                                      const Eigen::MatrixXd& inputs_volt) const {
  if (layers.size() + 1 != sizes.size()) {
    throw NnError("IMAC circuit: " + std::to_string(layers.size()) +
                  " layers given, the circuit has " + std::to_string(sizes.size() - 1));
  }
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto& layer = layers[l];
    if (layer.weight.rows() != sizes[l + 1] || layer.weight.cols() != sizes[l] ||
        layer.bias.size() != sizes[l + 1]) {
      throw NnError("IMAC circuit: layer " + std::to_string(l) + " has weight " +
                    std::to_string(layer.weight.rows()) + " x " +
                    std::to_string(layer.weight.cols()) + " and bias " +
                    std::to_string(layer.bias.size()) + ", expected " +
                    std::to_string(sizes[l + 1]) + " x " + std::to_string(sizes[l]) + " and " +
                    std::to_string(sizes[l + 1]));
    }
  }
  if (inputs_volt.rows() == 0 || inputs_volt.cols() != sizes.front() || !inputs_volt.allFinite()) {
    throw NnError("IMAC circuit: inputs must be K x " + std::to_string(sizes.front()) +
                  " finite voltages, K >= 1 (got " + std::to_string(inputs_volt.rows()) + " x " +
                  std::to_string(inputs_volt.cols()) +
                  (inputs_volt.allFinite() ? ")" : ", with non-finite entries)"));
  }
}

// Conductances from the weights, and what the line equations and boundary Jacobians need of
// them. Quantised values go through imac::device_pair (after imac::ImacModel's check that they
// fit the encoding); continuous values through the interpolated map.
void ImacCircuit::Model::program(const std::vector<imac::DenseLayer>& layers, bool continuous,
                                 ImacTape::Data& data) const {
  if (continuous) {
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const auto bad = [](const auto& values) {
        return !values.allFinite() || values.cwiseAbs().maxCoeff() > 1.0;
      };
      if (bad(layers[l].weight) || bad(layers[l].bias)) {
        throw NnError("IMAC circuit: continuous weights and biases of layer " + std::to_string(l) +
                      " must be finite and within [-1, 1]");
      }
    }
  } else {
    try {
      const imac::ImacModel check(layers, encoding, levels, "IMAC circuit weights");
    } catch (const imac::ImacError& error) {
      throw NnError(error.what());
    }
  }
  data.layers.resize(layers.size());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const LayerPlan& plan = plans[l];
    TapeLayer& layer = data.layers[l];
    layer.weight = layers[l].weight;
    layer.bias = layers[l].bias;
    const Eigen::Index n = plan.neuron_count;
    layer.g_siemens.resize(plan.input_count + 1, 2 * n);
    for (Eigen::Index j = 0; j < n; ++j) {
      for (Eigen::Index i = 0; i <= plan.input_count; ++i) {
        const double w = i == plan.input_count ? layer.bias(j) : layer.weight(j, i);
        const auto pair =
            continuous ? continuous_pair(w) : imac::device_pair(w, encoding, levels, parameters);
        layer.g_siemens(i, 2 * j) = pair.g_plus_siemens;
        layer.g_siemens(i, 2 * j + 1) = pair.g_minus_siemens;
      }
    }
    layer.row_sums_siemens = layer.g_siemens.rowwise().sum();
    layer.line_sums_siemens.resize(plan.partitions(), 2 * n);
    for (Eigen::Index p = 0; p < plan.partitions(); ++p) {
      const auto& span = plan.row_partitions[static_cast<std::size_t>(p)];
      layer.line_sums_siemens.row(p) =
          layer.g_siemens.middleRows(span.first, span.count).colwise().sum();
    }
    layer.y_linear.clear();
    if (l == 0) {
      continue;  // the network inputs are ideal sources: no boundary
    }
    // y_eff = diag(row sums) - G M G^T, where V_lines = M G^T v_rows + const: per pair
    // V_a = P_a / a_aa and, linear, V_b = (P_b - a_ba V_a) / a_bb.
    for (Eigen::Index p = 0; p < plan.partitions(); ++p) {
      const auto& span = plan.row_partitions[static_cast<std::size_t>(p)];
      const Eigen::Index rows = plan.input_rows(p);
      const auto g = layer.g_siemens.middleRows(span.first, rows);
      Eigen::MatrixXd gm(rows, 2 * n);  // G M
      for (Eigen::Index j = 0; j < n; ++j) {
        const auto e = pair_equations(plan, layer, p, j);
        const double alpha_b = 1.0 / e.a_bb_linear;
        const double gamma = -e.a_ba_linear / (e.a_aa * e.a_bb_linear);
        gm.col(plan.line_a(j)) = g.col(plan.line_a(j)) / e.a_aa + gamma * g.col(plan.line_b(j));
        gm.col(plan.line_b(j)) = alpha_b * g.col(plan.line_b(j));
      }
      Eigen::MatrixXd y = -gm * g.transpose();
      y.diagonal() += layer.row_sums_siemens.segment(span.first, rows);
      layer.y_linear.push_back(std::move(y));
    }
  }
}

// Line voltages and amplifier states of a layer at the given row voltages (K x (n_in + 1)):
// P = G^T v per partition by one GEMM over the samples, then each pair's 2 x 2 triangular
// system; an amplifier whose linear output leaves the rails holds the rail. The piecewise-linear
// amplifier has exactly one consistent state, so this is the fast path's active-set result.
void ImacCircuit::Model::solve_lines(const LayerPlan& plan, const TapeLayer& layer,
                                     const Eigen::MatrixXd& rows_volt,
                                     LineSolution& solution) const {
  const Eigen::Index samples = rows_volt.rows();
  const Eigen::Index n = plan.neuron_count;
  const double g = plan.g_line_siemens;
  const double kb = plan.kappa_beta;
  const double v_high = parameters.vdd_volt;
  const double v_low = parameters.vss_volt;
  solution.lines_volt.resize(samples, plan.partitions() * 2 * n);
  solution.linear.resize(samples, plan.partitions() * n);
  solution.amplifier_volt.resize(samples, plan.partitions() * n);
  for (Eigen::Index p = 0; p < plan.partitions(); ++p) {
    const auto& span = plan.row_partitions[static_cast<std::size_t>(p)];
    auto lines = solution.lines_volt.middleCols(p * 2 * n, 2 * n);
    lines.noalias() = rows_volt.middleCols(span.first, span.count) *
                      layer.g_siemens.middleRows(span.first, span.count);
    for (Eigen::Index j = 0; j < n; ++j) {
      const auto e = pair_equations(plan, layer, p, j);
      const Eigen::Index a = plan.line_a(j);
      const Eigen::Index b = plan.line_b(j);
      const Eigen::Index amplifier = p * n + j;
      for (Eigen::Index k = 0; k < samples; ++k) {
        const double v_a = lines(k, a) / e.a_aa;
        double v_b = (lines(k, b) - e.a_ba_linear * v_a) / e.a_bb_linear;
        double v_o = kb * (v_a - v_b);
        const bool linear = v_o <= v_high && v_o >= v_low;
        if (!linear) {
          v_o = v_o > v_high ? v_high : v_low;
          v_b = (lines(k, b) + g * v_o) / e.a_bb_saturated;
        }
        lines(k, a) = v_a;
        lines(k, b) = v_b;
        solution.amplifier_volt(k, amplifier) = v_o;
        solution.linear(k, amplifier) = linear ? 1 : 0;
      }
    }
  }
}

// Current each layer input (not the bias) draws into its rows: g_row_sum v_r - sum_c g_rc V_c.
void row_currents(const LayerPlan& plan, const TapeLayer& layer, const Eigen::MatrixXd& rows_volt,
                  const Eigen::MatrixXd& lines_volt, Eigen::MatrixXd& currents) {
  const Eigen::Index n = plan.neuron_count;
  currents.resize(rows_volt.rows(), plan.input_count);
  for (Eigen::Index p = 0; p < plan.partitions(); ++p) {
    const Eigen::Index first = plan.row_partitions[static_cast<std::size_t>(p)].first;
    const Eigen::Index rows = plan.input_rows(p);
    auto block = currents.middleCols(first, rows);
    block = rows_volt.middleCols(first, rows) *
            layer.row_sums_siemens.segment(first, rows).asDiagonal();
    block.noalias() -= lines_volt.middleCols(p * 2 * n, 2 * n) *
                       layer.g_siemens.middleRows(first, rows).transpose();
  }
}

// J = diag(d I_neuron / d v_out) - y_eff for sample k (its row `row` of `linear` and `slopes`
// over the layer's inputs), per partition, factorised into the tape. A saturated amplifier
// changes its pair's row b of M, a rank-1 change of y_eff: -G_b w^T with
// w = (1/a_bb_sat - 1/a_bb_lin) G_b - gamma G_a.
void ImacCircuit::Model::factor_jacobian(const LayerPlan& plan, TapeLayer& layer,
                                         const Eigen::VectorXd& slopes, const StateArray& linear,
                                         Eigen::Index row, Eigen::Index k,
                                         Eigen::MatrixXd& jacobian) const {
  const Eigen::Index n = plan.neuron_count;
  for (Eigen::Index p = 0; p < plan.partitions(); ++p) {
    const Eigen::Index first = plan.row_partitions[static_cast<std::size_t>(p)].first;
    const Eigen::Index rows = plan.input_rows(p);
    const auto g = layer.g_siemens.middleRows(first, rows);
    jacobian = -layer.y_linear[static_cast<std::size_t>(p)];
    jacobian.diagonal() += slopes.segment(first, rows);
    for (Eigen::Index j = 0; j < n; ++j) {
      if (linear(row, p * n + j) != 0) {
        continue;
      }
      const auto e = pair_equations(plan, layer, p, j);
      const double gamma = -e.a_ba_linear / (e.a_aa * e.a_bb_linear);
      const double d_alpha = 1.0 / e.a_bb_saturated - 1.0 / e.a_bb_linear;
      jacobian.noalias() +=
          g.col(plan.line_b(j)) *
          (d_alpha * g.col(plan.line_b(j)) - gamma * g.col(plan.line_a(j))).transpose();
    }
    layer.boundary_lu[static_cast<std::size_t>(k * plan.partitions() + p)].compute(jacobian);
  }
}

// Newton's method on the outputs of layer l - 1's neurons (inputs v_in, K x n_in of layer l),
// loaded by layer l's rows, exactly as the fast path but over the batch: each iteration solves
// the lines of all samples not yet converged with one GEMM per partition.
void ImacCircuit::Model::solve_boundary(std::size_t l, const Eigen::MatrixXd& v_in,
                                        ImacTape::Data& data) const {
  const LayerPlan& plan = plans[l];
  TapeLayer& layer = data.layers[l];
  const Eigen::Index samples = v_in.rows();
  const Eigen::Index inputs = plan.input_count;
  Eigen::MatrixXd& x = layer.rows_volt;
  x.resize(samples, inputs + 1);
  x.col(inputs).setConstant(parameters.vdd_volt);
  for (Eigen::Index i = 0; i < inputs; ++i) {
    for (Eigen::Index k = 0; k < samples; ++k) {
      x(k, i) = neuron.open_circuit_output_volt(v_in(k, i));
    }
  }
  layer.boundary_lu.resize(static_cast<std::size_t>(samples * plan.partitions()));
  std::vector<Eigen::Index> active(static_cast<std::size_t>(samples));
  std::iota(active.begin(), active.end(), Eigen::Index{0});
  LineSolution lines;
  Eigen::MatrixXd currents;
  Eigen::MatrixXd jacobian;
  Eigen::VectorXd residual(inputs);
  Eigen::VectorXd slopes(inputs);
  Eigen::VectorXd step(inputs);
  for (int iteration = 0; iteration < max_newton_iterations && !active.empty(); ++iteration) {
    const Eigen::MatrixXd x_active = x(active, Eigen::all);
    solve_lines(plan, layer, x_active, lines);
    row_currents(plan, layer, x_active, lines.lines_volt, currents);
    std::size_t still_active = 0;
    for (std::size_t s = 0; s < active.size(); ++s) {
      const Eigen::Index k = active[s];
      const auto row = static_cast<Eigen::Index>(s);
      for (Eigen::Index i = 0; i < inputs; ++i) {
        const auto sample = neuron.output_current(v_in(k, i), x(k, i));
        residual(i) = sample.value - currents(row, i);
        slopes(i) = sample.d_dv_out;
      }
      factor_jacobian(plan, layer, slopes, lines.linear, row, k, jacobian);
      for (Eigen::Index p = 0; p < plan.partitions(); ++p) {
        const Eigen::Index first = plan.row_partitions[static_cast<std::size_t>(p)].first;
        const Eigen::Index rows = plan.input_rows(p);
        step.segment(first, rows) =
            layer.boundary_lu[static_cast<std::size_t>(k * plan.partitions() + p)].solve(
                -residual.segment(first, rows));
      }
      const double largest = step.cwiseAbs().maxCoeff();
      if (largest > max_newton_step_volt) {
        step *= max_newton_step_volt / largest;
      }
      for (Eigen::Index i = 0; i < inputs; ++i) {
        x(k, i) = clamp_output(x(k, i) + step(i));
      }
      if (largest >= imac::FastEvaluator::newton_tolerance_volt) {
        active[still_active++] = k;
      }
    }
    active.resize(still_active);
  }
  if (!active.empty()) {
    throw NnError("IMAC circuit: the boundary into layer " + std::to_string(l) +
                      " did not converge in " + std::to_string(max_newton_iterations) +
                      " Newton iterations",
                  ErrorKind::runtime);
  }
}

// The neuron inputs from the amplifiers (h = 1) or the inverting summers (h > 1), with the
// fast path's arithmetic (FastEvaluator::Model::neuron_drive).
void ImacCircuit::Model::neuron_drive(std::size_t l, TapeLayer& layer) const {
  const LayerPlan& plan = plans[l];
  const Eigen::Index samples = layer.rows_volt.rows();
  const Eigen::Index n = plan.neuron_count;
  const Eigen::MatrixXd& v_o = layer.lines.amplifier_volt;
  layer.neuron_in_volt.resize(samples, n);
  layer.summer_linear.setOnes(samples, n);
  if (plan.partitions() == 1) {
    layer.neuron_in_volt = v_o;
    return;
  }
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index k = 0; k < samples; ++k) {
      double sum_volt = 0.0;
      for (Eigen::Index p = 0; p < plan.partitions(); ++p) {
        sum_volt += v_o(k, p * n + j);
      }
      const double v_linear = plan.summer_gain * sum_volt;
      const double v_out = std::clamp(v_linear, parameters.vss_volt, parameters.vdd_volt);
      layer.neuron_in_volt(k, j) = v_out;
      layer.summer_linear(k, j) = v_out == v_linear ? 1 : 0;
    }
  }
}

Eigen::MatrixXd ImacCircuit::Model::run(const std::vector<imac::DenseLayer>& layers,
                                        const Eigen::MatrixXd& inputs_volt, bool continuous,
                                        ImacTape& tape) const {
  check_shapes(layers, inputs_volt);
  if (!tape.data_) {
    tape.data_ = std::make_unique<ImacTape::Data>();
  }
  ImacTape::Data& data = *tape.data_;
  data.samples = 0;  // invalid until this forward completes
  program(layers, continuous, data);
  const Eigen::Index samples = inputs_volt.rows();
  try {
    for (std::size_t l = 0; l < plans.size(); ++l) {
      const LayerPlan& plan = plans[l];
      TapeLayer& layer = data.layers[l];
      if (l == 0) {
        layer.rows_volt.resize(samples, plan.input_count + 1);
        layer.rows_volt.leftCols(plan.input_count) = inputs_volt;
        layer.rows_volt.col(plan.input_count).setConstant(parameters.vdd_volt);
      } else {
        solve_boundary(l, data.layers[l - 1].neuron_in_volt, data);
      }
      solve_lines(plan, layer, layer.rows_volt, layer.lines);
      if (l > 0) {
        // The Jacobian at the solution, with the amplifier states there, for backward.
        const Eigen::MatrixXd& v_in = data.layers[l - 1].neuron_in_volt;
        layer.d_current_d_in.resize(samples, plan.input_count);
        Eigen::VectorXd slopes(plan.input_count);
        Eigen::MatrixXd jacobian;
        for (Eigen::Index k = 0; k < samples; ++k) {
          for (Eigen::Index i = 0; i < plan.input_count; ++i) {
            const auto sample = neuron.output_current(v_in(k, i), layer.rows_volt(k, i));
            slopes(i) = sample.d_dv_out;
            layer.d_current_d_in(k, i) = sample.d_dv_in;
          }
          factor_jacobian(plan, layer, slopes, layer.lines.linear, k, k, jacobian);
        }
      }
      neuron_drive(l, layer);
    }
    // The last neurons drive nothing: I_out(v_in, v_out) = 0, so dv_out/dv_in = -I_in / I_out.
    const Eigen::MatrixXd& v_in = data.layers.back().neuron_in_volt;
    Eigen::MatrixXd outputs(samples, v_in.cols());
    data.d_outputs_d_in.resize(samples, v_in.cols());
    for (Eigen::Index j = 0; j < v_in.cols(); ++j) {
      for (Eigen::Index k = 0; k < samples; ++k) {
        outputs(k, j) = neuron.open_circuit_output_volt(v_in(k, j));
        const auto sample = neuron.output_current(v_in(k, j), outputs(k, j));
        data.d_outputs_d_in(k, j) = -sample.d_dv_in / sample.d_dv_out;
      }
    }
    data.samples = samples;
    return outputs;
  } catch (const imac::ImacError& error) {
    throw NnError(std::string("IMAC circuit: ") + error.what(), error.kind());
  }
}

// mu = A^-T r for every pair, in place on K x (h 2n): A^T is upper triangular per pair,
// mu_b = r_b / a_bb, mu_a = (r_a - a_ba mu_b) / a_aa.
void ImacCircuit::Model::apply_adjoint_lines(const LayerPlan& plan, const TapeLayer& layer,
                                             Eigen::MatrixXd& adjoint) const {
  const Eigen::Index n = plan.neuron_count;
  for (Eigen::Index p = 0; p < plan.partitions(); ++p) {
    for (Eigen::Index j = 0; j < n; ++j) {
      const auto e = pair_equations(plan, layer, p, j);
      const Eigen::Index a = p * 2 * n + plan.line_a(j);
      const Eigen::Index b = p * 2 * n + plan.line_b(j);
      for (Eigen::Index k = 0; k < adjoint.rows(); ++k) {
        const bool linear = layer.lines.linear(k, p * n + j) != 0;
        const double mu_b = adjoint(k, b) / (linear ? e.a_bb_linear : e.a_bb_saturated);
        adjoint(k, b) = mu_b;
        adjoint(k, a) = (adjoint(k, a) - (linear ? e.a_ba_linear : 0.0) * mu_b) / e.a_aa;
      }
    }
  }
}

ImacCircuit::ImacCircuit(imac::ImacParameters parameters, imac::NeuronTable neuron_table,
                         std::vector<Eigen::Index> layer_sizes, imac::WeightEncoding encoding,
                         int levels) {
  if (parameters.wire_model != imac::WireModel::ideal) {
    throw NnError(std::string("IMAC circuit: wire_model must be ideal (got ") +
                  imac::wire_model_name(parameters.wire_model) + ")");
  }
  if (parameters.sensing != imac::SensingScheme::difference) {
    throw NnError(std::string("IMAC circuit: sensing = ") +
                  imac::sensing_scheme_name(parameters.sensing) +
                  " is not supported, only difference sensing");
  }
  if (layer_sizes.size() < 2 ||
      std::any_of(layer_sizes.begin(), layer_sizes.end(), [](Eigen::Index s) { return s < 1; })) {
    throw NnError("IMAC circuit: layer sizes must be at least n_in, n_out, each >= 1");
  }
  const auto& grid = neuron_table.grid();
  if (grid.v_in_min_volt > parameters.vss_volt || grid.v_in_max_volt < parameters.vdd_volt ||
      grid.v_out_min_volt > parameters.neuron_vss_volt ||
      grid.v_out_max_volt < parameters.vdd_volt) {
    throw NnError("IMAC circuit: the neuron table's grid does not cover the supply rails");
  }
  // The partitions and amplifiers come from imac::ImacNetwork itself (on placeholder weights of
  // +1, valid in every encoding): one description of the circuit.
  std::vector<imac::DenseLayer> placeholder;
  for (std::size_t l = 0; l + 1 < layer_sizes.size(); ++l) {
    placeholder.push_back({Eigen::MatrixXd::Ones(layer_sizes[l + 1], layer_sizes[l]),
                           Eigen::VectorXd::Ones(layer_sizes[l + 1])});
  }
  std::vector<LayerPlan> plans;
  try {
    const imac::ImacNetwork network(
        imac::ImacModel(std::move(placeholder), encoding, levels, "IMAC circuit"), parameters);
    for (const auto& circuit : network.layers()) {
      const auto& amplifier = circuit.amplifier;
      const double beta = amplifier.r_f_ohm / (amplifier.r_in_ohm + amplifier.r_f_ohm);
      const double a = parameters.opamp_gain;
      const auto h = static_cast<double>(circuit.horizontal_partitions());
      const double r_fb = parameters.r_sum_ohm / h;
      const double g_total = h / parameters.r_sum_ohm + 1.0 / r_fb;
      plans.push_back({.input_count = circuit.input_count,
                       .neuron_count = circuit.neuron_count,
                       .row_partitions = circuit.row_partitions,
                       .swapped = amplifier.swapped,
                       .g_line_siemens = 1.0 / (amplifier.r_in_ohm + amplifier.r_f_ohm),
                       .kappa_beta = a / (1.0 + a * (1.0 - beta)) * beta,
                       .summer_gain = -(1.0 / parameters.r_sum_ohm) / (1.0 / r_fb + g_total / a)});
    }
  } catch (const imac::ImacError& error) {
    throw NnError(std::string("IMAC circuit: ") + error.what());
  }
  model_ =
      std::make_unique<Model>(Model{std::move(parameters), std::move(neuron_table),
                                    std::move(layer_sizes), encoding, levels, std::move(plans)});
}

ImacCircuit::~ImacCircuit() = default;
ImacCircuit::ImacCircuit(ImacCircuit&&) noexcept = default;
ImacCircuit& ImacCircuit::operator=(ImacCircuit&&) noexcept = default;

Eigen::MatrixXd ImacCircuit::forward(const std::vector<imac::DenseLayer>& layers,
                                     const Eigen::MatrixXd& inputs_volt, ImacTape& tape) const {
  return model_->run(layers, inputs_volt, false, tape);
}

Eigen::MatrixXd ImacCircuit::forward_continuous(const std::vector<imac::DenseLayer>& layers,
                                                const Eigen::MatrixXd& inputs_volt,
                                                ImacTape& tape) const {
  return model_->run(layers, inputs_volt, true, tape);
}

// Reverse sweep, last layer first. Per layer: neuron-input adjoints -> amplifier outputs (held
// states) -> lines, mu = A^-T (dL/dV); the rows get G mu. Where a boundary sets the rows,
// lambda = J^-T (G mu) and the boundary residual adds its own terms: the row currents feed
// back through mu -= A^-T G^T lambda, the driving neurons get -lambda dI/dv_in. A device
// between row r and line c carries g (v_r - V_c), so dL/dg_rc = (lambda_r + mu_c)(v_r - V_c).
ImacGradients ImacCircuit::backward(const ImacTape& tape, const Eigen::MatrixXd& d_outputs) const {
  const Model& m = *model_;
  if (tape.samples() == 0) {
    throw NnError("IMAC circuit: backward needs a tape from a completed forward");
  }
  const ImacTape::Data& data = *tape.data_;
  const Eigen::Index samples = data.samples;
  if (d_outputs.rows() != samples || d_outputs.cols() != m.sizes.back() || !d_outputs.allFinite()) {
    throw NnError("IMAC circuit: output gradients must be " + std::to_string(samples) + " x " +
                  std::to_string(m.sizes.back()) + " finite values (the tape's batch)");
  }
  ImacGradients gradients;
  gradients.d_layers.resize(m.plans.size());
  Eigen::MatrixXd d_neuron_in = d_outputs.cwiseProduct(data.d_outputs_d_in);
  Eigen::MatrixXd mu;
  Eigen::MatrixXd feedback;
  Eigen::MatrixXd d_rows;
  Eigen::MatrixXd lambda;
  for (std::size_t l = m.plans.size(); l-- > 0;) {
    const LayerPlan& plan = m.plans[l];
    const TapeLayer& layer = data.layers[l];
    const Eigen::Index n = plan.neuron_count;
    const Eigen::Index h = plan.partitions();
    const Eigen::Index inputs = plan.input_count;
    // dL/dV_o per amplifier: the summer passes summer_gain while linear.
    mu.setZero(samples, h * 2 * n);
    for (Eigen::Index p = 0; p < h; ++p) {
      for (Eigen::Index j = 0; j < n; ++j) {
        for (Eigen::Index k = 0; k < samples; ++k) {
          if (layer.lines.linear(k, p * n + j) == 0) {
            continue;
          }
          const double d_amplifier =
              h == 1
                  ? d_neuron_in(k, j)
                  : (layer.summer_linear(k, j) != 0 ? plan.summer_gain * d_neuron_in(k, j) : 0.0);
          mu(k, p * 2 * n + plan.line_a(j)) = plan.kappa_beta * d_amplifier;
          mu(k, p * 2 * n + plan.line_b(j)) = -plan.kappa_beta * d_amplifier;
        }
      }
    }
    m.apply_adjoint_lines(plan, layer, mu);
    d_rows.resize(samples, inputs + 1);
    for (Eigen::Index p = 0; p < h; ++p) {
      const auto& span = plan.row_partitions[static_cast<std::size_t>(p)];
      d_rows.middleCols(span.first, span.count).noalias() =
          mu.middleCols(p * 2 * n, 2 * n) *
          layer.g_siemens.middleRows(span.first, span.count).transpose();
    }
    lambda.setZero(samples, inputs + 1);  // the bias row's current is no boundary unknown
    if (l == 0) {
      gradients.d_inputs = d_rows.leftCols(inputs);
    } else {
      Eigen::VectorXd segment;
      Eigen::VectorXd solved;
      for (Eigen::Index k = 0; k < samples; ++k) {
        for (Eigen::Index p = 0; p < h; ++p) {
          const Eigen::Index first = plan.row_partitions[static_cast<std::size_t>(p)].first;
          const Eigen::Index rows = plan.input_rows(p);
          segment = d_rows.row(k).segment(first, rows).transpose();
          solved =
              layer.boundary_lu[static_cast<std::size_t>(k * h + p)].transpose().solve(segment);
          lambda.row(k).segment(first, rows) = solved.transpose();
        }
      }
      feedback.resize(samples, h * 2 * n);
      for (Eigen::Index p = 0; p < h; ++p) {
        const auto& span = m.plans[l].row_partitions[static_cast<std::size_t>(p)];
        feedback.middleCols(p * 2 * n, 2 * n).noalias() =
            lambda.middleCols(span.first, span.count) *
            layer.g_siemens.middleRows(span.first, span.count);
      }
      m.apply_adjoint_lines(plan, layer, feedback);
      mu -= feedback;
      d_neuron_in = -lambda.leftCols(inputs).cwiseProduct(layer.d_current_d_in);
    }
    // dL/dG per partition, summed over the samples.
    Eigen::MatrixXd d_g(inputs + 1, 2 * n);
    const Eigen::VectorXd lambda_v = lambda.cwiseProduct(layer.rows_volt).colwise().sum();
    for (Eigen::Index p = 0; p < h; ++p) {
      const auto& span = plan.row_partitions[static_cast<std::size_t>(p)];
      const auto x = layer.rows_volt.middleCols(span.first, span.count);
      const auto v_lines = layer.lines.lines_volt.middleCols(p * 2 * n, 2 * n);
      const auto mu_p = mu.middleCols(p * 2 * n, 2 * n);
      auto block = d_g.middleRows(span.first, span.count);
      block.noalias() = x.transpose() * mu_p;
      block.noalias() -= lambda.middleCols(span.first, span.count).transpose() * v_lines;
      block.colwise() += lambda_v.segment(span.first, span.count);
      block.rowwise() -= mu_p.cwiseProduct(v_lines).colwise().sum();
    }
    auto& d_layer = gradients.d_layers[l];
    d_layer.weight.resize(n, inputs);
    d_layer.bias.resize(n);
    for (Eigen::Index j = 0; j < n; ++j) {
      for (Eigen::Index i = 0; i <= inputs; ++i) {
        const double w = i == inputs ? layer.bias(j) : layer.weight(j, i);
        const auto s = m.slopes(w);
        const double d_w = d_g(i, 2 * j) * s.d_g_plus + d_g(i, 2 * j + 1) * s.d_g_minus;
        (i == inputs ? d_layer.bias(j) : d_layer.weight(j, i)) = d_w;
      }
    }
  }
  return gradients;
}

const std::vector<Eigen::Index>& ImacCircuit::layer_sizes() const noexcept { return model_->sizes; }
imac::WeightEncoding ImacCircuit::encoding() const noexcept { return model_->encoding; }
imac::DevicePair ImacCircuit::continuous_device_pair(double weight) const {
  return model_->continuous_pair(weight);
}
ImacCircuit::DeviceSlopes ImacCircuit::device_slopes(double weight) const {
  return model_->slopes(weight);
}

}  // namespace imcosim::nn
