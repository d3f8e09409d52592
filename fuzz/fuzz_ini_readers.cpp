// Every reader of an INI file imcosim takes, on the same bytes: campaign and co-simulation
// configurations, IMAC circuit parameters, and SCALE-Sim architecture configurations.
#include "fuzz_support.hpp"
#include "imcosim/campaign/config.hpp"
#include "imcosim/cosim/config.hpp"
#include "imcosim/imac/parameters.hpp"
#include "imcosim/tpu/architecture.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using imcosim::fuzz::expect_typed_errors_only;
  static const imcosim::fuzz::InputFile input(".ini");
  const auto& path = input.write({data, size});
  expect_typed_errors_only("read_campaign_config",
                           [&] { (void)imcosim::campaign::read_campaign_config(path); });
  expect_typed_errors_only("read_cosim_config",
                           [&] { (void)imcosim::cosim::read_cosim_config(path); });
  expect_typed_errors_only("read_parameters", [&] { (void)imcosim::imac::read_parameters(path); });
  expect_typed_errors_only("read_architecture_config",
                           [&] { (void)imcosim::tpu::read_architecture_config(path); });
  return 0;
}
