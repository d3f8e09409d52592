#pragma once

// A tally's values as one flat list of numbers, so that the tallies of processes that evaluated
// different samples can be joined (a Monte Carlo campaign over MPI ranks): every list is written
// as its length and then its values, every count as one number (exact up to 2^53).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "imcosim/campaign/error.hpp"

namespace imcosim::campaign::tally_numbers {

inline void write_list(std::vector<double>& numbers, const std::vector<double>& values) {
  numbers.push_back(static_cast<double>(values.size()));
  numbers.insert(numbers.end(), values.begin(), values.end());
}

inline void write_count(std::vector<double>& numbers, std::int64_t count) {
  numbers.push_back(static_cast<double>(count));
}

inline double read_number(const std::vector<double>& numbers, std::size_t& at) {
  if (at >= numbers.size()) {
    throw CampaignError(ErrorKind::runtime, "a joined tally ended early at number " +
                                                std::to_string(at) + " of " +
                                                std::to_string(numbers.size()));
  }
  return numbers[at++];
}

// Appends the next list to `values`.
inline void read_list(const std::vector<double>& numbers, std::size_t& at,
                      std::vector<double>& values) {
  const auto length = static_cast<std::size_t>(read_number(numbers, at));
  if (length > numbers.size() - at) {
    throw CampaignError(ErrorKind::runtime, "a joined tally declares " + std::to_string(length) +
                                                " values where " +
                                                std::to_string(numbers.size() - at) + " remain");
  }
  const auto first = numbers.begin() + static_cast<std::ptrdiff_t>(at);
  values.insert(values.end(), first, first + static_cast<std::ptrdiff_t>(length));
  at += length;
}

inline std::int64_t read_count(const std::vector<double>& numbers, std::size_t& at) {
  return static_cast<std::int64_t>(read_number(numbers, at));
}

}  // namespace imcosim::campaign::tally_numbers
