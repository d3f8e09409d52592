#include "imcosim/memory_budget.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <limits>
#include <string>

namespace imcosim {

std::uint64_t physical_memory_bytes() noexcept {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_bytes = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_bytes <= 0) {
    return std::numeric_limits<std::uint64_t>::max();
  }
  return saturating_product(
      {static_cast<std::uint64_t>(pages), static_cast<std::uint64_t>(page_bytes)});
}

std::uint64_t saturating_product(std::initializer_list<std::uint64_t> factors) noexcept {
  std::uint64_t product = 1;
  for (const std::uint64_t factor : factors) {
    if (__builtin_mul_overflow(product, factor, &product)) {
      return std::numeric_limits<std::uint64_t>::max();
    }
  }
  return product;
}

std::uint64_t saturating_sum(std::initializer_list<std::uint64_t> terms) noexcept {
  std::uint64_t sum = 0;
  for (const std::uint64_t term : terms) {
    if (__builtin_add_overflow(sum, term, &sum)) {
      return std::numeric_limits<std::uint64_t>::max();
    }
  }
  return sum;
}

std::string byte_text(std::uint64_t bytes) {
  constexpr std::array<const char*, 7> prefixes{"", "k", "M", "G", "T", "P", "E"};
  auto value = static_cast<double>(bytes);
  std::size_t prefix = 0;
  while (value >= 1000.0 && prefix + 1 < prefixes.size()) {
    value /= 1000.0;
    ++prefix;
  }
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), prefix == 0 ? "%.0f %sB" : "%.1f %sB", value,
                prefixes[prefix]);
  return text.data();
}

namespace {

std::atomic<std::uint64_t> memory_budget{0};  // 0: physical memory

}  // namespace

void set_memory_budget_bytes(std::uint64_t bytes) noexcept { memory_budget = bytes; }

std::string memory_shortfall(std::uint64_t bytes, std::string_view what, std::uint64_t parts) {
  const std::uint64_t budget = memory_budget;
  const std::uint64_t memory = budget != 0 ? budget : physical_memory_bytes();
  const std::uint64_t allowance = memory / std::max<std::uint64_t>(parts, 1);
  if (bytes <= allowance) {
    return {};
  }
  const std::string needed = bytes == std::numeric_limits<std::uint64_t>::max()
                                 ? "more bytes than 64 bits can count"
                                 : byte_text(bytes);
  const std::string memory_text =
      budget != 0 ? "the " + byte_text(memory) + " of memory this process may use"
                  : "this machine's " + byte_text(memory) + " of memory";
  return std::string(what) + " needs " + needed + ", more than " +
         (parts > 1 ? byte_text(allowance) + ", the 1/" + std::to_string(parts) + " of " +
                          memory_text + " that one read may take"
                    : memory_text);
}

}  // namespace imcosim
