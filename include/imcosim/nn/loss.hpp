#pragma once

#include <cstddef>
#include <cstdint>

#include "imcosim/nn/tensor.hpp"

namespace imcosim::nn {

struct LossSummary {
  double loss_sum = 0.0;    // summed over the batch, nats
  std::size_t correct = 0;  // samples whose largest output is their label
};

// Softmax cross-entropy on logits = logit_scale * outputs (the network's outputs are neuron
// voltages or sigmoid values, not logits: the scale sets how sharp a margin the loss asks for).
// Writes dL/d(outputs) for L = loss_sum * gradient_scale into `gradient`.
template <typename Scalar>
LossSummary softmax_cross_entropy(const Tensor<Scalar>& outputs, const std::int32_t* labels,
                                  double logit_scale, double gradient_scale,
                                  Tensor<Scalar>& gradient);

}  // namespace imcosim::nn
