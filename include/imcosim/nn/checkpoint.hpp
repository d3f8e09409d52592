#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/network.hpp"
#include "imcosim/nn/optimizer.hpp"
#include "imcosim/nn/training.hpp"

namespace imcosim::nn {

// What decides a training run's result: the architecture, the starting parameters, every
// setting and the training set. A checkpoint is only resumed by a run with the same one.
std::string training_fingerprint(const HybridNetwork& network, const TrainingSettings& settings,
                                 const ImageDataset& train_set);

// A checkpoint holds the parameters, the optimiser's state and the log after an epoch; with the
// per-epoch random streams derived from the seed, that is all a resumed run needs to end with
// the same weights as an uninterrupted one. Written atomically.
void write_checkpoint(const std::filesystem::path& path, const std::string& fingerprint,
                      const HybridNetwork& network, Optimizer<float>& optimizer,
                      const std::vector<EpochRecord>& log);
// Restores `network` and `optimizer`; throws NnError when the checkpoint belongs to another run.
std::vector<EpochRecord> read_checkpoint(const std::filesystem::path& path,
                                         const std::string& fingerprint, HybridNetwork& network,
                                         Optimizer<float>& optimizer);

}  // namespace imcosim::nn
