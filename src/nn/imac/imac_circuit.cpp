#include "imcosim/nn/imac_circuit.hpp"

#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <numeric>
#include <string>

#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/imac/error.hpp"
#include "imcosim/imac/fast_evaluation.hpp"
#include "imcosim/nn/error.hpp"
#include "imcosim/solver/transfer_solver.hpp"

namespace imcosim::nn {

namespace {

// The fast path's boundary Newton iteration (src/imac/fast_evaluation.cpp): open-circuit start,
// steps scaled to at most 0.1 V, stop once the largest step is below its tolerance.
constexpr int max_newton_iterations = 100;
constexpr double max_newton_step_volt = 0.1;

using StateArray = Eigen::Array<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic>;

// The state of a difference amplifier: linear, or held at a rail (the fast path's active set).
enum class AmplifierState : std::uint8_t { linear, high, low };

// One layer's circuit, fixed by the sizes and parameters (not by the weights).
struct LayerPlan {
  Eigen::Index input_count = 0;
  Eigen::Index neuron_count = 0;
  std::vector<imac::Span> row_partitions;     // the bias row is row input_count, in the last one
  std::vector<imac::Span> neuron_partitions;  // tile (p, q) holds neurons neuron_partitions[q]
  bool swapped = false;                       // h > 1: line a is the "-" line, a summer follows
  double g_line_siemens = 0.0;                // 1 / (r_in + r_f): each line's amplifier load
  double beta = 0.0;                          // r_f / (r_in + r_f)
  double open_loop_gain = 0.0;
  double kappa_beta = 0.0;  // linear amplifier: V_o = kappa beta (V_a - V_b)
  // h > 1: the inverting summer (inputs r_sum, feedback r_sum / h, open-loop gain A) sets
  // v_in = summer_gain sum_p V_o,p while linear, summer_gain = -(1/r_sum) / (1/r_fb + g_total/A)
  // with g_total = h / r_sum + 1 / r_fb its junction's conductance.
  double summer_gain = 0.0;

  [[nodiscard]] Eigen::Index partitions() const {
    return static_cast<Eigen::Index>(row_partitions.size());
  }
  [[nodiscard]] Eigen::Index tiles_per_partition() const {
    return static_cast<Eigen::Index>(neuron_partitions.size());
  }
  [[nodiscard]] const imac::Span& rows(Eigen::Index p) const {
    return row_partitions[static_cast<std::size_t>(p)];
  }
  [[nodiscard]] const imac::Span& neurons(Eigen::Index q) const {
    return neuron_partitions[static_cast<std::size_t>(q)];
  }
  // Line a (b) of neuron n counted from the first line of its tile or of its partition.
  [[nodiscard]] Eigen::Index line_a(Eigen::Index n) const { return 2 * n + (swapped ? 1 : 0); }
  [[nodiscard]] Eigen::Index line_b(Eigen::Index n) const { return 2 * n + (swapped ? 0 : 1); }
  // Rows of partition p that are layer inputs (the bias row is not an unknown of a boundary).
  [[nodiscard]] Eigen::Index input_rows(Eigen::Index p) const {
    const auto& span = rows(p);
    return std::min(span.first + span.count, input_count) - span.first;
  }
  // Column of tile (p, q)'s first line in a layer's K x (h 2n) line matrices.
  [[nodiscard]] Eigen::Index first_line(Eigen::Index p, Eigen::Index q) const {
    return p * 2 * neuron_count + 2 * neurons(q).first;
  }
};

// The line voltages, amplifier states and outputs of one layer for a batch.
struct LineSolution {
  Eigen::MatrixXd lines_volt;      // K x (h 2n): partition p's line c at column p 2n + c
  StateArray states;               // K x (h n): AmplifierState of (p, neuron) at p n + neuron
  Eigen::MatrixXd amplifier_volt;  // K x (h n)
};

}  // namespace

struct ImacTape::Data {
  // Per layer: the conductances the weights gave and each tile's port admittance from them, then
  // the batch's voltages and states.
  struct Tile {
    // The tile between its m row drivers and its s = 2 n_q line ends (solver::TransferSolver's
    // ports): Y_rs (m x s) and Y_sr (s x m); with the line ends terminated by linear amplifiers
    // (T_linear), a_inverse = (Y_ss + T_linear)^-1, k_linear = a_inverse Y_sr and
    // rows_a_inverse = Y_rs a_inverse.
    Eigen::MatrixXd y_rs;
    Eigen::MatrixXd y_sr;
    Eigen::MatrixXd a_inverse;
    Eigen::MatrixXd k_linear;
    Eigen::MatrixXd rows_a_inverse;
  };
  // What one layer's weights program, shared by every batch on the same weights.
  struct Programmed {
    Eigen::MatrixXd weight;  // the weight values (for the straight-through slopes)
    Eigen::VectorXd bias;
    Eigen::MatrixXd g_siemens;  // (n_in + 1) x 2n: row i (bias row n_in), column 2j "+", 2j+1 "-"
    std::vector<Tile> tiles;    // tile (p, q) at p v + q
    // Per partition: Y_rr summed over its tiles (their rows share the drivers), and
    // layers > 0, d i_rows / d v_rows over its input rows with every amplifier linear.
    std::vector<Eigen::MatrixXd> y_rr;
    std::vector<Eigen::MatrixXd> y_eff_linear;
  };
  struct Layer {
    std::shared_ptr<const Programmed> programmed;
    Eigen::MatrixXd rows_volt;  // K x (n_in + 1), bias column at vdd
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
  const auto& states = data_->layers[layer].lines.states;
  return {.saturated = (states != static_cast<std::uint8_t>(AmplifierState::linear)).count(),
          .total = states.size()};
}

namespace {

using TapeLayer = ImacTape::Data::Layer;
using TapeTile = ImacTape::Data::Tile;
using Programmed = ImacTape::Data::Programmed;

// Line ends terminated by linear amplifiers: the currents into the amplifiers are
// T_linear v_lines. Line a sinks V_a / (r_in + r_f) to ground; line b sinks (V_b - V_o) /
// (r_in + r_f) with V_o = kappa beta (V_a - V_b).
Eigen::MatrixXd linear_terminations(const LayerPlan& plan, Eigen::Index neurons) {
  const double g = plan.g_line_siemens;
  Eigen::MatrixXd t = Eigen::MatrixXd::Zero(2 * neurons, 2 * neurons);
  for (Eigen::Index j = 0; j < neurons; ++j) {
    t(plan.line_a(j), plan.line_a(j)) = g;
    t(plan.line_b(j), plan.line_a(j)) = -g * plan.kappa_beta;
    t(plan.line_b(j), plan.line_b(j)) = g * (1.0 + plan.kappa_beta);
  }
  return t;
}

// A saturated amplifier no longer follows V_a - V_b: line b's row of T loses its kappa beta
// terms and the rail appears in t0, T = T_linear + U V^T (U's column the unit vector at line b).
// The tile's solutions follow from the all-linear inverse by the Woodbury identity,
// (A + U V^T)^-1 = A^-1 - W S^-1 V^T A^-1 with W = A^-1 U and S = I + V^T W, as the fast path
// does (src/imac/fast_evaluation.cpp).
struct Saturation {
  std::vector<Eigen::Index> lines;    // line b of each saturated amplifier, in the tile
  std::vector<Eigen::Index> a_lines;  // its line a
  double v_scale = 0.0;               // V^T's row k: v_scale (e_a - e_b)^T
  Eigen::VectorXd t0;                 // s
  Eigen::MatrixXd w;                  // A^-1 U: s x saturated
  Eigen::PartialPivLU<Eigen::MatrixXd> s_lu;

  [[nodiscard]] bool empty() const { return lines.empty(); }
  // V^T x, from V^T's two entries per row.
  template <typename Matrix>
  [[nodiscard]] Eigen::MatrixXd v_transpose_times(const Matrix& x) const {
    Eigen::MatrixXd product(static_cast<Eigen::Index>(lines.size()), x.cols());
    for (std::size_t k = 0; k < lines.size(); ++k) {
      product.row(static_cast<Eigen::Index>(k)) = v_scale * (x.row(a_lines[k]) - x.row(lines[k]));
    }
    return product;
  }
};

// `states`: the tile's amplifiers (its neurons in order).
Saturation saturation(const LayerPlan& plan, const TapeTile& tile, const AmplifierState* states,
                      Eigen::Index neurons, const imac::ImacParameters& parameters) {
  Saturation result;
  const Eigen::Index lines = 2 * neurons;
  result.t0.setZero(lines);
  const auto saturated = static_cast<Eigen::Index>(std::count_if(
      states, states + neurons, [](AmplifierState s) { return s != AmplifierState::linear; }));
  if (saturated == 0) {
    return result;
  }
  const double g = plan.g_line_siemens;
  result.v_scale = g * plan.kappa_beta;
  result.w.resize(lines, saturated);
  for (Eigen::Index j = 0; j < neurons; ++j) {
    if (states[j] == AmplifierState::linear) {
      continue;
    }
    const auto k = static_cast<Eigen::Index>(result.lines.size());
    const double rail =
        states[j] == AmplifierState::high ? parameters.vdd_volt : parameters.vss_volt;
    result.t0(plan.line_b(j)) = -g * rail;
    result.w.col(k) = tile.a_inverse.col(plan.line_b(j));
    result.lines.push_back(plan.line_b(j));
    result.a_lines.push_back(plan.line_a(j));
  }
  result.s_lu.compute(Eigen::MatrixXd::Identity(saturated, saturated) +
                      result.v_transpose_times(result.w));
  return result;
}

// The state an amplifier's own equations demand at these line voltages, given its state
// (the fast path's consistent_state): a linear output beyond a rail saturates; a saturated one
// stays while its open-loop drive A (V+ - V-) still pushes past the rail.
AmplifierState consistent_state(const LayerPlan& plan, const imac::ImacParameters& parameters,
                                AmplifierState state, double v_a, double v_b) {
  if (state == AmplifierState::linear) {
    const double v_o = plan.kappa_beta * (v_a - v_b);
    if (v_o > parameters.vdd_volt) {
      return AmplifierState::high;
    }
    return v_o < parameters.vss_volt ? AmplifierState::low : state;
  }
  const double rail = state == AmplifierState::high ? parameters.vdd_volt : parameters.vss_volt;
  const double drive =
      plan.open_loop_gain * (plan.beta * v_a - (plan.beta * v_b + (1.0 - plan.beta) * rail));
  const bool holds = state == AmplifierState::high ? drive >= rail : drive <= rail;
  return holds ? state : AmplifierState::linear;
}

}  // namespace

struct ImacCircuit::Model {
  Model(imac::ImacParameters parameters_, imac::NeuronTable neuron_,
        std::vector<Eigen::Index> sizes_, imac::WeightEncoding encoding_, int levels_,
        std::vector<LayerPlan> plans_)
      : parameters(std::move(parameters_)),
        neuron(std::move(neuron_)),
        sizes(std::move(sizes_)),
        encoding(encoding_),
        levels(levels_),
        plans(std::move(plans_)) {}

  imac::ImacParameters parameters;
  imac::NeuronTable neuron;
  std::vector<Eigen::Index> sizes;
  imac::WeightEncoding encoding;
  int levels;
  std::vector<LayerPlan> plans;
  // With wire parasitics, per layer and tile (p, q): Y_exact - Y_ideal of the weights of the
  // last refresh_wires, (m + s) x (m + s) with the rows first. Empty with ideal wires, and
  // before the first refresh.
  std::vector<std::vector<Eigen::MatrixXd>> wire_correction;
  // The last programming (per layer) and whether it was of continuous weights; cleared by
  // refresh_wires. Guarded by cache_mutex: forwards on several threads share it.
  mutable std::mutex cache_mutex;
  mutable std::vector<std::shared_ptr<const Programmed>> cache;
  mutable bool cache_continuous = false;

  [[nodiscard]] bool wires() const { return parameters.wire_model != imac::WireModel::ideal; }
  [[nodiscard]] Eigen::MatrixXd run(const std::vector<imac::DenseLayer>& layers,
                                    const Eigen::MatrixXd& inputs_volt, bool continuous,
                                    ImacTape& tape) const;
  void check_shapes(const std::vector<imac::DenseLayer>& layers,
                    const Eigen::MatrixXd& inputs_volt) const;
  void check_quantised(const std::vector<imac::DenseLayer>& layers) const;
  void program(const std::vector<imac::DenseLayer>& layers, bool continuous,
               ImacTape::Data& data) const;
  [[nodiscard]] std::shared_ptr<const Programmed> program_layer(std::size_t l,
                                                                const imac::DenseLayer& weights,
                                                                bool continuous) const;
  void program_tiles(std::size_t l, Programmed& layer) const;
  void solve_lines(const LayerPlan& plan, const TapeLayer& layer, const Eigen::MatrixXd& rows_volt,
                   LineSolution& solution) const;
  void solve_boundary(std::size_t l, const Eigen::MatrixXd& v_in, ImacTape::Data& data) const;
  void factor_jacobian(const LayerPlan& plan, TapeLayer& layer, const Eigen::VectorXd& slopes,
                       const StateArray& states, Eigen::Index row, Eigen::Index k,
                       Eigen::MatrixXd& jacobian) const;
  void neuron_drive(std::size_t l, TapeLayer& layer) const;
  void apply_adjoint_lines(const LayerPlan& plan, const TapeLayer& layer,
                           Eigen::MatrixXd& adjoint) const;
  [[nodiscard]] Saturation tile_saturation(const LayerPlan& plan, const TapeLayer& layer,
                                           const StateArray& states, Eigen::Index row,
                                           Eigen::Index p, Eigen::Index q) const;
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

Saturation ImacCircuit::Model::tile_saturation(const LayerPlan& plan, const TapeLayer& layer,
                                               const StateArray& states, Eigen::Index row,
                                               Eigen::Index p, Eigen::Index q) const {
  const auto& span = plan.neurons(q);
  std::vector<AmplifierState> tile_states(static_cast<std::size_t>(span.count));
  for (Eigen::Index j = 0; j < span.count; ++j) {
    tile_states[static_cast<std::size_t>(j)] =
        static_cast<AmplifierState>(states(row, p * plan.neuron_count + span.first + j));
  }
  return saturation(
      plan, layer.programmed->tiles[static_cast<std::size_t>(p * plan.tiles_per_partition() + q)],
      tile_states.data(), span.count, parameters);
}

namespace {

// Whether any amplifier of tile (p, q) saturates in sample `row` (most tiles of most samples
// stay linear: they skip the Woodbury terms).
bool tile_saturated(const LayerPlan& plan, const StateArray& states, Eigen::Index row,
                    Eigen::Index p, Eigen::Index q) {
  const auto& span = plan.neurons(q);
  const Eigen::Index first = p * plan.neuron_count + span.first;
  for (Eigen::Index j = 0; j < span.count; ++j) {
    if (states(row, first + j) != static_cast<std::uint8_t>(AmplifierState::linear)) {
      return true;
    }
  }
  return false;
}

}  // namespace

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

void ImacCircuit::Model::check_quantised(const std::vector<imac::DenseLayer>& layers) const {
  try {
    const imac::ImacModel check(layers, encoding, levels, "IMAC circuit weights");
  } catch (const imac::ImacError& error) {
    throw NnError(error.what());
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
    check_quantised(layers);
  }
  if (wires() && wire_correction.empty()) {
    throw NnError("IMAC circuit: with wire_model = " +
                  std::string(imac::wire_model_name(parameters.wire_model)) +
                  " the wire correction must be refreshed (refresh_wires) before a forward");
  }
  data.layers.resize(layers.size());
  // The chunks of a training step share their weights: the last programming is kept.
  std::vector<std::shared_ptr<const Programmed>> kept;
  bool kept_continuous = false;
  {
    const std::scoped_lock lock(cache_mutex);
    kept = cache;
    kept_continuous = cache_continuous;
  }
  const bool same =
      kept.size() == layers.size() && kept_continuous == continuous &&
      std::equal(layers.begin(), layers.end(), kept.begin(),
                 [](const imac::DenseLayer& layer, const auto& programmed) {
                   return layer.weight == programmed->weight && layer.bias == programmed->bias;
                 });
  if (!same) {
    kept.clear();
    for (std::size_t l = 0; l < layers.size(); ++l) {
      kept.push_back(program_layer(l, layers[l], continuous));
    }
    const std::scoped_lock lock(cache_mutex);
    cache = kept;
    cache_continuous = continuous;
  }
  for (std::size_t l = 0; l < layers.size(); ++l) {
    data.layers[l].programmed = kept[l];
  }
}

std::shared_ptr<const Programmed> ImacCircuit::Model::program_layer(std::size_t l,
                                                                    const imac::DenseLayer& weights,
                                                                    bool continuous) const {
  const LayerPlan& plan = plans[l];
  auto layer = std::make_shared<Programmed>();
  layer->weight = weights.weight;
  layer->bias = weights.bias;
  const Eigen::Index n = plan.neuron_count;
  layer->g_siemens.resize(plan.input_count + 1, 2 * n);
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = 0; i <= plan.input_count; ++i) {
      const double w = i == plan.input_count ? layer->bias(j) : layer->weight(j, i);
      const auto pair =
          continuous ? continuous_pair(w) : imac::device_pair(w, encoding, levels, parameters);
      layer->g_siemens(i, 2 * j) = pair.g_plus_siemens;
      layer->g_siemens(i, 2 * j + 1) = pair.g_minus_siemens;
    }
  }
  program_tiles(l, *layer);
  return layer;
}

// Each tile's port admittance Y(G) = Y_ideal(G) + dY: with ideal wires every row and every line
// is one node, so Y_rr = diag(row sums), Y_ss = diag(line sums), Y_rs = -G, Y_sr = -G^T; dY is
// what the wires changed at the last refresh (exact while no weight changed since, first order
// in the change otherwise; the weight gradient goes through Y_ideal only).
void ImacCircuit::Model::program_tiles(std::size_t l, Programmed& layer) const {
  const LayerPlan& plan = plans[l];
  const Eigen::Index v = plan.tiles_per_partition();
  layer.tiles.resize(static_cast<std::size_t>(plan.partitions() * v));
  layer.y_rr.resize(static_cast<std::size_t>(plan.partitions()));
  layer.y_eff_linear.resize(l == 0 ? 0 : static_cast<std::size_t>(plan.partitions()));
  for (Eigen::Index p = 0; p < plan.partitions(); ++p) {
    const auto& rows = plan.rows(p);
    const Eigen::Index m = rows.count;
    const auto g_rows = layer.g_siemens.middleRows(rows.first, m);
    Eigen::MatrixXd y_rr = g_rows.rowwise().sum().asDiagonal();
    for (Eigen::Index q = 0; q < v; ++q) {
      const auto t = static_cast<std::size_t>(p * v + q);
      const Eigen::Index neurons = plan.neurons(q).count;
      const Eigen::Index s = 2 * neurons;
      const auto g = g_rows.middleCols(2 * plan.neurons(q).first, s);
      TapeTile& tile = layer.tiles[t];
      tile.y_rs = -g;
      tile.y_sr = -g.transpose();
      Eigen::MatrixXd y_ss = g.colwise().sum().asDiagonal();
      if (wires()) {
        const Eigen::MatrixXd& dy = wire_correction[l][t];
        y_rr += dy.topLeftCorner(m, m);
        tile.y_rs += dy.topRightCorner(m, s);
        tile.y_sr += dy.bottomLeftCorner(s, m);
        y_ss += dy.bottomRightCorner(s, s);
      }
      tile.a_inverse = (y_ss + linear_terminations(plan, neurons)).partialPivLu().inverse();
      tile.k_linear = tile.a_inverse * tile.y_sr;
      tile.rows_a_inverse = tile.y_rs * tile.a_inverse;
    }
    if (l > 0) {
      // y_eff = Y_rr - sum_q Y_rs,q (Y_ss,q + T_linear)^-1 Y_sr,q over the input rows.
      const Eigen::Index inputs = plan.input_rows(p);
      Eigen::MatrixXd y = y_rr.topLeftCorner(inputs, inputs);
      for (Eigen::Index q = 0; q < v; ++q) {
        const TapeTile& tile = layer.tiles[static_cast<std::size_t>(p * v + q)];
        y.noalias() -= tile.y_rs.topRows(inputs) * tile.k_linear.leftCols(inputs);
      }
      layer.y_eff_linear[static_cast<std::size_t>(p)] = std::move(y);
    }
    layer.y_rr[static_cast<std::size_t>(p)] = std::move(y_rr);
  }
}

// Line voltages and amplifier states of a layer at the given row voltages (K x (n_in + 1)):
// per tile the all-linear line voltages -k_linear v_rows by one GEMM over the samples, then per
// sample the fast path's active-set iteration (each pass re-solves with the states the line
// voltages demand, by the Woodbury identity) until every amplifier is consistent.
void ImacCircuit::Model::solve_lines(const LayerPlan& plan, const TapeLayer& layer,
                                     const Eigen::MatrixXd& rows_volt,
                                     LineSolution& solution) const {
  const Eigen::Index samples = rows_volt.rows();
  const Eigen::Index n = plan.neuron_count;
  const Eigen::Index v = plan.tiles_per_partition();
  solution.lines_volt.resize(samples, plan.partitions() * 2 * n);
  solution.states.setConstant(samples, plan.partitions() * n,
                              static_cast<std::uint8_t>(AmplifierState::linear));
  solution.amplifier_volt.resize(samples, plan.partitions() * n);
  Eigen::VectorXd z;
  for (Eigen::Index p = 0; p < plan.partitions(); ++p) {
    const auto& rows = plan.rows(p);
    for (Eigen::Index q = 0; q < v; ++q) {
      const TapeTile& tile = layer.programmed->tiles[static_cast<std::size_t>(p * v + q)];
      const auto& neurons = plan.neurons(q);
      auto lines = solution.lines_volt.middleCols(plan.first_line(p, q), 2 * neurons.count);
      lines.noalias() = -(rows_volt.middleCols(rows.first, rows.count) * tile.k_linear.transpose());
      const Eigen::Index first_amplifier = p * n + neurons.first;
      for (Eigen::Index k = 0; k < samples; ++k) {
        const auto update_states = [&](const auto& v_lines) {
          bool changed = false;
          for (Eigen::Index j = 0; j < neurons.count; ++j) {
            auto& state = solution.states(k, first_amplifier + j);
            const auto next = consistent_state(plan, parameters, static_cast<AmplifierState>(state),
                                               v_lines(plan.line_a(j)), v_lines(plan.line_b(j)));
            changed = changed || next != static_cast<AmplifierState>(state);
            state = static_cast<std::uint8_t>(next);
          }
          return changed;
        };
        const Eigen::VectorXd linear_volt = lines.row(k).transpose();
        for (std::size_t pass = 0; update_states(lines.row(k)); ++pass) {
          if (pass > 4 * static_cast<std::size_t>(neurons.count) + 8) {
            throw NnError("IMAC circuit: the amplifier saturation states of a tile do not settle",
                          ErrorKind::runtime);
          }
          const Saturation sat = tile_saturation(plan, layer, solution.states, k, p, q);
          z = linear_volt - tile.a_inverse * sat.t0;
          if (!sat.empty()) {
            z -= sat.w * sat.s_lu.solve(sat.v_transpose_times(z));
          }
          lines.row(k) = z.transpose();
        }
        for (Eigen::Index j = 0; j < neurons.count; ++j) {
          const auto state = static_cast<AmplifierState>(solution.states(k, first_amplifier + j));
          solution.amplifier_volt(k, first_amplifier + j) =
              state == AmplifierState::linear
                  ? plan.kappa_beta * (lines(k, plan.line_a(j)) - lines(k, plan.line_b(j)))
                  : (state == AmplifierState::high ? parameters.vdd_volt : parameters.vss_volt);
        }
      }
    }
  }
}

// Current each layer input (not the bias) draws into its tiles: Y_rr v_rows + sum_q Y_rs V_q.
void row_currents(const LayerPlan& plan, const TapeLayer& layer, const Eigen::MatrixXd& rows_volt,
                  const Eigen::MatrixXd& lines_volt, Eigen::MatrixXd& currents) {
  const Eigen::Index v = plan.tiles_per_partition();
  currents.resize(rows_volt.rows(), plan.input_count);
  for (Eigen::Index p = 0; p < plan.partitions(); ++p) {
    const auto& rows = plan.rows(p);
    const Eigen::Index inputs = plan.input_rows(p);
    auto block = currents.middleCols(rows.first, inputs);
    block.noalias() =
        rows_volt.middleCols(rows.first, rows.count) *
        layer.programmed->y_rr[static_cast<std::size_t>(p)].topRows(inputs).transpose();
    for (Eigen::Index q = 0; q < v; ++q) {
      const TapeTile& tile = layer.programmed->tiles[static_cast<std::size_t>(p * v + q)];
      block.noalias() += lines_volt.middleCols(plan.first_line(p, q), tile.y_rs.cols()) *
                         tile.y_rs.topRows(inputs).transpose();
    }
  }
}

// J = diag(d I_neuron / d v_out) - y_eff for sample k (its row `row` of `states` and `slopes`
// over the layer's inputs), per partition, factorised into the tape. Saturated amplifiers change
// a tile's y_eff by Woodbury: Y_rs W S^-1 V^T k_linear (fast path: solve_with_states).
void ImacCircuit::Model::factor_jacobian(const LayerPlan& plan, TapeLayer& layer,
                                         const Eigen::VectorXd& slopes, const StateArray& states,
                                         Eigen::Index row, Eigen::Index k,
                                         Eigen::MatrixXd& jacobian) const {
  const Eigen::Index v = plan.tiles_per_partition();
  for (Eigen::Index p = 0; p < plan.partitions(); ++p) {
    const Eigen::Index inputs = plan.input_rows(p);
    jacobian = -layer.programmed->y_eff_linear[static_cast<std::size_t>(p)];
    jacobian.diagonal() += slopes.segment(plan.rows(p).first, inputs);
    for (Eigen::Index q = 0; q < v; ++q) {
      if (!tile_saturated(plan, states, row, p, q)) {
        continue;
      }
      const Saturation sat = tile_saturation(plan, layer, states, row, p, q);
      const TapeTile& tile = layer.programmed->tiles[static_cast<std::size_t>(p * v + q)];
      const Eigen::MatrixXd rows_w =
          tile.rows_a_inverse.topRows(inputs)(Eigen::all, sat.lines);  // Y_rs A^-1 U
      jacobian.noalias() -=
          rows_w * sat.s_lu.solve(sat.v_transpose_times(tile.k_linear.leftCols(inputs)));
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
      factor_jacobian(plan, layer, slopes, lines.states, row, k, jacobian);
      for (Eigen::Index p = 0; p < plan.partitions(); ++p) {
        const Eigen::Index first = plan.rows(p).first;
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
          factor_jacobian(plan, layer, slopes, layer.lines.states, k, k, jacobian);
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

// mu = A^-T r for every tile, in place on K x (h 2n), A = Y_ss + T at each sample's amplifier
// states: the all-linear a_inverse^T by one GEMM per tile, then where amplifiers saturate the
// transposed Woodbury correction A^-T = A_lin^-T - (V^T A_lin^-1)^T S^-T U^T A_lin^-T.
void ImacCircuit::Model::apply_adjoint_lines(const LayerPlan& plan, const TapeLayer& layer,
                                             Eigen::MatrixXd& adjoint) const {
  const Eigen::Index v = plan.tiles_per_partition();
  Eigen::VectorXd at_lines;
  Eigen::VectorXd solved;
  for (Eigen::Index p = 0; p < plan.partitions(); ++p) {
    for (Eigen::Index q = 0; q < v; ++q) {
      const TapeTile& tile = layer.programmed->tiles[static_cast<std::size_t>(p * v + q)];
      auto block = adjoint.middleCols(plan.first_line(p, q), tile.a_inverse.rows());
      block = block * tile.a_inverse;
      for (Eigen::Index k = 0; k < adjoint.rows(); ++k) {
        if (!tile_saturated(plan, layer.lines.states, k, p, q)) {
          continue;
        }
        const Saturation sat = tile_saturation(plan, layer, layer.lines.states, k, p, q);
        at_lines = block.row(k)(sat.lines).transpose();
        solved = sat.s_lu.transpose().solve(at_lines);
        block.row(k).noalias() -= solved.transpose() * sat.v_transpose_times(tile.a_inverse);
      }
    }
  }
}

ImacCircuit::ImacCircuit(imac::ImacParameters parameters, imac::NeuronTable neuron_table,
                         std::vector<Eigen::Index> layer_sizes, imac::WeightEncoding encoding,
                         int levels) {
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
                       .neuron_partitions = circuit.neuron_partitions,
                       .swapped = amplifier.swapped,
                       .g_line_siemens = 1.0 / (amplifier.r_in_ohm + amplifier.r_f_ohm),
                       .beta = beta,
                       .open_loop_gain = a,
                       .kappa_beta = a / (1.0 + a * (1.0 - beta)) * beta,
                       .summer_gain = -(1.0 / parameters.r_sum_ohm) / (1.0 / r_fb + g_total / a)});
    }
  } catch (const imac::ImacError& error) {
    throw NnError(std::string("IMAC circuit: ") + error.what());
  }
  model_ = std::make_unique<Model>(std::move(parameters), std::move(neuron_table),
                                   std::move(layer_sizes), encoding, levels, std::move(plans));
}

// The exact tiles of the circuit with its wires on these weights: each tile's port admittance
// from solver::TransferSolver (as imac::FastEvaluator extracts it), less its ideal-wire part
// on the conductances the tile holds.
void ImacCircuit::refresh_wires(const std::vector<imac::DenseLayer>& layers) {
  Model& m = *model_;
  if (!m.wires()) {
    return;
  }
  if (layers.size() + 1 != m.sizes.size()) {
    throw NnError("IMAC circuit: " + std::to_string(layers.size()) +
                  " layers given, the circuit has " + std::to_string(m.sizes.size() - 1));
  }
  m.check_quantised(layers);
  std::vector<std::vector<Eigen::MatrixXd>> correction;
  try {
    const imac::ImacNetwork network(imac::ImacModel(layers, m.encoding, m.levels, "IMAC circuit"),
                                    m.parameters);
    for (const auto& circuit : network.layers()) {
      if (circuit.input_count != m.sizes[correction.size()] ||
          circuit.neuron_count != m.sizes[correction.size() + 1]) {
        throw NnError("IMAC circuit: the refreshed layers do not match the circuit's sizes");
      }
      auto& tiles = correction.emplace_back();
      for (const auto& tile : circuit.tiles) {
        Eigen::MatrixXd dy =
            solver::TransferSolver{circuit::TileNetwork(tile)}.port_admittance_siemens();
        const Eigen::MatrixXd& g = tile.conductance_siemens();
        const Eigen::Index rows = g.rows();
        const Eigen::Index lines = g.cols();
        dy.topLeftCorner(rows, rows).diagonal() -= g.rowwise().sum();
        dy.topRightCorner(rows, lines) += g;
        dy.bottomLeftCorner(lines, rows) += g.transpose();
        dy.bottomRightCorner(lines, lines).diagonal() -= g.colwise().sum().transpose();
        tiles.push_back(std::move(dy));
      }
    }
  } catch (const imac::ImacError& error) {
    throw NnError(std::string("IMAC circuit: ") + error.what(), error.kind());
  }
  m.wire_correction = std::move(correction);
  const std::scoped_lock lock(m.cache_mutex);
  m.cache.clear();
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
// states) -> lines, mu = A^-T (dL/dV); the rows get -Y_sr^T mu. Where a boundary sets the rows,
// lambda = J^-T (-Y_sr^T mu) and the boundary residual adds its own terms: the row currents
// feed back through mu += A^-T Y_rs^T lambda, the driving neurons get -lambda dI/dv_in. Then
// dL/dY_rr = lambda v_rows^T, dL/dY_rs = lambda V^T, dL/dY_sr = -mu v_rows^T,
// dL/dY_ss = -mu V^T, and through Y_ideal(G) (a device between row r and line c carries
// g (v_r - V_c)) dL/dg_rc = (lambda_r + mu_c)(v_r - V_c); the wire correction is held.
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
    const Eigen::Index v = plan.tiles_per_partition();
    const Eigen::Index inputs = plan.input_count;
    // dL/dV_o per amplifier: the summer passes summer_gain while linear.
    mu.setZero(samples, h * 2 * n);
    for (Eigen::Index p = 0; p < h; ++p) {
      for (Eigen::Index j = 0; j < n; ++j) {
        for (Eigen::Index k = 0; k < samples; ++k) {
          if (static_cast<AmplifierState>(layer.lines.states(k, p * n + j)) !=
              AmplifierState::linear) {
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
    // The lines are -A^-1 Y_sr v_rows: the rows get -mu Y_sr, summed over the tiles.
    d_rows.setZero(samples, inputs + 1);
    for (Eigen::Index p = 0; p < h; ++p) {
      const auto& span = plan.rows(p);
      for (Eigen::Index q = 0; q < v; ++q) {
        const TapeTile& tile = layer.programmed->tiles[static_cast<std::size_t>(p * v + q)];
        d_rows.middleCols(span.first, span.count).noalias() -=
            mu.middleCols(plan.first_line(p, q), tile.y_sr.rows()) * tile.y_sr;
      }
    }
    lambda.setZero(samples, inputs + 1);  // the bias row's current is no boundary unknown
    if (l == 0) {
      gradients.d_inputs = d_rows.leftCols(inputs);
    } else {
      Eigen::VectorXd segment;
      Eigen::VectorXd solved;
      for (Eigen::Index k = 0; k < samples; ++k) {
        for (Eigen::Index p = 0; p < h; ++p) {
          const Eigen::Index first = plan.rows(p).first;
          const Eigen::Index rows = plan.input_rows(p);
          segment = d_rows.row(k).segment(first, rows).transpose();
          solved =
              layer.boundary_lu[static_cast<std::size_t>(k * h + p)].transpose().solve(segment);
          lambda.row(k).segment(first, rows) = solved.transpose();
        }
      }
      // The row currents Y_rr v_rows + Y_rs V feed the lines' adjoint with Y_rs^T lambda.
      feedback.resize(samples, h * 2 * n);
      for (Eigen::Index p = 0; p < h; ++p) {
        const auto& span = plan.rows(p);
        for (Eigen::Index q = 0; q < v; ++q) {
          const TapeTile& tile = layer.programmed->tiles[static_cast<std::size_t>(p * v + q)];
          feedback.middleCols(plan.first_line(p, q), tile.y_rs.cols()).noalias() =
              lambda.middleCols(span.first, span.count) * tile.y_rs;
        }
      }
      m.apply_adjoint_lines(plan, layer, feedback);
      mu += feedback;
      d_neuron_in = -lambda.leftCols(inputs).cwiseProduct(layer.d_current_d_in);
    }
    // dL/dG per partition, summed over the samples.
    Eigen::MatrixXd d_g(inputs + 1, 2 * n);
    const Eigen::VectorXd lambda_v = lambda.cwiseProduct(layer.rows_volt).colwise().sum();
    for (Eigen::Index p = 0; p < h; ++p) {
      const auto& span = plan.rows(p);
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
        const double w = i == inputs ? layer.programmed->bias(j) : layer.programmed->weight(j, i);
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
