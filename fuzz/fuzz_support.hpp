#pragma once

// What every fuzz target shares: the input as a file (the readers take paths, as the CLI does),
// and the rule that a reader may only fail with imcosim's own typed errors. Anything else that
// escapes (std::bad_alloc, std::out_of_range, a Boost exception) would reach the CLI as an
// "internal error" with exit 1 instead of a message naming the file and exit 2, so it aborts the
// run as a finding, as a crash or a sanitizer report does.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <typeinfo>

#include "imcosim/error.hpp"
#include "imcosim/memory_budget.hpp"
#include "io/hdf5_probe.hpp"

namespace imcosim::fuzz {

// Sizes the readers accept are bounded by a memory budget (physical memory by default); the
// fuzzers run with a 2 GB RSS limit of their own, so the budget is set well below it: an input
// declaring more is refused by the readers' checks, as a larger one is on any machine.
inline constexpr std::uint64_t fuzz_memory_budget_bytes = std::uint64_t{256} << 20;

// The inputs are files of at most 30 kB, probed in milliseconds (tens of them on a loaded
// machine). Where libhdf5 loops on one, the probe's default 20 s would be spent on every such
// input; a probe cut short refuses the input as the reader would, so it is never a finding.
inline constexpr double fuzz_probe_timeout_seconds = 2.0;

// The fuzzer's input, written to a file of this process named with `extension`, rewritten for
// every input.
class InputFile {
 public:
  explicit InputFile(const std::string& extension)
      : path_(std::filesystem::temp_directory_path() /
              ("imcosim-fuzz-" + std::to_string(getpid()) + extension)) {}

  [[nodiscard]] const std::filesystem::path& write(std::span<const std::uint8_t> bytes) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::fprintf(stderr, "fuzz: cannot write %s\n", path_.c_str());
      std::abort();
    }
    return path_;
  }

 private:
  std::filesystem::path path_;
};

// Runs one reader on the input; imcosim::Error is the expected way to refuse it.
template <typename Reader>
void expect_typed_errors_only(const char* reader_name, Reader read) {
  try {
    read();
  } catch (const Error&) {
    // A refused input: what bad input must produce.
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fuzz: %s let %s escape: %s\n", reader_name, typeid(error).name(),
                 error.what());
    std::abort();
  }
}

}  // namespace imcosim::fuzz

// libFuzzer calls this once before the first input (each target includes this header once).
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  imcosim::set_memory_budget_bytes(imcosim::fuzz::fuzz_memory_budget_bytes);
  imcosim::io::hdf5::set_probe_timeout_seconds(imcosim::fuzz::fuzz_probe_timeout_seconds);
  return 0;
}
