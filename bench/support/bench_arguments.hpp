#pragma once

// Command lines of the benchmark programs: `--name value` pairs. --help (or -h) prints the usage
// and exits 0; an unknown name, a missing value or a value that is not a whole number in range
// exits 2 naming it, before anything is measured.
#include <cerrno>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

namespace imcosim::bench {

class BenchArguments {
 public:
  explicit BenchArguments(std::string usage) : usage_(std::move(usage)) {}

  // --name N sets `target` (a whole number of at least `minimum`).
  template <typename Integer>
  BenchArguments& integer(const std::string& name, Integer& target, long long minimum = 1) {
    options_.push_back(
        {name, minimum, [&target](long long value) { target = static_cast<Integer>(value); }});
    return *this;
  }

  void parse(int argc, char** argv) const {
    for (int a = 1; a < argc; ++a) {
      const std::string word = argv[a];
      if (word == "--help" || word == "-h") {
        std::cout << usage_ << "\n";
        std::exit(0);
      }
      const Option* option = find(word);
      if (option == nullptr) {
        fail("unknown option '" + word + "'");
      }
      if (a + 1 >= argc) {
        fail(word + " needs a value");
      }
      const std::string text = argv[++a];
      errno = 0;
      char* end = nullptr;
      const long long value = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || errno == ERANGE || value < option->minimum) {
        fail(word + " takes a whole number of at least " + std::to_string(option->minimum) +
             ", not '" + text + "'");
      }
      option->set(value);
    }
  }

 private:
  struct Option {
    std::string name;
    long long minimum;
    std::function<void(long long)> set;
  };

  const Option* find(const std::string& word) const {
    for (const auto& option : options_) {
      if (option.name == word) {
        return &option;
      }
    }
    return nullptr;
  }

  [[noreturn]] void fail(const std::string& message) const {
    std::cerr << message << "\n" << usage_ << "\n";
    std::exit(2);
  }

  std::string usage_;
  std::vector<Option> options_;
};

}  // namespace imcosim::bench
