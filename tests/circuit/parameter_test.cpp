#include "imcosim/circuit/parameter.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "imcosim/circuit/error.hpp"

namespace imcosim::circuit {
namespace {

constexpr ParameterSpec positive{.name = "g",
                                 .unit = "S",
                                 .minimum = 0.0,
                                 .minimum_is_exclusive = true,
                                 .description = "a conductance"};
constexpr ParameterSpec non_negative{
    .name = "r", .unit = "ohm", .minimum = 0.0, .maximum = 10.0, .description = "a resistance"};

TEST(ParameterSpec, AcceptsValuesInsideTheDeclaredRange) {
  EXPECT_NO_THROW(positive.check(1e-300, "here"));
  EXPECT_NO_THROW(positive.check(2.3e-308, "here"));  // the smallest normal numbers
  EXPECT_NO_THROW(non_negative.check(0.0, "here"));
  EXPECT_NO_THROW(non_negative.check(10.0, "here"));
}

TEST(ParameterSpec, RejectsBoundsNonFiniteValuesAndNamesTheOrigin) {
  EXPECT_THROW(positive.check(0.0, "here"), CircuitError);
  EXPECT_THROW(non_negative.check(-1e-12, "here"), CircuitError);
  EXPECT_THROW(non_negative.check(10.5, "here"), CircuitError);
  EXPECT_THROW(non_negative.check(std::nan(""), "here"), CircuitError);
  EXPECT_THROW(positive.check(INFINITY, "here"), CircuitError);
  // Subnormal numbers have no finite reciprocal.
  EXPECT_THROW(non_negative.check(1e-320, "here"), CircuitError);
  EXPECT_THROW(positive.check(1e-310, "here"), CircuitError);
  try {
    non_negative.check(-2.0, "file.h5 attribute r");
    FAIL() << "expected a CircuitError";
  } catch (const CircuitError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(error.what()).find("file.h5 attribute r: r = -2 ohm"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace imcosim::circuit
