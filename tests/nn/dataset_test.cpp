// Datasets of the nn stage: Fashion-MNIST from Debian's package, malformed IDX files, and the
// generic HDF5 image dataset as h5py writes it.
#include "imcosim/nn/dataset.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <numeric>
#include <string_view>

#include "imcosim/nn/error.hpp"
#include "support/cli.hpp"

namespace imcosim::nn {
namespace {

using testing::ScratchDirectory;

// Expects `action` to throw an imcosim::Error of bad input (NnError, or IoError from the HDF5
// layer when `nn_only` is false) whose message contains every one of `fragments`.
void expect_bad_input(const std::function<void()>& action,
                      const std::vector<std::string>& fragments, bool nn_only = true) {
  try {
    action();
    ADD_FAILURE() << "expected an error, nothing was thrown";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_EQ(error.kind(), ErrorKind::bad_input) << message;
    if (nn_only) {
      EXPECT_NE(dynamic_cast<const NnError*>(&error), nullptr) << "not an NnError: " << message;
    }
    for (const std::string& fragment : fragments) {
      EXPECT_NE(message.find(fragment), std::string::npos)
          << "message lacks \"" << fragment << "\": " << message;
    }
  }
}

// ---- Fashion-MNIST from /usr/share/datasets/fashion-mnist ----

// The test split is read once for all tests that need it (about 0.1 s).
const ImageDataset& fashion_mnist_test() {
  static const ImageDataset dataset =
      read_fashion_mnist(fashion_mnist_directory, DatasetSplit::test);
  return dataset;
}

// Images K of H x W x C pixels in `classes` classes.
void expect_shape(const ImageDataset& dataset, std::size_t images, std::size_t height,
                  std::size_t width, std::size_t channels, std::size_t classes) {
  EXPECT_EQ(dataset.size(), images);
  EXPECT_EQ(dataset.height(), height);
  EXPECT_EQ(dataset.width(), width);
  EXPECT_EQ(dataset.channels(), channels);
  EXPECT_EQ(dataset.class_count(), classes);
  EXPECT_EQ(dataset.image_size(), height * width * channels);
  EXPECT_EQ(dataset.pixels().size(), images * height * width * channels);
}

std::array<std::size_t, 10> label_histogram(const ImageDataset& dataset) {
  std::array<std::size_t, 10> counts{};
  for (const std::int32_t label : dataset.labels()) {
    ++counts.at(static_cast<std::size_t>(label));
  }
  return counts;
}

TEST(FashionMnist, TestSplitHoldsTenThousandImagesOfEveryClassEqually) {
  const ImageDataset& test = fashion_mnist_test();
  expect_shape(test, 10000, 28, 28, 1, 10);
  std::array<std::size_t, 10> thousand{};
  thousand.fill(1000);
  EXPECT_EQ(label_histogram(test), thousand);
  EXPECT_NE(test.source().find("fashion-mnist:test"), std::string::npos) << test.source();
  EXPECT_NE(test.source().find("t10k-images-idx3-ubyte.gz"), std::string::npos) << test.source();
}

TEST(FashionMnist, TestSplitMatchesFactsComputedByPython) {
  // Computed with Python's gzip module and numpy from the same files.
  const ImageDataset& test = fashion_mnist_test();
  const std::vector<std::int32_t> first_labels(test.labels().begin(), test.labels().begin() + 10);
  EXPECT_EQ(first_labels, (std::vector<std::int32_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
  const auto [lowest, highest] = std::minmax_element(test.pixels().begin(), test.pixels().end());
  EXPECT_EQ(*lowest, 0);
  EXPECT_EQ(*highest, 255);
  EXPECT_EQ(std::accumulate(test.image(0), test.image(0) + test.image_size(), std::uint64_t{0}),
            33456U);
  EXPECT_EQ(std::accumulate(test.pixels().begin(), test.pixels().end(), std::uint64_t{0}),
            573469082U);
}

TEST(FashionMnist, TrainSplitHoldsSixtyThousandImages) {
  const ImageDataset train = load_dataset("fashion-mnist", DatasetSplit::train);
  expect_shape(train, 60000, 28, 28, 1, 10);
  std::array<std::size_t, 10> six_thousand{};
  six_thousand.fill(6000);
  EXPECT_EQ(label_histogram(train), six_thousand);
  EXPECT_NE(train.source().find("fashion-mnist:train"), std::string::npos) << train.source();
}

// ---- malformed IDX files ----

void append_big_endian(std::vector<std::uint8_t>& bytes, std::uint32_t value) {
  for (const int shift : {24, 16, 8, 0}) {
    bytes.push_back(static_cast<std::uint8_t>(value >> shift));
  }
}

std::vector<std::uint8_t> idx_images(std::uint32_t declared, std::uint32_t rows, std::uint32_t cols,
                                     std::size_t held, std::uint32_t magic = 0x00000803) {
  std::vector<std::uint8_t> bytes;
  for (const std::uint32_t word : {magic, declared, rows, cols}) {
    append_big_endian(bytes, word);
  }
  for (std::size_t k = 0; k < held * rows * cols; ++k) {
    bytes.push_back(static_cast<std::uint8_t>(k * 7));
  }
  return bytes;
}

std::vector<std::uint8_t> idx_labels(std::uint32_t declared, std::size_t held,
                                     std::uint8_t wrong_label = 0, std::size_t wrong_at = SIZE_MAX,
                                     std::uint32_t magic = 0x00000801) {
  std::vector<std::uint8_t> bytes;
  append_big_endian(bytes, magic);
  append_big_endian(bytes, declared);
  for (std::size_t k = 0; k < held; ++k) {
    bytes.push_back(k == wrong_at ? wrong_label : static_cast<std::uint8_t>(k % 10));
  }
  return bytes;
}

void write_gzip(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  gzFile file = gzopen(path.c_str(), "wb1");
  ASSERT_NE(file, nullptr) << path;
  if (!bytes.empty()) {
    ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
  }
  ASSERT_EQ(gzclose(file), Z_OK);
}

void write_raw(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

class MalformedIdx : public ::testing::Test {
 protected:
  [[nodiscard]] std::filesystem::path images() const {
    return directory_ / "t10k-images-idx3-ubyte.gz";
  }
  [[nodiscard]] std::filesystem::path labels() const {
    return directory_ / "t10k-labels-idx1-ubyte.gz";
  }
  void write_split(const std::vector<std::uint8_t>& image_bytes,
                   const std::vector<std::uint8_t>& label_bytes) const {
    write_gzip(images(), image_bytes);
    write_gzip(labels(), label_bytes);
  }
  [[nodiscard]] ImageDataset read() const {
    return read_fashion_mnist(directory_.path(), DatasetSplit::test);
  }

  ScratchDirectory directory_;
};

TEST_F(MalformedIdx, AWellFormedSmallSplitIsRead) {
  write_split(idx_images(3, 2, 4, 3), idx_labels(3, 3));
  const ImageDataset dataset = read();
  expect_shape(dataset, 3, 2, 4, 1, 10);
  EXPECT_EQ(dataset.image(2)[1], static_cast<std::uint8_t>(17 * 7));
  EXPECT_EQ(dataset.label(2), 2);
}

TEST_F(MalformedIdx, TruncatedGzipNamesTheFile) {
  write_split(idx_images(50, 28, 28, 50), idx_labels(50, 50));
  const auto size = std::filesystem::file_size(images());
  std::filesystem::resize_file(images(), size / 2);
  expect_bad_input([&] { (void)read(); }, {images().string(), "truncated"});
}

TEST_F(MalformedIdx, GzipEndingInsideItsTrailerIsTruncated) {
  write_split(idx_images(2, 2, 2, 2), idx_labels(2, 2));
  std::filesystem::resize_file(labels(), std::filesystem::file_size(labels()) - 3);
  expect_bad_input([&] { (void)read(); }, {labels().string(), "truncated"});
}

TEST_F(MalformedIdx, WrongMagicNumberNamesTheFileAndBothNumbers) {
  write_split(idx_images(2, 2, 2, 2), idx_labels(2, 2, 0, SIZE_MAX, 0x00000803));
  expect_bad_input([&] { (void)read(); },
                   {labels().string(), "magic number 0x00000803", "expected 0x00000801"});
}

TEST_F(MalformedIdx, ImageAndLabelCountsThatDisagreeFailBeforeReadingData) {
  write_split(idx_images(5, 2, 2, 5), idx_labels(4, 4));
  expect_bad_input([&] { (void)read(); },
                   {images().string(), "5 images", labels().string(), "4 labels"});
}

TEST_F(MalformedIdx, FewerLabelsThanDeclaredIsTruncation) {
  write_split(idx_images(10000, 1, 1, 10000), idx_labels(10000, 9998));
  expect_bad_input([&] { (void)read(); },
                   {labels().string() + ": truncated: declares 10000 labels, holds 9998"});
}

TEST_F(MalformedIdx, FewerImagesThanDeclaredIsTruncation) {
  auto bytes = idx_images(4, 3, 3, 4);
  bytes.resize(bytes.size() - 5);
  write_split(bytes, idx_labels(4, 4));
  expect_bad_input([&] { (void)read(); },
                   {images().string() + ": truncated: declares 4 images of 3 x 3 pixels, holds 3 "
                                        "and 4 bytes of another"});
}

TEST_F(MalformedIdx, MoreDataThanDeclaredIsAnError) {
  write_split(idx_images(2, 2, 2, 3), idx_labels(2, 2));
  expect_bad_input([&] { (void)read(); }, {images().string(), "more data than its header"});
}

TEST_F(MalformedIdx, LabelOutsideZeroToNineNamesTheFileAndIndex) {
  write_split(idx_images(6, 2, 2, 6), idx_labels(6, 6, 11, 4));
  expect_bad_input([&] { (void)read(); }, {labels().string(), "label 11 at index 4", "0 .. 9"});
}

TEST_F(MalformedIdx, HugeDeclaredCountFailsFastWithoutAllocatingIt) {
  // 10^9 images of 28 x 28 would be 784 GB; the file holds one.
  write_split(idx_images(1000000000, 28, 28, 1), idx_labels(1000000000, 1));
  const auto start = std::chrono::steady_clock::now();
  expect_bad_input(
      [&] { (void)read(); },
      {images().string(), "truncated: declares 1000000000 images of 28 x 28 pixels, holds 1"});
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0);
}

TEST_F(MalformedIdx, UncompressedIdxIsNotGzip) {
  write_raw(images(), idx_images(2, 2, 2, 2));
  write_gzip(labels(), idx_labels(2, 2));
  expect_bad_input([&] { (void)read(); }, {images().string(), "not a gzip file"});
}

TEST_F(MalformedIdx, EmptyFilesAreNotGzipAndEmptyStreamsHaveNoHeader) {
  write_raw(images(), {});
  write_gzip(labels(), idx_labels(2, 2));
  expect_bad_input([&] { (void)read(); }, {images().string(), "not a gzip file"});
  write_gzip(images(), {});
  expect_bad_input([&] { (void)read(); }, {images().string(), "truncated: the IDX header"});
}

TEST_F(MalformedIdx, CorruptDeflateDataNamesTheFile) {
  write_split(idx_images(20, 8, 8, 20), idx_labels(20, 20));
  std::vector<char> bytes(std::filesystem::file_size(images()));
  std::ifstream(images(), std::ios::binary)
      .read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  for (std::size_t k = 12; k < bytes.size() - 8; k += 3) {
    bytes[k] = static_cast<char>(bytes[k] ^ 0x5a);
  }
  std::ofstream(images(), std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  expect_bad_input([&] { (void)read(); }, {images().string()});
}

TEST_F(MalformedIdx, MissingFileNamesIt) {
  write_gzip(images(), idx_images(2, 2, 2, 2));
  expect_bad_input([&] { (void)read(); }, {labels().string(), "does not exist"});
  expect_bad_input(
      [&] {
        (void)load_dataset("fashion-mnist:" + (directory_ / "nowhere").string(),
                           DatasetSplit::train);
      },
      {"nowhere/train-images-idx3-ubyte.gz", "does not exist"});
}

// ---- ImageDataset ----

TEST(ImageDataset, SubsetCopiesTheImagesAndLabelsInRange) {
  const ImageDataset& test = fashion_mnist_test();
  const ImageDataset part = test.subset(100, 50);
  EXPECT_EQ(part.size(), 50U);
  EXPECT_EQ(part.class_count(), 10U);
  EXPECT_TRUE(std::equal(part.image(0), part.image(0) + 50 * 784, test.image(100)));
  EXPECT_EQ(part.label(49), test.label(149));
  EXPECT_NE(part.source().find("[100, 150)"), std::string::npos) << part.source();
  EXPECT_EQ(test.subset(10000, 0).size(), 0U);
  expect_bad_input([&] { (void)test.subset(9990, 11); },
                   {"fashion-mnist:test", "images [9990, 10001) requested; it holds 10000"});
  expect_bad_input([&] { (void)test.subset(10001, 0); }, {"fashion-mnist:test"});
}

TEST(ImageDataset, ConstructorRejectsSizesAndLabelsThatDoNotFit) {
  expect_bad_input(
      [] {
        ImageDataset(2, 2, 1, 10, std::vector<std::uint8_t>(7), {1, 2}, "src");
      },
      {"src", "7 pixel bytes", "2 labels"});
  expect_bad_input(
      [] {
        ImageDataset(2, 2, 1, 3, std::vector<std::uint8_t>(8), {1, 3}, "src");
      },
      {"src", "image 1 is 3", "0 .. 2"});
  expect_bad_input(
      [] {
        ImageDataset(2, 2, 1, 3, std::vector<std::uint8_t>(8), {1, -1}, "src");
      },
      {"src", "image 1 is -1"});
  expect_bad_input([] { ImageDataset(0, 2, 1, 3, {}, {}, "src"); }, {"src", "at least 1"});
  expect_bad_input([] { ImageDataset(1, 1, 1, 0, {}, {}, "src"); }, {"src", "class count 0"});
}

// ---- the HDF5 image dataset ----

TEST(ImageDatasetFile, RoundTripKeepsPixelsLabelsAndClassCount) {
  const ScratchDirectory directory;
  const ImageDataset part = fashion_mnist_test().subset(0, 300);
  write_image_dataset(directory / "part.h5", part);
  const ImageDataset back = load_dataset((directory / "part.h5").string(), DatasetSplit::test);
  expect_shape(back, 300, 28, 28, 1, 10);
  EXPECT_EQ(back.pixels(), part.pixels());
  EXPECT_EQ(back.labels(), part.labels());
  EXPECT_EQ(back.source(), (directory / "part.h5").string());

  // Colour images, a class count above the largest label, and no temporary left behind.
  std::vector<std::uint8_t> pixels(2 * 3 * 4 * 3);
  std::iota(pixels.begin(), pixels.end(), std::uint8_t{0});
  const ImageDataset colour(3, 4, 3, 7, pixels, {6, 0}, "colour");
  write_image_dataset(directory / "colour.h5", colour);
  const ImageDataset colour_back = read_image_dataset(directory / "colour.h5");
  expect_shape(colour_back, 2, 3, 4, 3, 7);
  EXPECT_EQ(colour_back.pixels(), pixels);
  EXPECT_EQ(colour_back.labels(), (std::vector<std::int32_t>{6, 0}));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(directory.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 2U);
}

// Written by h5py: good files of rank 3 and rank 4, and one bad file per mistake.
constexpr const char* h5py_script = R"(
import sys, h5py, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(7)
def write(name, images=None, labels=None, **attrs):
    with h5py.File(d + '/' + name, 'w') as f:
        if images is not None: f['images'] = images
        if labels is not None: f['labels'] = labels
        f.attrs.update(attrs)
gray = np.arange(5 * 6 * 7, dtype=np.uint8).reshape(5, 6, 7)
write('rank3.h5', gray, np.array([0, 1, 2, 3, 1]))                       # int64 labels
cifar = rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
write('rank4.h5', cifar, np.array([9, 0, 3, 3], dtype=np.uint8), class_count=10)
cifar.tofile(d + '/cifar.bin')                                        # raw C-order bytes
write('float_images.h5', gray.astype(np.float32), np.zeros(5, dtype=np.int64))
write('int16_images.h5', gray.astype(np.int16), np.zeros(5, dtype=np.int64))
write('float_labels.h5', gray, np.zeros(5))
write('mismatch.h5', gray, np.zeros(4, dtype=np.int64))
write('label_range.h5', gray, np.array([0, 1, 10, 2, 3]), class_count=10)
write('negative_label.h5', gray, np.array([0, 1, 2, -1, 3]))
write('no_labels.h5', gray)
write('no_images.h5', None, np.zeros(5, dtype=np.int64))
write('rank2_images.h5', gray.reshape(5, 42), np.zeros(5, dtype=np.int64))
write('labels_2d.h5', gray, np.zeros((5, 1), dtype=np.int64))
write('empty.h5', np.zeros((0, 2, 2), dtype=np.uint8), np.zeros(0, dtype=np.int64))
with open(d + '/not_hdf5.h5', 'w') as f: f.write('images')
)";

class H5pyFiles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = new ScratchDirectory();
    std::ofstream(*directory_ / "write.py") << h5py_script;
    const testing::CommandOutcome run = testing::run_python(
        "'" + (*directory_ / "write.py").string() + "' '" + directory_->path().string() + "'");
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }
  static void TearDownTestSuite() {
    delete directory_;
    directory_ = nullptr;
  }
  static std::filesystem::path file(const std::string& name) { return *directory_ / name; }

  static ScratchDirectory* directory_;
};

ScratchDirectory* H5pyFiles::directory_ = nullptr;

TEST_F(H5pyFiles, RankThreeImagesAreOneChannel) {
  const ImageDataset dataset = read_image_dataset(file("rank3.h5"));
  expect_shape(dataset, 5, 6, 7, 1, 4);  // class count: largest label + 1
  EXPECT_EQ(dataset.image(1)[0], 42);
  EXPECT_EQ(dataset.image(4)[41], static_cast<std::uint8_t>(4 * 42 + 41));
  EXPECT_EQ(dataset.labels(), (std::vector<std::int32_t>{0, 1, 2, 3, 1}));
}

TEST_F(H5pyFiles, RankFourImagesKeepChannelsFastest) {
  const ImageDataset dataset = read_image_dataset(file("rank4.h5"));
  expect_shape(dataset, 4, 32, 32, 3, 10);
  EXPECT_EQ(dataset.labels(), (std::vector<std::int32_t>{9, 0, 3, 3}));
  // numpy's own C-order bytes of the same array.
  std::ifstream raw(file("cifar.bin"), std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(raw)),
                                std::istreambuf_iterator<char>());
  ASSERT_EQ(bytes.size(), dataset.pixels().size());
  EXPECT_TRUE(std::equal(dataset.pixels().begin(), dataset.pixels().end(),
                         reinterpret_cast<const std::uint8_t*>(bytes.data())));
}

TEST_F(H5pyFiles, EmptyDatasetNeedsAClassCount) {
  expect_bad_input([] { (void)read_image_dataset(file("empty.h5")); },
                   {file("empty.h5").string(), "class_count"});
}

TEST_F(H5pyFiles, BadFilesNameTheFileAndTheDataset) {
  const auto expect = [](const std::string& name, std::vector<std::string> fragments,
                         bool nn_only = true) {
    SCOPED_TRACE(name);
    fragments.push_back(file(name).string());
    expect_bad_input([&] { (void)read_image_dataset(file(name)); }, fragments, nn_only);
  };
  expect("float_images.h5", {"/images", "float32", "expected uint8"}, false);
  expect("int16_images.h5", {"/images", "int16", "expected uint8"}, false);
  expect("float_labels.h5", {"/labels", "float64", "expected integers"}, false);
  expect("mismatch.h5", {"/images holds 5 images", "/labels holds 4 labels"});
  expect("label_range.h5", {"/labels[2] = 10", "class_count 10"});
  expect("negative_label.h5", {"/labels[3] = -1"});
  expect("no_labels.h5", {"/labels", "missing"});
  expect("no_images.h5", {"/images", "missing"});
  expect("rank2_images.h5", {"/images", "[5][42]", "[K][H][W][C]"});
  expect("labels_2d.h5", {"/labels", "[5][1]", "[K]"});
  expect("not_hdf5.h5", {"HDF5"}, false);
  expect("missing.h5", {"does not exist"}, false);
}

TEST(LoadDataset, NamesWhatItAccepts) {
  expect_bad_input([] { (void)load_dataset("", DatasetSplit::test); }, {"fashion-mnist"});
  expect_bad_input([] { (void)load_dataset("fashion-mnist:", DatasetSplit::test); },
                   {"no directory"});
  expect_bad_input([] { (void)load_dataset("/no/such/cifar.h5", DatasetSplit::test); },
                   {"/no/such/cifar.h5", "no such file", "fashion-mnist:<directory>"});
}

}  // namespace
}  // namespace imcosim::nn
