#pragma once

#include "imcosim/imac/fast_evaluation.hpp"
#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/model_file.hpp"
#include "imcosim/nn/network.hpp"

namespace imcosim::nn {

// Accuracy and confusion matrix of the network, as it computes now, on every image of
// `dataset` (inference mode, chunks of images in parallel; the result does not depend on the
// thread count). Throws NnError when the images do not fit the model.
EvaluationRecord evaluate(const HybridNetwork& network, const ImageDataset& dataset);
// The predicted class of every image of `dataset` (what evaluate() counts). Images go through
// the network in batches counted from the dataset's first image: 32 for a float network (a batch's
// im2col stays in cache), 256 for a quantised one (its weights are quantised once per batch).
// A float forward may round differently in another batch, so only a subset that starts at a
// multiple of largest_prediction_batch is predicted exactly as within the whole dataset.
inline constexpr std::size_t float_prediction_batch = 32;
inline constexpr std::size_t quantised_prediction_batch = 256;
inline constexpr std::size_t largest_prediction_batch = quantised_prediction_batch;
std::vector<std::size_t> predict(const HybridNetwork& network, const ImageDataset& dataset);
// Accuracy and confusion matrix of predicted classes against the dataset's labels.
EvaluationRecord evaluation_record(const ImageDataset& dataset,
                                   const std::vector<std::size_t>& predicted, std::size_t classes);

// The TPU part on the TPU model's int8 path and the FC part through the exact IMAC fast path
// (imac::FastEvaluator: wire parasitics, amplifiers, the characterised neurons) of `evaluator`,
// whose network must be the model's FC part (imac_model()) on some circuit. The DAC maps the
// codes at the split to volts.
EvaluationRecord evaluate_on_imac(const HybridNetwork& network, const ImageDataset& dataset,
                                  const imac::FastEvaluator& evaluator);
// The same inputs as volts (K x n_in): what the IMAC part receives for each image.
Eigen::MatrixXd imac_inputs_volt(const HybridNetwork& network, const ImageDataset& dataset);

// Throws NnError naming the dataset when its images or classes do not fit the network.
void check_dataset_fits(const HybridNetwork& network, const ImageDataset& dataset);

}  // namespace imcosim::nn
