// imcosim cosim: the TPU-IMAC co-simulation of a CNN against its TPU-only baseline.
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "imcosim/cosim/config.hpp"
#include "imcosim/cosim/cosimulation.hpp"
#include "imcosim/cosim/result_file.hpp"
#include "imcosim/mpi/process_group.hpp"
#include "neuron_cache_option.hpp"
#include "nn_options.hpp"
#include "run_output.hpp"
#include "spice_options.hpp"
#include "stopwatch.hpp"

namespace imcosim::cli {

namespace {

void print_summary(std::ostream& out, const cosim::CosimResult& result) {
  out << "\nimcosim cosim: " << result.model_name << " on " << result.images << " test images\n";
  for (const auto& figure : result.accuracies) {
    out << "  accuracy " << std::left << std::setw(28) << figure.name << std::right << std::fixed
        << std::setprecision(2) << std::setw(7) << 100.0 * figure.record.accuracy << " %\n";
  }
  out << "  TPU-only classes equal to the trainer's int8 forward on "
      << result.images - result.tpu_only_mismatches << " of " << result.images << " images\n";
  if (result.spice_check) {
    const auto& check = *result.spice_check;
    out << "  ngspice (" << check.analysis << ") on " << check.images.size()
        << " images: max |V_fast - V_spice| " << std::scientific << std::setprecision(2)
        << check.max_difference_volt << " V, classes equal on " << check.equal_classes << " of "
        << check.images.size() << '\n';
  }
  out << std::defaultfloat << std::setprecision(6) << "  time: TPU model "
      << result.tpu_only_seconds << " s (TPU-only) and " << result.tpu_imac_tpu_seconds
      << " s (TPU-IMAC conv layers), IMAC fast path " << result.imac_seconds << " s, ngspice "
      << result.spice_seconds << " s\n\n"
      << cosim::comparison_table_markdown(result);
}

// The --json figures: every accuracy, the two designs side by side, the ngspice check.
void record_summary(JsonObject& summary, const cosim::CosimResult& result) {
  summary.set("model", result.model_name).set("images", result.images);
  auto& accuracies = summary.object("accuracy_percent");
  for (const auto& figure : result.accuracies) {
    accuracies.set(figure.name, 100.0 * figure.record.accuracy);
  }
  summary.set("tpu_only_mismatches", result.tpu_only_mismatches);
  for (const auto& [name, design] :
       {std::pair{"tpu_only", &result.tpu_only}, std::pair{"tpu_imac", &result.tpu_imac}}) {
    summary.object(name)
        .set("latency_s", design->latency_s)
        .set("energy_j", design->energy_j)
        .set("weight_bytes", design->weight_bytes)
        .set("area_m2", design->area_m2);
  }
  summary.set("speedup", result.speedup())
      .set("weight_memory_reduction", result.weight_memory_reduction())
      .set("imac_latency_s", result.imac_latency_s)
      .set("imac_power_watt", result.imac_power_watt);
  if (result.spice_check) {
    summary.object("spice_check")
        .set("analysis", result.spice_check->analysis)
        .set("images", result.spice_check->images.size())
        .set("max_difference_volt", result.spice_check->max_difference_volt)
        .set("equal_classes", result.spice_check->equal_classes);
  }
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
      "area of both (docs/cosim.md defines every key and figure).\n"
      "Under mpirun or srun (-n N) the N ranks share the test images and the ngspice checks,\n"
      "and rank 0 writes the same results as one process.");
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
  // Every rank of an MPI launcher joins here, before anything is read; the root claims the
  // output directory and reports for the whole job.
  const auto group = mpi::join_process_group();
  syntax.lock_outputs = group->is_root();
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  if (!group->is_root()) {
    configure_run_output(syntax.name, false, true);
  }
  apply_thread_option(*values);
  const auto config = cosim::read_cosim_config(config_path, overrides);
  spice::WorkerPool pool(worker_pool_options(*values));
  const Stopwatch clock;
  cosim::CosimResources resources;
  resources.pool = &pool;
  resources.neuron_cache_directory = neuron_cache_directory(*values);
  resources.group = group.get();
  resources.on_progress = [&](const std::string& line) {
    notes_out() << "[" << std::fixed << std::setprecision(1) << clock.elapsed_s() << " s] " << line
                << std::defaultfloat << '\n';
  };
  const auto result = cosim::run_cosimulation(config, resources);
  if (!group->is_root()) {
    return 0;  // the root, which holds every image's figures, writes them
  }
  std::string command = "imcosim cosim";
  for (const auto& arg : args) {
    command += " " + arg;
  }
  cosim::write_results(output, result, config,
                       {cosim::canonical_text(config), spice::ngspice_version(pool), command});
  print_summary(summary_out(), result);
  summary_out() << "\nwrote " << output << "/cosim.h5, table.md, table.csv, layers.csv\n";
  record_summary(json_summary(), result);
  json_summary().set("output_directory", output);
  return result.tpu_only_mismatches == 0 ? 0 : 1;
}

}  // namespace imcosim::cli
