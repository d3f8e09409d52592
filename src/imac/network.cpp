#include "imcosim/imac/network.hpp"

#include <cmath>

#include "imcosim/circuit/error.hpp"
#include "imcosim/imac/error.hpp"

namespace imcosim::imac {

namespace {

// Access-switch area per line of a tile (IMAC-Sim's estimate), square metres.
constexpr double switch_area_per_line_m2 = 0.56e-12;

LayerCircuit map_layer(const DenseLayer& layer, std::size_t index, WeightEncoding encoding,
                       int levels, const ImacParameters& parameters,
                       const SegmentResistances& segments) {
  LayerCircuit circuit;
  circuit.input_count = layer.weight.cols();
  circuit.neuron_count = layer.weight.rows();
  circuit.row_partitions = balanced_partitions(circuit.input_count + 1, parameters.xbar_rows);
  circuit.neuron_partitions = balanced_partitions(circuit.neuron_count, parameters.xbar_cols);
  circuit.amplifier = {.r_in_ohm = parameters.r_amp_in_ohm,
                       .r_f_ohm = parameters.amp_gains[index] * parameters.r_amp_in_ohm,
                       .swapped = circuit.summed()};
  // The first and last segments join each line to its driver and to its amplifier.
  const circuit::WireResistances wires{.r_row_ohm = segments.input_line_ohm,
                                       .r_col_ohm = segments.output_line_ohm,
                                       .r_source_ohm = segments.input_line_ohm,
                                       .r_sense_ohm = segments.output_line_ohm};
  for (const auto& rows : circuit.row_partitions) {
    for (const auto& neurons : circuit.neuron_partitions) {
      Eigen::MatrixXd g_siemens(rows.count, 2 * neurons.count);
      for (Eigen::Index r = 0; r < rows.count; ++r) {
        const Eigen::Index input = rows.first + r;
        for (Eigen::Index n = 0; n < neurons.count; ++n) {
          const Eigen::Index neuron = neurons.first + n;
          const double weight =
              input == circuit.input_count ? layer.bias(neuron) : layer.weight(neuron, input);
          const auto pair = device_pair(weight, encoding, levels, parameters);
          g_siemens(r, 2 * n) = pair.g_plus_siemens;
          g_siemens(r, 2 * n + 1) = pair.g_minus_siemens;
        }
      }
      circuit.tiles.emplace_back(std::move(g_siemens), wires,
                                 "layer " + std::to_string(index) + " tile");
    }
  }
  return circuit;
}

}  // namespace

std::vector<Span> balanced_partitions(Eigen::Index count, Eigen::Index capacity) {
  const Eigen::Index partitions = (count + capacity - 1) / capacity;
  std::vector<Span> spans;
  for (Eigen::Index p = 0; p < partitions; ++p) {
    const Eigen::Index first = p * count / partitions;
    const Eigen::Index end = (p + 1) * count / partitions;
    spans.push_back({.first = first, .count = end - first});
  }
  return spans;
}

DevicePair device_pair(double weight, WeightEncoding encoding, int levels,
                       const ImacParameters& parameters) {
  if (encoding != WeightEncoding::k_level) {
    const double g_low = 1.0 / parameters.r_low_ohm;
    const double g_high = 1.0 / parameters.r_high_ohm;
    if (weight > 0.0) {
      return {g_low, g_high};
    }
    if (weight < 0.0) {
      return {g_high, g_low};
    }
    return {g_low, g_low};
  }
  const double steps = static_cast<double>(levels - 1);
  const double quantised = 2.0 * std::round((weight + 1.0) * 0.5 * steps) / steps - 1.0;
  const double span = parameters.g_max_siemens - parameters.g_min_siemens;
  return {parameters.g_min_siemens + std::max(quantised, 0.0) * span,
          parameters.g_min_siemens + std::max(-quantised, 0.0) * span};
}

ImacNetwork::ImacNetwork(const ImacModel& model, ImacParameters parameters,
                         const std::string& parameters_where)
    : parameters_(std::move(parameters)),
      segments_(segment_resistances(parameters_)),
      encoding_(model.encoding()) {
  check_parameters(parameters_, parameters_where);
  if (parameters_.amp_gains.size() < model.layers().size()) {
    throw ImacError(ErrorKind::bad_input, parameters_where + ": amp_gains lists " +
                                              std::to_string(parameters_.amp_gains.size()) +
                                              " gains but the model has " +
                                              std::to_string(model.layers().size()) +
                                              " layers; give one closed-loop gain per layer");
  }
  try {
    for (std::size_t l = 0; l < model.layers().size(); ++l) {
      layers_.push_back(map_layer(model.layers()[l], l, model.encoding(), model.levels(),
                                  parameters_, segments_));
    }
  } catch (const circuit::CircuitError& error) {
    throw ImacError(ErrorKind::bad_input, error.what());
  }
}

ImacNetwork ImacNetwork::with_programmed_devices(const DeviceProgramming& program) const {
  ImacNetwork programmed = *this;
  for (std::size_t l = 0; l < programmed.layers_.size(); ++l) {
    auto& tiles = programmed.layers_[l].tiles;
    for (std::size_t t = 0; t < tiles.size(); ++t) {
      const auto& target = tiles[t].conductance_siemens();
      Eigen::MatrixXd realised = program(l, t, target);
      const std::string where =
          "programmed devices of layer " + std::to_string(l) + " tile " + std::to_string(t);
      if (realised.rows() != target.rows() || realised.cols() != target.cols()) {
        throw ImacError(ErrorKind::bad_input, where + ": shape " + std::to_string(realised.rows()) +
                                                  " x " + std::to_string(realised.cols()) +
                                                  ", expected " + std::to_string(target.rows()) +
                                                  " x " + std::to_string(target.cols()));
      }
      try {
        tiles[t] = circuit::CrossbarTile(std::move(realised), tiles[t].wires(), where);
      } catch (const circuit::CircuitError& error) {
        throw ImacError(ErrorKind::bad_input, error.what());
      }
    }
  }
  return programmed;
}

std::size_t ImacNetwork::tile_count() const {
  std::size_t count = 0;
  for (const auto& layer : layers_) {
    count += layer.tiles.size();
  }
  return count;
}

double ImacNetwork::crossbar_area_m2() const {
  const double rows = parameters_.xbar_rows;
  const double lines = 2.0 * parameters_.xbar_cols;
  const double tile_m2 = parameters_.cell_width_m * parameters_.cell_length_m * rows * lines +
                         switch_area_per_line_m2 * (rows + lines);
  return tile_m2 * static_cast<double>(tile_count());
}

}  // namespace imcosim::imac
