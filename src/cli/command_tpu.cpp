// imcosim tpu: SCALE-Sim-compatible cycle counts for a topology on a systolic array.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "imcosim/error.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/tpu/architecture.hpp"
#include "imcosim/tpu/error.hpp"
#include "imcosim/tpu/report.hpp"
#include "imcosim/tpu/topology.hpp"
#include "imcosim/tpu/tpu_model.hpp"
#include "run_output.hpp"
#include "thread_option.hpp"

namespace imcosim::cli {

namespace {

struct TpuArguments {
  std::filesystem::path config_path;
  std::filesystem::path topology_path;
  std::filesystem::path output_directory;
  bool gemm = false;
  double clock_mhz = 0.0;
};

void create_output_directory(const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error || !std::filesystem::is_directory(directory)) {
    throw tpu::TpuError(directory.string() + ": cannot create the output directory" +
                            (error ? ": " + error.message() : std::string()),
                        ErrorKind::runtime);
  }
}

}  // namespace

int run_tpu(const std::vector<std::string>& args) {
  TpuArguments arguments;
  std::string config_path;
  std::string topology_path;
  std::string output_directory;
  CommandSyntax syntax(
      "tpu", "-c ARCH.cfg -t TOPOLOGY.csv -o OUTDIR [options]",
      "Runs every layer of a SCALE-Sim v2 topology on the systolic array that a SCALE-Sim v2\n"
      "config describes and writes OUTDIR/COMPUTE_REPORT.csv (SCALE-Sim's columns and figures,\n"
      "stall-free) and OUTDIR/TPU_REPORT.csv (mapping, folds, time at --clock-mhz, SRAM and DRAM\n"
      "traffic). The topology is read as GEMM 'name, M, N, K' rows when its header names the\n"
      "columns M, N, K or when --gemm is given, and as convolution rows otherwise.");
  syntax.options.add_options()                                                               //
      ("config,c", po::value(&config_path)->required(), "SCALE-Sim architecture .cfg file")  //
      ("topology,t", po::value(&topology_path)->required(), "SCALE-Sim topology .csv file")  //
      ("output,o", po::value(&output_directory)->required(), "directory for the reports")    //
      ("gemm", po::bool_switch(&arguments.gemm), "read the topology as GEMM M,N,K rows")     //
      ("clock-mhz", po::value(&arguments.clock_mhz)->default_value(500.0),
       "array clock in MHz for the per-layer time");
  syntax.input_files = {"config", "topology"};
  syntax.output_directories = {"output"};
  add_thread_option(syntax, "threads running the layers' int8 GEMMs (default: one per core)");
  const auto values = parse_command_line(syntax, args);
  if (!values) {
    return 0;
  }
  apply_thread_option(*values);
  if (!std::isfinite(arguments.clock_mhz) || arguments.clock_mhz <= 0.0) {
    throw UsageError("imcosim tpu: --clock-mhz must be a finite number > 0");
  }
  arguments.config_path = config_path;
  arguments.topology_path = topology_path;
  arguments.output_directory = output_directory;

  // 1. Read and validate the architecture and the topology.
  const auto config = tpu::read_architecture_config(arguments.config_path);
  const auto topology =
      tpu::read_topology(arguments.topology_path,
                         arguments.gemm ? tpu::TopologyFormat::gemm : tpu::TopologyFormat::detect);

  // 2. Time every layer on the array.
  const auto layers = tpu::simulate_topology(topology, config);

  // 3. Write both reports, each atomically.
  create_output_directory(arguments.output_directory);
  io::write_text_atomically(arguments.output_directory / "COMPUTE_REPORT.csv",
                            tpu::format_compute_report(layers));
  io::write_text_atomically(arguments.output_directory / "TPU_REPORT.csv",
                            tpu::format_tpu_report(layers, config, arguments.clock_mhz));

  std::int64_t total_cycles = 0;
  for (const auto& layer : layers) {
    total_cycles += layer.timing.total_cycles;
  }
  summary_out() << "imcosim tpu: " << layers.size() << " layers of " << topology.name << " on "
                << config.array.rows << "x" << config.array.cols << " "
                << tpu::dataflow_code(config.dataflow) << ": " << total_cycles
                << " cycles; reports in " << arguments.output_directory.string() << '\n';
  json_summary()
      .set("topology", topology.name)
      .set("layers", layers.size())
      .set("array_rows", config.array.rows)
      .set("array_cols", config.array.cols)
      .set("dataflow", std::string(tpu::dataflow_code(config.dataflow)))
      .set("total_cycles", total_cycles)
      .set("output_directory", arguments.output_directory.string());
  return 0;
}

}  // namespace imcosim::cli
