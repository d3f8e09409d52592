#pragma once

#include <Eigen/Core>
#include <memory>
#include <vector>

#include "imcosim/imac/model.hpp"
#include "imcosim/imac/network.hpp"
#include "imcosim/imac/neuron_table.hpp"
#include "imcosim/imac/parameters.hpp"

namespace imcosim::nn {

// What one forward pass keeps for its backward pass: row, line and amplifier voltages, the
// amplifier and summer states, the neuron slopes and the LU factors of every layer boundary's
// Newton Jacobian at the solution. Owned by the caller, one per batch in flight; reusing a tape
// for batches of the same size reuses its storage. An empty tape (default) has no forward yet.
class ImacTape {
 public:
  ImacTape();
  ~ImacTape();
  ImacTape(ImacTape&&) noexcept;
  ImacTape& operator=(ImacTape&&) noexcept;

  [[nodiscard]] Eigen::Index samples() const;  // 0 before the first forward

  // How many of layer l's difference amplifiers (one per sample, horizontal partition and
  // neuron) the last forward found held at a rail, out of how many (a training diagnostic).
  struct AmplifierCount {
    Eigen::Index saturated;
    Eigen::Index total;
  };
  [[nodiscard]] AmplifierCount amplifier_count(std::size_t layer) const;

  struct Data;  // defined by the implementation

 private:
  friend class ImacCircuit;
  std::unique_ptr<Data> data_;
};

// dL/d(everything the forward took), for a loss L of the forward's outputs.
struct ImacGradients {
  Eigen::MatrixXd d_inputs;                // K x n_in: dL/d(input voltage), per sample
  std::vector<imac::DenseLayer> d_layers;  // per layer dL/dW (n_out x n_in), dL/db (n_out),
                                           // summed over the batch
};

// The IMAC network (difference sensing) as a differentiable function of its inputs and weights,
// for hardware-aware training: forward is exactly what imac::FastEvaluator computes for the same
// network (same partitions and amplifiers from imac::ImacNetwork, same device map
// imac::device_pair, same neuron table and the same Newton iteration at every layer boundary),
// batched over samples. With wire parasitics (wire_model other than ideal) it is exact right
// after refresh_wires on the same quantised weights.
//
// Physics. With every amplifier in a fixed state each tile (p, q) is a linear multi-port between
// its m row drivers and its s = 2 n_q line ends: port admittance Y (solver::TransferSolver). With
// ideal wires every row and every line is one node and Y_ideal(G) follows from the conductances
// (Y_rr = diag(row sums), Y_ss = diag(line sums), Y_rs = -G); with wires the circuit uses
// Y_ideal(G) + dY, dY = Y_exact(G_ref) - Y_ideal(G_ref) from the weights of the last
// refresh_wires (exact while no weight changed since, and the weight gradient goes straight
// through Y_ideal). Line a of a (partition, neuron) pair feeds the amplifier's non-inverting side
// (r_in + r_f to ground), line b its inverting side (r_in + r_f to the output); a linear
// amplifier outputs V_o = kappa beta (V_a - V_b), kappa = A / (1 + A (1 - beta)),
// beta = r_f / (r_in + r_f), a saturated one holds its rail (line b then sees r_in + r_f to the
// rail); the states follow the fast path's active-set iteration per tile. Line a is the "+" line
// unless the layer has h > 1 horizontal partitions: then the lines are swapped and an inverting
// summer (finite gain, rail clamp) averages the partial outputs. Each layer boundary is the
// nonlinear system "neuron output current = current the next layer's rows draw", solved per
// sample by Newton's method; a row couples only to the rows of its own horizontal partition
// (through its tiles' effective admittance, dense with or without wires), so the Jacobian is
// block-diagonal over the partitions. The last neurons run open-circuit.
//
// Backward is the exact derivative of forward at its solution, with every amplifier and summer
// state held (the derivative of the piecewise-linear circuit on the active piece): adjoints of
// the line equations, and at each boundary the implicit-function theorem lambda = J^-T g with
// the forward's LU factors of J.
//
// Weights. Forward on quantised weights maps every value through imac::device_pair, like the
// circuit. The gradient with respect to a weight value is a straight-through rule: the chain
// rule through the piecewise-linear interpolation of the device map between the encoding's
// levels (which agrees with device_pair on every level),
//   binary/ternary: g+(w) = g_on - (g_on - g_off) max(-w, 0),  g-(w) = g_on - (g_on - g_off) max(w,
//   0)
//                   with g_on = 1 / r_low, g_off = 1 / r_high;
//   k-level:        g+(w) = g_min + (g_max - g_min) max(w, 0), g-(w) = g_min + (g_max - g_min)
//   max(-w, 0),
// and at the kink w = 0 the mean of the one-sided slopes. forward_continuous evaluates the
// circuit on that interpolation for any w in [-1, 1], which is what backward differentiates
// exactly (finite-difference checks, training on latent weights).
//
// Thread safety: forward and backward are const; several batches may run at once on different
// threads, each with its own tape.
class ImacCircuit {
 public:
  // layer_sizes: n_in, hidden..., n_out (at least two). Throws NnError unless sensing is
  // difference, the neuron table's grid covers the rails, and the parameters fit the layers
  // (e.g. enough amp_gains).
  ImacCircuit(imac::ImacParameters parameters, imac::NeuronTable neuron_table,
              std::vector<Eigen::Index> layer_sizes, imac::WeightEncoding encoding, int levels = 0);
  ~ImacCircuit();
  ImacCircuit(ImacCircuit&&) noexcept;
  ImacCircuit& operator=(ImacCircuit&&) noexcept;

  // inputs_volt: K x n_in finite voltages (K >= 1); layers: weight n_out x n_in and bias n_out
  // per layer, every value fitting the encoding as imac::ImacModel holds it. Returns the output
  // voltages K x n_out and fills `tape`. Throws NnError on bad input (message names the layer
  // and the entry), when a boundary does not converge (runtime) or, with wires, before the first
  // refresh_wires.
  [[nodiscard]] Eigen::MatrixXd forward(const std::vector<imac::DenseLayer>& layers,
                                        const Eigen::MatrixXd& inputs_volt, ImacTape& tape) const;
  // The same circuit on the continuous device map above: every value finite within [-1, 1].
  [[nodiscard]] Eigen::MatrixXd forward_continuous(const std::vector<imac::DenseLayer>& layers,
                                                   const Eigen::MatrixXd& inputs_volt,
                                                   ImacTape& tape) const;

  // With wire parasitics: extracts every tile's exact port admittance for these quantised
  // weights (one sparse factorisation per tile) and keeps its wire correction dY for the
  // forwards that follow; a forward before the first refresh throws NnError. Nothing to do with
  // ideal wires. Not thread-safe against a concurrent forward: call it between training steps.
  void refresh_wires(const std::vector<imac::DenseLayer>& layers);

  // d_outputs: dL/d(output voltage), K x n_out, for the tape's batch. Throws NnError on a
  // shape mismatch, non-finite entries or an empty tape.
  [[nodiscard]] ImacGradients backward(const ImacTape& tape,
                                       const Eigen::MatrixXd& d_outputs) const;

  [[nodiscard]] const std::vector<Eigen::Index>& layer_sizes() const noexcept;
  [[nodiscard]] imac::WeightEncoding encoding() const noexcept;

  // The continuous device map and its straight-through slopes dg/dw (siemens per unit weight).
  struct DeviceSlopes {
    double d_g_plus;
    double d_g_minus;
  };
  [[nodiscard]] imac::DevicePair continuous_device_pair(double weight) const;
  [[nodiscard]] DeviceSlopes device_slopes(double weight) const;

 private:
  struct Model;
  std::unique_ptr<Model> model_;
};

}  // namespace imcosim::nn
