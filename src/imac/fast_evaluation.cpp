#include "imcosim/imac/fast_evaluation.hpp"

#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "../solver/parallel_blocks.hpp"
#include "imcosim/circuit/tile_network.hpp"
#include "imcosim/imac/error.hpp"
#include "imcosim/solver/transfer_solver.hpp"

namespace imcosim::imac {

namespace {

constexpr double grid_margin_volt = 0.1;
constexpr double grid_step_volt = 0.01;
constexpr int max_newton_iterations = 100;
constexpr double max_newton_step_volt = 0.1;

// Rounds outward to a whole number of grid steps.
double floor_to_step(double v) { return std::floor(v / grid_step_volt) * grid_step_volt; }
double ceil_to_step(double v) { return std::ceil(v / grid_step_volt) * grid_step_volt; }

// The DC equations of one 4-resistor difference amplifier. Line a feeds the non-inverting
// input through r_in, with r_f to ground; line b feeds the inverting input through r_in, with
// r_f to the output. With beta = r_f / (r_in + r_f) the op-amp sees V+ = beta V_a and
// V- = beta V_b + (1 - beta) V_o, and drives V_o = clamp(A (V+ - V-)) between the rails:
//   linear:    V_o = kappa beta (V_a - V_b),  kappa = A / (1 + A (1 - beta))
//   saturated: V_o = rail.
// Line a sinks V_a / (r_in + r_f) to ground; line b sinks (V_b - V_o) / (r_in + r_f).
// With TIA sensing each line instead ends at the inverting input of a TIA (non-inverting input
// grounded, r_tia from output to input): linear, V_t = -A V_line and the line sinks
// (1 + A) V_line / r_tia; saturated, V_t = rail and the line sinks (V_line - rail) / r_tia.
// The difference amplifier then takes a = TIA(b) output, b = TIA(a) output, which are stiff, so
// its own state follows from them without coupling back to the lines.
struct AmplifierEquations {
  double g_line_siemens;
  double beta;
  double kappa;
  double open_loop_gain;
  double rail_low_volt;
  double rail_high_volt;
  double g_tia_siemens;  // 1 / r_tia with TIA sensing; 0 with difference sensing

  [[nodiscard]] bool tia() const { return g_tia_siemens > 0.0; }
  [[nodiscard]] double clamp(double v) const {
    return std::clamp(v, rail_low_volt, rail_high_volt);
  }
};

// The state of an op-amp in the active set: each element (a difference amplifier, or with TIA
// sensing a line's TIA) is linear or saturated at a rail.
enum class AmplifierState : std::uint8_t { linear, high, low };

// A tile between its row drivers (M ports) and its line ends (S = 2 neurons ports), with the
// linear-mode amplifier terminations pre-factorised.
struct TileModel {
  std::vector<Eigen::Index> row_inputs;  // layer input of each tile row; -1 is the bias row
  Eigen::Index first_neuron = 0;
  Eigen::Index neurons = 0;
  bool swapped = false;
  Eigen::MatrixXd y_rr, y_rs, y_sr, y_ss;
  Eigen::MatrixXd a_inverse;       // (Y_ss + T_linear)^-1: line ends, all amplifiers linear
  Eigen::MatrixXd rows_a_inverse;  // Y_rs a_inverse
  Eigen::MatrixXd k_linear;        // a_inverse Y_sr
  Eigen::MatrixXd y_eff_linear;    // Y_rr - Y_rs k_linear: row admittance, all amplifiers linear

  [[nodiscard]] Eigen::Index line_a(Eigen::Index n) const { return 2 * n + (swapped ? 1 : 0); }
  [[nodiscard]] Eigen::Index line_b(Eigen::Index n) const { return 2 * n + (swapped ? 0 : 1); }
};

// The op-amps whose states couple to the tile's lines: one per neuron, or one per line (TIA).
std::size_t active_set_size(const TileModel& tile, const AmplifierEquations& amp) {
  return static_cast<std::size_t>(amp.tia() ? 2 * tile.neurons : tile.neurons);
}

struct LayerModel {
  Eigen::Index input_count = 0;
  Eigen::Index neuron_count = 0;
  std::size_t horizontal_partitions = 1;
  std::vector<std::vector<TileModel>> tiles;  // [p][q]
  AmplifierEquations amplifier{};
};

// Termination of the tile's line ends with every amplifier linear: the currents into the
// amplifiers are T_linear v_lines.
Eigen::MatrixXd linear_terminations(const TileModel& tile, const AmplifierEquations& amp) {
  const Eigen::Index lines = 2 * tile.neurons;
  Eigen::MatrixXd t = Eigen::MatrixXd::Zero(lines, lines);
  if (amp.tia()) {
    t.diagonal().setConstant(amp.g_tia_siemens * (1.0 + amp.open_loop_gain));
    return t;
  }
  const double g = amp.g_line_siemens;
  for (Eigen::Index n = 0; n < tile.neurons; ++n) {
    t(tile.line_a(n), tile.line_a(n)) = g;
    t(tile.line_b(n), tile.line_a(n)) = -g * amp.kappa * amp.beta;
    t(tile.line_b(n), tile.line_b(n)) = g * (1.0 + amp.kappa * amp.beta);
  }
  return t;
}

// How saturated amplifiers change the terminations: T = T_linear + U V^T, currents into the
// amplifiers T v_lines + t0. A saturated element changes one row of T (U's column is a unit
// vector at that line): a difference amplifier's output no longer follows V_a - V_b, so line
// b's row loses its kappa beta terms; a TIA's output no longer holds its line at virtual
// ground, so the line's (1 + A) g_tia becomes g_tia. The rail then appears in t0.
struct TerminationUpdate {
  std::vector<Eigen::Index> u_lines;
  Eigen::MatrixXd v_transpose;  // saturated elements x lines
  Eigen::VectorXd t0;
};

TerminationUpdate termination_update(const TileModel& tile, const AmplifierEquations& amp,
                                     const std::vector<AmplifierState>& states) {
  const Eigen::Index lines = 2 * tile.neurons;
  TerminationUpdate update;
  update.t0.setZero(lines);
  const auto saturated = static_cast<Eigen::Index>(std::count_if(
      states.begin(), states.end(), [](AmplifierState s) { return s != AmplifierState::linear; }));
  update.v_transpose.setZero(saturated, lines);
  const double g = amp.tia() ? amp.g_tia_siemens : amp.g_line_siemens;
  for (std::size_t e = 0; e < states.size(); ++e) {
    if (states[e] == AmplifierState::linear) {
      continue;
    }
    const auto element = static_cast<Eigen::Index>(e);
    const auto k = static_cast<Eigen::Index>(update.u_lines.size());
    const Eigen::Index line = amp.tia() ? element : tile.line_b(element);
    if (amp.tia()) {
      update.v_transpose(k, line) = -g * amp.open_loop_gain;
    } else {
      update.v_transpose(k, tile.line_a(element)) = g * amp.kappa * amp.beta;
      update.v_transpose(k, line) = -g * amp.kappa * amp.beta;
    }
    update.u_lines.push_back(line);
    const double rail = states[e] == AmplifierState::high ? amp.rail_high_volt : amp.rail_low_volt;
    update.t0(line) = -g * rail;
  }
  return update;
}

// Solution of one tile at given row voltages.
struct TileSolution {
  Eigen::VectorXd v_lines;
  Eigen::VectorXd i_rows;       // current from each row driver into the tile
  Eigen::VectorXd v_amplifier;  // output of each neuron's amplifier
  Eigen::VectorXd v_tia;        // TIA sensing: output of each line's TIA (else empty)
  // Each difference amplifier's op-amp inputs: V+ = beta V_a, V- = beta V_b + (1 - beta) V_o.
  Eigen::VectorXd v_noninverting;
  Eigen::VectorXd v_inverting;
  Eigen::VectorXd i_feedback;   // current the amplifier output sends into its feedback path
  double tia_power_watt = 0.0;  // what the TIAs' output stages draw (TIA sensing)
  Eigen::MatrixXd y_eff;        // d i_rows / d v_rows at these amplifier states
};

double amplifier_output(const AmplifierEquations& amp, AmplifierState state, double v_a,
                        double v_b) {
  switch (state) {
    case AmplifierState::linear:
      return amp.kappa * amp.beta * (v_a - v_b);
    case AmplifierState::high:
      return amp.rail_high_volt;
    case AmplifierState::low:
      return amp.rail_low_volt;
  }
  return 0.0;
}

// The state the amplifier's own equations demand at these line voltages, given its state.
AmplifierState consistent_state(const AmplifierEquations& amp, AmplifierState state, double v_a,
                                double v_b) {
  if (state == AmplifierState::linear) {
    const double v_o = amplifier_output(amp, state, v_a, v_b);
    if (v_o > amp.rail_high_volt) {
      return AmplifierState::high;
    }
    if (v_o < amp.rail_low_volt) {
      return AmplifierState::low;
    }
    return state;
  }
  const double rail = state == AmplifierState::high ? amp.rail_high_volt : amp.rail_low_volt;
  const double drive =
      amp.open_loop_gain * (amp.beta * v_a - (amp.beta * v_b + (1.0 - amp.beta) * rail));
  const bool holds = state == AmplifierState::high ? drive >= rail : drive <= rail;
  return holds ? state : AmplifierState::linear;
}

// Power a rail-to-rail class-B output stage draws from the supplies (its rails) to deliver
// i_out.
double output_stage_power_watt(double i_out_ampere, const AmplifierEquations& amp) {
  return i_out_ampere > 0.0 ? amp.rail_high_volt * i_out_ampere : amp.rail_low_volt * i_out_ampere;
}

// A line's TIA: its output at the line voltage, and the state its equations demand.
double tia_output(const AmplifierEquations& amp, AmplifierState state, double v_line) {
  switch (state) {
    case AmplifierState::linear:
      return -amp.open_loop_gain * v_line;
    case AmplifierState::high:
      return amp.rail_high_volt;
    case AmplifierState::low:
      return amp.rail_low_volt;
  }
  return 0.0;
}

AmplifierState consistent_tia_state(const AmplifierEquations& amp, double v_line) {
  const double drive = -amp.open_loop_gain * v_line;
  if (drive > amp.rail_high_volt) {
    return AmplifierState::high;
  }
  if (drive < amp.rail_low_volt) {
    return AmplifierState::low;
  }
  return AmplifierState::linear;
}

// The element states that the line voltages demand, given the current ones; true if any changed.
bool update_states(const TileModel& tile, const AmplifierEquations& amp,
                   const Eigen::VectorXd& v_lines, std::vector<AmplifierState>& states) {
  bool changed = false;
  for (std::size_t e = 0; e < states.size(); ++e) {
    const auto index = static_cast<Eigen::Index>(e);
    const auto next = amp.tia() ? consistent_tia_state(amp, v_lines(index))
                                : consistent_state(amp, states[e], v_lines(tile.line_a(index)),
                                                   v_lines(tile.line_b(index)));
    changed = changed || next != states[e];
    states[e] = next;
  }
  return changed;
}

// Outputs of the difference amplifiers (and TIAs) once the line voltages are known.
void amplifier_outputs(const TileModel& tile, const AmplifierEquations& amp,
                       const std::vector<AmplifierState>& states, TileSolution& solution) {
  solution.v_amplifier.resize(tile.neurons);
  solution.i_feedback.resize(tile.neurons);
  solution.v_noninverting.resize(tile.neurons);
  solution.v_inverting.resize(tile.neurons);
  if (amp.tia()) {
    solution.v_tia.resize(2 * tile.neurons);
  }
  for (Eigen::Index n = 0; n < tile.neurons; ++n) {
    const double v_a = solution.v_lines(tile.line_a(n));
    const double v_b = solution.v_lines(tile.line_b(n));
    if (!amp.tia()) {
      const double v_o = amplifier_output(amp, states[static_cast<std::size_t>(n)], v_a, v_b);
      solution.v_amplifier(n) = v_o;
      solution.v_noninverting(n) = amp.beta * v_a;
      solution.v_inverting(n) = amp.beta * v_b + (1.0 - amp.beta) * v_o;
      // Line b's current flows through r_in and r_f into the output: the output supplies its
      // negative.
      solution.i_feedback(n) = -amp.g_line_siemens * (v_b - v_o);
      continue;
    }
    const double t_a = tia_output(amp, states[static_cast<std::size_t>(tile.line_a(n))], v_a);
    const double t_b = tia_output(amp, states[static_cast<std::size_t>(tile.line_b(n))], v_b);
    solution.v_tia(tile.line_a(n)) = t_a;
    solution.v_tia(tile.line_b(n)) = t_b;
    // The difference amplifier on stiff inputs: its linear solution, clamped, is consistent.
    const double v_o = amp.clamp(amp.kappa * amp.beta * (t_b - t_a));
    solution.v_amplifier(n) = v_o;
    solution.v_noninverting(n) = amp.beta * t_b;
    solution.v_inverting(n) = amp.beta * t_a + (1.0 - amp.beta) * v_o;
    solution.i_feedback(n) = amp.g_line_siemens * (v_o - t_a);
    // TIA(a) feeds its feedback resistor and the inverting chain; TIA(b) its feedback resistor
    // and the non-inverting chain to ground.
    solution.tia_power_watt +=
        output_stage_power_watt(amp.g_tia_siemens * (t_a - v_a) + amp.g_line_siemens * (t_a - v_o),
                                amp) +
        output_stage_power_watt(amp.g_tia_siemens * (t_b - v_b) + amp.g_line_siemens * t_b, amp);
  }
}

// The line voltages (and row admittance) for given amplifier states, from the all-linear
// inverse by the Woodbury identity: (A + U V^T)^-1 = A^-1 - A^-1 U S^-1 V^T A^-1 with
// S = I + V^T A^-1 U, which costs O(lines x saturated) instead of a new factorisation.
void solve_with_states(const TileModel& tile, const TerminationUpdate& update,
                       const Eigen::VectorXd& v_lines_linear, bool with_jacobian,
                       TileSolution& solution) {
  const Eigen::VectorXd z = v_lines_linear - tile.a_inverse * update.t0;
  if (update.u_lines.empty()) {
    solution.v_lines = z;
    if (with_jacobian) {
      solution.y_eff = tile.y_eff_linear;
    }
    return;
  }
  const auto saturated = static_cast<Eigen::Index>(update.u_lines.size());
  const Eigen::Index lines = tile.a_inverse.rows();
  Eigen::MatrixXd w(lines, saturated);  // A^-1 U
  for (Eigen::Index k = 0; k < saturated; ++k) {
    w.col(k) = tile.a_inverse.col(update.u_lines[static_cast<std::size_t>(k)]);
  }
  const Eigen::MatrixXd s =
      Eigen::MatrixXd::Identity(saturated, saturated) + update.v_transpose * w;
  const Eigen::PartialPivLU<Eigen::MatrixXd> s_lu(s);
  solution.v_lines = z - w * s_lu.solve(update.v_transpose * z);
  if (with_jacobian) {
    Eigen::MatrixXd rows_w(tile.y_rs.rows(), saturated);  // Y_rs A^-1 U
    for (Eigen::Index k = 0; k < saturated; ++k) {
      rows_w.col(k) = tile.rows_a_inverse.col(update.u_lines[static_cast<std::size_t>(k)]);
    }
    solution.y_eff = tile.y_eff_linear + rows_w * s_lu.solve(update.v_transpose * tile.k_linear);
  }
}

TileSolution solve_tile(const TileModel& tile, const AmplifierEquations& amp,
                        const Eigen::VectorXd& v_rows, bool with_jacobian) {
  std::vector<AmplifierState> states(active_set_size(tile, amp), AmplifierState::linear);
  TileSolution solution;
  const Eigen::VectorXd v_lines_linear = -(tile.k_linear * v_rows);
  solve_with_states(tile, termination_update(tile, amp, states), v_lines_linear, with_jacobian,
                    solution);
  // Active-set iteration: each pass fixes every amplifier whose state contradicts its equations,
  // then re-solves the line ends with the new terminations.
  for (std::size_t pass = 0; update_states(tile, amp, solution.v_lines, states); ++pass) {
    if (pass > 4 * states.size() + 8) {
      throw ImacError(ErrorKind::runtime,
                      "the amplifier saturation states of a tile do not settle");
    }
    solve_with_states(tile, termination_update(tile, amp, states), v_lines_linear, with_jacobian,
                      solution);
  }
  solution.i_rows = tile.y_rr * v_rows + tile.y_rs * solution.v_lines;
  amplifier_outputs(tile, amp, states, solution);
  return solution;
}

// Everything one layer's tiles and amplifiers give for one set of row voltages.
struct LayerSolution {
  std::vector<std::vector<TileSolution>> tiles;  // [p][q]
  Eigen::VectorXd i_inputs;                      // current from each layer input into the tiles
  double i_bias_ampere = 0.0;                    // current from vdd into the bias rows
  Eigen::MatrixXd y_eff;                         // d i_inputs / d v_inputs (when asked for)
};

LayerSolution solve_layer_tiles(const LayerModel& layer, const Eigen::VectorXd& v_inputs,
                                double vdd_volt, bool with_jacobian) {
  LayerSolution solution;
  solution.i_inputs.setZero(layer.input_count);
  if (with_jacobian) {
    solution.y_eff.setZero(layer.input_count, layer.input_count);
  }
  solution.tiles.resize(layer.tiles.size());
  for (std::size_t p = 0; p < layer.tiles.size(); ++p) {
    for (const auto& tile : layer.tiles[p]) {
      const auto rows = static_cast<Eigen::Index>(tile.row_inputs.size());
      Eigen::VectorXd v_rows(rows);
      for (Eigen::Index r = 0; r < rows; ++r) {
        const Eigen::Index input = tile.row_inputs[static_cast<std::size_t>(r)];
        v_rows(r) = input < 0 ? vdd_volt : v_inputs(input);
      }
      auto tile_solution = solve_tile(tile, layer.amplifier, v_rows, with_jacobian);
      for (Eigen::Index r = 0; r < rows; ++r) {
        const Eigen::Index input = tile.row_inputs[static_cast<std::size_t>(r)];
        if (input < 0) {
          solution.i_bias_ampere += tile_solution.i_rows(r);
          continue;
        }
        solution.i_inputs(input) += tile_solution.i_rows(r);
        if (with_jacobian) {
          for (Eigen::Index c = 0; c < rows; ++c) {
            const Eigen::Index other = tile.row_inputs[static_cast<std::size_t>(c)];
            if (other >= 0) {
              solution.y_eff(input, other) += tile_solution.y_eff(r, c);
            }
          }
        }
      }
      solution.tiles[p].push_back(std::move(tile_solution));
    }
  }
  return solution;
}

}  // namespace

// What a layer's amplifiers (and summers) set at its neuron inputs.
struct NeuronDrive {
  Eigen::VectorXd v_in_volt;        // per neuron: its input voltage
  Eigen::VectorXd v_junction_volt;  // per neuron: its summer's junction (when summed)
};

struct FastEvaluator::Model {
  ImacParameters parameters;
  std::vector<LayerModel> layers;
  NeuronTable neuron;
  Eigen::Index output_count = 0;

  // Per sample: 1. drive layer 0 with the inputs; 2. per further layer, solve the boundary
  // (neuron outputs loaded by the next tiles) by Newton; 3. the last neurons run open; 4. sum
  // the power every source delivers. With `nodes`, also records the op-amp and neuron outputs.
  void evaluate_sample(const Eigen::VectorXd& inputs_volt, Eigen::Ref<Eigen::VectorXd> outputs,
                       double& power_watt, NetworkNodeVoltages* nodes = nullptr) const;
  [[nodiscard]] NeuronDrive neuron_drive(const LayerModel& layer,
                                         const LayerSolution& solution) const;
  [[nodiscard]] static double sensing_power_watt(const LayerModel& layer,
                                                 const LayerSolution& solution,
                                                 const NeuronDrive& drive,
                                                 const Eigen::VectorXd& i_neuron_inputs,
                                                 double r_sum_ohm);
  [[nodiscard]] Eigen::VectorXd solve_boundary(const Eigen::VectorXd& v_neuron_inputs,
                                               const LayerModel& next,
                                               LayerSolution& next_solution) const;
  [[nodiscard]] double clamp_output(double v) const {
    const auto& grid = neuron.grid();
    return std::clamp(v, grid.v_out_min_volt, grid.v_out_max_volt);
  }
};

// The voltages at the neuron inputs of a layer, from its amplifiers (and summers). The
// amplifiers' outputs are ideal sources, so they do not depend on what the neurons draw.
NeuronDrive FastEvaluator::Model::neuron_drive(const LayerModel& layer,
                                               const LayerSolution& solution) const {
  NeuronDrive drive{Eigen::VectorXd(layer.neuron_count), Eigen::VectorXd::Zero(layer.neuron_count)};
  const auto h = static_cast<double>(layer.horizontal_partitions);
  const double r_sum = parameters.r_sum_ohm;
  const double r_fb = r_sum / h;
  const double g_total = h / r_sum + 1.0 / r_fb;
  const double a = parameters.opamp_gain;
  for (std::size_t q = 0; q < solution.tiles.front().size(); ++q) {
    const auto& first_tile = layer.tiles.front()[q];
    for (Eigen::Index n = 0; n < first_tile.neurons; ++n) {
      const Eigen::Index index = first_tile.first_neuron + n;
      if (layer.horizontal_partitions == 1) {
        drive.v_in_volt(index) = solution.tiles.front()[q].v_amplifier(n);
        continue;
      }
      // Inverting summer: junction j, inputs through r_sum, feedback r_sum / h.
      double s = 0.0;
      for (const auto& row : solution.tiles) {
        s += row[q].v_amplifier(n) / r_sum;
      }
      const double v_linear = -s / (1.0 / r_fb + g_total / a);
      const double v_out = layer.amplifier.clamp(v_linear);
      drive.v_junction_volt(index) = v_out == v_linear ? -v_out / a : (s + v_out / r_fb) / g_total;
      drive.v_in_volt(index) = v_out;
    }
  }
  return drive;
}

// The power the output stages of a layer's TIAs, difference amplifiers and summers draw, with
// `i_neuron_inputs` the current each neuron input draws.
double FastEvaluator::Model::sensing_power_watt(const LayerModel& layer,
                                                const LayerSolution& solution,
                                                const NeuronDrive& drive,
                                                const Eigen::VectorXd& i_neuron_inputs,
                                                double r_sum_ohm) {
  const double r_fb = r_sum_ohm / static_cast<double>(layer.horizontal_partitions);
  double power_watt = 0.0;
  for (const auto& row : solution.tiles) {
    for (const auto& tile : row) {
      power_watt += tile.tia_power_watt;
    }
  }
  for (std::size_t q = 0; q < solution.tiles.front().size(); ++q) {
    const auto& first_tile = layer.tiles.front()[q];
    for (Eigen::Index n = 0; n < first_tile.neurons; ++n) {
      const Eigen::Index index = first_tile.first_neuron + n;
      if (layer.horizontal_partitions == 1) {
        power_watt += output_stage_power_watt(
            solution.tiles.front()[q].i_feedback(n) + i_neuron_inputs(index), layer.amplifier);
        continue;
      }
      const double v_junction = drive.v_junction_volt(index);
      for (const auto& row : solution.tiles) {
        power_watt += output_stage_power_watt(
            row[q].i_feedback(n) + (row[q].v_amplifier(n) - v_junction) / r_sum_ohm,
            layer.amplifier);
      }
      power_watt += output_stage_power_watt(
          (drive.v_in_volt(index) - v_junction) / r_fb + i_neuron_inputs(index), layer.amplifier);
    }
  }
  return power_watt;
}

// Newton's method on the outputs of the neurons that drive `next`: each output's current into
// the next tiles must equal what the neuron delivers at its input voltage.
Eigen::VectorXd FastEvaluator::Model::solve_boundary(const Eigen::VectorXd& v_neuron_inputs,
                                                     const LayerModel& next,
                                                     LayerSolution& next_solution) const {
  const Eigen::Index count = v_neuron_inputs.size();
  Eigen::VectorXd v_out(count);
  for (Eigen::Index i = 0; i < count; ++i) {
    v_out(i) = neuron.open_circuit_output_volt(v_neuron_inputs(i));
  }
  for (int iteration = 0; iteration < max_newton_iterations; ++iteration) {
    next_solution = solve_layer_tiles(next, v_out, parameters.vdd_volt, true);
    Eigen::VectorXd residual(count);
    Eigen::MatrixXd jacobian = -next_solution.y_eff;
    for (Eigen::Index i = 0; i < count; ++i) {
      const auto sample = neuron.output_current(v_neuron_inputs(i), v_out(i));
      residual(i) = sample.value - next_solution.i_inputs(i);
      jacobian(i, i) += sample.d_dv_out;
    }
    Eigen::VectorXd step = jacobian.partialPivLu().solve(-residual);
    const double largest = step.cwiseAbs().maxCoeff();
    if (largest > max_newton_step_volt) {
      step *= max_newton_step_volt / largest;
    }
    for (Eigen::Index i = 0; i < count; ++i) {
      v_out(i) = clamp_output(v_out(i) + step(i));
    }
    if (largest < newton_tolerance_volt) {
      next_solution = solve_layer_tiles(next, v_out, parameters.vdd_volt, false);
      return v_out;
    }
  }
  throw ImacError(ErrorKind::runtime, "a layer boundary did not converge in " +
                                          std::to_string(max_newton_iterations) +
                                          " Newton iterations");
}

namespace {

// The op-amp and neuron outputs of one solved layer, laid out as LayerNodeVoltages.
LayerNodeVoltages layer_node_voltages(const LayerModel& layer, const LayerSolution& solution,
                                      const NeuronDrive& drive, const Eigen::VectorXd& v_out) {
  const auto h = static_cast<Eigen::Index>(layer.horizontal_partitions);
  LayerNodeVoltages nodes;
  nodes.amplifier_volt.resize(h, layer.neuron_count);
  nodes.amplifier_noninverting_volt.resize(h, layer.neuron_count);
  nodes.amplifier_inverting_volt.resize(h, layer.neuron_count);
  if (layer.amplifier.tia()) {
    for (auto* m : {&nodes.tia_plus_volt, &nodes.tia_minus_volt, &nodes.line_plus_volt,
                    &nodes.line_minus_volt}) {
      m->resize(h, layer.neuron_count);
    }
  }
  for (Eigen::Index p = 0; p < h; ++p) {
    const auto& row = layer.tiles[static_cast<std::size_t>(p)];
    for (std::size_t q = 0; q < row.size(); ++q) {
      const auto& tile = row[q];
      const auto& tile_solution = solution.tiles[static_cast<std::size_t>(p)][q];
      for (Eigen::Index n = 0; n < tile.neurons; ++n) {
        const Eigen::Index neuron = tile.first_neuron + n;
        nodes.amplifier_volt(p, neuron) = tile_solution.v_amplifier(n);
        nodes.amplifier_noninverting_volt(p, neuron) = tile_solution.v_noninverting(n);
        nodes.amplifier_inverting_volt(p, neuron) = tile_solution.v_inverting(n);
        if (layer.amplifier.tia()) {
          // Column 2n is the "+" line, 2n + 1 the "-" line.
          nodes.tia_plus_volt(p, neuron) = tile_solution.v_tia(2 * n);
          nodes.tia_minus_volt(p, neuron) = tile_solution.v_tia(2 * n + 1);
          nodes.line_plus_volt(p, neuron) = tile_solution.v_lines(2 * n);
          nodes.line_minus_volt(p, neuron) = tile_solution.v_lines(2 * n + 1);
        }
      }
    }
  }
  if (layer.horizontal_partitions > 1) {
    nodes.summer_junction_volt = drive.v_junction_volt;
  }
  nodes.neuron_input_volt = drive.v_in_volt;
  nodes.neuron_output_volt = v_out;
  return nodes;
}

}  // namespace

void FastEvaluator::Model::evaluate_sample(const Eigen::VectorXd& inputs_volt,
                                           Eigen::Ref<Eigen::VectorXd> outputs, double& power_watt,
                                           NetworkNodeVoltages* nodes) const {
  // 1. The inputs drive layer 0 directly (ideal sources).
  LayerSolution solution =
      solve_layer_tiles(layers.front(), inputs_volt, parameters.vdd_volt, false);
  power_watt = inputs_volt.dot(solution.i_inputs);
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto& layer = layers[l];
    power_watt += parameters.vdd_volt * solution.i_bias_ampere;
    // 2. The amplifiers set the neuron inputs. The neuron input currents depend on the neuron
    // outputs, which the next boundary decides, so the amplifiers' power is booked in step 4.
    const NeuronDrive drive = neuron_drive(layer, solution);
    const Eigen::VectorXd& v_in = drive.v_in_volt;
    Eigen::VectorXd v_out(layer.neuron_count);
    LayerSolution next_solution;
    if (l + 1 < layers.size()) {
      v_out = solve_boundary(v_in, layers[l + 1], next_solution);
    } else {
      // 3. The last neurons drive nothing.
      for (Eigen::Index n = 0; n < layer.neuron_count; ++n) {
        v_out(n) = neuron.open_circuit_output_volt(v_in(n));
      }
    }
    // 4. Neuron currents, then the amplifiers' and summers' output stages.
    Eigen::VectorXd i_in(layer.neuron_count);
    for (Eigen::Index n = 0; n < layer.neuron_count; ++n) {
      i_in(n) = neuron.input_current(v_in(n), v_out(n)).value;
      const double i_supply = neuron.supply_current(v_in(n), v_out(n)).value;
      const double i_out = neuron.output_current(v_in(n), v_out(n)).value;
      power_watt += parameters.vdd_volt * i_supply -
                    parameters.neuron_vss_volt * (i_supply + i_in(n) - i_out);
    }
    power_watt += sensing_power_watt(layer, solution, drive, i_in, parameters.r_sum_ohm);
    if (nodes != nullptr) {
      nodes->push_back(layer_node_voltages(layer, solution, drive, v_out));
    }
    if (l + 1 < layers.size()) {
      solution = std::move(next_solution);
    } else {
      outputs = v_out;
    }
  }
}

NeuronGrid neuron_grid_for(const ImacParameters& parameters) {
  NeuronGrid grid;
  grid.step_volt = grid_step_volt;
  grid.v_in_min_volt = floor_to_step(parameters.vss_volt - grid_margin_volt);
  grid.v_in_max_volt = ceil_to_step(parameters.vdd_volt + grid_margin_volt);
  grid.v_out_min_volt = floor_to_step(parameters.neuron_vss_volt - grid_margin_volt);
  grid.v_out_max_volt = ceil_to_step(parameters.vdd_volt + grid_margin_volt);
  return grid;
}

FastEvaluator::FastEvaluator(const ImacNetwork& network, NeuronTable neuron_table)
    : model_(std::make_unique<Model>(
          Model{network.parameters(), {}, std::move(neuron_table), network.output_count()})) {
  const auto& parameters = network.parameters();
  const auto& grid = model_->neuron.grid();
  if (grid.v_in_min_volt > parameters.vss_volt || grid.v_in_max_volt < parameters.vdd_volt ||
      grid.v_out_min_volt > parameters.neuron_vss_volt ||
      grid.v_out_max_volt < parameters.vdd_volt) {
    throw ImacError(ErrorKind::bad_input,
                    "the neuron table's grid does not cover the supply rails");
  }
  for (const auto& layer : network.layers()) {
    LayerModel model;
    model.input_count = layer.input_count;
    model.neuron_count = layer.neuron_count;
    model.horizontal_partitions = layer.horizontal_partitions();
    const double beta =
        layer.amplifier.r_f_ohm / (layer.amplifier.r_in_ohm + layer.amplifier.r_f_ohm);
    const double a = parameters.opamp_gain;
    model.amplifier = {.g_line_siemens = 1.0 / (layer.amplifier.r_in_ohm + layer.amplifier.r_f_ohm),
                       .beta = beta,
                       .kappa = a / (1.0 + a * (1.0 - beta)),
                       .open_loop_gain = a,
                       .rail_low_volt = parameters.vss_volt,
                       .rail_high_volt = parameters.vdd_volt,
                       .g_tia_siemens = parameters.sensing == SensingScheme::tia
                                            ? 1.0 / parameters.r_tia_ohm
                                            : 0.0};
    for (std::size_t p = 0; p < layer.horizontal_partitions(); ++p) {
      std::vector<TileModel> row;
      for (std::size_t q = 0; q < layer.vertical_partitions(); ++q) {
        TileModel tile;
        const auto& rows = layer.row_partitions[p];
        for (Eigen::Index r = rows.first; r < rows.first + rows.count; ++r) {
          tile.row_inputs.push_back(r == layer.input_count ? -1 : r);
        }
        tile.first_neuron = layer.neuron_partitions[q].first;
        tile.neurons = layer.neuron_partitions[q].count;
        tile.swapped = layer.amplifier.swapped;
        const solver::TransferSolver transfer{circuit::TileNetwork(layer.tile(p, q))};
        const Eigen::MatrixXd y = transfer.port_admittance_siemens();
        const Eigen::Index m = rows.count;
        const Eigen::Index s = 2 * tile.neurons;
        tile.y_rr = y.topLeftCorner(m, m);
        tile.y_rs = y.topRightCorner(m, s);
        tile.y_sr = y.bottomLeftCorner(s, m);
        tile.y_ss = y.bottomRightCorner(s, s);
        tile.a_inverse =
            (tile.y_ss + linear_terminations(tile, model.amplifier)).partialPivLu().inverse();
        tile.rows_a_inverse = tile.y_rs * tile.a_inverse;
        tile.k_linear = tile.a_inverse * tile.y_sr;
        tile.y_eff_linear = tile.y_rr - tile.y_rs * tile.k_linear;
        row.push_back(std::move(tile));
      }
      model.tiles.push_back(std::move(row));
    }
    model_->layers.push_back(std::move(model));
  }
}

FastEvaluator::~FastEvaluator() = default;
FastEvaluator::FastEvaluator(FastEvaluator&&) noexcept = default;
FastEvaluator& FastEvaluator::operator=(FastEvaluator&&) noexcept = default;

void FastEvaluator::check_inputs(const Eigen::MatrixXd& inputs_volt) const {
  if (inputs_volt.rows() == 0 || inputs_volt.cols() != model_->layers.front().input_count ||
      !inputs_volt.allFinite()) {
    throw ImacError(ErrorKind::bad_input, "fast inputs must be K x " +
                                              std::to_string(model_->layers.front().input_count) +
                                              " finite voltages, K >= 1");
  }
}

ImacEvaluation FastEvaluator::evaluate(const Eigen::MatrixXd& inputs_volt,
                                       LayerOutputs layer_outputs) const {
  check_inputs(inputs_volt);
  const Eigen::Index samples = inputs_volt.rows();
  const bool every_layer = layer_outputs == LayerOutputs::every_layer;
  ImacEvaluation evaluation;
  evaluation.outputs_volt.resize(samples, model_->output_count);
  evaluation.power_watt.resize(samples);
  evaluation.latency_s.setConstant(samples, std::numeric_limits<double>::quiet_NaN());
  if (every_layer) {
    for (const auto& layer : model_->layers) {
      evaluation.layer_outputs_volt.emplace_back(samples, layer.neuron_count);
    }
  }
  // Samples are independent: they spread over the cores, each writing its own rows.
  struct NoWorkspace {};
  solver::for_each_block<NoWorkspace>(samples, [&](Eigen::Index k, NoWorkspace&) {
    double power = 0.0;
    Eigen::VectorXd outputs(model_->output_count);
    NetworkNodeVoltages nodes;
    model_->evaluate_sample(inputs_volt.row(k).transpose(), outputs, power,
                            every_layer ? &nodes : nullptr);
    evaluation.outputs_volt.row(k) = outputs.transpose();
    evaluation.power_watt(k) = power;
    for (std::size_t l = 0; l < nodes.size(); ++l) {
      evaluation.layer_outputs_volt[l].row(k) = nodes[l].neuron_output_volt.transpose();
    }
  });
  evaluation.settled_power_watt = evaluation.power_watt;
  evaluation.predicted_class = argmax_rows(evaluation.outputs_volt);
  return evaluation;
}

std::vector<NetworkNodeVoltages> FastEvaluator::node_voltages(
    const Eigen::MatrixXd& inputs_volt) const {
  check_inputs(inputs_volt);
  std::vector<NetworkNodeVoltages> nodes(static_cast<std::size_t>(inputs_volt.rows()));
  struct NoWorkspace {};
  solver::for_each_block<NoWorkspace>(inputs_volt.rows(), [&](Eigen::Index k, NoWorkspace&) {
    double power = 0.0;
    Eigen::VectorXd outputs(model_->output_count);
    model_->evaluate_sample(inputs_volt.row(k).transpose(), outputs, power,
                            &nodes[static_cast<std::size_t>(k)]);
  });
  return nodes;
}

}  // namespace imcosim::imac
