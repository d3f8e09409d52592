#include "imcosim/netlist/tile_deck.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "imcosim/solver/agreement.hpp"
#include "support/reference_tile_solution.hpp"
#include "support/run_command.hpp"

namespace imcosim::netlist {
namespace {

using circuit::CrossbarTile;
using circuit::TileNetwork;

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream stream(text);
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

// Decks are compared word by word; words that are numbers must agree to 1e-12 relative, so a
// change of number formatting is not a failure but a change of value is.
void expect_same_deck(const std::string& actual, const std::string& expected) {
  const auto a = split_words(actual);
  const auto e = split_words(expected);
  ASSERT_EQ(a.size(), e.size()) << actual;
  for (std::size_t w = 0; w < a.size(); ++w) {
    char* end_a = nullptr;
    char* end_e = nullptr;
    const double value_a = std::strtod(a[w].c_str(), &end_a);
    const double value_e = std::strtod(e[w].c_str(), &end_e);
    if (*end_a == '\0' && *end_e == '\0' && end_a != a[w].c_str()) {
      EXPECT_NEAR(value_a, value_e, 1e-12 * std::abs(value_e)) << "word " << w;
    } else {
      EXPECT_EQ(a[w], e[w]) << "word " << w;
    }
  }
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(StandaloneTileDeck, MatchesTheGoldenDeck) {
  Eigen::MatrixXd g(2, 3);
  g << 1e-4, 2e-4, 4e-4, 5e-5, 1e-3, 1e-6;
  const TileNetwork network(
      CrossbarTile(g, {.r_row_ohm = 2.5, .r_col_ohm = 1.5, .r_source_ohm = 10, .r_sense_ohm = 20}));
  std::ostringstream deck;
  write_standalone_tile_deck(deck, network, Eigen::Vector2d(0.3, -0.125), "golden");
  expect_same_deck(deck.str(), read_file(std::filesystem::path(IMCOSIM_SOURCE_DIR) /
                                         "tests/netlist/golden/tile_2x3.cir"));
}

TEST(StandaloneTileDeck, IdealConnectionsWriteNoZeroOhmResistor) {
  const TileNetwork network(CrossbarTile(Eigen::MatrixXd::Constant(3, 3, 1e-4), {}));
  std::ostringstream deck;
  write_standalone_tile_deck(deck, network, Eigen::Vector3d(0.1, 0.2, 0.3), "ideal");
  const std::regex resistor(R"(^R\S+ \S+ \S+ (\S+)$)");
  int resistors = 0;
  std::istringstream lines(deck.str());
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_match(line, match, resistor)) {
      ++resistors;
      EXPECT_GT(std::stod(match[1].str()), 0.0) << line;
    }
  }
  EXPECT_EQ(resistors, 9);  // the devices only
}

// Parses the documented output form, one line "i_out_<j> = <amperes>" per output.
Eigen::VectorXd parse_printed_currents(const std::string& output, Eigen::Index outputs) {
  Eigen::VectorXd currents = Eigen::VectorXd::Constant(outputs, std::nan(""));
  const std::regex line(R"(^i_out_(\d+) = (\S+)\s*$)");
  std::istringstream stream(output);
  for (std::string text; std::getline(stream, text);) {
    std::smatch match;
    if (std::regex_match(text, match, line)) {
      currents(std::stoll(match[1].str())) = std::stod(match[2].str());
    }
  }
  return currents;
}

TEST(StandaloneTileDeck, PlainNgspiceBatchRunAgreesWithTheReference) {
  const testing::ScratchDirectory scratch;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    const Eigen::Index m = 2 + static_cast<Eigen::Index>(seed * 3);
    const Eigen::Index n = 1 + static_cast<Eigen::Index>(seed * 2);
    const auto tile = testing::random_tile(seed, m, n, 1);
    const TileNetwork network(CrossbarTile(tile.g_siemens, tile.wires));
    const auto deck_path = scratch / ("tile" + std::to_string(seed) + ".cir");
    {
      std::ofstream deck(deck_path);
      write_standalone_tile_deck(deck, network, tile.inputs_volt.row(0).transpose(), "random");
    }
    const auto run = testing::run_command("ngspice -b " + deck_path.string());
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const Eigen::MatrixXd spice = parse_printed_currents(run.output, n).transpose();
    const auto reference =
        testing::reference_tile_solution(tile.g_siemens, tile.wires, tile.inputs_volt);
    EXPECT_LE(solver::compare_currents(spice, reference.currents_ampere).max_relative, 1e-6)
        << run.output;
  }
}

TEST(TileBatchDeck, SweepsTheSampleIndexThroughPiecewiseLinearSources) {
  Eigen::MatrixXd inputs(3, 2);
  inputs << 0.1, 0.2, 0.3, 0.4, 0.5, 0.6;
  const TileNetwork network(
      CrossbarTile(Eigen::MatrixXd::Constant(2, 2, 1e-4), {.r_source_ohm = 5}));
  const auto lines = tile_batch_deck(network, inputs, "batch");
  EXPECT_EQ(lines.back(), ".end");
  EXPECT_EQ(lines[lines.size() - 2], ".dc Vsample 0 2 1");
  EXPECT_NE(std::find(lines.begin(), lines.end(), "Bin1 in1 0 V=pwl(v(sample)"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "+ , 0, 0.2, 1, 0.4, 2, 0.6)"), lines.end());
  const auto single = tile_batch_deck(network, inputs.topRows(1), "one");
  EXPECT_EQ(single[single.size() - 2], ".op");
}

}  // namespace
}  // namespace imcosim::netlist
