#include "commands.hpp"

#include <array>

namespace imcosim::cli {

int run_demo(const std::vector<std::string>& args);
int run_imac(const std::vector<std::string>& args);
int run_netlist(const std::vector<std::string>& args);
int run_solve(const std::vector<std::string>& args);
int run_spice(const std::vector<std::string>& args);
int run_tpu(const std::vector<std::string>& args);
int run_validate(const std::vector<std::string>& args);
int run_montecarlo(const std::vector<std::string>& args);
int run_dataset(const std::vector<std::string>& args);
int run_merge(const std::vector<std::string>& args);
int run_train(const std::vector<std::string>& args);
int run_nn(const std::vector<std::string>& args);
int run_cosim(const std::vector<std::string>& args);
int run_plot(const std::vector<std::string>& args);

std::span<const Command> commands() {
  static constexpr std::array table{
      Command{"demo", "a random crossbar tile through ngspice and the exact solver", run_demo},
      Command{"netlist", "write a crossbar problem as a standalone ngspice deck", run_netlist},
      Command{"spice", "simulate a crossbar problem in ngspice", run_spice},
      Command{"solve",
              "solve a crossbar problem exactly (auto, direct, transfer, iterative) or ideally",
              run_solve},
      Command{"validate", "compare ngspice with the exact solver on a crossbar problem",
              run_validate},
      Command{"imac",
              "IMAC fully-connected networks: netlist, ngspice, fast evaluation, validation",
              run_imac},
      Command{"tpu", "systolic-array TPU model: SCALE-Sim-compatible cycles and reports", run_tpu},
      Command{"train", "train a CNN on an image dataset (float or hardware-aware)", run_train},
      Command{"nn", "CNN model files: accuracy per back-end, SCALE-Sim topology", run_nn},
      Command{"cosim", "TPU-IMAC co-simulation of a CNN against its TPU-only baseline", run_cosim,
              true},
      Command{"montecarlo",
              "Monte Carlo of a crossbar tile or an IMAC network under device non-idealities",
              run_montecarlo, true},
      Command{"dataset", "write a resumable HDF5 dataset of a Monte Carlo campaign", run_dataset,
              true},
      Command{"merge", "join the shard files of a dataset campaign", run_merge},
      Command{"plot", "draw result files as PNG, SVG or PDF (IR drop, Monte Carlo, TPU, cosim)",
              run_plot},
  };
  return table;
}

}  // namespace imcosim::cli
