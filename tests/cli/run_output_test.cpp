// The --json summary's writer (src/cli/run_output.hpp); h5py-free, read back by Python's json
// module in the CLI tests.
#include "run_output.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace imcosim::cli {
namespace {

TEST(JsonObject, WritesEveryKindOfValueInInsertionOrder) {
  JsonObject object;
  object.set("name", "x\"y\\z\n\x01").set("count", 3).set("ratio", 0.1).set("passed", true);
  object.set("missing", nullptr).set("nan", std::numeric_limits<double>::quiet_NaN());
  object.object("nested").set("volt", -2.5e-3);
  object.set("count", 4L);  // replaces, keeping its place
  EXPECT_EQ(
      object.text(),
      R"({"name": "x\"y\\z\n\u0001", "count": 4, "ratio": 0.10000000000000001, )"
      R"("passed": true, "missing": null, "nan": null, "nested": {"volt": -0.0025000000000000001}})");
}

}  // namespace
}  // namespace imcosim::cli
