#pragma once

// Sizes that an input declares are checked against this machine's memory before anything is
// allocated: a 2 KB file or a one-line configuration may declare terabytes, and the answer must
// be a clear exit 2 within a second, not std::bad_alloc, the out-of-memory killer or a hang.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace imcosim {

// Physical memory of this machine in bytes (sysconf); a process can never use more.
[[nodiscard]] std::uint64_t physical_memory_bytes() noexcept;

// The product of `factors`, or UINT64_MAX when it does not fit in 64 bits: a saturated product
// fails every bound it is compared with, so overflowed sizes are refused, never wrapped.
[[nodiscard]] std::uint64_t saturating_product(
    std::initializer_list<std::uint64_t> factors) noexcept;

// The sum of `terms`, saturating likewise.
[[nodiscard]] std::uint64_t saturating_sum(std::initializer_list<std::uint64_t> terms) noexcept;

// "80.0 GB", "512 B": bytes with a decimal prefix, for messages.
[[nodiscard]] std::string byte_text(std::uint64_t bytes);

// Lowers the memory that memory_shortfall allows from physical memory to `bytes` (0: back to
// physical memory) for this process; the fuzz targets do, to stay within the fuzzer's own limit.
void set_memory_budget_bytes(std::uint64_t bytes) noexcept;

// Empty when `bytes` fit in physical memory (or the budget set); otherwise "<what> needs
// <bytes>, more than this machine's <memory> of memory", for the caller's own error naming the
// file and entry.
// With `parts` > 1 the allowance is that part of the memory (one read of several that a
// command's data passes through: its copies and results need the rest).
[[nodiscard]] std::string memory_shortfall(std::uint64_t bytes, std::string_view what,
                                           std::uint64_t parts = 1);

}  // namespace imcosim
