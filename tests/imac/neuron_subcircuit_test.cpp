// The shipped subcircuits and model card in plain ngspice, and the neuron transfer curves.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "imcosim/netlist/library.hpp"
#include "imcosim/spice/worker_pool.hpp"
#include "neuron_test_support.hpp"
#include "support/run_command.hpp"

namespace imcosim::testing {
namespace {

constexpr double kVdd_volt = 0.8;

std::string lower_case(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Name and pins of the .subckt card in `text` (continuation lines joined).
std::vector<std::string> subcircuit_card(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  std::string card;
  while (std::getline(lines, line)) {
    if (!card.empty() && line.starts_with("+")) {
      card += " " + line.substr(1);
    } else if (!card.empty()) {
      break;
    } else if (lower_case(line).starts_with(".subckt")) {
      card = line;
    }
  }
  std::istringstream tokens(card);
  std::vector<std::string> name_and_pins;
  std::string token;
  tokens >> token;  // .subckt
  while (tokens >> token && lower_case(token) != "params:" &&
         token.find('=') == std::string::npos) {
    name_and_pins.push_back(token);
  }
  return name_and_pins;
}

// A deck that .includes the shipped file by its path in the source tree, as a user would, and
// exercises it in an operating point: a subcircuit is instantiated with its vdd pin at 0.8 V and
// every other pin tied to ground through 1 Mohm; the model card drives one NMOS and one PMOS.
std::string deck_for(const std::string& name) {
  const std::string source(IMCOSIM_SOURCE_DIR);
  std::string deck =
      "* shipped file " + name + "\n.include " + source + "/device_models/imcosim_cmos.lib\n";
  if (name.ends_with(".lib")) {
    return deck +
           "vdd vdd 0 dc 0.8\nvg g 0 dc 0.4\n"
           "mn d g 0 0 imcosim_nmos w=300n l=30n\nrn vdd d 10k\n"
           "mp dp g vdd vdd imcosim_pmos w=600n l=30n\nrp dp 0 10k\n.op\n.end\n";
  }
  deck += ".include " + source + "/netlists/" + name + "\n";
  const auto card = subcircuit_card(std::string(netlist::library_text(name)));
  EXPECT_GE(card.size(), 2U) << name;
  std::string instance = "xdut";
  for (std::size_t k = 1; k < card.size(); ++k) {
    const std::string node = "p" + std::to_string(k);
    instance += " " + node;
    deck += lower_case(card[k]) == "vdd" ? "v" + node + " " + node + " 0 dc 0.8\n"
                                         : "r" + node + " " + node + " 0 1meg\n";
  }
  return deck + instance + " " + card.at(0) + "\n.op\n.end\n";
}

TEST(NeuronSubcircuits, EveryShippedFileRunsInPlainNgspice) {
  const ScratchDirectory scratch;
  for (const std::string_view name : netlist::library_file_names()) {
    const auto deck_path = scratch / (std::string(name) + ".cir");
    std::ofstream(deck_path) << deck_for(std::string(name));
    const CommandOutcome outcome = run_command("ngspice -b " + deck_path.string());
    EXPECT_EQ(outcome.exit_code, 0) << name << "\n" << outcome.output;
    const std::string output = lower_case(outcome.output);
    EXPECT_EQ(output.find("error"), std::string::npos) << name << "\n" << outcome.output;
    EXPECT_EQ(output.find("warning"), std::string::npos) << name << "\n" << outcome.output;
    EXPECT_NE(output.find("node"), std::string::npos) << name << "\n" << outcome.output;
  }
}

TEST(NeuronSubcircuits, MtjNeuronIsADecreasingSigmoidCentredAtZero) {
  spice::WorkerPool pool(spice::WorkerPoolOptions{});
  constexpr double kStep_volt = 0.005;
  const std::vector<double> v_out =
      open_transfer_curve(pool, "imac_neuron_mtj", -0.9, 0.9, kStep_volt);
  ASSERT_EQ(v_out.size(), 361U);
  // Decreasing: strictly through the transition, and within 0.1 mV on the plateaus, where the
  // output level sags by tens of microvolts as the growing current of the resistive path
  // in2 - r_p - r_ap - out loads the conducting transistor.
  for (std::size_t k = 1; k < v_out.size(); ++k) {
    const double v_in_volt = -0.9 + static_cast<double>(k) * kStep_volt;
    if (std::abs(v_out[k] - 0.5 * kVdd_volt) < 0.3) {
      EXPECT_LT(v_out[k], v_out[k - 1]) << "at input " << v_in_volt;
    } else {
      EXPECT_LT(v_out[k], v_out[k - 1] + 1e-4) << "at input " << v_in_volt;
    }
  }
  EXPECT_GT(v_out.front() - v_out.back(), 0.9 * kVdd_volt);
  // The input where the output crosses VDD/2, by linear interpolation between samples.
  const auto above =
      std::find_if(v_out.begin(), v_out.end(), [](double v) { return v < 0.5 * kVdd_volt; });
  ASSERT_NE(above, v_out.begin());
  ASSERT_NE(above, v_out.end());
  const auto k = static_cast<std::size_t>(above - v_out.begin());
  const double fraction = (v_out[k - 1] - 0.5 * kVdd_volt) / (v_out[k - 1] - v_out[k]);
  const double midpoint_volt = -0.9 + (static_cast<double>(k - 1) + fraction) * kStep_volt;
  EXPECT_NEAR(midpoint_volt, 0.0, 0.1);
}

TEST(NeuronSubcircuits, BehaviouralNeuronMatchesTransistorLevelWithinDocumentedResidual) {
  spice::WorkerPool pool(spice::WorkerPoolOptions{});
  const auto transistor = open_transfer_curve(pool, "imac_neuron_mtj", -0.9, 0.9, 0.005);
  const auto behavioural = open_transfer_curve(pool, "imac_neuron_behavioural", -0.9, 0.9, 0.005);
  ASSERT_EQ(transistor.size(), behavioural.size());
  double max_residual_volt = 0.0;
  double sum_squares = 0.0;
  for (std::size_t k = 0; k < transistor.size(); ++k) {
    const double residual_volt = behavioural[k] - transistor[k];
    max_residual_volt = std::max(max_residual_volt, std::abs(residual_volt));
    sum_squares += residual_volt * residual_volt;
  }
  // Documented in netlists/imac_neuron_behavioural.sub: max 27.4 mV, rms 19.1 mV.
  EXPECT_LT(max_residual_volt, 0.0276);
  EXPECT_LT(std::sqrt(sum_squares / static_cast<double>(transistor.size())), 0.0192);
}

}  // namespace
}  // namespace imcosim::testing
