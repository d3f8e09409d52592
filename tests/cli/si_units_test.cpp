// Summaries print quantities with a decimal SI prefix (src/cli/si_units.hpp).
#include "si_units.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace imcosim::cli {
namespace {

TEST(SiUnits, PowerReadsWithThePrefixOfItsMagnitude) {
  EXPECT_EQ(si_text(0.02142792, "W"), "21.43 mW");  // printed as "21427.92 uW" before
  EXPECT_EQ(si_text(2.5e-6, "W"), "2.5 uW");
  EXPECT_EQ(si_text(1.104e-10, "s"), "110.4 ps");
  EXPECT_EQ(si_text(3.0, "W"), "3 W");
  EXPECT_EQ(si_text(-0.5, "V"), "-500 mV");
  EXPECT_EQ(si_text(0.0, "W"), "0 W");
}

TEST(SiUnits, EveryValueGetsOnePrefix) {
  EXPECT_EQ(si_prefix_for(999.0).prefix, "");
  EXPECT_EQ(si_prefix_for(1000.0).prefix, "k");
  EXPECT_EQ(si_prefix_for(1e-3).prefix, "m");
  EXPECT_EQ(si_prefix_for(9.99e-4).prefix, "u");
  EXPECT_EQ(si_prefix_for(1e-30).prefix, "f");  // below the smallest prefix: the smallest
  EXPECT_EQ(si_prefix_for(std::numeric_limits<double>::quiet_NaN()).prefix, "");
}

}  // namespace
}  // namespace imcosim::cli
