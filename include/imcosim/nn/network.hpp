#pragma once

#include <memory>
#include <string>
#include <vector>

#include "imcosim/imac/model.hpp"
#include "imcosim/nn/architecture.hpp"
#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/imac_circuit.hpp"
#include "imcosim/nn/quantisation.hpp"
#include "imcosim/nn/sequential.hpp"
#include "imcosim/tpu/tpu_model.hpp"

namespace imcosim::nn {

// How a network computes, i.e. which hardware it is trained for or evaluated on.
enum class Precision {
  float32,  // every layer in float (the software reference)
  // Every layer as the TPU model executes it (the TPU-only deployment): the TPU part's
  // convolutions with fused activations, and the FC part's dense layers as int8 GEMMs whose
  // neurons the host computes (nn::QuantisedDense). Trained with straight-through rounding.
  int8,
  // int8 TPU part, the DAC, and the FC part as the IMAC circuit computes it (nn::ImacCircuit:
  // ideal wires, or the exact wires of train --wires exact), with weights quantised to the
  // circuit's encoding.
  imac_ideal,
};

// The TPU -> IMAC boundary: an int8 code c at the split becomes the input voltage
// c x full_scale / 127 (7 bits of magnitude and a sign; 0 ... 0.8 V for the non-negative codes
// after a ReLU).
struct DacParameters {
  double full_scale_volt = 0.8;
};

const char* precision_name(Precision precision);

// The whole network as the TPU-only deployment runs it, quantised once.
struct TpuProgram {
  std::vector<tpu::ConvStage> conv_stages;   // the TPU part's convolutions
  std::vector<QuantisedDense> dense_layers;  // the FC part's dense layers ...
  std::vector<tpu::ConvStage> dense_stages;  // ... and their GEMMs on the array
};

// Gradients of every parameter: [layer][parameter][value].
using Gradients = std::vector<std::vector<std::vector<float>>>;

// A CNN as it is trained and evaluated: the float layers (which hold every learnt value) and
// the precision they compute in.
class HybridNetwork {
 public:
  explicit HybridNetwork(const Architecture& architecture);

  [[nodiscard]] const Architecture& architecture() const { return model_.architecture(); }
  [[nodiscard]] Sequential<float>& model() noexcept { return model_; }
  [[nodiscard]] const Sequential<float>& model() const noexcept { return model_; }
  [[nodiscard]] Precision precision() const noexcept { return precision_; }

  // The same network with every batch-norm layer of the TPU part folded into the convolution
  // before it (W' = W gamma / sigma, b' = (b - mean) gamma / sigma + beta), as deployment
  // computes it; throws NnError when a batch norm does not follow a convolution.
  [[nodiscard]] HybridNetwork with_batch_norm_folded() const;

  // Switches the TPU part to int8: each convolution's activation range is calibrated as the
  // largest activation (after its ReLU/ReLU6) over the first `images` images of `data` in
  // float, the first convolution's input scale is 1/127 (pixels / 255 in 0..1). Needs the
  // batch norms folded. Throws NnError otherwise.
  void quantise(const ImageDataset& data, std::size_t images);
  // The int8 ranges by layer index (convolutions of the TPU part), once quantised.
  [[nodiscard]] const std::vector<ActivationRange>& ranges() const noexcept { return ranges_; }
  void set_ranges(std::vector<ActivationRange> ranges);
  // The same parameters computing in float (the software reference of a quantised network).
  [[nodiscard]] HybridNetwork as_float() const;

  // Runs the FC part on the IMAC circuit (needs the int8 TPU part). The dense layers' float
  // weights become latent weights: the circuit sees them quantised (ternary: sign(w) where
  // |w| > 0.7 mean|W| of the layer (TWN's threshold), else 0; binary: sign(w); biases by the
  // layer's threshold), gradients pass straight through to them.
  void attach_imac(std::shared_ptr<const ImacCircuit> circuit, DacParameters dac);
  [[nodiscard]] const DacParameters& dac() const noexcept { return dac_; }
  // The FC part as an IMAC model (docs/imac.md), weights quantised as the circuit sees them.
  [[nodiscard]] imac::ImacModel imac_model() const;
  // Input voltages of the IMAC part from int8 codes at the split (K x n_in).
  [[nodiscard]] Eigen::MatrixXd dac_volts(const std::vector<tpu::Int8FeatureMap>& codes) const;

  // The TPU part as the TPU model runs it: one stage per convolution, and the host operations
  // (pooling, activation, flatten) between them applied to int8 codes. Returns the codes at the
  // split (the TPU -> IMAC boundary), HWC-flattened.
  [[nodiscard]] std::vector<tpu::ConvStage> tpu_stages() const;
  [[nodiscard]] tpu::Int8FeatureMap input_codes(const std::uint8_t* image) const;
  [[nodiscard]] tpu::Int8FeatureMap run_tpu_part(const tpu::TpuModel& tpu,
                                                 const tpu::Int8FeatureMap& input,
                                                 tpu::ExecutionMode mode) const;
  // The TPU-only deployment: every stage quantised once (needs the int8 TPU part).
  [[nodiscard]] TpuProgram tpu_program() const;
  [[nodiscard]] tpu::Int8FeatureMap run_tpu_part(const tpu::TpuModel& tpu,
                                                 const TpuProgram& program,
                                                 const tpu::Int8FeatureMap& input,
                                                 tpu::ExecutionMode mode) const;
  // The FC part on the TPU from the codes at the split: each dense layer's GEMM on the array,
  // its neurons on the host; returns the class scores (the last neurons' values), which equal
  // the int8 precision's outputs bit for bit.
  [[nodiscard]] std::vector<float> run_fc_on_tpu(const tpu::TpuModel& tpu,
                                                 const TpuProgram& program,
                                                 const tpu::Int8FeatureMap& split_codes,
                                                 tpu::ExecutionMode mode) const;
  // The real value of one code at the split.
  [[nodiscard]] double split_scale() const;

  // What one forward pass keeps for its backward pass.
  struct Trace {
    ForwardTrace<float> layers;
    // int8: per layer, whether an output code sits strictly inside its clamp (the STE mask).
    std::vector<std::vector<std::uint8_t>> pass;
    ImacTape imac;
  };

  // Class scores of a batch (sigmoid values or neuron volts, one per class).
  void forward(const Tensor<float>& input, Trace& trace, Phase phase) const;
  [[nodiscard]] const Tensor<float>& outputs(const Trace& trace) const {
    return trace.layers.activations.back();
  }
  void backward(const Tensor<float>& output_gradient, const Trace& trace,
                Gradients& gradients) const;
  [[nodiscard]] Gradients zero_gradients() const { return model_.zero_gradients(); }
  // After a training step, batch statistics of one chunk, in chunk order.
  void update_running_statistics(const Trace& trace);

 private:
  void forward_int8_conv(std::size_t layer, const Tensor<float>& input, Tensor<float>& output,
                         LayerCache<float>& cache, Phase phase) const;
  void forward_int8_dense(std::size_t layer, const Tensor<float>& input, Tensor<float>& output,
                          LayerCache<float>& cache, Phase phase) const;
  void forward_int8_neuron(std::size_t layer, const Tensor<float>& input, Tensor<float>& output,
                           LayerCache<float>& cache, Phase phase) const;
  void forward_int8_average_pool(std::size_t layer, const Tensor<float>& input,
                                 Tensor<float>& output, LayerCache<float>& cache) const;
  void forward_quantised(const Tensor<float>& input, Trace& trace, Phase phase) const;
  // Backward from dL/d(output of layer last - 1) down to layer 0.
  void backward_layers(Tensor<float> gradient, const Trace& trace, Gradients& gradients,
                       std::size_t last) const;
  [[nodiscard]] std::vector<imac::DenseLayer> quantised_imac_layers() const;
  // The range of the codes a layer's input carries in the TPU part (int8 precision).
  [[nodiscard]] double input_scale(std::size_t layer) const;

  Sequential<float> model_;
  Precision precision_ = Precision::float32;
  std::vector<ActivationRange> ranges_;  // [layer], meaningful for convolutions
  std::shared_ptr<const ImacCircuit> circuit_;
  DacParameters dac_{};
};

}  // namespace imcosim::nn
