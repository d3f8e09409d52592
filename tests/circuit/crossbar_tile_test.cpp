#include "imcosim/circuit/crossbar_tile.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "imcosim/circuit/error.hpp"

namespace imcosim::circuit {
namespace {

TEST(CrossbarTile, KeepsValidValues) {
  Eigen::MatrixXd g = Eigen::MatrixXd::Constant(3, 2, 1e-4);
  const CrossbarTile tile(g, {.r_row_ohm = 1.0, .r_col_ohm = 2.0});
  EXPECT_EQ(tile.rows(), 3);
  EXPECT_EQ(tile.cols(), 2);
  EXPECT_EQ(tile.wires().r_col_ohm, 2.0);
}

TEST(CrossbarTile, RejectsEmptyNonPositiveAndNonFiniteConductances) {
  EXPECT_THROW(CrossbarTile(Eigen::MatrixXd(0, 3), {}), CircuitError);
  Eigen::MatrixXd g = Eigen::MatrixXd::Constant(2, 2, 1e-4);
  g(1, 0) = 0.0;
  EXPECT_THROW(CrossbarTile(g, {}), CircuitError);
  g(1, 0) = std::nan("");
  EXPECT_THROW(CrossbarTile(g, {}), CircuitError);
  // Beyond what the solvers represent: a reciprocal of infinity, a 10^308 S device.
  g(1, 0) = 1e-310;
  EXPECT_THROW(CrossbarTile(g, {}), CircuitError);
  g(1, 0) = 1e308;
  EXPECT_THROW(CrossbarTile(g, {}), CircuitError);
  g(1, 0) = -1e-5;
  try {
    CrossbarTile(g, {}, "p.h5 /conductance");
    FAIL();
  } catch (const CircuitError& error) {
    EXPECT_NE(std::string(error.what()).find("p.h5 /conductance[1][0]"), std::string::npos);
  }
}

TEST(CrossbarTile, RejectsNegativeOrNonFiniteWireResistances) {
  const Eigen::MatrixXd g = Eigen::MatrixXd::Constant(2, 2, 1e-4);
  EXPECT_THROW(CrossbarTile(g, {.r_sense_ohm = -1.0}), CircuitError);
  EXPECT_THROW(CrossbarTile(g, {.r_row_ohm = INFINITY}), CircuitError);
  EXPECT_THROW(CrossbarTile(g, {.r_row_ohm = 1e-320}), CircuitError);
  EXPECT_THROW(CrossbarTile(g, {.r_col_ohm = 1e13}), CircuitError);
  EXPECT_NO_THROW(CrossbarTile(g, {.r_row_ohm = 0.0, .r_col_ohm = 1e12}));
}

TEST(CheckInputs, RequiresOneFiniteVoltagePerRow) {
  const CrossbarTile tile(Eigen::MatrixXd::Constant(3, 2, 1e-4), {});
  EXPECT_NO_THROW(check_inputs(tile, Eigen::MatrixXd::Zero(5, 3), "in"));
  EXPECT_THROW(check_inputs(tile, Eigen::MatrixXd::Zero(5, 2), "in"), CircuitError);
  EXPECT_THROW(check_inputs(tile, Eigen::MatrixXd::Zero(0, 3), "in"), CircuitError);
  Eigen::MatrixXd inputs = Eigen::MatrixXd::Zero(1, 3);
  inputs(0, 2) = std::nan("");
  EXPECT_THROW(check_inputs(tile, inputs, "in"), CircuitError);
}

}  // namespace
}  // namespace imcosim::circuit
