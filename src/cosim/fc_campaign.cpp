#include "imcosim/cosim/fc_campaign.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "imcosim/cosim/error.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/hdf5.hpp"

namespace imcosim::cosim {

namespace {

std::string campaign_text(const FcPart& part, const CosimConfig& config,
                          std::int64_t samples_per_pass) {
  const auto images = static_cast<std::int64_t>(part.inputs_volt.rows());
  const std::int64_t samples = std::clamp<std::int64_t>(samples_per_pass, 1, images);
  std::ostringstream text;
  text << std::setprecision(17)
       << "# The FC part of the co-simulated TPU-IMAC design on its circuit, fed with the test\n"
          "# images at the split (written by imcosim cosim, docs/cosim.md). Each sample is one\n"
          "# draw of every device, evaluated on its own slice of the images:\n"
          "#   imcosim dataset campaign.ini -o sweep.h5      (resumable; --shard k/n, merge)\n"
          "#   imcosim montecarlo campaign.ini              (class flips against nominal)\n"
          "[campaign]\nsamples = "
       << samples << "\nseed = " << config.seed << "\nvectors_per_sample = " << images / samples
       << "\n\n[network]\nmodel = model.h5\ncircuit = circuit.ini\n\n[device]\n"
       << "d2d_distribution = " << device::variation_name(config.device.d2d_variation) << '\n';
  for (const auto& parameter : device::device_parameters) {
    const std::string name(parameter.spec.name);
    if (name != "levels" && name != "g_min" && name != "g_max") {
      text << name << " = " << config.device.*parameter.field << '\n';
    }
  }
  text << "\n[inputs]\nsource = file\nfile = inputs.h5\n\n[backends]\nfast = true\n"
          "spice_every = 0\n\n[output]\nstore_conductances = false\n";
  return text.str();
}

}  // namespace

void write_fc_campaign(const std::filesystem::path& directory, const FcPart& part,
                       const CosimConfig& config, std::int64_t samples_per_pass) {
  std::error_code status;
  std::filesystem::create_directories(directory, status);
  if (status) {
    throw CosimError(ErrorKind::bad_input, directory.string() + ": cannot create the directory");
  }
  {
    io::AtomicFile target(directory / "model.h5");
    imac::write_model(target.temporary_path(), part.model);
    target.commit();
  }
  io::write_text_atomically(
      directory / "circuit.ini",
      "# The circuit the TPU-IMAC model runs on (docs/imac.md).\n" + part.circuit_text);
  {
    io::AtomicFile target(directory / "inputs.h5");
    {
      auto file = io::hdf5::File::create(target.temporary_path());
      file.write_matrix("inputs", part.inputs_volt);
      file.write_int64_array("labels", {part.labels.size()}, part.labels);
      file.close();
    }
    target.commit();
  }
  io::write_text_atomically(directory / "campaign.ini",
                            campaign_text(part, config, samples_per_pass));
}

}  // namespace imcosim::cosim
