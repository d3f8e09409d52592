#include "imcosim/cosim/cosimulation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <sstream>

#include "design_figures.hpp"
#include "imcosim/cosim/error.hpp"
#include "imcosim/device/random_stream.hpp"
#include "imcosim/device/tile_devices.hpp"
#include "imcosim/imac/deck.hpp"
#include "imcosim/imac/fast_evaluation.hpp"
#include "imcosim/imac/spice_evaluation.hpp"
#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/evaluation.hpp"
#include "imcosim/nn/imac_circuit.hpp"
#include "rank_shares.hpp"

namespace imcosim::cosim {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A model file named by a configuration key; its errors name the key.
nn::ModelFile read_model(const std::filesystem::path& path, const std::string& key) {
  try {
    return nn::read_model_file(path);
  } catch (const Error& error) {
    throw CosimError(ErrorKind::bad_input, key + ": " + error.what());
  }
}

// The int8 deployment of a model: its stored ranges, or (a float model) batch norms folded and
// ranges calibrated on training images, as `imcosim nn evaluate --backend int8` does.
nn::HybridNetwork int8_network(const nn::ModelFile& model, const CosimConfig& config) {
  if (model.network.precision() != nn::Precision::float32) {
    return model.network;  // int8 ranges from the file; the reader attaches no circuit
  }
  nn::HybridNetwork network = model.network.with_batch_norm_folded();
  network.quantise(nn::load_dataset(config.dataset, nn::DatasetSplit::train),
                   config.calibration_images);
  return network;
}

void check_fits(const nn::HybridNetwork& network, const nn::ImageDataset& dataset,
                const std::string& key) {
  try {
    nn::check_dataset_fits(network, dataset);
  } catch (const Error& error) {
    throw CosimError(ErrorKind::bad_input, key + ": " + error.what());
  }
}

std::size_t argmax(const std::vector<float>& scores) {
  return static_cast<std::size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
}

std::vector<std::size_t> classes_of(const imac::ImacEvaluation& evaluation) {
  std::vector<std::size_t> classes;
  for (const auto c : evaluation.predicted_class) {
    classes.push_back(static_cast<std::size_t>(std::max<Eigen::Index>(c, 0)));
  }
  return classes;
}

// The configuration text of the circuit the TPU-IMAC model runs on: the configuration's circuit
// file, else the one the model was trained on (empty: the reference circuit).
std::string circuit_text(const nn::ModelFile& model, const CosimConfig& config) {
  if (!config.circuit_file.empty()) {
    std::ifstream file(config.circuit_file);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
  }
  return nn::stored_imac_config(model);
}

imac::ImacParameters circuit_parameters(const nn::ModelFile& model, const CosimConfig& config) {
  if (config.circuit) {
    return *config.circuit;
  }
  std::istringstream text(circuit_text(model, config));
  return imac::parse_parameters(text, config.tpu_imac_model.string() + ": its IMAC configuration");
}

// One draw of every device of `nominal` from `model`, in the order of with_programmed_devices.
imac::ImacNetwork programmed_network(const imac::ImacNetwork& nominal,
                                     const device::DeviceModel& model, std::uint64_t seed) {
  device::RandomStream stream(seed);
  return nominal.with_programmed_devices(
      [&](std::size_t, std::size_t, const Eigen::MatrixXd& target) {
        return device::program_tile(model, target, stream).programmed_g_siemens;
      });
}

// The fast path over every image, in chunks with a progress line after each: the outputs,
// classes and static power of every image (chunking changes nothing but the reports).
imac::ImacEvaluation evaluate_in_chunks(const imac::FastEvaluator& evaluator,
                                        const Eigen::MatrixXd& inputs_volt,
                                        const std::function<void(const std::string&)>& progress,
                                        const std::string& label) {
  constexpr Eigen::Index chunk = 1000;
  imac::ImacEvaluation all;
  all.outputs_volt.resize(inputs_volt.rows(), 0);
  all.power_watt.resize(inputs_volt.rows());
  for (Eigen::Index first = 0; first < inputs_volt.rows(); first += chunk) {
    const Eigen::Index count = std::min(chunk, inputs_volt.rows() - first);
    const auto part = evaluator.evaluate(inputs_volt.middleRows(first, count));
    if (first == 0) {
      all.outputs_volt.resize(inputs_volt.rows(), part.outputs_volt.cols());
    }
    all.outputs_volt.middleRows(first, count) = part.outputs_volt;
    all.power_watt.segment(first, count) = part.power_watt;
    all.predicted_class.insert(all.predicted_class.end(), part.predicted_class.begin(),
                               part.predicted_class.end());
    progress(label + ": " + std::to_string(first + count) + " of " +
             std::to_string(inputs_volt.rows()) + " images");
  }
  return all;
}

// The outputs, classes, powers and latencies of every rank's share of an evaluation, joined on
// the root in rank order (the other ranks get empty ones).
imac::ImacEvaluation join_on_root(const RankShares& ranks, const imac::ImacEvaluation& share,
                                  Eigen::Index outputs) {
  imac::ImacEvaluation joined;
  joined.outputs_volt = ranks.join_rows_on_root(share.outputs_volt, outputs);
  joined.predicted_class = ranks.join_on_root(share.predicted_class);
  joined.power_watt = ranks.join_on_root(share.power_watt);
  joined.latency_s = ranks.join_on_root(share.latency_s);
  return joined;
}

}  // namespace

CosimResult run_cosimulation(const CosimConfig& config, const CosimResources& resources) {
  const auto progress = [&](const std::string& line) {
    if (resources.on_progress) {
      resources.on_progress(line);
    }
  };
  if (resources.pool == nullptr) {
    throw CosimError(ErrorKind::runtime, "the co-simulation needs ngspice workers");
  }
  const RankShares ranks(resources.group);
  CosimResult result;

  // 1. The test images and the two models, each checked against the images (on every rank).
  nn::ImageDataset dataset = nn::load_dataset(config.dataset, nn::DatasetSplit::test);
  if (config.test_images > 0 && config.test_images < dataset.size()) {
    dataset = dataset.subset(0, config.test_images);
  }
  result.images = dataset.size();
  const auto baseline_file = read_model(config.tpu_only_model, "[tpu_only] model");
  const auto hybrid_file = read_model(config.tpu_imac_model, "[tpu_imac] model");
  if (!hybrid_file.imac_encoding) {
    throw CosimError(ErrorKind::bad_input,
                     "[tpu_imac] model: " + config.tpu_imac_model.string() +
                         " has no IMAC part; train it with imcosim train --precision imac-ideal");
  }
  const nn::HybridNetwork baseline = int8_network(baseline_file, config);
  nn::HybridNetwork hybrid = int8_network(hybrid_file, config);
  check_fits(baseline, dataset, "[tpu_only] model " + config.tpu_only_model.string());
  check_fits(hybrid, dataset, "[tpu_imac] model " + config.tpu_imac_model.string());
  result.model_name = hybrid.architecture().name();
  const std::size_t classes = hybrid.architecture().class_count();
  // Only the root, which holds every image's class, counts accuracies.
  const auto add_accuracy = [&](const std::string& name, std::vector<std::size_t> predicted,
                                std::uint64_t seed) {
    if (!ranks.is_root()) {
      return;
    }
    auto record = nn::evaluation_record(dataset, predicted, classes);
    progress(name + ": " + std::to_string(100.0 * record.accuracy).substr(0, 5) + " %");
    result.accuracies.push_back({name, std::move(record), std::move(predicted), seed});
  };
  // This rank's images: whole prediction batches, so that each image is predicted exactly as in
  // one process (nn::predict).
  const campaign::SampleRange share = ranks.share(dataset.size(), nn::largest_prediction_batch);
  const struct {
    std::size_t first;
    std::size_t count;
  } mine{static_cast<std::size_t>(share.first), static_cast<std::size_t>(share.count)};
  const nn::ImageDataset my_images = dataset.subset(mine.first, mine.count);
  const auto predict_mine = [&](const nn::HybridNetwork& network) {
    return mine.count == 0 ? std::vector<std::size_t>{} : nn::predict(network, my_images);
  };
  if (ranks.ranks() > 1) {
    progress("split over " + std::to_string(ranks.ranks()) + " MPI ranks: images " +
             std::to_string(mine.first) + " to " + std::to_string(mine.first + mine.count) +
             " here; progress is this rank's");
  }

  // 2. TPU-only: every image through the whole model on the TPU model, and the trainer's int8
  //    forward of the same network beside it.
  progress("TPU-only: " + std::to_string(mine.count) + " images on the TPU model");
  auto start = Clock::now();
  const tpu::TpuModel tpu(config.architecture.array, config.architecture.dataflow);
  const nn::TpuProgram baseline_program = baseline.tpu_program();
  std::vector<std::size_t> tpu_only(mine.count);
  std::vector<std::size_t> trainer;
  std::vector<std::size_t> baseline_float;
  ranks.run_step([&] {
#pragma omp parallel for schedule(dynamic, 16)
    for (std::size_t k = 0; k < mine.count; ++k) {
      const auto split =
          baseline.run_tpu_part(tpu, baseline_program, baseline.input_codes(my_images.image(k)),
                                tpu::ExecutionMode::fast);
      tpu_only[k] =
          argmax(baseline.run_fc_on_tpu(tpu, baseline_program, split, tpu::ExecutionMode::fast));
    }
    result.tpu_only_seconds = seconds_since(start);
    trainer = predict_mine(baseline);
    baseline_float = predict_mine(baseline.as_float());
  });
  tpu_only = ranks.join_on_root(tpu_only);
  trainer = ranks.join_on_root(trainer);
  for (std::size_t k = 0; k < trainer.size(); ++k) {
    result.tpu_only_mismatches += trainer[k] != tpu_only[k] ? 1U : 0U;
  }
  add_accuracy("tpu-only float", ranks.join_on_root(baseline_float), 0);
  add_accuracy("tpu-only int8", std::move(tpu_only), 0);

  // 3. TPU-IMAC, TPU part: the conv layers on the same TPU model, then the DAC. Every rank gets
  //    every image's IMAC inputs (the ngspice checks below take theirs from anywhere).
  progress("TPU-IMAC: the conv layers of " + std::to_string(mine.count) + " images");
  start = Clock::now();
  nn::TpuProgram hybrid_program;
  hybrid_program.conv_stages = hybrid.tpu_stages();
  const auto n_in = static_cast<Eigen::Index>(hybrid.architecture().imac_sizes().front());
  Eigen::MatrixXd my_inputs_volt(0, n_in);
  ranks.run_step([&] {
    std::vector<tpu::Int8FeatureMap> split_codes(mine.count);
#pragma omp parallel for schedule(dynamic, 16)
    for (std::size_t k = 0; k < mine.count; ++k) {
      split_codes[k] = hybrid.run_tpu_part(
          tpu, hybrid_program, hybrid.input_codes(my_images.image(k)), tpu::ExecutionMode::fast);
    }
    if (mine.count > 0) {
      my_inputs_volt = hybrid.dac_volts(split_codes);
    }
  });
  result.tpu_imac_tpu_seconds = seconds_since(start);
  const Eigen::MatrixXd inputs_volt = ranks.join_rows_everywhere(my_inputs_volt, n_in);

  // 4. The IMAC part: the neuron characterised once (by the root first, so that the other ranks
  //    find it in the cache); the trainer's ideal-wire circuit, the exact fast path with the
  //    configured wires, and the device draws.
  const imac::ImacParameters parameters = circuit_parameters(hybrid_file, config);
  progress("IMAC: characterising the neuron (ngspice, or the cache)");
  std::optional<imac::NeuronTable> characterised;
  const auto characterise = [&] {
    characterised = imac::characterise_neuron(*resources.pool, imac::neuron_circuit(parameters),
                                              imac::neuron_grid_for(parameters),
                                              resources.neuron_cache_directory);
  };
  ranks.run_step([&] {
    if (ranks.is_root()) {
      characterise();
    }
  });
  ranks.run_step([&] {
    if (!ranks.is_root()) {
      characterise();
    }
  });
  const imac::NeuronTable& neuron_table = *characterised;
  {
    auto ideal = parameters;
    ideal.wire_model = imac::WireModel::ideal;
    std::vector<Eigen::Index> sizes;
    for (const auto size : hybrid.architecture().imac_sizes()) {
      sizes.push_back(static_cast<Eigen::Index>(size));
    }
    hybrid.attach_imac(std::make_shared<const nn::ImacCircuit>(ideal, neuron_table, sizes,
                                                               *hybrid_file.imac_encoding),
                       hybrid_file.dac);
  }
  std::vector<std::size_t> hybrid_float;
  std::vector<std::size_t> ideal_wires;
  ranks.run_step([&] {
    hybrid_float = predict_mine(hybrid.as_float());
    ideal_wires = predict_mine(hybrid);
  });
  add_accuracy("tpu-imac float", ranks.join_on_root(hybrid_float), 0);
  add_accuracy("tpu-imac ideal wires", ranks.join_on_root(ideal_wires), 0);
  start = Clock::now();
  progress("IMAC: the exact fast path with " +
           std::string(imac::wire_model_name(parameters.wire_model)) + " wires");
  imac::ImacModel fc_model = hybrid.imac_model();
  const imac::ImacNetwork circuit(fc_model, parameters);
  if (ranks.is_root()) {
    std::vector<std::int64_t> labels(dataset.size());
    for (std::size_t k = 0; k < dataset.size(); ++k) {
      labels[k] = dataset.label(k);
    }
    result.fc_part =
        FcPart{std::move(fc_model), circuit_text(hybrid_file, config), inputs_volt, labels};
  }
  const imac::FastEvaluator evaluator(circuit, neuron_table);
  const auto n_out = static_cast<Eigen::Index>(hybrid.architecture().imac_sizes().back());
  const Eigen::MatrixXd my_rows = inputs_volt.middleRows(static_cast<Eigen::Index>(mine.first),
                                                         static_cast<Eigen::Index>(mine.count));
  // The fast path `fast_path` on this rank's images, joined on the root.
  const auto evaluate_mine = [&](const imac::FastEvaluator& fast_path, const std::string& label) {
    imac::ImacEvaluation evaluation;
    evaluation.outputs_volt.resize(0, n_out);
    ranks.run_step([&] {
      if (mine.count > 0) {
        evaluation = evaluate_in_chunks(fast_path, my_rows, progress, label);
      }
    });
    return join_on_root(ranks, evaluation, n_out);
  };
  const imac::ImacEvaluation fast = evaluate_mine(evaluator, "IMAC fast path");
  result.imac_seconds += seconds_since(start);
  if (ranks.is_root()) {
    result.imac_static_power_watt = fast.power_watt.mean();
  }
  add_accuracy(std::string("tpu-imac ") + imac::wire_model_name(parameters.wire_model) + " wires",
               classes_of(fast), 0);
  if (config.device_draws > 0) {
    auto device_parameters = config.device;
    device_parameters.g_min_siemens = 1.0 / parameters.r_high_ohm;
    device_parameters.g_max_siemens = 1.0 / parameters.r_low_ohm;
    const device::DeviceModel devices(device_parameters, config.file.string() + ": [device]");
    for (std::int64_t draw = 0; draw < config.device_draws; ++draw) {
      start = Clock::now();
      const std::uint64_t seed = device::derive_seed(config.seed, static_cast<std::uint64_t>(draw));
      const imac::FastEvaluator varied(programmed_network(circuit, devices, seed), neuron_table);
      const auto evaluation = evaluate_mine(varied, "device draw " + std::to_string(draw));
      result.imac_seconds += seconds_since(start);
      add_accuracy("tpu-imac device draw " + std::to_string(draw), classes_of(evaluation), seed);
    }
  }

  // 5. ngspice: the check on every N-th image, and the transients that measure the latency,
  //    each list shared among the ranks. Every run starts from the fast path (an operating
  //    point from its sample's solution, a transient from the idle state): from ngspice's own
  //    start neither converges at full size. A transient draws each tile as its exact port
  //    admittance when the wires hold no charge: the same circuit with a small fraction of its
  //    nodes (docs/imac.md).
  start = Clock::now();
  // ngspice on this rank's share of `rows`, with the outputs, classes, latencies and powers of
  // every share joined on the root.
  const auto spice_share = [&](imac::ImacAnalysis analysis, const Eigen::MatrixXd& rows,
                               const std::string& label) {
    const campaign::SampleRange rank_rows = ranks.share(static_cast<std::size_t>(rows.rows()));
    const Eigen::MatrixXd my_share = rows.middleRows(rank_rows.first, rank_rows.count);
    imac::ImacEvaluation evaluation;
    evaluation.outputs_volt.resize(0, n_out);
    ranks.run_step([&] {
      if (rank_rows.count == 0) {
        return;
      }
      imac::SpiceEvaluationOptions options;
      options.analysis = analysis;
      options.samples_per_run = 1;
      options.starting_points = imac::fast_starting_points(evaluator, my_share, analysis);
      if (analysis == imac::ImacAnalysis::transient &&
          circuit.parameters().c_segment_farad == 0.0) {
        options.tiles = imac::TileForm::port_admittance;
      }
      options.on_progress = [&](Eigen::Index done, Eigen::Index all) {
        progress(label + ": " + std::to_string(done) + " of " + std::to_string(all) + " images");
      };
      evaluation = imac::evaluate_with_spice(*resources.pool, circuit, my_share, options);
    });
    return join_on_root(ranks, evaluation, n_out);
  };
  std::vector<double> latencies_s;
  std::vector<double> powers_watt;
  const auto keep_transients = [&](const imac::ImacEvaluation& transient) {
    latencies_s.insert(latencies_s.end(), transient.latency_s.begin(), transient.latency_s.end());
    powers_watt.insert(powers_watt.end(), transient.power_watt.begin(), transient.power_watt.end());
  };
  if (config.spice_every > 0) {
    SpiceCheck check;
    check.analysis = std::string(imac::imac_analysis_name(config.spice_analysis));
    for (std::size_t k = 0; k < dataset.size(); k += static_cast<std::size_t>(config.spice_every)) {
      check.images.push_back(k);
    }
    progress("ngspice: the FC part of " + std::to_string(check.images.size()) + " images (" +
             check.analysis + ")");
    Eigen::MatrixXd checked(static_cast<Eigen::Index>(check.images.size()), inputs_volt.cols());
    for (std::size_t i = 0; i < check.images.size(); ++i) {
      checked.row(static_cast<Eigen::Index>(i)) =
          inputs_volt.row(static_cast<Eigen::Index>(check.images[i]));
    }
    const auto spice = spice_share(config.spice_analysis, checked, "ngspice");
    if (config.spice_analysis == imac::ImacAnalysis::transient) {
      keep_transients(spice);
    }
    if (ranks.is_root()) {
      check.fast_volt.resize(checked.rows(), fast.outputs_volt.cols());
      for (std::size_t i = 0; i < check.images.size(); ++i) {
        check.fast_volt.row(static_cast<Eigen::Index>(i)) =
            fast.outputs_volt.row(static_cast<Eigen::Index>(check.images[i]));
        check.equal_classes +=
            spice.predicted_class[i] == fast.predicted_class[check.images[i]] ? 1U : 0U;
      }
      check.spice_volt = spice.outputs_volt;
      check.max_difference_volt = (check.spice_volt - check.fast_volt).cwiseAbs().maxCoeff();
      result.spice_check = std::move(check);
    }
  }
  if (config.latency_images > 0) {
    const auto count = std::min<Eigen::Index>(config.latency_images, inputs_volt.rows());
    progress("ngspice: transients of " + std::to_string(count) + " images for the IMAC latency");
    keep_transients(
        spice_share(imac::ImacAnalysis::transient, inputs_volt.topRows(count), "ngspice latency"));
  }
  result.spice_seconds = seconds_since(start);
  if (!ranks.is_root()) {
    return result;  // the root holds the figures
  }
  // The slowest image sets the latency every inference must allow for (NaN if any transient
  // failed to give one); the power is the mean.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  result.imac_latency_s = latencies_s.empty() ? nan : 0.0;
  for (const double latency_s : latencies_s) {
    result.imac_latency_s =
        std::isnan(latency_s) ? nan : std::max(result.imac_latency_s, latency_s);
  }
  result.imac_power_watt = powers_watt.empty()
                               ? nan
                               : std::accumulate(powers_watt.begin(), powers_watt.end(), 0.0) /
                                     static_cast<double>(powers_watt.size());

  // 6. The figures of both designs.
  result.tpu_only =
      tpu_only_figures(baseline, baseline_program, tpu, config.architecture, config.costs);
  result.tpu_imac = tpu_imac_figures(hybrid, hybrid_program, tpu, config.architecture, config.costs,
                                     circuit, result.imac_latency_s, result.imac_power_watt);
  return result;
}

}  // namespace imcosim::cosim
