// The line-oriented text formats: SCALE-Sim topologies (conv and GEMM), analysed on the example
// array as the tpu command does, CNN architecture files, and ngspice decks given to spice --deck.
#include "fuzz_support.hpp"
#include "imcosim/netlist/deck_file.hpp"
#include "imcosim/nn/architecture.hpp"
#include "imcosim/tpu/architecture.hpp"
#include "imcosim/tpu/topology.hpp"
#include "imcosim/tpu/tpu_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using imcosim::fuzz::expect_typed_errors_only;
  static const imcosim::fuzz::InputFile input(".csv");
  const auto& path = input.write({data, size});
  for (const auto format :
       {imcosim::tpu::TopologyFormat::detect, imcosim::tpu::TopologyFormat::conv,
        imcosim::tpu::TopologyFormat::gemm}) {
    expect_typed_errors_only("read_topology", [&] {
      const auto topology = imcosim::tpu::read_topology(path, format);
      for (const auto dataflow : {"os", "ws", "is"}) {
        imcosim::tpu::ArchitectureConfig config;
        config.array = imcosim::tpu::ArrayShape{8, 4};
        config.ifmap_sram_kib = config.filter_sram_kib = config.ofmap_sram_kib = 64;
        config.dataflow = imcosim::tpu::parse_dataflow(dataflow);
        (void)imcosim::tpu::simulate_topology(topology, config);
      }
    });
  }
  expect_typed_errors_only("read_architecture",
                           [&] { (void)imcosim::nn::read_architecture(path); });
  expect_typed_errors_only("read_deck_file", [&] { (void)imcosim::netlist::read_deck_file(path); });
  return 0;
}
