// imcosim cosim: the TPU-IMAC co-simulation of a CNN against its TPU-only baseline.
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "imcosim/cosim/config.hpp"
#include "imcosim/cosim/cosimulation.hpp"
#include "imcosim/cosim/result_file.hpp"
#include "neuron_cache_option.hpp"
#include "nn_options.hpp"
#include "spice_options.hpp"
#include "stopwatch.hpp"

namespace imcosim::cli {

namespace {

void print_summary(const cosim::CosimResult& result) {
  std::cout << "\nimcosim cosim: " << result.model_name << " on " << result.images
            << " test images\n";
  for (const auto& figure : result.accuracies) {
    std::cout << "  accuracy " << std::left << std::setw(28) << figure.name << std::right
              << std::fixed << std::setprecision(2) << std::setw(7)
              << 100.0 * figure.record.accuracy << " %\n";
  }
  std::cout << "  TPU-only classes equal to the trainer's int8 forward on "
            << result.images - result.tpu_only_mismatches << " of " << result.images << " images\n";
  if (result.spice_check) {
    const auto& check = *result.spice_check;
    std::cout << "  ngspice (" << check.analysis << ") on " << check.images.size()
              << " images: max |V_fast - V_spice| " << std::scientific << std::setprecision(2)
              << check.max_difference_volt << " V, classes equal on " << check.equal_classes
              << " of " << check.images.size() << '\n';
  }
  std::cout << std::defaultfloat << std::setprecision(6) << "  time: TPU model "
            << result.tpu_only_seconds << " s (TPU-only) and " << result.tpu_imac_tpu_seconds
            << " s (TPU-IMAC conv layers), IMAC fast path " << result.imac_seconds << " s, ngspice "
            << result.spice_seconds << " s\n\n"
            << cosim::comparison_table_markdown(result);
}

}  // namespace

int run_cosim(const std::vector<std::string>& args) {
  std::string config_path;
  std::string output;
  std::vector<std::string> overrides;
  CommandSyntax syntax(
      "cosim", "CONFIG.ini -o OUTDIR [options]",
      "Runs every test image through the TPU-only design (the whole CNN on the TPU model, FC\n"
      "layers as int8 GEMMs) and through TPU-IMAC (conv layers on the same TPU model, the DAC,\n"
      "the FC part on the IMAC circuit: ideal wires, the exact fast path with wire parasitics,\n"
      "device draws, ngspice checks), and writes OUTDIR/cosim.h5, OUTDIR/table.md,\n"
      "OUTDIR/table.csv and OUTDIR/layers.csv: accuracy, latency, weight memory, energy and\n"
      "area of both (docs/cosim.md defines every key and figure).");
  syntax.options.add_options()                                                              //
      ("config", po::value(&config_path)->required(), "co-simulation configuration (INI)")  //
      ("output,o", po::value(&output)->required(), "directory for the results")             //
      ("set", po::value(&overrides)->composing(),
       "section.key=value: replaces the configuration's setting (repeatable; a path is "
       "relative to the working directory)");
  syntax.positional.add("config", 1);
  syntax.input_files = {"config"};
  syntax.output_directories = {"output"};
  add_thread_option(syntax);
  add_spice_options(syntax, SpiceRuns::transients);
  add_neuron_cache_option(syntax);
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  apply_thread_option(*values);
  const auto config = cosim::read_cosim_config(config_path, overrides);
  spice::WorkerPool pool(worker_pool_options(*values));
  const Stopwatch clock;
  cosim::CosimResources resources;
  resources.pool = &pool;
  resources.neuron_cache_directory = neuron_cache_directory(*values);
  resources.on_progress = [&](const std::string& line) {
    std::cerr << "[" << std::fixed << std::setprecision(1) << clock.elapsed_s() << " s] " << line
              << std::defaultfloat << '\n';
  };
  const auto result = cosim::run_cosimulation(config, resources);
  std::string command = "imcosim cosim";
  for (const auto& arg : args) {
    command += " " + arg;
  }
  cosim::write_results(output, result, config,
                       {cosim::canonical_text(config), spice::ngspice_version(pool), command});
  print_summary(result);
  std::cout << "\nwrote " << output << "/cosim.h5, table.md, table.csv, layers.csv\n";
  return result.tpu_only_mismatches == 0 ? 0 : 1;
}

}  // namespace imcosim::cli
