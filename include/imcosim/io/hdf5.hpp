#pragma once

// A small HDF5 wrapper in the spirit of HighFive: RAII handles, every C call checked, failures
// turned into IoError carrying HDF5's own error-stack text. hdf5.h stays out of public headers.
//
// Error kinds: opening an existing file and reading what it contains are the user's input, so
// failures there are ErrorKind::bad_input; creating and writing are ErrorKind::runtime.
//
// HDF5 never prints: its automatic error printing is switched off in every thread that opens or
// creates a file, group or dataset (a thread that only uses objects opened elsewhere should
// open one itself first).
//
// Arrays are stored row-major (C order), as numpy and h5py see them: element [i][j] of a rank-2
// dataset is matrix(i, j).

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace imcosim::io::hdf5 {

// An HDF5 identifier (hid_t, a 64-bit integer since HDF5 1.10), kept as a plain integer so that
// public headers need not include hdf5.h.
using Id = std::int64_t;

// Owns one open HDF5 identifier of any kind and closes it on destruction. Move-only.
class Handle {
 public:
  Handle() noexcept = default;
  explicit Handle(Id id) noexcept : id_(id) {}
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle();

  [[nodiscard]] Id id() const noexcept { return id_; }
  // Gives up ownership: the caller closes the identifier (and checks that close).
  [[nodiscard]] Id release() noexcept;

 private:
  void close() noexcept;

  Id id_ = -1;
};

// Dimensions of a dataset, slowest-varying first.
using Shape = std::vector<std::uint64_t>;

// "[3][4]", the notation of error messages and docs/file-formats.md.
[[nodiscard]] std::string shape_text(const Shape& shape);

// Storage of a new dataset: contiguous unless chunk_shape is given. Chunks are required for
// compression and for extendable datasets.
struct Storage {
  Shape chunk_shape{};    // same rank as the dataset; empty for contiguous storage
  int deflate_level = 0;  // 0 stores uncompressed; 1..9 applies gzip (needs chunk_shape)
};

// What the elements of a dataset or attribute are, before any conversion.
enum class ValueClass { integer, floating, string, other };

// What a path inside a file names.
enum class ObjectKind { missing, group, dataset, other };

// Anything that carries attributes: a file (its root group), a group or a dataset.
class Object {
 public:
  // "run.h5:/currents": the file and the object, for error messages.
  [[nodiscard]] std::string where() const;
  [[nodiscard]] const std::string& file_name() const noexcept { return file_name_; }
  // Absolute path of this object inside its file, "/" for the root.
  [[nodiscard]] const std::string& object_path() const noexcept { return object_path_; }
  [[nodiscard]] Id id() const noexcept { return handle_.id(); }

  [[nodiscard]] bool has_attribute(std::string_view name) const;
  // Names of all attributes, in increasing name order.
  [[nodiscard]] std::vector<std::string> attribute_names() const;
  [[nodiscard]] ValueClass attribute_class(std::string_view name) const;

  // Scalar attributes. A missing attribute, a non-scalar one or one of the wrong class throws
  // IoError (bad_input) naming the attribute and what was expected.
  // Any integer or floating-point type converts to double; only integer types to int64.
  [[nodiscard]] double read_double_attribute(std::string_view name) const;
  [[nodiscard]] std::int64_t read_int64_attribute(std::string_view name) const;
  // Fixed- or variable-length strings.
  [[nodiscard]] std::string read_string_attribute(std::string_view name) const;

  // Create the attribute, or replace an existing one of the same name. Stored as float64,
  // int64 and a variable-length UTF-8 string (what h5py writes for a Python str).
  void write_double_attribute(std::string_view name, double value);
  void write_int64_attribute(std::string_view name, std::int64_t value);
  void write_string_attribute(std::string_view name, std::string_view value);

 protected:
  Object(Handle handle, std::string file_name, std::string object_path);

  // Absolute object path of `path` taken relative to this object.
  [[nodiscard]] std::string resolve(std::string_view path) const;
  // The identifier, no longer owned by this object (File::close closes it, checked).
  [[nodiscard]] Id release_handle() noexcept { return handle_.release(); }

 private:
  Handle handle_;
  std::string file_name_;
  std::string object_path_;
};

class DataSet;

class Group : public Object {
 public:
  // `path` is relative to this group, or absolute; a missing intermediate group gives missing.
  [[nodiscard]] ObjectKind object_kind(std::string_view path) const;
  [[nodiscard]] bool has_object(std::string_view path) const {
    return object_kind(path) != ObjectKind::missing;
  }

  // Names of the links directly in this group (datasets, groups, anything), in increasing
  // name order.
  [[nodiscard]] std::vector<std::string> member_names() const;
  // The first member (in name order) not among `expected`, if any: a reader that reads a group's
  // members by name refuses what it would otherwise skip silently.
  [[nodiscard]] std::optional<std::string> unexpected_member(
      const std::vector<std::string>& expected) const;

  [[nodiscard]] Group open_group(std::string_view path) const;
  Group create_group(std::string_view name);

  // Throws IoError (bad_input) when `path` is missing or not a dataset.
  [[nodiscard]] DataSet open_dataset(std::string_view path) const;

  // New float64 datasets of rank 1 ([n]) and rank 2 ([rows][cols]) holding `values`.
  DataSet write_vector(std::string_view name, const Eigen::VectorXd& values,
                       const Storage& storage = {});
  DataSet write_matrix(std::string_view name, const Eigen::MatrixXd& values,
                       const Storage& storage = {});

  // A float64 dataset of shape [0][columns] that grows along its first axis through
  // DataSet::append_rows. Without a chunk shape, chunks hold about 1 MiB of whole rows.
  DataSet create_extendable_matrix(std::string_view name, std::uint64_t columns,
                                   const Storage& storage = {});

  // New datasets of any rank holding `values` in C order (values.size() must be the product of
  // `shape`): uint8 for raw bytes such as image pixels, int64 for integers such as labels.
  DataSet write_uint8_array(std::string_view name, const Shape& shape,
                            const std::vector<std::uint8_t>& values, const Storage& storage = {});
  DataSet write_int64_array(std::string_view name, const Shape& shape,
                            const std::vector<std::int64_t>& values, const Storage& storage = {});

 protected:
  using Object::Object;
};

class DataSet : public Object {
 public:
  [[nodiscard]] Shape shape() const;
  [[nodiscard]] ValueClass value_class() const;

  // The whole dataset as double; rank 1 for read_vector, rank 2 for read_matrix. Integer and
  // floating-point element types convert; strings, compounds and the like throw IoError
  // (bad_input), as does the wrong rank.
  [[nodiscard]] Eigen::VectorXd read_vector() const;
  [[nodiscard]] Eigen::MatrixXd read_matrix() const;
  // Rows [first_row, first_row + row_count) of a rank-2 dataset.
  [[nodiscard]] Eigen::MatrixXd read_rows(std::uint64_t first_row, std::uint64_t row_count) const;

  // The whole dataset, any rank, flattened in C order. read_uint8_array accepts only unsigned
  // 8-bit integer elements (no silent clipping of wider types); read_int64_array any integer
  // type. Other element types throw IoError (bad_input) naming the type found.
  [[nodiscard]] std::vector<std::uint8_t> read_uint8_array() const;
  [[nodiscard]] std::vector<std::int64_t> read_int64_array() const;

  // Extends a rank-2 dataset from create_extendable_matrix by `rows` at the end of its first
  // axis. `rows` must have as many columns as the dataset.
  void append_rows(const Eigen::MatrixXd& rows);

 private:
  friend class Group;
  using Object::Object;

  void require_numeric() const;
  void require_rank(std::size_t rank) const;
};

class File : public Group {
 public:
  // Throws IoError (bad_input) when the file does not exist or is not HDF5.
  [[nodiscard]] static File open_read_only(const std::filesystem::path& path);
  [[nodiscard]] static File open_read_write(const std::filesystem::path& path);
  // Creates `path`, replacing any file there (use AtomicFile to replace safely).
  [[nodiscard]] static File create(const std::filesystem::path& path);

  // Writes buffered data to disk; closing (destruction) flushes too.
  void flush();
  // Flushes and closes the file, checking both: a writer calls it before committing the file,
  // because destruction cannot report a close that failed (a full disk, a file size limit).
  // Throws IoError (runtime) naming the file and, when the disk is full, saying so. Afterwards
  // the object holds no file; only destruction remains.
  void close();

 private:
  using Group::Group;
};

}  // namespace imcosim::io::hdf5
