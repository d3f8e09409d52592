#pragma once

#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/model_file.hpp"
#include "imcosim/nn/network.hpp"

namespace imcosim::nn {

// Accuracy and confusion matrix of the network, as it computes now, on every image of
// `dataset` (inference mode, chunks of images in parallel; the result does not depend on the
// thread count). Throws NnError when the images do not fit the model.
EvaluationRecord evaluate(const HybridNetwork& network, const ImageDataset& dataset);

// Throws NnError naming the dataset when its images or classes do not fit the network.
void check_dataset_fits(const HybridNetwork& network, const ImageDataset& dataset);

}  // namespace imcosim::nn
