#pragma once

#include <Eigen/Core>
#include <functional>
#include <utility>
#include <vector>

#include "imcosim/circuit/crossbar_tile.hpp"
#include "imcosim/imac/model.hpp"
#include "imcosim/imac/parameters.hpp"
#include "imcosim/imac/wire_resistance.hpp"

namespace imcosim::imac {

// A contiguous range of rows (inputs) or neurons.
struct Span {
  Eigen::Index first = 0;
  Eigen::Index count = 0;
};

// The difference amplifier of one (partition, neuron): a 4-resistor amplifier on an op-amp,
// V_out = gain (V(noninverting line) - V(inverting line)). Its non-inverting side loads its line
// with r_in + r_f to ground; its inverting side with r_in + r_f to the amplifier's output.
struct DifferenceAmplifier {
  double r_in_ohm;
  double r_f_ohm;
  // false: the "+" line feeds the non-inverting input. true: the lines are swapped, because an
  // inverting summer follows (more than one horizontal partition) and restores the sign.
  bool swapped;
};

// One fully-connected layer as a circuit. Its n_in inputs plus one bias row (driven from vdd,
// row n_in) are split into h horizontal partitions, its neurons into v vertical partitions;
// tile (p, q) holds rows row_partitions[p] by the neurons neuron_partitions[q], two lines per
// neuron: column 2j is the "+" line and column 2j + 1 the "-" line of neuron first + j.
struct LayerCircuit {
  Eigen::Index input_count = 0;
  Eigen::Index neuron_count = 0;
  std::vector<Span> row_partitions;
  std::vector<Span> neuron_partitions;
  std::vector<circuit::CrossbarTile> tiles;  // tile (p, q) at p * v + q
  DifferenceAmplifier amplifier{};

  [[nodiscard]] std::size_t horizontal_partitions() const { return row_partitions.size(); }
  [[nodiscard]] std::size_t vertical_partitions() const { return neuron_partitions.size(); }
  [[nodiscard]] const circuit::CrossbarTile& tile(std::size_t p, std::size_t q) const {
    return tiles[p * vertical_partitions() + q];
  }
  // With more than one horizontal partition an inverting summer averages the partial outputs:
  // V_neuron_in = -(1/h) sum_p V_partial (gain r_sum / h over r_sum).
  [[nodiscard]] bool summed() const { return horizontal_partitions() > 1; }
};

// Conductances (siemens) of the "+" and "-" devices of one weight.
struct DevicePair {
  double g_plus_siemens;
  double g_minus_siemens;
};

// binary/ternary: +1 -> (R_low, R_high), -1 -> (R_high, R_low), 0 -> (R_low, R_low).
// k-level: the weight quantised to `levels` values in [-1, 1]; the active line of the pair gets
// g_min + |w| (g_max - g_min), the other g_min.
DevicePair device_pair(double weight, WeightEncoding encoding, int levels,
                       const ImacParameters& parameters);

// A trained network mapped onto crossbar tiles, amplifiers and neurons: the one description
// that the netlist writer and the fast evaluator both read. Valid once constructed.
class ImacNetwork {
 public:
  // Throws ImacError when the parameters do not fit the model (e.g. too few amp_gains), its
  // message starting with `parameters_where` (the configuration file they came from).
  ImacNetwork(const ImacModel& model, ImacParameters parameters,
              const std::string& parameters_where = "IMAC parameters");

  [[nodiscard]] const ImacParameters& parameters() const noexcept { return parameters_; }
  [[nodiscard]] const std::vector<LayerCircuit>& layers() const noexcept { return layers_; }
  [[nodiscard]] Eigen::Index input_count() const { return layers_.front().input_count; }
  [[nodiscard]] Eigen::Index output_count() const { return layers_.back().neuron_count; }
  [[nodiscard]] const SegmentResistances& segments() const noexcept { return segments_; }
  [[nodiscard]] WeightEncoding encoding() const noexcept { return encoding_; }

  // Maps a tile's intended conductances (siemens, rows x lines) to the ones the devices have.
  using DeviceProgramming = std::function<Eigen::MatrixXd(std::size_t layer, std::size_t tile,
                                                          const Eigen::MatrixXd& target_g_siemens)>;

  // The same network built from other devices: `program` is called once per tile, in the order
  // layer 0, 1, ..., and within a layer tile p * v + q, with the tile's intended conductances,
  // and returns what the devices realise (device variation, faults, drift). Throws ImacError
  // when a returned matrix has another shape or a conductance that is not finite and positive.
  [[nodiscard]] ImacNetwork with_programmed_devices(const DeviceProgramming& program) const;

  [[nodiscard]] std::size_t tile_count() const;
  // Area estimate: every tile is a full xbar_rows x (2 xbar_cols) array of cells of
  // cell_width x cell_length, plus 0.56 um^2 of access switches per row and column line.
  [[nodiscard]] double crossbar_area_m2() const;

 private:
  ImacParameters parameters_;
  SegmentResistances segments_;
  WeightEncoding encoding_;
  std::vector<LayerCircuit> layers_;
};

// Splits `count` items into ceil(count / capacity) partitions as evenly as possible.
std::vector<Span> balanced_partitions(Eigen::Index count, Eigen::Index capacity);

}  // namespace imcosim::imac
