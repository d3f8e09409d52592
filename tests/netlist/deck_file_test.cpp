#include "imcosim/netlist/deck_file.hpp"

#include <gtest/gtest.h>

#include "imcosim/netlist/error.hpp"

namespace imcosim::netlist {
namespace {

TEST(SplitDeck, SeparatesTheControlBlockAndDropsQuit) {
  const auto deck = split_deck({"title", "R1 a 0 1", "V1 a 0 1", "  .CONTROL", "op", "* note",
                                "print i(v1)", "Quit 0", ".endc", ".end"});
  EXPECT_EQ(deck.circuit_lines,
            (std::vector<std::string>{"title", "R1 a 0 1", "V1 a 0 1", ".end"}));
  EXPECT_EQ(deck.control_commands, (std::vector<std::string>{"op", "print i(v1)"}));
}

TEST(SplitDeck, WithoutAControlBlockRunsTheDotCardAnalyses) {
  const auto deck = split_deck({"title", "R1 a 0 1", "V1 a 0 1", ".op", ".end"});
  EXPECT_EQ(deck.circuit_lines.size(), 5U);
  EXPECT_EQ(deck.control_commands, (std::vector<std::string>{"run"}));
}

TEST(ReadDeckFile, NamesAMissingFile) {
  try {
    static_cast<void>(read_deck_file("/nonexistent/deck.cir"));
    FAIL();
  } catch (const NetlistError& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/deck.cir"), std::string::npos);
    EXPECT_EQ(error.kind(), ErrorKind::bad_input);
  }
}

}  // namespace
}  // namespace imcosim::netlist
