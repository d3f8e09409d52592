#include "imcosim/nn/architecture.hpp"

#include <gtest/gtest.h>

#include "imcosim/nn/error.hpp"
#include "imcosim/tpu/topology.hpp"

namespace imcosim::nn {
namespace {

TEST(Architecture, LeNetHasTheImacSimClassifier) {
  const auto lenet = reference_architecture("lenet5");
  EXPECT_EQ(lenet.imac_sizes(), (std::vector<std::size_t>{400, 120, 84, 10}));
  EXPECT_EQ(lenet.class_count(), 10U);
  EXPECT_EQ(lenet.layers()[lenet.split()].kind, "dense");
}

TEST(Architecture, ReferenceModelsRoundTripThroughTheirText) {
  for (const auto& name : reference_model_names()) {
    const auto original = reference_architecture(name);
    const auto again = parse_architecture(original.text(), "text of " + name);
    EXPECT_EQ(again.text(), original.text()) << name;
    EXPECT_EQ(again.split(), original.split());
  }
}

TEST(Architecture, ScaleSimTopologyIsReadByTheTpuModel) {
  const auto csv = scalesim_topology(reference_architecture("lenet5"));
  EXPECT_NE(csv.find("Conv1, 32, 32, 5, 5, 1, 6, 1,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("Conv2, 14, 14, 5, 5, 6, 16, 1,"), std::string::npos);
  EXPECT_NE(csv.find("FC1, 1, 1, 1, 1, 400, 120, 1,"), std::string::npos);
  const auto topology = tpu::parse_topology(csv, "lenet5.csv", tpu::TopologyFormat::conv);
  EXPECT_EQ(topology.layers.size(), 5U);
  const auto mobilenet = tpu::parse_topology(scalesim_topology(reference_architecture("mobilenet")),
                                             "mobilenet.csv", tpu::TopologyFormat::conv);
  EXPECT_GT(mobilenet.layers.size(), 16U);  // depthwise layers split per channel
}

void expect_error(const std::string& text, const std::string& fragment) {
  try {
    parse_architecture(text, "arch.txt");
    FAIL() << "accepted: " << text;
  } catch (const NnError& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("arch.txt"), std::string::npos) << error.what();
  }
}

TEST(Architecture, MalformedFilesNameTheLineAndTheFault) {
  expect_error("input 28 28 1\nconv2d filters=6\n", "arch.txt:2: conv2d needs");
  expect_error("input 28 28 1\nconv2d filters=6 kernel=5 colour=3\n", "takes no key 'colour'");
  expect_error("input 28 28 1\nwobble\n", "unknown layer 'wobble'");
  expect_error("conv2d filters=6 kernel=5\n", "no 'input");
  expect_error("input 28 28 1\nconv2d filters=6 kernel=40\nflatten\ndense units=10\n",
               "does not fit");
  expect_error("input 4 4 1\nflatten\ndense units=3\nrelu\nsplit\ndense units=2\nrelu\n",
               "cannot run on IMAC");
  expect_error("input 4 4 1\ndense units=3\n", "must be flat");
  expect_error("input 4 4 1\nconv2d filters=6 kernel=x\n", "expected kernel=<positive");
  expect_error("input 4 4 3\nconv2d filters=4 kernel=1 groups=2\n", "must divide");
}

// Sizes are checked before a layer allocates anything (found by fuzz_text_readers: "input 28 -8
// 1" read into an unsigned integer wrapped to 2^64 - 8 and ended in std::length_error).
TEST(Architecture, SizesBeyondMemoryAreRefusedBeforeAnythingIsBuilt) {
  expect_error("input 28 -8 1\nflatten\ndense units=10\n", "arch.txt:1: expected 'input");
  expect_error("input 28 +8 1\nflatten\ndense units=10\n", "arch.txt:1: expected 'input");
  expect_error("input 100000000 100000000 3\nflatten\ndense units=10\n", "one input image needs");
  expect_error("input 28 28 1\nflatten\ndense units=100000000000\n", "this layer needs");
  expect_error("input 28 28 1\nconv2d filters=4000000 kernel=3 padding=100000000\n",
               "this layer's output for one image needs");
}

}  // namespace
}  // namespace imcosim::nn
