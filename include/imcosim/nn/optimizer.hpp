#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imcosim/nn/layer.hpp"

namespace imcosim::nn {

enum class OptimizerKind { sgd, adam };

struct OptimizerSettings {
  OptimizerKind kind = OptimizerKind::adam;
  double learning_rate = 1e-3;
  double momentum = 0.9;  // SGD
  double beta1 = 0.9;     // Adam
  double beta2 = 0.999;   // Adam
  double epsilon = 1e-8;  // Adam
  double weight_decay = 0.0;
};

const char* optimizer_name(OptimizerKind kind);
OptimizerKind parse_optimizer(const std::string& name);  // "sgd" or "adam"; throws NnError

// SGD with momentum (v = mu v + g; p -= lr v) or Adam (Kingma and Ba, bias-corrected), over the
// trainable parameters. Its state is plain vectors so that a checkpoint can store and restore it.
template <typename Scalar>
class Optimizer {
 public:
  Optimizer(const OptimizerSettings& settings, const std::vector<Parameter<Scalar>*>& parameters);

  // gradients[p] belongs to parameters[p] (the order of Sequential::parameters()).
  void step(const std::vector<Parameter<Scalar>*>& parameters,
            const std::vector<const std::vector<Scalar>*>& gradients, double learning_rate);

  [[nodiscard]] const OptimizerSettings& settings() const noexcept { return settings_; }
  // First and second moments (SGD: velocity, empty), and the step count, for checkpoints.
  [[nodiscard]] std::vector<std::vector<double>>& first_moments() noexcept { return first_; }
  [[nodiscard]] std::vector<std::vector<double>>& second_moments() noexcept { return second_; }
  [[nodiscard]] std::int64_t& steps() noexcept { return steps_; }

 private:
  OptimizerSettings settings_;
  std::vector<std::vector<double>> first_;
  std::vector<std::vector<double>> second_;
  std::int64_t steps_ = 0;
};

}  // namespace imcosim::nn
