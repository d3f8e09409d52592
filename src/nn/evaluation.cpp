#include "imcosim/nn/evaluation.hpp"

#include <algorithm>

#include "imcosim/nn/error.hpp"
#include "imcosim/nn/training.hpp"

namespace imcosim::nn {

void check_dataset_fits(const HybridNetwork& network, const ImageDataset& dataset) {
  const Shape images{dataset.height(), dataset.width(), dataset.channels()};
  if (images != network.architecture().input()) {
    throw NnError(dataset.source() + ": images are " + shape_text(images) + " but the model '" +
                  network.architecture().name() + "' takes " +
                  shape_text(network.architecture().input()));
  }
  if (dataset.class_count() > network.architecture().class_count()) {
    throw NnError(dataset.source() + ": has " + std::to_string(dataset.class_count()) +
                  " classes but the model '" + network.architecture().name() + "' has " +
                  std::to_string(network.architecture().class_count()) + " outputs");
  }
}

EvaluationRecord evaluation_record(const ImageDataset& dataset,
                                   const std::vector<std::size_t>& predicted, std::size_t classes) {
  EvaluationRecord record;
  record.images = dataset.size();
  record.dataset = dataset.source();
  record.confusion.setZero(static_cast<Eigen::Index>(classes), static_cast<Eigen::Index>(classes));
  std::size_t correct = 0;
  for (std::size_t k = 0; k < dataset.size(); ++k) {
    const auto label = static_cast<std::size_t>(dataset.label(k));
    record.confusion(static_cast<Eigen::Index>(label), static_cast<Eigen::Index>(predicted[k])) +=
        1.0;
    correct += predicted[k] == label ? std::size_t{1} : std::size_t{0};
  }
  record.accuracy = dataset.size() == 0
                        ? 0.0
                        : static_cast<double>(correct) / static_cast<double>(dataset.size());
  return record;
}

Eigen::MatrixXd imac_inputs_volt(const HybridNetwork& network, const ImageDataset& dataset) {
  check_dataset_fits(network, dataset);
  const tpu::TpuModel tpu({32, 32}, tpu::DataflowKind::output_stationary);
  const TpuProgram program = network.tpu_program();  // quantised once, not for every image
  std::vector<tpu::Int8FeatureMap> codes(dataset.size());
#pragma omp parallel for schedule(dynamic, 16)
  for (std::size_t k = 0; k < dataset.size(); ++k) {
    codes[k] = network.run_tpu_part(tpu, program, network.input_codes(dataset.image(k)),
                                    tpu::ExecutionMode::fast);
  }
  return network.dac_volts(codes);
}

EvaluationRecord evaluate_on_imac(const HybridNetwork& network, const ImageDataset& dataset,
                                  const imac::FastEvaluator& evaluator) {
  const auto evaluation = evaluator.evaluate(imac_inputs_volt(network, dataset));
  std::vector<std::size_t> predicted(dataset.size());
  for (std::size_t k = 0; k < dataset.size(); ++k) {
    predicted[k] =
        static_cast<std::size_t>(std::max<Eigen::Index>(evaluation.predicted_class[k], 0));
  }
  return evaluation_record(dataset, predicted, network.architecture().class_count());
}

EvaluationRecord evaluate(const HybridNetwork& network, const ImageDataset& dataset) {
  return evaluation_record(dataset, predict(network, dataset),
                           network.architecture().class_count());
}

std::vector<std::size_t> predict(const HybridNetwork& network, const ImageDataset& dataset) {
  check_dataset_fits(network, dataset);
  const std::size_t classes = network.architecture().class_count();
  auto order = in_order(dataset.size());
  std::vector<std::size_t> predicted(dataset.size());
  const std::size_t chunk = network.precision() == Precision::float32 ? float_prediction_batch
                                                                      : quantised_prediction_batch;
  const auto chunks = static_cast<std::int64_t>((dataset.size() + chunk - 1) / chunk);
#pragma omp parallel
  {
    // One trace per thread: its buffers are reused chunk after chunk instead of reallocated.
    HybridNetwork::Trace trace;
#pragma omp for schedule(dynamic)
    for (std::int64_t c = 0; c < chunks; ++c) {
      const std::size_t first = static_cast<std::size_t>(c) * chunk;
      const std::size_t count = std::min(chunk, dataset.size() - first);
      const Tensor<float> batch = make_batch(dataset, order, first, count, TrainingSettings{}, 0);
      network.forward(batch, trace, Phase::inference);
      const auto& outputs = network.outputs(trace);
      for (std::size_t n = 0; n < count; ++n) {
        const float* y = outputs.sample(n);
        predicted[first + n] = static_cast<std::size_t>(std::max_element(y, y + classes) - y);
      }
    }
  }
  return predicted;
}

}  // namespace imcosim::nn
