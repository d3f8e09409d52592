#include "imcosim/nn/optimizer.hpp"

#include <cmath>

#include "imcosim/nn/error.hpp"

namespace imcosim::nn {

const char* optimizer_name(OptimizerKind kind) {
  return kind == OptimizerKind::sgd ? "sgd" : "adam";
}

OptimizerKind parse_optimizer(const std::string& name) {
  if (name == "sgd") {
    return OptimizerKind::sgd;
  }
  if (name == "adam") {
    return OptimizerKind::adam;
  }
  throw NnError("unknown optimiser '" + name + "' (sgd or adam)");
}

template <typename Scalar>
Optimizer<Scalar>::Optimizer(const OptimizerSettings& settings,
                             const std::vector<Parameter<Scalar>*>& parameters)
    : settings_(settings) {
  if (!(settings.learning_rate > 0.0) || !std::isfinite(settings.learning_rate)) {
    throw NnError("the learning rate must be finite and > 0");
  }
  for (const auto* parameter : parameters) {
    first_.emplace_back(parameter->values.size(), 0.0);
    second_.emplace_back(settings.kind == OptimizerKind::adam ? parameter->values.size() : 0, 0.0);
  }
}

template <typename Scalar>
void Optimizer<Scalar>::step(const std::vector<Parameter<Scalar>*>& parameters,
                             const std::vector<const std::vector<Scalar>*>& gradients,
                             double learning_rate) {
  ++steps_;
  const double correction1 = 1.0 - std::pow(settings_.beta1, static_cast<double>(steps_));
  const double correction2 = 1.0 - std::pow(settings_.beta2, static_cast<double>(steps_));
  for (std::size_t p = 0; p < parameters.size(); ++p) {
    auto& values = parameters[p]->values;
    if (!parameters[p]->trainable) {
      continue;
    }
    const auto& g = *gradients[p];
    auto& m = first_[p];
    auto& v = second_[p];
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double grad =
          static_cast<double>(g[i]) + settings_.weight_decay * static_cast<double>(values[i]);
      if (settings_.kind == OptimizerKind::sgd) {
        m[i] = settings_.momentum * m[i] + grad;
        values[i] -= static_cast<Scalar>(learning_rate * m[i]);
        continue;
      }
      m[i] = settings_.beta1 * m[i] + (1.0 - settings_.beta1) * grad;
      v[i] = settings_.beta2 * v[i] + (1.0 - settings_.beta2) * grad * grad;
      values[i] -= static_cast<Scalar>(learning_rate * (m[i] / correction1) /
                                       (std::sqrt(v[i] / correction2) + settings_.epsilon));
    }
  }
}

template class Optimizer<float>;
template class Optimizer<double>;

}  // namespace imcosim::nn
