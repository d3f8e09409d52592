// imcosim nn evaluate|topology: accuracy of a CNN model file on a test set; SCALE-Sim topology
// of a model.
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "imcosim/error.hpp"
#include "imcosim/imac/network.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/nn/architecture.hpp"
#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/error.hpp"
#include "imcosim/nn/evaluation.hpp"
#include "imcosim/nn/model_file.hpp"
#include "imcosim/tpu/report.hpp"
#include "nn_imac_options.hpp"
#include "nn_options.hpp"
#include "run_output.hpp"

namespace imcosim::cli {

namespace {

void print_confusion(std::ostream& out, const Eigen::MatrixXd& confusion) {
  out << "confusion (rows: true class, columns: predicted):\n";
  for (Eigen::Index r = 0; r < confusion.rows(); ++r) {
    for (Eigen::Index c = 0; c < confusion.cols(); ++c) {
      out << std::setw(6) << static_cast<long long>(confusion(r, c));
    }
    out << '\n';
  }
}

int run_evaluate(const std::vector<std::string>& args) {
  std::string model_path;
  std::string dataset_spec;
  std::string backend;
  std::size_t test_images = 0;
  bool no_store = false;
  std::size_t calibration_images = 0;
  CommandSyntax syntax(
      "nn evaluate", "MODEL.h5 [--dataset fashion-mnist|DATA.h5] [--backend B] [options]",
      "Classifies every test image with the model as the back-end computes it and prints the\n"
      "accuracy and the confusion matrix; both are stored in the model file under\n"
      "/evaluation/<backend> (unless --no-store). Back-ends: float (the software reference)\n"
      "and int8 (the TPU part as the TPU model executes it; a float model is folded and\n"
      "calibrated on --calibration-images training images first, i.e. post-training\n"
      "quantisation), imac-ideal (int8 TPU part, DAC, the FC part on the ideal-wire IMAC\n"
      "circuit) and imac (the same through the exact fast path of the circuit of --config,\n"
      "wire parasitics included: imcosim imac fast).");
  syntax.options.add_options()                                         //
      ("model", po::value(&model_path)->required(), "CNN model file")  //
      ("dataset,d", po::value(&dataset_spec)->default_value("fashion-mnist"),
       "fashion-mnist[:DIRECTORY] (its test split) or an HDF5 image dataset")  //
      ("backend,b", po::value(&backend)->default_value("float"),
       "float, int8, imac-ideal or imac")  //
      ("calibration-images", po::value(&calibration_images)->default_value(1024),
       "int8 of a float model: training images that set the activation ranges")  //
      ("test-images", po::value(&test_images)->default_value(0),
       "evaluate only the first N images (0: all)")  //
      ("no-store", po::bool_switch(&no_store), "do not write the result into the model file");
  syntax.positional.add("model", 1);
  add_thread_option(syntax);
  add_imac_circuit_options(syntax);
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  apply_thread_option(*values);
  if (backend != "float" && backend != "int8" && backend != "imac-ideal" && backend != "imac") {
    throw UsageError("imcosim nn evaluate: unknown --backend '" + backend +
                     "' (float, int8, imac-ideal, imac)");
  }
  auto model = nn::read_model_file(model_path);
  const auto dataset =
      limit_images(nn::load_dataset(dataset_spec, nn::DatasetSplit::test), test_images);
  // The circuit the model was trained on, unless --config names another.
  const std::string stored = nn::stored_imac_config(model);
  nn::HybridNetwork network = model.network;
  if (backend == "float") {
    network = network.as_float();
  } else if (network.precision() == nn::Precision::float32) {
    network = network.with_batch_norm_folded();
    network.quantise(nn::load_dataset(dataset_spec, nn::DatasetSplit::train), calibration_images);
  }
  std::unique_ptr<spice::WorkerPool> pool;
  if (backend == "imac-ideal" || backend == "imac") {
    pool = std::make_unique<spice::WorkerPool>(spice::WorkerPoolOptions{});
    attach_ideal_circuit(*values, network,
                         model.imac_encoding ? *model.imac_encoding : imac_encoding(*values), *pool,
                         stored);
  }
  nn::EvaluationRecord record;
  if (backend == "imac") {
    const auto parameters = imac_circuit_parameters(*values, stored);
    const imac::ImacNetwork circuit(network.imac_model(), parameters);
    const imac::FastEvaluator evaluator(circuit, characterised_neuron(*values, parameters, *pool));
    record = nn::evaluate_on_imac(network, dataset, evaluator);
  } else {
    record = nn::evaluate(network, dataset);
  }
  summary_out() << "imcosim nn evaluate: " << model.network.architecture().name() << " on "
                << backend << ": accuracy " << std::fixed << std::setprecision(2)
                << 100.0 * record.accuracy << " % (" << record.images << " images of "
                << record.dataset << ")\n";
  print_confusion(summary_out(), record.confusion);
  json_summary()
      .set("architecture", model.network.architecture().name())
      .set("backend", backend)
      .set("images", record.images)
      .set("dataset", record.dataset)
      .set("accuracy_percent", 100.0 * record.accuracy)
      .set("stored", !no_store);
  if (!no_store) {
    model.evaluations[backend] = record;
    nn::write_model_file(model_path, model);
  }
  return 0;
}

int run_topology(const std::vector<std::string>& args) {
  std::string model;
  std::string output;
  CommandSyntax syntax("nn topology", "NAME|ARCH.txt|MODEL.h5 -o TOPOLOGY.csv",
                       "Writes the SCALE-Sim topology CSV of a model's convolution and dense "
                       "layers, as `imcosim tpu -t` and SCALE-Sim read it.");
  syntax.options.add_options()                                                               //
      ("model", po::value(&model)->required(), "built-in name, architecture or model file")  //
      ("output,o", po::value(&output)->required(), "CSV file to write");
  syntax.positional.add("model", 1);
  syntax.input_files = {"model"};
  syntax.output_files = {"output"};
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  const auto architecture = model.ends_with(".h5")
                                ? nn::read_model_file(model).network.architecture()
                                : nn::load_architecture(model);
  io::write_text_atomically(output, nn::scalesim_topology(architecture));
  summary_out() << "imcosim nn topology: " << architecture.name() << " -> " << output << '\n';
  json_summary().set("architecture", architecture.name()).set("output", output);
  return 0;
}

}  // namespace

int run_nn(const std::vector<std::string>& args) {
  const std::string usage =
      "Usage: imcosim nn evaluate|topology ... (imcosim nn <subcommand> --help)";
  if (args.empty()) {
    throw UsageError("nn needs a subcommand: evaluate or topology (see imcosim nn --help)");
  }
  if (args.front() == "--help" || args.front() == "-h") {
    std::cout << usage << '\n';
    return 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args.front() == "evaluate") {
    return run_evaluate(rest);
  }
  if (args.front() == "topology") {
    return run_topology(rest);
  }
  throw UsageError("imcosim nn: unknown subcommand '" + args.front() + "'; " + usage);
}

}  // namespace imcosim::cli
