#include "imcosim/netlist/deck_file.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>

#include "imcosim/netlist/error.hpp"

namespace imcosim::netlist {

namespace {

// SPICE is case-insensitive and tolerates leading blanks before dot cards and commands.
std::string first_word_lowercase(const std::string& line) {
  const auto begin = std::find_if_not(line.begin(), line.end(),
                                      [](unsigned char c) { return std::isspace(c) != 0; });
  const auto end =
      std::find_if(begin, line.end(), [](unsigned char c) { return std::isspace(c) != 0; });
  std::string word(begin, end);
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return word;
}

}  // namespace

Deck split_deck(const std::vector<std::string>& lines) {
  Deck deck;
  bool in_control_block = false;
  bool had_control_block = false;
  for (const auto& line : lines) {
    const std::string word = first_word_lowercase(line);
    if (word == ".control") {
      in_control_block = true;
      had_control_block = true;
    } else if (word == ".endc") {
      in_control_block = false;
    } else if (in_control_block) {
      if (!word.empty() && word != "quit" && word != "exit" && word.front() != '*') {
        deck.control_commands.push_back(line);
      }
    } else {
      deck.circuit_lines.push_back(line);
    }
  }
  if (!had_control_block) {
    deck.control_commands.emplace_back("run");
  }
  return deck;
}

Deck read_deck_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    throw NetlistError(ErrorKind::bad_input, path.string() + ": cannot read the deck");
  }
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    lines.push_back(std::move(line));
  }
  Deck deck = split_deck(lines);
  if (deck.circuit_lines.size() < 2) {
    throw NetlistError(ErrorKind::bad_input,
                       path.string() + ": holds no circuit (a title line and elements expected)");
  }
  return deck;
}

}  // namespace imcosim::netlist
