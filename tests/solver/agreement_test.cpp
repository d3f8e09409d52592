#include "imcosim/solver/agreement.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "imcosim/solver/error.hpp"

namespace imcosim::solver {
namespace {

TEST(CompareCurrents, IsRelativeToTheLargestReferenceOutputOfEachSample) {
  Eigen::MatrixXd reference(2, 2);
  reference << 1.0, -4.0, 2.0, 0.5;
  Eigen::MatrixXd candidate = reference;
  candidate(0, 0) += 0.04;   // 0.04 / 4 = 1e-2
  candidate(1, 1) -= 0.002;  // 0.002 / 2 = 1e-3
  const auto agreement = compare_currents(candidate, reference);
  EXPECT_NEAR(agreement.relative_per_sample(0), 1e-2, 1e-15);
  EXPECT_NEAR(agreement.relative_per_sample(1), 1e-3, 1e-15);
  EXPECT_NEAR(agreement.max_relative, 1e-2, 1e-15);
  EXPECT_EQ(agreement.worst_sample, 0);
}

TEST(CompareCurrents, NanAndNonZeroAgainstZeroAreTotalDisagreement) {
  Eigen::MatrixXd reference = Eigen::MatrixXd::Zero(2, 2);
  reference(1, 0) = 1.0;
  Eigen::MatrixXd candidate = reference;
  EXPECT_EQ(compare_currents(candidate, reference).max_relative, 0.0);
  candidate(0, 1) = 1e-30;
  EXPECT_EQ(compare_currents(candidate, reference).relative_per_sample(0),
            std::numeric_limits<double>::infinity());
  candidate(0, 1) = 0.0;
  candidate(1, 1) = std::nan("");
  EXPECT_TRUE(std::isinf(compare_currents(candidate, reference).max_relative));
  EXPECT_EQ(compare_currents(candidate, reference).worst_sample, 1);
}

TEST(CompareCurrents, RejectsDifferentShapes) {
  EXPECT_THROW(compare_currents(Eigen::MatrixXd::Zero(2, 3), Eigen::MatrixXd::Zero(3, 2)),
               SolverError);
}

}  // namespace
}  // namespace imcosim::solver
