// Fashion-MNIST's gzip-compressed IDX files, streamed through zlib. Nothing is allocated from
// what a header declares: buffers grow with the data actually decompressed, so a small file
// that claims a billion images fails after reading what it holds.
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <limits>
#include <memory>
#include <system_error>
#include <utility>

#include "imcosim/nn/dataset.hpp"
#include "imcosim/nn/error.hpp"

namespace imcosim::nn {

namespace {

constexpr std::uint32_t idx_images_magic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t idx_labels_magic = 0x00000801;  // unsigned bytes, 1 dimension
constexpr std::size_t fashion_mnist_classes = 10;
constexpr std::size_t read_chunk_bytes = std::size_t{1} << 20;

std::string hex32(std::uint32_t value) {
  std::array<char, 11> text{};
  std::snprintf(text.data(), text.size(), "0x%08x", static_cast<unsigned>(value));
  return text.data();
}

// One gzip file opened for streaming decompression; closed on destruction.
class GzipReader {
 public:
  explicit GzipReader(std::filesystem::path path) : path_(std::move(path)) {
    std::error_code status;
    if (!std::filesystem::exists(path_, status)) {
      throw NnError(name() + ": file does not exist");
    }
    if (!std::filesystem::is_regular_file(path_, status)) {
      throw NnError(name() + ": not a regular file");
    }
    const std::uintmax_t size = std::filesystem::file_size(path_, status);
    compressed_bytes_ = status ? 0 : size;
    errno = 0;
    file_ = gzopen(path_.c_str(), "rb");
    if (file_ == nullptr) {
      throw NnError(name() + ": cannot open: " +
                    (errno != 0 ? std::generic_category().message(errno) : "out of memory"));
    }
    gzbuffer(file_, 1U << 17);
  }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;
  ~GzipReader() { gzclose_r(file_); }

  [[nodiscard]] std::string name() const { return path_.string(); }
  [[nodiscard]] std::uint64_t compressed_bytes() const noexcept { return compressed_bytes_; }

  // Up to `size` decompressed bytes; fewer only at the end of the data. Throws NnError for a
  // file that is not gzip, a corrupt stream, or one that ends before its gzip trailer.
  std::size_t read(std::uint8_t* data, std::size_t size) {
    std::size_t total = 0;
    while (total < size) {
      const auto request = static_cast<unsigned>(
          std::min<std::size_t>(size - total, std::numeric_limits<int>::max()));
      const int count = gzread(file_, data + total, request);
      check_stream();
      if (count <= 0) {
        break;
      }
      total += static_cast<std::size_t>(count);
    }
    return total;
  }

 private:
  void check_stream() {
    if (!checked_gzip_) {
      checked_gzip_ = true;
      // zlib reads a file without the gzip magic "transparently", as it is.
      if (gzdirect(file_) != 0) {
        throw NnError(name() + ": not a gzip file (expected a gzip-compressed IDX file)");
      }
    }
    int code = Z_OK;
    const char* message = gzerror(file_, &code);
    if (code == Z_BUF_ERROR) {
      throw NnError(name() + ": truncated gzip data: the compressed stream ends early");
    }
    if (code != Z_OK && code != Z_STREAM_END) {
      // zlib prefixes its message with the path, which this message names already.
      std::string text = message != nullptr ? message : "unknown error";
      if (text.starts_with(name() + ": ")) {
        text.erase(0, name().size() + 2);
      }
      throw NnError(name() + ": corrupt gzip data (zlib: " + text + ")");
    }
  }

  std::filesystem::path path_;
  gzFile file_ = nullptr;
  std::uint64_t compressed_bytes_ = 0;
  bool checked_gzip_ = false;
};

// An IDX file of unsigned bytes with its header read: the dimensions, and the reader positioned
// at the first data byte.
struct IdxFile {
  std::unique_ptr<GzipReader> reader;
  std::vector<std::uint32_t> dims;
  std::uint64_t data_bytes = 0;  // product of dims, checked not to overflow
};

std::uint32_t big_endian(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

IdxFile open_idx(const std::filesystem::path& path, std::uint32_t magic, const char* kind) {
  IdxFile idx;
  idx.reader = std::make_unique<GzipReader>(path);
  GzipReader& reader = *idx.reader;
  const std::size_t rank = magic & 0xffU;
  const auto truncated_header = [&] {
    return NnError(reader.name() + ": truncated: the IDX header (" + std::to_string(4 + 4 * rank) +
                   " bytes) is incomplete");
  };
  std::array<std::uint8_t, 4> word{};
  if (reader.read(word.data(), word.size()) != word.size()) {
    throw truncated_header();
  }
  const std::uint32_t found = big_endian(word.data());
  if (found != magic) {
    throw NnError(reader.name() + ": IDX magic number " + hex32(found) + "; expected " +
                  hex32(magic) + " (unsigned bytes, " + std::to_string(rank) +
                  (rank == 1 ? " dimension" : " dimensions") + ": an IDX " + kind + " file)");
  }
  idx.data_bytes = 1;
  for (std::size_t axis = 0; axis < rank; ++axis) {
    if (reader.read(word.data(), word.size()) != word.size()) {
      throw truncated_header();
    }
    idx.dims.push_back(big_endian(word.data()));
    const std::uint64_t extent = idx.dims.back();
    if (extent != 0 && idx.data_bytes > std::numeric_limits<std::uint64_t>::max() / extent) {
      throw NnError(reader.name() + ": declares more data than can be addressed");
    }
    idx.data_bytes *= extent;
  }
  return idx;
}

// "10000 images of 28 x 28 pixels" / "10000 labels".
std::string describe(const IdxFile& idx, std::uint64_t count) {
  if (idx.dims.size() == 3) {
    return std::to_string(count) + " images of " + std::to_string(idx.dims[1]) + " x " +
           std::to_string(idx.dims[2]) + " pixels";
  }
  return std::to_string(count) + " labels";
}

// The data bytes after the header, exactly as many as the header declares.
std::vector<std::uint8_t> read_idx_data(IdxFile& idx) {
  GzipReader& reader = *idx.reader;
  const std::uint64_t item_bytes =
      idx.dims[0] == 0 ? 1 : std::max<std::uint64_t>(idx.data_bytes / idx.dims[0], 1);
  std::vector<std::uint8_t> data;
  // A hint only, bounded by what the compressed file could plausibly hold.
  data.reserve(static_cast<std::size_t>(
      std::min<std::uint64_t>(idx.data_bytes, 8 * reader.compressed_bytes() + read_chunk_bytes)));
  while (data.size() < idx.data_bytes) {
    const std::size_t start = data.size();
    const auto chunk =
        static_cast<std::size_t>(std::min<std::uint64_t>(read_chunk_bytes, idx.data_bytes - start));
    data.resize(start + chunk);
    const std::size_t count = reader.read(data.data() + start, chunk);
    data.resize(start + count);
    if (count < chunk) {
      const std::uint64_t whole = data.size() / item_bytes;
      const std::uint64_t rest = data.size() % item_bytes;
      throw NnError(reader.name() + ": truncated: declares " + describe(idx, idx.dims[0]) +
                    ", holds " + std::to_string(whole) +
                    (rest != 0 ? " and " + std::to_string(rest) + " bytes of another" : ""));
    }
  }
  std::uint8_t extra = 0;
  if (reader.read(&extra, 1) != 0) {
    throw NnError(reader.name() + ": holds more data than its header declares (" +
                  describe(idx, idx.dims[0]) + ")");
  }
  return data;
}

}  // namespace

ImageDataset read_fashion_mnist(const std::filesystem::path& directory, DatasetSplit split) {
  const std::string prefix = split == DatasetSplit::train ? "train" : "t10k";
  const std::filesystem::path images_path = directory / (prefix + "-images-idx3-ubyte.gz");
  const std::filesystem::path labels_path = directory / (prefix + "-labels-idx1-ubyte.gz");

  // Both headers first: sizes that disagree fail before any data is read.
  IdxFile images = open_idx(images_path, idx_images_magic, "images");
  IdxFile labels = open_idx(labels_path, idx_labels_magic, "labels");
  if (images.dims[0] != labels.dims[0]) {
    throw NnError(images.reader->name() + " declares " + describe(images, images.dims[0]) +
                  " but " + labels.reader->name() + " declares " +
                  describe(labels, labels.dims[0]) + "; expected one label per image");
  }
  if (images.dims[1] == 0 || images.dims[2] == 0) {
    throw NnError(images.reader->name() + ": declares images of " + std::to_string(images.dims[1]) +
                  " x " + std::to_string(images.dims[2]) + " pixels");
  }

  std::vector<std::uint8_t> pixels = read_idx_data(images);
  const std::vector<std::uint8_t> label_bytes = read_idx_data(labels);
  std::vector<std::int32_t> label_values(label_bytes.size());
  for (std::size_t k = 0; k < label_bytes.size(); ++k) {
    if (label_bytes[k] >= fashion_mnist_classes) {
      throw NnError(labels.reader->name() + ": label " + std::to_string(label_bytes[k]) +
                    " at index " + std::to_string(k) + "; Fashion-MNIST labels are 0 .. 9");
    }
    label_values[k] = label_bytes[k];
  }
  const std::string source = std::string("fashion-mnist:") +
                             (split == DatasetSplit::train ? "train" : "test") + " (" +
                             images.reader->name() + ")";
  return {images.dims[1],    images.dims[2],          1,     fashion_mnist_classes,
          std::move(pixels), std::move(label_values), source};
}

}  // namespace imcosim::nn
