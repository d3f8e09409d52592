#include "imcosim/tpu/topology.hpp"

#include <gtest/gtest.h>

#include <string>

#include "imcosim/tpu/error.hpp"
#include "tpu_test_support.hpp"

namespace imcosim::tpu {
namespace {

const std::string conv_header =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
    "Strides,\n";

std::string error_of(const std::string& text, TopologyFormat format = TopologyFormat::detect) {
  try {
    (void)parse_topology(text, "net.csv", format);
  } catch (const TpuError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::bad_input);
    return error.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return {};
}

TEST(Topology, ReadsTheLenetFile) {
  const auto topology = read_topology(testing::source_dir() / "examples/tpu/lenet_topology.csv",
                                      TopologyFormat::detect);
  EXPECT_EQ(topology.name, "lenet_topology");
  ASSERT_EQ(topology.layers.size(), 5U);
  const auto& conv2 = topology.layers[1];
  EXPECT_EQ(conv2.name, "Conv2");
  EXPECT_EQ(conv2.ifmap_height, 14);
  EXPECT_EQ(conv2.channels, 6);
  EXPECT_EQ(conv2.num_filters, 16);
  EXPECT_EQ(conv2.stride_width, 1);
  EXPECT_EQ(conv2.ofmap_pixels(), 100);
  EXPECT_EQ(conv2.window_size(), 150);
  // FC layers in conv form: the filter covers the whole input, one output pixel.
  EXPECT_EQ(topology.layers[2].ofmap_pixels(), 1);
  EXPECT_EQ(topology.layers[2].window_size(), 400);
}

TEST(Topology, TrailingCommasAreOptionalAndStrideWidthIsRead) {
  const auto topology =
      parse_topology(conv_header + "a, 9, 10, 3, 3, 2, 4, 2\nb, 9, 10, 3, 3, 2, 4, 2, 3,\n\n",
                     "net.csv", TopologyFormat::detect);
  ASSERT_EQ(topology.layers.size(), 2U);
  EXPECT_EQ(topology.layers[0].stride_width, 2);
  EXPECT_EQ(topology.layers[1].stride_width, 3);
  EXPECT_EQ(topology.layers[1].ofmap_width(), 4);  // ceil((10 - 3 + 3) / 3)
}

TEST(Topology, GemmDetectedByHeaderOrForced) {
  const auto detected =
      parse_topology("Layer, M, N, K,\nfc, 4, 10, 84,\n", "g.csv", TopologyFormat::detect);
  ASSERT_EQ(detected.layers.size(), 1U);
  EXPECT_EQ(detected.layers[0].ofmap_pixels(), 4);
  EXPECT_EQ(detected.layers[0].num_filters, 10);
  EXPECT_EQ(detected.layers[0].window_size(), 84);
  const auto forced =
      parse_topology("name, rows, cols, depth\nfc, 4, 10, 84\n", "g.csv", TopologyFormat::gemm);
  EXPECT_EQ(forced.layers[0].window_size(), 84);
  const auto example = read_topology(testing::source_dir() / "examples/tpu/gemm_topology.csv",
                                     TopologyFormat::detect);
  EXPECT_EQ(example.layers.size(), 3U);
}

TEST(Topology, DepthwiseLayerExpandsPerChannel) {
  const auto topology =
      parse_topology(conv_header + "DP1, 8, 8, 3, 3, 3, 1, 1,\n", "net.csv", TopologyFormat::conv);
  ASSERT_EQ(topology.layers.size(), 3U);
  EXPECT_EQ(topology.layers[2].name, "DP1Channel_2");
  EXPECT_EQ(topology.layers[2].channels, 1);
}

TEST(Topology, ErrorsNameTheFileLineAndExpectation) {
  const auto short_row = error_of(conv_header + "a, 9, 9, 3, 3, 2, 4, 1,\nb, 9, 9, 3,\n");
  EXPECT_NE(short_row.find("net.csv:3:"), std::string::npos) << short_row;
  EXPECT_NE(short_row.find("got 4 fields"), std::string::npos) << short_row;
  const auto word = error_of(conv_header + "a, 9, nine, 3, 3, 2, 4, 1,\n");
  EXPECT_NE(word.find("net.csv:2: IFMAP width: expected an integer >= 1, got 'nine'"),
            std::string::npos)
      << word;
  EXPECT_NE(error_of(conv_header + "a, 9, 9, 3, 3, 0, 4, 1,\n").find("channels"),
            std::string::npos);
  EXPECT_NE(error_of(conv_header + "a, 2, 9, 3, 3, 1, 4, 1,\n").find("larger than"),
            std::string::npos);
  EXPECT_NE(error_of("Layer, M, N, K,\nfc, 4, 10,\n").find("expected 'name, M, N, K'"),
            std::string::npos);
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of(conv_header).find("no layers"), std::string::npos);
}

}  // namespace
}  // namespace imcosim::tpu
