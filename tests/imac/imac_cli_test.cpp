// `imcosim imac` end to end, as a user runs it: model files written with h5py by the shipped
// example script, decks run in plain `ngspice -b`, malformed files rejected with exit code 2.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <tuple>

#include "imac_test_support.hpp"
#include "imcosim/error.hpp"
#include "imcosim/imac/evaluation_file.hpp"
#include "imcosim/imac/parameters.hpp"
#include "imcosim/io/hdf5.hpp"
#include "support/cli.hpp"

namespace imcosim::testing {
namespace {

constexpr double output_tolerance_volt = 2e-3;

std::string shell_quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

// Writes model.h5 and inputs.h5 with examples/imac/make_network.py.
void make_network(const ScratchDirectory& scratch, const std::string& arguments) {
  const auto outcome =
      run_python(std::string(IMCOSIM_SOURCE_DIR) + "/examples/imac/make_network.py " + arguments +
                 " --model " + shell_quoted(scratch / "model.h5") + " --inputs " +
                 shell_quoted(scratch / "inputs.h5"));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string network_arguments(const ScratchDirectory& scratch) {
  return shell_quoted(scratch / "model.h5") + " --inputs " + shell_quoted(scratch / "inputs.h5") +
         " --config " + shell_quoted(scratch / "circuit.ini");
}

// The option of the subcommands that characterise the neuron (fast, validate).
std::string cache_option() { return " --cache-dir " + shell_quoted(shared_neuron_cache()); }

TEST(ImacCli, HelpNamesEverySubcommand) {
  const auto help = run_imcosim("imac --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* subcommand : {"netlist", "spice", "fast", "validate"}) {
    EXPECT_NE(help.output.find(subcommand), std::string::npos) << subcommand;
    const auto sub_help = run_imcosim(std::string("imac ") + subcommand + " --help");
    EXPECT_EQ(sub_help.exit_code, 0) << sub_help.output;
    EXPECT_NE(sub_help.output.find("--inputs"), std::string::npos) << sub_help.output;
  }
  EXPECT_EQ(run_imcosim("imac").exit_code, 2);
  EXPECT_EQ(run_imcosim("imac simulate").exit_code, 2);
}

// A predicted class must be a whole number in range: a value beyond any integer type (found by
// fuzz_hdf5_readers as 1.3e64) is refused with the file and entry named, not cast.
TEST(ImacCli, ResultFileWithAnImpossibleClassIndexIsRefused) {
  const ScratchDirectory scratch;
  for (const double predicted : {1.3164e64, 2.5, -7.0}) {
    const auto path = scratch / "result.h5";
    std::filesystem::remove(path);
    {
      auto file = io::hdf5::File::create(path);
      file.write_matrix("outputs", Eigen::MatrixXd::Zero(1, 2));
      file.write_vector("predicted_class", Eigen::VectorXd::Constant(1, predicted));
      for (const char* name : {"power", "settled_power", "latency"}) {
        file.write_vector(name, Eigen::VectorXd::Zero(1));
      }
      file.close();
    }
    try {
      static_cast<void>(imac::read_evaluation(path));
      ADD_FAILURE() << predicted << " was read as a class index";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("/predicted_class[0] is not a class index"),
                std::string::npos)
          << error.what();
    }
  }
}

// The deck that `imac netlist` writes runs unchanged in plain ngspice, and its .meas values
// agree with `imac fast` on the same network.
TEST(ImacCli, NetlistRunsInPlainNgspiceAndAgreesWithFast) {
  const ScratchDirectory scratch;
  make_network(scratch, "--sizes 16,8,4 --encoding ternary --samples 2 --seed 5");
  write_text(scratch / "circuit.ini", "xbar_rows = 8\nxbar_cols = 8\n");

  const auto netlist = run_imcosim("imac netlist " + network_arguments(scratch) + " -o " +
                                   shell_quoted(scratch / "deck.cir"));
  ASSERT_EQ(netlist.exit_code, 0) << netlist.output;
  EXPECT_NE(netlist.output.find("2 x 1 partitions"), std::string::npos) << netlist.output;
  const auto ngspice =
      run_command("cd " + shell_quoted(scratch.path()) + " && ngspice -b deck.cir");
  ASSERT_EQ(ngspice.exit_code, 0) << ngspice.output;
  std::map<std::pair<int, int>, double> measured;
  const std::regex measurement(R"(sample(\d+)_out(\d+)\s*=\s*(\S+))");
  for (std::sregex_iterator it(ngspice.output.begin(), ngspice.output.end(), measurement), end;
       it != end; ++it) {
    measured[{std::stoi((*it)[1]), std::stoi((*it)[2])}] = std::stod((*it)[3]);
  }
  ASSERT_EQ(measured.size(), 2U * 4U) << ngspice.output;

  const auto fast = run_imcosim("imac fast " + network_arguments(scratch) + cache_option() +
                                " -o " + shell_quoted(scratch / "fast.h5"));
  ASSERT_EQ(fast.exit_code, 0) << fast.output;
  const auto result = imac::read_evaluation(scratch / "fast.h5");
  for (const auto& [index, value] : measured) {
    EXPECT_NEAR(result.outputs_volt(index.first, index.second), value, output_tolerance_volt)
        << "sample " << index.first << " output " << index.second;
  }
  // The result file is plain HDF5 for h5py.
  const auto read_back =
      run_python("-c \"import h5py; f = h5py.File('" + (scratch / "fast.h5").string() +
                 "', 'r'); print(f['outputs'].shape, f.attrs['backend'])\"");
  EXPECT_EQ(read_back.exit_code, 0) << read_back.output;
  EXPECT_NE(read_back.output.find("(2, 4) fast"), std::string::npos) << read_back.output;
}

// --analysis op: each sample's operating point, the fast path's exact counterpart, through
// imac validate, imac spice (static power, no latency) and a deck for plain ngspice.
TEST(ImacCli, OperatingPointsValidateAndRunInPlainNgspice) {
  const ScratchDirectory scratch;
  make_network(scratch, "--sizes 16,8,4 --encoding ternary --samples 3 --seed 9");
  write_text(scratch / "circuit.ini", "xbar_rows = 8\nxbar_cols = 8\n");
  const auto validate = run_imcosim("imac validate " + network_arguments(scratch) + cache_option() +
                                    " --analysis op");
  EXPECT_EQ(validate.exit_code, 0) << validate.output;
  EXPECT_NE(validate.output.find("classes agree on 3/3"), std::string::npos) << validate.output;

  const auto spice = run_imcosim("imac spice " + network_arguments(scratch) + cache_option() +
                                 " --analysis op -o " + shell_quoted(scratch / "spice.h5"));
  ASSERT_EQ(spice.exit_code, 0) << spice.output;
  const auto check = run_python(
      "-c \"import h5py, numpy as np; f = h5py.File('" + (scratch / "spice.h5").string() +
      "', 'r'); assert f.attrs['analysis'] == 'op' and f.attrs['ngspice_solver'] in ('klu', "
      "'sparse'); assert np.isnan(f['latency'][:]).all(); "
      "assert (f['power'][:] == f['settled_power'][:]).all() and (f['power'][:] > 0).all()\"");
  EXPECT_EQ(check.exit_code, 0) << check.output;

  const auto netlist = run_imcosim("imac netlist " + network_arguments(scratch) +
                                   " --analysis op -o " + shell_quoted(scratch / "op.cir"));
  ASSERT_EQ(netlist.exit_code, 0) << netlist.output;
  const auto ngspice = run_command("cd " + shell_quoted(scratch.path()) + " && ngspice -b op.cir");
  EXPECT_EQ(ngspice.exit_code, 0) << ngspice.output;
  EXPECT_NE(ngspice.output.find("v(x2_3)"), std::string::npos) << ngspice.output;

  // One sample's .op started from the fast path: plain ngspice converges by Newton's method.
  const auto started = run_imcosim("imac netlist " + network_arguments(scratch) + cache_option() +
                                   " --analysis op --op-start fast --first 1 --count 1 -o " +
                                   shell_quoted(scratch / "started.cir"));
  ASSERT_EQ(started.exit_code, 0) << started.output;
  const auto newton =
      run_command("cd " + shell_quoted(scratch.path()) + " && ngspice -b started.cir");
  EXPECT_EQ(newton.exit_code, 0) << newton.output;
  EXPECT_NE(newton.output.find("x2_3"), std::string::npos) << newton.output;
  EXPECT_EQ(newton.output.find("gmin"), std::string::npos) << newton.output;
  const auto several =
      run_imcosim("imac netlist " + network_arguments(scratch) + cache_option() +
                  " --analysis op --op-start fast -o " + shell_quoted(scratch / "several.cir"));
  EXPECT_EQ(several.exit_code, 2);
  EXPECT_NE(several.output.find("--count 1"), std::string::npos) << several.output;
  const auto unknown_start =
      run_imcosim("imac spice " + network_arguments(scratch) + " --analysis op --op-start hint");
  EXPECT_EQ(unknown_start.exit_code, 2);
  EXPECT_NE(unknown_start.output.find("--op-start"), std::string::npos) << unknown_start.output;

  const auto bad = run_imcosim("imac spice " + network_arguments(scratch) + " --analysis ac");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("--analysis"), std::string::npos) << bad.output;
}

// A transient started from the fast path's idle state, on tiles drawn as their port
// admittances: plain ngspice runs the deck without gmin stepping, `imac validate` passes, and
// the result file records both choices.
TEST(ImacCli, StartedTransientOnPortAdmittanceTiles) {
  const ScratchDirectory scratch;
  make_network(scratch, "--sizes 16,8,4 --encoding ternary --samples 2 --seed 9");
  write_text(scratch / "circuit.ini", "xbar_rows = 8\nxbar_cols = 8\n");
  const auto netlist =
      run_imcosim("imac netlist " + network_arguments(scratch) + cache_option() +
                  " --op-start fast --tiles ports -o " + shell_quoted(scratch / "tran.cir"));
  ASSERT_EQ(netlist.exit_code, 0) << netlist.output;
  std::ifstream deck_file(scratch / "tran.cir");
  const std::string deck{std::istreambuf_iterator<char>(deck_file), {}};
  EXPECT_NE(deck.find("\nRy0_1 "), std::string::npos);
  EXPECT_EQ(deck.find("\nRrow0_0 "), std::string::npos);
  EXPECT_NE(deck.find("\nVhint hint 0 PWL("), std::string::npos);
  const auto ngspice =
      run_command("cd " + shell_quoted(scratch.path()) + " && ngspice -b tran.cir");
  EXPECT_EQ(ngspice.exit_code, 0) << ngspice.output;
  EXPECT_NE(ngspice.output.find("sample1_out3"), std::string::npos) << ngspice.output;
  EXPECT_EQ(ngspice.output.find("gmin"), std::string::npos) << ngspice.output;

  const auto validate = run_imcosim("imac validate " + network_arguments(scratch) + cache_option() +
                                    " --tiles ports");
  EXPECT_EQ(validate.exit_code, 0) << validate.output;
  EXPECT_NE(validate.output.find("classes agree on 2/2"), std::string::npos) << validate.output;
  const auto spice = run_imcosim("imac spice " + network_arguments(scratch) + cache_option() +
                                 " --tiles ports -o " + shell_quoted(scratch / "spice.h5"));
  ASSERT_EQ(spice.exit_code, 0) << spice.output;
  const auto check =
      run_python("-c \"import h5py; f = h5py.File('" + (scratch / "spice.h5").string() +
                 "', 'r'); assert f.attrs['tiles'] == 'ports', f.attrs['tiles']; "
                 "assert f.attrs['op_start'] == 'fast', f.attrs['op_start']\"");
  EXPECT_EQ(check.exit_code, 0) << check.output;

  const auto bad = run_imcosim("imac spice " + network_arguments(scratch) + " --tiles cells");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("--tiles"), std::string::npos) << bad.output;
}

TEST(ImacCli, ValidatePassesAndSpiceReportsPowerAndLatency) {
  const ScratchDirectory scratch;
  make_network(scratch, "--sizes 16,8,4 --encoding binary --samples 3 --seed 7");
  write_text(scratch / "circuit.ini", "xbar_rows = 8\nxbar_cols = 8\nwire_model = ideal\n");
  const auto validate = run_imcosim("imac validate " + network_arguments(scratch) + cache_option() +
                                    " --workers 2 --samples-per-run 1");
  EXPECT_EQ(validate.exit_code, 0) << validate.output;
  EXPECT_NE(validate.output.find("PASS"), std::string::npos) << validate.output;
  EXPECT_NE(validate.output.find("classes agree on 3/3"), std::string::npos) << validate.output;

  const auto spice = run_imcosim("imac spice " + network_arguments(scratch) +
                                 " --first 1 --count 1 -o " + shell_quoted(scratch / "spice.h5"));
  ASSERT_EQ(spice.exit_code, 0) << spice.output;
  EXPECT_NE(spice.output.find("latency mean"), std::string::npos) << spice.output;
  const auto result = imac::read_evaluation(scratch / "spice.h5");
  ASSERT_EQ(result.outputs_volt.rows(), 1);
  EXPECT_GT(result.power_watt(0), 0.0);
  EXPECT_GT(result.latency_s(0), 0.0);
}

// Every sample is its own analysis: a transient from the same idle state, or an operating point
// from ngspice's own start. So a result file depends on the samples alone: not on how many share
// an ngspice job nor on how many workers run the jobs. Before, a job's samples shared one
// transient, each edge ramping from the previous sample's inputs, or one DC sweep, each point
// starting from the previous one.
TEST(ImacCli, SpiceResultsDoNotDependOnWorkersOrSamplesPerRun) {
  const ScratchDirectory scratch;
  make_network(scratch, "--sizes 16,8,4 --encoding ternary --samples 3 --seed 11");
  write_text(scratch / "circuit.ini", "xbar_rows = 8\nxbar_cols = 8\n");
  for (const std::string analysis : {"", " --analysis op --op-start zero"}) {
    std::vector<imac::ImacEvaluation> results;
    for (const char* batching :
         {" --workers 1 --samples-per-run 1", " --workers 2 --samples-per-run 3",
          " --workers 2 --samples-per-run 2"}) {
      const auto file = scratch / ("spice" + std::to_string(results.size()) + ".h5");
      const auto spice = run_imcosim("imac spice " + network_arguments(scratch) + cache_option() +
                                     analysis + batching + " -o " + shell_quoted(file));
      ASSERT_EQ(spice.exit_code, 0) << analysis << batching << "\n" << spice.output;
      results.push_back(imac::read_evaluation(file));
    }
    const auto& one = results.front();
    for (std::size_t r = 1; r < results.size(); ++r) {
      const auto& other = results[r];
      EXPECT_EQ(other.outputs_volt, one.outputs_volt) << analysis << ", run " << r;
      EXPECT_EQ(other.predicted_class, one.predicted_class) << analysis << ", run " << r;
      EXPECT_EQ(other.power_watt, one.power_watt) << analysis << ", run " << r;
      EXPECT_EQ(other.settled_power_watt, one.settled_power_watt) << analysis << ", run " << r;
      // An operating point has no latency: NaN in both.
      EXPECT_TRUE((other.latency_s.array() == one.latency_s.array() ||
                   (other.latency_s.array().isNaN() && one.latency_s.array().isNaN()))
                      .all())
          << analysis << ", run " << r << ": " << other.latency_s << " vs " << one.latency_s;
    }
    EXPECT_EQ(analysis.empty(), (one.latency_s.array() > 0.0).all()) << one.latency_s;
  }
}

// A result file records every circuit value, the numeric ones as numbers and the rest as text,
// the whole circuit as INI text that reads back to the same parameters, and the inputs file.
TEST(ImacCli, ResultFilesRecordTheWholeCircuitAndTheInputs) {
  const ScratchDirectory scratch;
  make_network(scratch, "--sizes 16,8,4 --encoding ternary --samples 2 --seed 3");
  write_text(scratch / "circuit.ini",
             "xbar_rows = 8\nxbar_cols = 4\nwire_model = ohms\nsensing = tia\n"
             "neuron = behavioural\namp_gains = 20,7.5\nr_tia = 250\n");
  const auto fast = run_imcosim("imac fast " + network_arguments(scratch) + cache_option() +
                                " --first 1 -o " + shell_quoted(scratch / "fast.h5"));
  ASSERT_EQ(fast.exit_code, 0) << fast.output;
  const auto file = io::hdf5::File::open_read_only(scratch / "fast.h5");
  EXPECT_EQ(file.read_string_attribute("wire_model"), "ohms");
  EXPECT_EQ(file.read_string_attribute("sensing"), "tia");
  EXPECT_EQ(file.read_string_attribute("neuron"), "behavioural");
  EXPECT_EQ(file.read_string_attribute("encoding"), "ternary");
  EXPECT_EQ(file.read_string_attribute("amp_gains"), "20,7.5");
  EXPECT_EQ(file.read_double_attribute("xbar_rows"), 8.0);
  EXPECT_EQ(file.read_double_attribute("xbar_cols"), 4.0);
  EXPECT_EQ(file.read_double_attribute("r_tia"), 250.0);
  EXPECT_EQ(file.read_string_attribute("inputs_file"), (scratch / "inputs.h5").string());
  EXPECT_EQ(file.read_double_attribute("first_sample"), 1.0);
  std::istringstream circuit(file.read_string_attribute("circuit"));
  const auto recorded = imac::parse_parameters(circuit, "circuit attribute");
  const auto given = imac::read_parameters(scratch / "circuit.ini");
  EXPECT_EQ(imac::parameters_text(recorded), imac::parameters_text(given));
  EXPECT_EQ(recorded.amp_gains, given.amp_gains);
  EXPECT_EQ(recorded.sensing, imac::SensingScheme::tia);
  // The evaluated samples themselves, as an inputs file holds them: --first 1 of 2.
  const auto evaluated = imac::read_network_inputs(scratch / "fast.h5");
  const auto given_inputs = imac::read_network_inputs(scratch / "inputs.h5");
  EXPECT_EQ(evaluated.inputs_volt, given_inputs.inputs_volt.bottomRows(1));
  EXPECT_FALSE(evaluated.labels.has_value());
}

// --hidden-outputs: every layer's neuron outputs, from the fast path and from ngspice (transient
// and operating point), agree within the tolerance of the network outputs; without the option a
// result file has no /layer_outputs.
TEST(ImacCli, HiddenLayerOutputsOfFastAndSpiceAgree) {
  const ScratchDirectory scratch;
  make_network(scratch, "--sizes 16,8,6,4 --encoding ternary --samples 3 --seed 5");
  write_text(scratch / "circuit.ini", "xbar_rows = 8\nxbar_cols = 8\n");
  const auto fast = run_imcosim("imac fast " + network_arguments(scratch) + cache_option() +
                                " --hidden-outputs -o " + shell_quoted(scratch / "fast.h5"));
  ASSERT_EQ(fast.exit_code, 0) << fast.output;
  const auto reference = imac::read_evaluation(scratch / "fast.h5");
  const std::vector<Eigen::Index> neurons{8, 6, 4};
  ASSERT_EQ(reference.layer_outputs_volt.size(), neurons.size());
  for (std::size_t l = 0; l < neurons.size(); ++l) {
    EXPECT_EQ(reference.layer_outputs_volt[l].rows(), 3);
    EXPECT_EQ(reference.layer_outputs_volt[l].cols(), neurons[l]);
  }
  EXPECT_EQ(reference.layer_outputs_volt.back(), reference.outputs_volt);
  // A hidden sigmoid neuron's output spans its range: the samples exercise more than one rail.
  EXPECT_GT(reference.layer_outputs_volt[0].maxCoeff() - reference.layer_outputs_volt[0].minCoeff(),
            0.3);

  // Samples 1 and 2 only: each sample's hidden outputs land in its own row.
  for (const std::string analysis : {"", " --analysis op"}) {
    const auto spice =
        run_imcosim("imac spice " + network_arguments(scratch) + cache_option() + analysis +
                    " --first 1 --hidden-outputs -o " + shell_quoted(scratch / "spice.h5"));
    ASSERT_EQ(spice.exit_code, 0) << analysis << "\n" << spice.output;
    const auto result = imac::read_evaluation(scratch / "spice.h5");
    ASSERT_EQ(result.layer_outputs_volt.size(), neurons.size()) << analysis;
    for (std::size_t l = 0; l < neurons.size(); ++l) {
      const Eigen::MatrixXd expected = reference.layer_outputs_volt[l].bottomRows(2);
      ASSERT_EQ(result.layer_outputs_volt[l].rows(), 2) << analysis << ", layer " << l;
      ASSERT_EQ(result.layer_outputs_volt[l].cols(), neurons[l]) << analysis << ", layer " << l;
      EXPECT_LE((result.layer_outputs_volt[l] - expected).cwiseAbs().maxCoeff(),
                output_tolerance_volt)
          << analysis << ", layer " << l << "\nspice\n"
          << result.layer_outputs_volt[l] << "\nfast\n"
          << expected;
    }
    EXPECT_EQ(result.layer_outputs_volt.back(), result.outputs_volt) << analysis;
  }

  for (const std::string command : {"imac fast", "imac spice"}) {
    const auto plain = run_imcosim(command + " " + network_arguments(scratch) + cache_option() +
                                   " --count 1 -o " + shell_quoted(scratch / "plain.h5"));
    ASSERT_EQ(plain.exit_code, 0) << command << "\n" << plain.output;
    EXPECT_FALSE(io::hdf5::File::open_read_only(scratch / "plain.h5").has_object("layer_outputs"))
        << command;
    EXPECT_TRUE(imac::read_evaluation(scratch / "plain.h5").layer_outputs_volt.empty()) << command;
  }
}

// A result file of `samples` samples and `outputs` outputs holding what every reader requires, all
// zero, for a test to add the members it is about.
io::hdf5::File create_result_file(const std::filesystem::path& path, Eigen::Index samples,
                                  Eigen::Index outputs) {
  auto file = io::hdf5::File::create(path);
  file.write_matrix("outputs", Eigen::MatrixXd::Zero(samples, outputs));
  file.write_vector("predicted_class", Eigen::VectorXd::Zero(samples));
  for (const char* name : {"power", "settled_power", "latency"}) {
    file.write_vector(name, Eigen::VectorXd::Zero(samples));
  }
  return file;
}

// The layers of /layer_outputs are read by their consecutive indices, so a gap or a stray member
// is refused rather than silently dropped (as in a model's /layers); other members of "/" are
// left alone.
TEST(ImacCli, ResultFileWithStrayLayerOutputsIsRefused) {
  const ScratchDirectory scratch;
  const auto path = scratch / "result.h5";
  for (const std::string stray : {"layer_2", "layer_one", "extra"}) {
    std::filesystem::remove(path);
    {
      auto file = create_result_file(path, 1, 2);
      file.write_vector("notes", Eigen::VectorXd::Zero(3));
      auto layers = file.create_group("layer_outputs");
      layers.write_matrix("layer_0", Eigen::MatrixXd::Zero(1, 3));
      layers.write_matrix(stray, Eigen::MatrixXd::Zero(1, 2));
      file.close();
    }
    try {
      static_cast<void>(imac::read_evaluation(path));
      ADD_FAILURE() << stray << " was accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::bad_input);
      EXPECT_NE(std::string(error.what()).find("result.h5:/layer_outputs/" + stray),
                std::string::npos)
          << error.what();
    }
  }
  {
    auto file = io::hdf5::File::open_read_write(path);
    file.open_group("layer_outputs").write_matrix("layer_1", Eigen::MatrixXd::Zero(2, 2));
  }
  try {
    static_cast<void>(imac::read_evaluation(path));
    ADD_FAILURE() << "a layer with two rows for one sample was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("layer_outputs/layer_1 has shape [2][2]"),
              std::string::npos)
        << error.what();
  }
}

// --waveforms keeps every sample's transient: its time points cover the idle window and the
// sample's, its inputs are the applied voltages once the edge has passed, and its outputs at the
// window's end are the reported outputs. An operating point has no waveforms (exit 2), and a
// file without them reads as before.
TEST(ImacCli, SpiceWaveformsAreTheTransientsThatGiveTheOutputs) {
  const ScratchDirectory scratch;
  make_network(scratch, "--sizes 6,4,3 --encoding ternary --samples 2 --seed 3");
  write_text(scratch / "circuit.ini", "xbar_rows = 8\nxbar_cols = 8\n");
  const auto spice = run_imcosim("imac spice " + network_arguments(scratch) + cache_option() +
                                 " --waveforms -o " + shell_quoted(scratch / "spice.h5"));
  ASSERT_EQ(spice.exit_code, 0) << spice.output;
  const auto result = imac::read_evaluation(scratch / "spice.h5");
  const auto inputs = imac::read_network_inputs(scratch / "inputs.h5").inputs_volt;
  const imac::ImacParameters parameters;
  ASSERT_EQ(result.waveforms.size(), 2U);
  for (Eigen::Index k = 0; k < 2; ++k) {
    const auto& waveforms = result.waveforms[static_cast<std::size_t>(k)];
    const Eigen::Index points = waveforms.time_s.size();
    ASSERT_GT(points, 100) << k;
    EXPECT_EQ(waveforms.time_s(0), 0.0) << k;
    EXPECT_GE(waveforms.time_s(points - 1), 2.0 * parameters.t_sampling_s) << k;
    ASSERT_EQ(waveforms.inputs_volt.rows(), points) << k;
    ASSERT_EQ(waveforms.outputs_volt.rows(), points) << k;
    ASSERT_EQ(waveforms.outputs_volt.cols(), 3) << k;
    EXPECT_EQ(waveforms.inputs_volt.row(0).cwiseAbs().maxCoeff(), 0.0) << k;
    EXPECT_LE((waveforms.inputs_volt.row(points - 1) - inputs.row(k)).cwiseAbs().maxCoeff(), 1e-12)
        << k;
    // The last point lies at or just after the window's end, where the outputs have settled.
    EXPECT_LE(
        (waveforms.outputs_volt.row(points - 1) - result.outputs_volt.row(k)).cwiseAbs().maxCoeff(),
        1e-4)
        << k;
  }
  const auto op = run_imcosim("imac spice " + network_arguments(scratch) + cache_option() +
                              " --analysis op --waveforms -o " + shell_quoted(scratch / "op.h5"));
  EXPECT_EQ(op.exit_code, 2) << op.output;
  EXPECT_NE(op.output.find("--waveforms needs --analysis tran"), std::string::npos) << op.output;
  EXPECT_FALSE(std::filesystem::exists(scratch / "op.h5"));
  const auto plain = run_imcosim("imac spice " + network_arguments(scratch) + cache_option() +
                                 " --count 1 -o " + shell_quoted(scratch / "plain.h5"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_FALSE(io::hdf5::File::open_read_only(scratch / "plain.h5").has_object("waveforms"));
  EXPECT_TRUE(imac::read_evaluation(scratch / "plain.h5").waveforms.empty());
}

// /waveforms holds sample_<k> groups of three datasets, one row per time point; anything else is
// refused naming the member, as in /layer_outputs.
TEST(ImacCli, ResultFileWithMalformedWaveformsIsRefused) {
  const ScratchDirectory scratch;
  const auto path = scratch / "result.h5";
  const auto write = [&](const std::string& sample, const std::string& dataset, Eigen::Index rows) {
    std::filesystem::remove(path);
    auto file = create_result_file(path, 2, 2);
    file.write_matrix("inputs", Eigen::MatrixXd::Zero(2, 3));
    auto group = file.create_group("waveforms").create_group(sample);
    group.write_vector("time_s", Eigen::VectorXd::LinSpaced(4, 0.0, 1e-9));
    group.write_matrix("inputs_volt", Eigen::MatrixXd::Zero(4, 3));
    group.write_matrix(dataset, Eigen::MatrixXd::Zero(rows, 2));
    file.close();
  };
  write("sample_1", "outputs_volt", 4);
  ASSERT_EQ(imac::read_evaluation(path).waveforms.size(), 2U);
  EXPECT_EQ(imac::read_evaluation(path).waveforms[0].time_s.size(), 0);
  EXPECT_EQ(imac::read_evaluation(path).waveforms[1].outputs_volt.rows(), 4);
  for (const auto& [sample, dataset, rows, message] :
       {std::tuple{"sample_2", "outputs_volt", 4, "result.h5:/waveforms/sample_2 is not"},
        std::tuple{"first", "outputs_volt", 4, "result.h5:/waveforms/first is not"},
        std::tuple{"sample_01", "outputs_volt", 4, "result.h5:/waveforms/sample_01 is not"},
        std::tuple{"sample_0", "currents", 4, "result.h5:/waveforms/sample_0/currents is not"},
        std::tuple{"sample_0", "outputs_volt", 3,
                   "result.h5:/waveforms/sample_0/outputs_volt has shape [3][2]"}}) {
    write(sample, dataset, rows);
    try {
      static_cast<void>(imac::read_evaluation(path));
      ADD_FAILURE() << sample << "/" << dataset << " was accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::bad_input);
      EXPECT_NE(std::string(error.what()).find(message), std::string::npos) << error.what();
    }
  }
}

// A failed ngspice run costs its own samples only: they are NaN (class -1) in the result file,
// which is still written, and the command exits 1 naming the failure.
TEST(ImacCli, FailedNgspiceRunsLeaveTheirSamplesNaNAndExitOne) {
  const ScratchDirectory scratch;
  make_network(scratch, "--sizes 6,4,3 --samples 3");
  write_text(scratch / "circuit.ini", "xbar_rows = 8\nxbar_cols = 8\n");
  const auto spice =
      run_imcosim("imac spice " + network_arguments(scratch) +
                  " --timeout 0.001 --samples-per-run 1 -o " + shell_quoted(scratch / "spice.h5"));
  EXPECT_EQ(spice.exit_code, 1) << spice.output;
  EXPECT_NE(spice.output.find("3 ngspice run(s) failed"), std::string::npos) << spice.output;
  EXPECT_NE(spice.output.find("time-out"), std::string::npos) << spice.output;
  const auto result = imac::read_evaluation(scratch / "spice.h5");
  ASSERT_EQ(result.outputs_volt.rows(), 3);
  EXPECT_TRUE(result.outputs_volt.array().isNaN().all());
  EXPECT_EQ(result.predicted_class, std::vector<Eigen::Index>(3, imac::no_class));
}

struct MalformedModel {
  const char* name;
  const char* python;   // writes the model file `p` with h5py; numpy as np
  const char* message;  // part of the expected error
};

void PrintTo(const MalformedModel& bad, std::ostream* os) { *os << bad.name; }

class MalformedModelFile : public ::testing::TestWithParam<MalformedModel> {};

TEST_P(MalformedModelFile, IsRejectedWithExitTwoAndAClearMessage) {
  const ScratchDirectory scratch;
  make_network(scratch, "--sizes 6,4,3 --samples 2");
  const MalformedModel& bad = GetParam();
  const auto written = run_python("-c \"import h5py, numpy as np; p = '" +
                                  (scratch / "model.h5").string() + "'; " + bad.python + "\"");
  ASSERT_EQ(written.exit_code, 0) << written.output;
  write_text(scratch / "circuit.ini", "xbar_rows = 8\nxbar_cols = 8\n");
  for (const std::string& command :
       {"imac fast" + cache_option(), "imac netlist -o " + shell_quoted(scratch / "deck.cir")}) {
    const auto outcome = run_imcosim(command + " " + network_arguments(scratch));
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    EXPECT_NE(outcome.output.find(bad.message), std::string::npos) << outcome.output;
  }
  EXPECT_FALSE(std::filesystem::exists(scratch / "deck.cir"));
}

INSTANTIATE_TEST_SUITE_P(
    Models, MalformedModelFile,
    ::testing::Values(
        MalformedModel{"layers_do_not_chain",
                       "f = h5py.File(p, 'r+'); del f['layers/1/weight']; "
                       "f['layers/1/weight'] = np.ones((3, 5))",
                       "layers/1/weight"},
        MalformedModel{"nan_weight",
                       "f = h5py.File(p, 'r+'); w = f['layers/0/weight']; w[1, 2] = np.nan",
                       "[1][2] = nan"},
        MalformedModel{"unknown_encoding", "f = h5py.File(p, 'r+'); f.attrs['encoding'] = 'octal'",
                       "expected binary, ternary or k-level"},
        MalformedModel{"binary_model_with_a_fractional_weight",
                       "f = h5py.File(p, 'r+'); f['layers/0/bias'][0] = 0.5",
                       "binary weights must be -1 or +1"},
        MalformedModel{"bias_of_the_wrong_length",
                       "f = h5py.File(p, 'r+'); del f['layers/0/bias']; "
                       "f['layers/0/bias'] = np.ones(7)",
                       "layers/0/bias"},
        MalformedModel{"k_level_without_levels",
                       "f = h5py.File(p, 'r+'); f.attrs['encoding'] = 'k-level'",
                       "needs the integer attribute 'levels'"},
        MalformedModel{"no_layers", "f = h5py.File(p, 'w'); f.attrs['encoding'] = 'binary'",
                       "layers/0"},
        MalformedModel{"not_hdf5", "open(p, 'w').write('weights')", "model.h5"}),
    [](const ::testing::TestParamInfo<MalformedModel>& param_info) {
      return param_info.param.name;
    });

TEST(ImacCli, BadConfigAndInputsAreBadInput) {
  const ScratchDirectory scratch;
  make_network(scratch, "--sizes 6,4,3 --samples 2");
  write_text(scratch / "circuit.ini", "xbar_rows = 8\nr_lwo_ohm = 5e3\n");
  auto outcome = run_imcosim("imac fast " + network_arguments(scratch) + cache_option());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find("r_lwo_ohm"), std::string::npos) << outcome.output;

  write_text(scratch / "circuit.ini", "r_low_ohm = -5e3\n");
  outcome = run_imcosim("imac fast " + network_arguments(scratch) + cache_option());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find("r_low_ohm"), std::string::npos) << outcome.output;

  // Too few gains for the model's 2 layers: the message names the file they came from.
  write_text(scratch / "circuit.ini", "amp_gains = 2\n");
  outcome = run_imcosim("imac fast " + network_arguments(scratch) + cache_option());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find((scratch / "circuit.ini").string() + ": amp_gains lists 1 gains"),
            std::string::npos)
      << outcome.output;

  write_text(scratch / "circuit.ini", "xbar_rows = 8\n");
  outcome = run_imcosim("imac fast " + network_arguments(scratch) + cache_option() +
                        " --first 1 --count 5");
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find("--count 5"), std::string::npos) << outcome.output;

  ASSERT_EQ(
      run_python("-c \"import h5py, numpy as np; f = h5py.File('" +
                 (scratch / "inputs.h5").string() + "', 'w'); f['inputs'] = np.full((2, 5), 0.3)\"")
          .exit_code,
      0);
  outcome = run_imcosim("imac fast " + network_arguments(scratch) + cache_option());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find("expected K x 6"), std::string::npos) << outcome.output;

  // An option that would do nothing is not offered: imac fast runs no transient.
  outcome = run_imcosim("imac fast " + network_arguments(scratch) + cache_option() +
                        " --samples-per-run 4");
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find("samples-per-run"), std::string::npos) << outcome.output;

  // A label that is not one of the network's 3 classes.
  ASSERT_EQ(run_python("-c \"import h5py, numpy as np; f = h5py.File('" +
                       (scratch / "inputs.h5").string() +
                       "', 'w'); f['inputs'] = np.full((2, 6), 0.3); f['labels'] = [1, 3]\"")
                .exit_code,
            0);
  outcome = run_imcosim("imac fast " + network_arguments(scratch) + cache_option());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find("/labels[1] = 3 is not a class of the network's 3 outputs"),
            std::string::npos)
      << outcome.output;
}

}  // namespace
}  // namespace imcosim::testing
