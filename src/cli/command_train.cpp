// imcosim train: trains a CNN on an image dataset (float, then hardware-aware) into a model file.
#include <omp.h>

#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "imcosim/error.hpp"
#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/evaluation.hpp"
#include "imcosim/nn/model_file.hpp"
#include "imcosim/nn/training.hpp"
#include "nn_imac_options.hpp"
#include "nn_options.hpp"
#include "progress_report.hpp"
#include "run_output.hpp"
#include "spice_options.hpp"

namespace imcosim::cli {

int run_train(const std::vector<std::string>& args) {
  std::string model_name;
  std::string initial_model;
  std::string dataset_spec;
  std::string output;
  std::string optimizer;
  std::string precision;
  std::string wires;
  std::size_t wire_refresh_steps = 0;
  std::size_t calibration_images = 0;
  std::size_t train_images = 0;
  std::size_t test_images = 0;
  nn::TrainingSettings settings;
  CommandSyntax syntax(
      "train", "--model NAME|ARCH.txt --dataset fashion-mnist|DATA.h5 -o MODEL.h5 [options]",
      "Trains a CNN on the training split of a dataset and writes the model file (docs/nn.md):\n"
      "the architecture, the learnt parameters, the training log with every hyper-parameter,\n"
      "and the test accuracy after every epoch. --model names a built-in reference model\n"
      "(lenet5, vgg, mobilenet) or an architecture file; --init starts from the parameters of\n"
      "a model file instead of a random initialisation. A checkpoint (MODEL.h5.checkpoint) is\n"
      "written after every epoch: run the same command again after an interruption and it\n"
      "resumes, ending with the same weights as an uninterrupted run. Results depend on the\n"
      "seed, never on --threads.");
  syntax.options.add_options()                                                             //
      ("model,m", po::value(&model_name), "built-in model name or architecture file")      //
      ("init", po::value(&initial_model), "start from the parameters of this model file")  //
      ("dataset,d", po::value(&dataset_spec)->default_value("fashion-mnist"),
       "fashion-mnist[:DIRECTORY] or an HDF5 image dataset")                                      //
      ("output,o", po::value(&output)->required(), "model file to write")                         //
      ("epochs", po::value(&settings.epochs)->default_value(10), "passes over the training set")  //
      ("batch-size", po::value(&settings.batch_size)->default_value(64), "images per step")       //
      ("optimizer", po::value(&optimizer)->default_value("adam"), "adam or sgd")                  //
      ("learning-rate", po::value(&settings.optimizer.learning_rate)->default_value(2e-3),
       "initial learning rate (cosine decay to --final-learning-rate)")  //
      ("final-learning-rate", po::value(&settings.final_learning_rate)->default_value(1e-5),
       "learning rate at the end of the run")                                                    //
      ("momentum", po::value(&settings.optimizer.momentum)->default_value(0.9), "SGD momentum")  //
      ("weight-decay", po::value(&settings.optimizer.weight_decay)->default_value(0.0),
       "L2 weight decay")  //
      ("logit-scale", po::value(&settings.logit_scale)->default_value(10.0),
       "softmax cross-entropy on this scale times the outputs")  //
      ("seed", po::value(&settings.seed)->default_value(1),
       "seed of initialisation, order and augmentation")  //
      ("augment-shift", po::value(&settings.augment_shift)->default_value(0),
       "random shifts of up to this many pixels")                                               //
      ("augment-flip", po::bool_switch(&settings.augment_flip), "random horizontal mirroring")  //
      ("precision", po::value(&precision)->default_value("float"),
       "float; int8: fold batch norms, calibrate and train the TPU part fake-quantised as the "
       "TPU model executes it; imac-ideal: int8 TPU part, DAC, and the FC part as the ideal-wire "
       "IMAC circuit computes it")  //
      ("wires", po::value(&wires)->default_value("ideal"),
       "imac-ideal: ideal (the circuit without wire resistance) or exact (the wire model of "
       "--config, geometry by default: every tile as its exact port admittance, refreshed "
       "from the quantised weights every --wire-refresh steps and at the end of each epoch)")  //
      ("wire-refresh", po::value(&wire_refresh_steps)->default_value(50),
       "--wires exact: steps between refreshes of the tiles' wire correction")  //
      ("calibration-images", po::value(&calibration_images)->default_value(1024),
       "int8: training images that set the activation ranges")  //
      ("train-images", po::value(&train_images)->default_value(0),
       "use only the first N training images (0: all)")  //
      ("test-images", po::value(&test_images)->default_value(0),
       "test on the first N test images after each epoch (0: all)");
  add_thread_option(syntax);
  add_imac_circuit_options(syntax);
  syntax.input_files = {"init", "model", "dataset", "config"};
  syntax.output_files = {"output"};
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  if (model_name.empty() == initial_model.empty()) {
    throw UsageError("imcosim train: give either --model (a new model) or --init (a model file)");
  }
  settings.optimizer.kind = nn::parse_optimizer(optimizer);
  if (precision != "float" && precision != "int8" && precision != "imac-ideal") {
    throw UsageError("imcosim train: unknown --precision '" + precision +
                     "' (float, int8 or imac-ideal)");
  }
  if (wires != "ideal" && wires != "exact") {
    throw UsageError("imcosim train: --wires must be ideal or exact, not '" + wires + "'");
  }
  if (wires == "exact" && wire_refresh_steps == 0) {
    throw UsageError("imcosim train: --wire-refresh must be at least 1 step");
  }
  apply_thread_option(*values);

  // 1. The network: a fresh architecture, or a model file to continue from.
  nn::ModelFile model = initial_model.empty()
                            ? nn::ModelFile(nn::HybridNetwork(nn::load_architecture(model_name)))
                            : nn::read_model_file(initial_model);
  if (initial_model.empty()) {
    model.network.model().initialise(settings.seed);
  }

  // 2. The data.
  auto train_set = nn::load_dataset(dataset_spec, nn::DatasetSplit::train);
  auto test_set = nn::load_dataset(dataset_spec, nn::DatasetSplit::test);
  train_set = limit_images(std::move(train_set), train_images);
  test_set = limit_images(std::move(test_set), test_images);

  if (precision != "float" && model.network.precision() == nn::Precision::float32) {
    model.network = model.network.with_batch_norm_folded();
    model.network.quantise(train_set, calibration_images);
  }
  // The circuit the model was trained on (empty: the reference circuit, or none yet).
  const std::string stored_config = nn::stored_imac_config(model);
  std::unique_ptr<spice::WorkerPool> pool;
  std::shared_ptr<nn::ImacCircuit> circuit;  // --wires exact
  bool wired = false;                        // ... with a wire model other than ideal
  if (precision == "imac-ideal" || model.imac_encoding) {
    pool = std::make_unique<spice::WorkerPool>(spice::WorkerPoolOptions{});
    const auto encoding = model.imac_encoding ? *model.imac_encoding : imac_encoding(*values);
    if (wires == "exact") {
      circuit = attach_wired_circuit(*values, model.network, encoding, *pool, stored_config);
      wired = imac_circuit_parameters(*values, stored_config).wire_model != imac::WireModel::ideal;
    } else {
      attach_ideal_circuit(*values, model.network, encoding, *pool, stored_config);
    }
  } else if (wires == "exact") {
    throw UsageError("imcosim train: --wires exact needs --precision imac-ideal");
  }
  const std::string circuit_config =
      values->count("config") != 0 ? imac_config_text(*values) : stored_config;
  if (model.network.precision() == nn::Precision::imac_ideal) {
    settings.hardware = circuit_config + "\nwires=" + wires +
                        "\nwire_refresh=" + std::to_string(wire_refresh_steps);
  }
  // The wire correction of every tile follows the quantised weights: refreshed before every
  // --wire-refresh-th step of an epoch (the first included, so a resumed run refreshes where an
  // uninterrupted one did) and after its last step, for its test accuracy.
  const auto refresh_wires = [&] {
    if (circuit) {
      circuit->refresh_wires(model.network.imac_model().layers());
    }
  };

  notes_out() << "imcosim train: " << model.network.architecture().name() << " ("
              << nn::precision_name(model.network.precision()) << ") on " << train_set.size()
              << " images of " << train_set.source() << ", " << settings.epochs << " epochs\n";

  // 3. Train, with a progress bar per epoch.
  std::unique_ptr<ProgressReport> bar;
  std::size_t bar_epoch = 0;
  const auto result = nn::train(
      model.network, train_set, &test_set, settings, output + ".checkpoint",
      [&](const nn::TrainingProgress& progress) {
        if (progress.epoch != bar_epoch) {
          if (bar) {
            bar->finish();
          }
          bar = std::make_unique<ProgressReport>(
              "epoch " + std::to_string(progress.epoch) + "/" + std::to_string(progress.epochs),
              static_cast<std::int64_t>(progress.images_total), 0);
          bar_epoch = progress.epoch;
        }
        bar->update(static_cast<std::int64_t>(progress.images_done));
        if (progress.images_done == progress.images_total) {
          refresh_wires();
        }
      },
      [&](std::size_t, std::size_t batch) {
        if (batch % wire_refresh_steps == 0) {
          refresh_wires();
        }
      });
  if (bar) {
    bar->finish();
  }
  if (result.resumed) {
    notes_out() << "imcosim train: resumed after epoch " << result.resumed_epochs << '\n';
  }
  for (const auto& record : result.log) {
    summary_out() << "epoch " << std::setw(3) << record.epoch << "  loss " << std::fixed
                  << std::setprecision(4) << record.loss << "  train " << std::setprecision(2)
                  << 100.0 * record.train_accuracy << " %  test " << 100.0 * record.test_accuracy
                  << " %  " << std::setprecision(0) << record.images_per_second << " images/s\n";
  }

  // 4. The model file, with the log, the settings and the final test evaluation.
  model.log.insert(model.log.end(), result.log.begin(), result.log.end());
  model.settings = nn::settings_record(settings);
  if (model.network.precision() == nn::Precision::imac_ideal) {
    model.settings["imac_config"] = circuit_config;
    model.settings["wires"] = wires;
    if (circuit) {
      model.settings["wire_refresh_steps"] = std::to_string(wire_refresh_steps);
    }
  }
  model.settings["dataset"] = train_set.source();
  model.evaluations.clear();
  // With wire parasitics the trainer's circuit is the fast path's (nn evaluate --backend imac).
  model.evaluations[wired ? "imac" : nn::precision_name(model.network.precision())] =
      nn::evaluate(model.network, test_set);
  nn::write_model_file(output, model);
  const double test_accuracy = model.evaluations.begin()->second.accuracy;
  summary_out() << "imcosim train: test accuracy " << std::setprecision(2) << 100.0 * test_accuracy
                << " % on " << test_set.size() << " images; wrote " << output << '\n';
  auto& summary = json_summary();
  summary.set("architecture", model.network.architecture().name())
      .set("precision", nn::precision_name(model.network.precision()))
      .set("epochs", settings.epochs)
      .set("resumed_after_epoch", result.resumed ? static_cast<long>(result.resumed_epochs) : 0L)
      .set("test_images", test_set.size())
      .set("test_accuracy_percent", 100.0 * test_accuracy)
      .set("output", output);
  if (!result.log.empty()) {
    summary.set("final_loss", result.log.back().loss);
  }
  return 0;
}

}  // namespace imcosim::cli
