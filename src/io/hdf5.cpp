// Every raw C call of the io stage is here, wrapped once and checked (hdf5_probe.cpp, the
// crash-isolating probe of a file before it is opened, is the only other unit that includes
// hdf5.h).
#include "imcosim/io/hdf5.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <limits>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

#include "hdf5_probe.hpp"
#include "imcosim/io/atomic_file.hpp"
#include "imcosim/io/error.hpp"
#include "imcosim/memory_budget.hpp"

namespace imcosim::io::hdf5 {

static_assert(std::is_same_v<Id, hid_t>, "hdf5::Id must be HDF5's hid_t");

namespace {

using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Bytes per chunk that create_extendable_matrix aims for: large enough for deflate to work
// well, small enough that appending a few rows does not rewrite much.
constexpr std::uint64_t default_chunk_bytes = std::uint64_t{1} << 20;

herr_t append_error_line(unsigned /*position*/, const H5E_error2_t* error, void* client_data) {
  auto& text = *static_cast<std::string*>(client_data);
  if (!text.empty()) {
    text += "; ";
  }
  std::string line = std::string(error->func_name != nullptr ? error->func_name : "?") +
                     "(): " + (error->desc != nullptr ? error->desc : "");
  // Some descriptions span lines; an error message stays on one.
  std::replace(line.begin(), line.end(), '\n', ' ');
  text += line;
  return 0;
}

// HDF5's error stack, outermost call first, then cleared for the next failure.
std::string take_error_stack() {
  std::string text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, append_error_line, &text);
  H5Eclear2(H5E_DEFAULT);
  return text;
}

// The cause of a failed write, when HDF5's file driver reported the system's error number in
// its message ("... errno = 28, error message = 'No space left on device' ..."): the disk is
// full or a file size limit was reached. Empty for other failures.
std::string storage_exhausted(const std::string& stack) {
  const std::string key = "errno = ";
  const auto at = stack.find(key);
  if (at == std::string::npos) {
    return {};
  }
  const int number = std::atoi(stack.c_str() + at + key.size());
  return number == ENOSPC || number == EDQUOT || number == EFBIG ? write_error_text(number) : "";
}

[[noreturn]] void fail(ErrorKind kind, const std::string& where, const std::string& problem) {
  std::string message = where + ": " + problem;
  const std::string stack = take_error_stack();
  if (const std::string cause = storage_exhausted(stack); !cause.empty()) {
    message += ": " + cause;
  }
  if (!stack.empty()) {
    message += " (HDF5: " + stack + ")";
  }
  throw IoError(kind, message);
}

// HDF5's clean-up at exit is switched off before the library's first call (at start-up): a
// file whose close failed (a full disk) stays in HDF5's tables, and closing it again at exit
// crashes inside HDF5 1.10. Every file of ours is closed, checked, before exit.
[[maybe_unused]] const bool no_hdf5_clean_up_at_exit = H5dont_atexit() >= 0;

// The library reports failures by exception, never on stderr. HDF5's automatic printing is a
// per-thread setting in thread-safe builds (Debian's is one), hence once per thread, whenever a
// thread opens or creates a file or object.
void silence_automatic_error_printing() {
  thread_local const bool silenced = H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0;
  static_cast<void>(silenced);
}

hid_t checked_id(hid_t id, ErrorKind kind, const std::string& where, const std::string& action) {
  if (id < 0) {
    fail(kind, where, "cannot " + action);
  }
  return id;
}

void checked(herr_t status, ErrorKind kind, const std::string& where, const std::string& action) {
  if (status < 0) {
    fail(kind, where, "cannot " + action);
  }
}

bool checked_bool(htri_t result, ErrorKind kind, const std::string& where,
                  const std::string& action) {
  if (result < 0) {
    fail(kind, where, "cannot " + action);
  }
  return result > 0;
}

std::vector<hsize_t> to_hsize(const Shape& shape) { return {shape.begin(), shape.end()}; }

hsize_t to_hsize(Eigen::Index extent) { return static_cast<hsize_t>(extent); }

Eigen::Index to_index(hsize_t extent) { return static_cast<Eigen::Index>(extent); }

std::string attribute_where(const Object& object, std::string_view name) {
  return object.where() + ": attribute " + std::string(name);
}

ValueClass value_class_of(hid_t type) {
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      return ValueClass::integer;
    case H5T_FLOAT:
      return ValueClass::floating;
    case H5T_STRING:
      return ValueClass::string;
    default:
      return ValueClass::other;
  }
}

std::string type_description(hid_t type) {
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      return "integers";
    case H5T_FLOAT:
      return "floating-point numbers";
    case H5T_STRING:
      return "strings";
    case H5T_COMPOUND:
      return "compound records";
    case H5T_ENUM:
      return "enumeration values (e.g. booleans)";
    case H5T_ARRAY:
      return "array elements";
    case H5T_VLEN:
      return "variable-length sequences";
    case H5T_OPAQUE:
      return "opaque bytes";
    case H5T_REFERENCE:
      return "object references";
    case H5T_BITFIELD:
      return "bit fields";
    default:
      return "elements of an unknown type";
  }
}

Shape shape_of_space(hid_t space, ErrorKind kind, const std::string& where) {
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) {
    fail(kind, where, "cannot query the rank of the dataspace");
  }
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) {
    checked(H5Sget_simple_extent_dims(space, dims.data(), nullptr), kind, where,
            "query the extent of the dataspace");
  }
  return {dims.begin(), dims.end()};
}

Handle create_scalar_attribute(Object& object, std::string_view name, hid_t file_type) {
  const std::string name_text(name);
  const std::string where = attribute_where(object, name);
  if (checked_bool(H5Aexists(object.id(), name_text.c_str()), ErrorKind::runtime, where,
                   "check whether the attribute exists")) {
    checked(H5Adelete(object.id(), name_text.c_str()), ErrorKind::runtime, where,
            "delete the attribute before replacing it");
  }
  const Handle space(
      checked_id(H5Screate(H5S_SCALAR), ErrorKind::runtime, where, "create a scalar dataspace"));
  return Handle(checked_id(
      H5Acreate2(object.id(), name_text.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT),
      ErrorKind::runtime, where, "create the attribute"));
}

// The attribute `name`, checked to be a scalar whose elements fall in `accepted` classes.
Handle open_scalar_attribute(const Object& object, std::string_view name,
                             std::initializer_list<ValueClass> accepted,
                             std::string_view expected) {
  const std::string name_text(name);
  const std::string where = attribute_where(object, name);
  if (!object.has_attribute(name)) {
    throw IoError(ErrorKind::bad_input, where + " is missing; expected " + std::string(expected));
  }
  Handle attribute(checked_id(H5Aopen(object.id(), name_text.c_str(), H5P_DEFAULT),
                              ErrorKind::bad_input, where, "open the attribute"));
  const Handle type(checked_id(H5Aget_type(attribute.id()), ErrorKind::bad_input, where,
                               "query the attribute's type"));
  if (std::find(accepted.begin(), accepted.end(), value_class_of(type.id())) == accepted.end()) {
    throw IoError(ErrorKind::bad_input, where + " holds " + type_description(type.id()) +
                                            "; expected " + std::string(expected));
  }
  const Handle space(checked_id(H5Aget_space(attribute.id()), ErrorKind::bad_input, where,
                                "query the attribute's dataspace"));
  if (H5Sget_simple_extent_type(space.id()) != H5S_SCALAR) {
    throw IoError(ErrorKind::bad_input,
                  where + " has shape " +
                      shape_text(shape_of_space(space.id(), ErrorKind::bad_input, where)) +
                      "; expected " + std::string(expected));
  }
  return attribute;
}

Handle dataset_creation_properties(const Shape& shape, const Storage& storage, bool extendable,
                                   const std::string& where) {
  Handle properties(checked_id(H5Pcreate(H5P_DATASET_CREATE), ErrorKind::runtime, where,
                               "create dataset creation properties"));
  if (storage.chunk_shape.empty()) {
    if (storage.deflate_level != 0) {
      throw IoError(ErrorKind::runtime, where + ": deflate compression needs a chunk shape");
    }
    return properties;
  }
  if (storage.chunk_shape.size() != shape.size()) {
    throw IoError(ErrorKind::runtime, where + ": chunk shape " + shape_text(storage.chunk_shape) +
                                          " does not have the rank of the dataset " +
                                          shape_text(shape));
  }
  // A chunk may not be empty, nor larger than a fixed-size dimension.
  std::vector<hsize_t> chunk = to_hsize(storage.chunk_shape);
  for (std::size_t axis = 0; axis < chunk.size(); ++axis) {
    const bool fixed_axis = !(extendable && axis == 0);
    if (fixed_axis) {
      chunk[axis] = std::min(chunk[axis], static_cast<hsize_t>(shape[axis]));
    }
    chunk[axis] = std::max(chunk[axis], hsize_t{1});
  }
  checked(H5Pset_chunk(properties.id(), static_cast<int>(chunk.size()), chunk.data()),
          ErrorKind::runtime, where, "set the chunk shape " + shape_text(storage.chunk_shape));
  if (storage.deflate_level != 0) {
    checked(H5Pset_deflate(properties.id(), static_cast<unsigned>(storage.deflate_level)),
            ErrorKind::runtime, where,
            "enable deflate level " + std::to_string(storage.deflate_level));
  }
  return properties;
}

// "uint8", "int32", "float64", or the class description for non-numeric types.
std::string element_type_name(hid_t type) {
  const H5T_class_t type_class = H5Tget_class(type);
  const std::size_t bits = H5Tget_size(type) * 8;
  if (type_class == H5T_INTEGER) {
    return std::string(H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(bits);
  }
  if (type_class == H5T_FLOAT) {
    return "float" + std::to_string(bits);
  }
  return type_description(type);
}

std::uint64_t element_count(const Shape& shape, const std::string& where) {
  std::uint64_t count = 1;
  for (const std::uint64_t extent : shape) {
    if (extent != 0 && count > std::numeric_limits<std::uint64_t>::max() / extent) {
      throw IoError(ErrorKind::bad_input, where + ": shape " + shape_text(shape) +
                                              " has more elements than can be addressed");
    }
    count *= extent;
  }
  return count;
}

// One dataset read may take a quarter of the memory: what is read is copied and computed on
// (a tile's conductances into the tile, inputs into results), and those need the rest.
constexpr std::uint64_t dataset_read_memory_parts = 4;

// Bytes of one chunk of `dataset` as stored (HDF5 holds a whole chunk in memory to read any
// part of it), or 0 for a dataset that is not chunked.
std::uint64_t chunk_bytes(const DataSet& dataset) {
  const Handle properties(checked_id(H5Dget_create_plist(dataset.id()), ErrorKind::bad_input,
                                     dataset.where(), "query the storage layout"));
  if (H5Pget_layout(properties.id()) != H5D_CHUNKED) {
    return 0;
  }
  std::vector<hsize_t> chunk(H5S_MAX_RANK);
  const int rank = H5Pget_chunk(properties.id(), H5S_MAX_RANK, chunk.data());
  const Handle type(checked_id(H5Dget_type(dataset.id()), ErrorKind::bad_input, dataset.where(),
                               "query the element type"));
  std::uint64_t bytes = H5Tget_size(type.id());
  for (int axis = 0; axis < rank; ++axis) {
    bytes = saturating_product({bytes, chunk[static_cast<std::size_t>(axis)]});
  }
  return bytes;
}

// Refuses, before anything is allocated, to read `elements` values of `element_bytes` each (and
// the chunk HDF5 reads them through) when that would not fit in this machine's memory: a small
// corrupt or hostile file may declare any shape and any chunk.
void check_readable_size(const DataSet& dataset, std::uint64_t elements,
                         std::uint64_t element_bytes) {
  // A dataset cannot store more than its file holds; the chunk index of a corrupt one may claim
  // so, and HDF5 would allocate what it claims before finding the file too short. (Only a file
  // opened to read is complete on disk: one being written may hold data in HDF5's cache.)
  const Handle file(checked_id(H5Iget_file_id(dataset.id()), ErrorKind::bad_input, dataset.where(),
                               "find the file of the dataset"));
  unsigned intent = 0;
  checked(H5Fget_intent(file.id(), &intent), ErrorKind::bad_input, dataset.where(),
          "query how the file was opened");
  hsize_t file_bytes = 0;
  checked(H5Fget_filesize(file.id(), &file_bytes), ErrorKind::bad_input, dataset.where(),
          "query the file's size");
  const hsize_t stored_bytes = H5Dget_storage_size(dataset.id());
  if (intent == H5F_ACC_RDONLY && stored_bytes > file_bytes) {
    throw IoError(ErrorKind::bad_input,
                  dataset.where() + ": corrupt HDF5 file: the dataset claims " +
                      byte_text(stored_bytes) + " of stored data in a file of " +
                      byte_text(file_bytes));
  }
  const std::uint64_t chunk = chunk_bytes(dataset);
  const std::string shortfall =
      memory_shortfall(saturating_sum({saturating_product({elements, element_bytes}), chunk}),
                       "reading shape " + shape_text(dataset.shape()) +
                           (chunk > 0 ? " through chunks of " + byte_text(chunk) : ""),
                       dataset_read_memory_parts);
  if (!shortfall.empty()) {
    throw IoError(ErrorKind::bad_input, dataset.where() + ": " + shortfall);
  }
}

// The whole of `dataset`, any rank, in C order, converted to `memory_type` once `accepts` has
// approved the stored element type.
template <typename Element, typename Accepts>
std::vector<Element> read_whole(const DataSet& dataset, hid_t memory_type, Accepts accepts,
                                const std::string& expected) {
  const Handle type(checked_id(H5Dget_type(dataset.id()), ErrorKind::bad_input, dataset.where(),
                               "query the element type"));
  if (!accepts(type.id())) {
    throw IoError(
        ErrorKind::bad_input,
        dataset.where() + ": holds " + element_type_name(type.id()) + "; expected " + expected);
  }
  const std::uint64_t count = element_count(dataset.shape(), dataset.where());
  check_readable_size(dataset, count, sizeof(Element));
  std::vector<Element> values(count);
  if (!values.empty()) {
    checked(H5Dread(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
            ErrorKind::bad_input, dataset.where(), "read the dataset as " + expected);
  }
  return values;
}

// A new dataset of `shape` with elements `file_type`, written from `data` (`memory_type`).
template <typename Element>
Handle write_array(hid_t location, const std::string& absolute, const std::string& where_text,
                   const Shape& shape, const std::vector<Element>& values, hid_t file_type,
                   hid_t memory_type, const Storage& storage) {
  if (element_count(shape, where_text) != values.size()) {
    throw IoError(ErrorKind::runtime, where_text + ": " + std::to_string(values.size()) +
                                          " values do not fill the shape " + shape_text(shape));
  }
  const std::vector<hsize_t> dims = to_hsize(shape);
  const Handle space(
      checked_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                 ErrorKind::runtime, where_text, "create the dataspace"));
  const Handle properties = dataset_creation_properties(shape, storage, false, where_text);
  Handle dataset(checked_id(H5Dcreate2(location, absolute.c_str(), file_type, space.id(),
                                       H5P_DEFAULT, properties.id(), H5P_DEFAULT),
                            ErrorKind::runtime, where_text, "create the dataset"));
  if (!values.empty()) {
    checked(H5Dwrite(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
            ErrorKind::runtime, where_text, "write the dataset");
  }
  return dataset;
}

}  // namespace

std::string shape_text(const Shape& shape) {
  if (shape.empty()) {
    return "[] (scalar)";
  }
  std::string text;
  for (const std::uint64_t extent : shape) {
    text += "[" + std::to_string(extent) + "]";
  }
  return text;
}

// ---- Handle ----

Handle::Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)) {}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    close();
    id_ = std::exchange(other.id_, -1);
  }
  return *this;
}

Handle::~Handle() { close(); }

Id Handle::release() noexcept { return std::exchange(id_, -1); }

void Handle::close() noexcept {
  if (id_ < 0) {
    return;
  }
  // A failed close cannot be reported from a destructor; HDF5 keeps no state for it that a
  // later call would trip over, so the error stack is simply cleared.
  herr_t status = 0;
  switch (H5Iget_type(id_)) {
    case H5I_FILE:
      status = H5Fclose(id_);
      break;
    case H5I_GROUP:
      status = H5Gclose(id_);
      break;
    case H5I_DATASET:
      status = H5Dclose(id_);
      break;
    case H5I_ATTR:
      status = H5Aclose(id_);
      break;
    case H5I_DATASPACE:
      status = H5Sclose(id_);
      break;
    case H5I_DATATYPE:
      status = H5Tclose(id_);
      break;
    case H5I_GENPROP_LST:
      status = H5Pclose(id_);
      break;
    default:
      status = H5Idec_ref(id_) < 0 ? -1 : 0;
      break;
  }
  if (status < 0) {
    H5Eclear2(H5E_DEFAULT);
  }
  id_ = -1;
}

// ---- Object ----

Object::Object(Handle handle, std::string file_name, std::string object_path)
    : handle_(std::move(handle)),
      file_name_(std::move(file_name)),
      object_path_(std::move(object_path)) {
  silence_automatic_error_printing();
}

std::string Object::where() const { return file_name_ + ":" + object_path_; }

std::string Object::resolve(std::string_view path) const {
  if (path.starts_with('/')) {
    return std::string(path);
  }
  return object_path_ == "/" ? "/" + std::string(path) : object_path_ + "/" + std::string(path);
}

bool Object::has_attribute(std::string_view name) const {
  const std::string name_text(name);
  return checked_bool(H5Aexists(id(), name_text.c_str()), ErrorKind::bad_input,
                      attribute_where(*this, name), "check whether the attribute exists");
}

std::vector<std::string> Object::attribute_names() const {
  std::vector<std::string> names;
  const auto append_name = [](hid_t /*location*/, const char* name, const H5A_info_t* /*info*/,
                              void* client_data) -> herr_t {
    static_cast<std::vector<std::string>*>(client_data)->emplace_back(name);
    return 0;
  };
  hsize_t next = 0;
  checked(H5Aiterate2(id(), H5_INDEX_NAME, H5_ITER_INC, &next, append_name, &names),
          ErrorKind::bad_input, where(), "list the attributes");
  return names;
}

ValueClass Object::attribute_class(std::string_view name) const {
  const std::string name_text(name);
  const std::string attribute_text = attribute_where(*this, name);
  const Handle attribute(checked_id(H5Aopen(id(), name_text.c_str(), H5P_DEFAULT),
                                    ErrorKind::bad_input, attribute_text, "open the attribute"));
  const Handle type(checked_id(H5Aget_type(attribute.id()), ErrorKind::bad_input, attribute_text,
                               "query the attribute's type"));
  return value_class_of(type.id());
}

double Object::read_double_attribute(std::string_view name) const {
  const Handle attribute = open_scalar_attribute(
      *this, name, {ValueClass::integer, ValueClass::floating}, "a scalar number");
  double value = 0.0;
  checked(H5Aread(attribute.id(), H5T_NATIVE_DOUBLE, &value), ErrorKind::bad_input,
          attribute_where(*this, name), "read the attribute as float64");
  return value;
}

std::int64_t Object::read_int64_attribute(std::string_view name) const {
  const Handle attribute =
      open_scalar_attribute(*this, name, {ValueClass::integer}, "a scalar integer");
  std::int64_t value = 0;
  checked(H5Aread(attribute.id(), H5T_NATIVE_INT64, &value), ErrorKind::bad_input,
          attribute_where(*this, name), "read the attribute as int64");
  return value;
}

std::string Object::read_string_attribute(std::string_view name) const {
  const std::string where_text = attribute_where(*this, name);
  const Handle attribute = open_scalar_attribute(*this, name, {ValueClass::string}, "a string");
  const Handle file_type(checked_id(H5Aget_type(attribute.id()), ErrorKind::bad_input, where_text,
                                    "query the attribute's type"));
  const Handle memory_type(
      checked_id(H5Tcopy(H5T_C_S1), ErrorKind::bad_input, where_text, "create a string type"));
  checked(H5Tset_cset(memory_type.id(), H5Tget_cset(file_type.id())), ErrorKind::bad_input,
          where_text, "set the character set of the string type");
  if (checked_bool(H5Tis_variable_str(file_type.id()), ErrorKind::bad_input, where_text,
                   "query the string kind")) {
    checked(H5Tset_size(memory_type.id(), H5T_VARIABLE), ErrorKind::bad_input, where_text,
            "make the string type variable-length");
    char* characters = nullptr;
    checked(H5Aread(attribute.id(), memory_type.id(), &characters), ErrorKind::bad_input,
            where_text, "read the string attribute");
    std::string value = characters != nullptr ? characters : "";
    H5free_memory(characters);
    return value;
  }
  const std::size_t size = H5Tget_size(file_type.id());
  if (size == 0) {
    fail(ErrorKind::bad_input, where_text, "query the size of the fixed-length string");
  }
  checked(H5Tset_size(memory_type.id(), size), ErrorKind::bad_input, where_text,
          "size the string type");
  std::string value(size, '\0');
  checked(H5Aread(attribute.id(), memory_type.id(), value.data()), ErrorKind::bad_input, where_text,
          "read the string attribute");
  // Fixed-length strings are padded with NULs (or spaces, which are kept as written).
  value.resize(std::min(value.find('\0'), value.size()));
  return value;
}

void Object::write_double_attribute(std::string_view name, double value) {
  const Handle attribute = create_scalar_attribute(*this, name, H5T_IEEE_F64LE);
  checked(H5Awrite(attribute.id(), H5T_NATIVE_DOUBLE, &value), ErrorKind::runtime,
          attribute_where(*this, name), "write the attribute");
}

void Object::write_int64_attribute(std::string_view name, std::int64_t value) {
  const Handle attribute = create_scalar_attribute(*this, name, H5T_STD_I64LE);
  checked(H5Awrite(attribute.id(), H5T_NATIVE_INT64, &value), ErrorKind::runtime,
          attribute_where(*this, name), "write the attribute");
}

void Object::write_string_attribute(std::string_view name, std::string_view value) {
  const std::string where_text = attribute_where(*this, name);
  const Handle type(
      checked_id(H5Tcopy(H5T_C_S1), ErrorKind::runtime, where_text, "create a string type"));
  checked(H5Tset_size(type.id(), H5T_VARIABLE), ErrorKind::runtime, where_text,
          "make the string type variable-length");
  checked(H5Tset_cset(type.id(), H5T_CSET_UTF8), ErrorKind::runtime, where_text,
          "set the UTF-8 character set");
  const Handle attribute = create_scalar_attribute(*this, name, type.id());
  const std::string text(value);
  const char* characters = text.c_str();
  checked(H5Awrite(attribute.id(), type.id(), &characters), ErrorKind::runtime, where_text,
          "write the attribute");
}

// ---- Group ----

std::vector<std::string> Group::member_names() const {
  std::vector<std::string> names;
  const auto append_name = [](hid_t /*group*/, const char* name, const H5L_info_t* /*info*/,
                              void* client_data) -> herr_t {
    static_cast<std::vector<std::string>*>(client_data)->emplace_back(name);
    return 0;
  };
  hsize_t next = 0;
  checked(H5Literate(id(), H5_INDEX_NAME, H5_ITER_INC, &next, append_name, &names),
          ErrorKind::bad_input, where(), "list the group's members");
  return names;
}

std::optional<std::string> Group::unexpected_member(
    const std::vector<std::string>& expected) const {
  for (auto& name : member_names()) {
    if (std::find(expected.begin(), expected.end(), name) == expected.end()) {
      return std::move(name);
    }
  }
  return std::nullopt;
}

ObjectKind Group::object_kind(std::string_view path) const {
  const std::string absolute = resolve(path);
  const std::string where_text = file_name() + ":" + absolute;
  // H5Lexists fails rather than answering "no" when an intermediate group is missing, so walk
  // the path one link at a time.
  std::size_t end = 0;
  while (end != std::string::npos) {
    end = absolute.find('/', end + 1);
    const std::string prefix = absolute.substr(0, end);
    if (prefix.size() <= 1 || prefix.ends_with('/')) {
      continue;
    }
    if (!checked_bool(H5Lexists(id(), prefix.c_str(), H5P_DEFAULT), ErrorKind::bad_input,
                      where_text, "check whether the link exists") ||
        !checked_bool(H5Oexists_by_name(id(), prefix.c_str(), H5P_DEFAULT), ErrorKind::bad_input,
                      where_text, "check whether the object exists")) {
      return ObjectKind::missing;
    }
  }
  const Handle object(checked_id(H5Oopen(id(), absolute.c_str(), H5P_DEFAULT), ErrorKind::bad_input,
                                 where_text, "open the object"));
  switch (H5Iget_type(object.id())) {
    case H5I_GROUP:
      return ObjectKind::group;
    case H5I_DATASET:
      return ObjectKind::dataset;
    default:
      return ObjectKind::other;
  }
}

Group Group::open_group(std::string_view path) const {
  const std::string absolute = resolve(path);
  const std::string where_text = file_name() + ":" + absolute;
  if (object_kind(path) != ObjectKind::group) {
    throw IoError(ErrorKind::bad_input, where_text + ": no such group");
  }
  return {Handle(checked_id(H5Gopen2(id(), absolute.c_str(), H5P_DEFAULT), ErrorKind::bad_input,
                            where_text, "open the group")),
          file_name(), absolute};
}

Group Group::create_group(std::string_view name) {
  const std::string absolute = resolve(name);
  return {
      Handle(checked_id(H5Gcreate2(id(), absolute.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                        ErrorKind::runtime, file_name() + ":" + absolute, "create the group")),
      file_name(), absolute};
}

DataSet Group::open_dataset(std::string_view path) const {
  const std::string absolute = resolve(path);
  const std::string where_text = file_name() + ":" + absolute;
  switch (object_kind(path)) {
    case ObjectKind::dataset:
      break;
    case ObjectKind::missing:
      throw IoError(ErrorKind::bad_input, where_text + ": no such dataset");
    case ObjectKind::group:
      throw IoError(ErrorKind::bad_input, where_text + ": is a group; expected a dataset");
    case ObjectKind::other:
      throw IoError(ErrorKind::bad_input, where_text + ": is not a dataset");
  }
  return {Handle(checked_id(H5Dopen2(id(), absolute.c_str(), H5P_DEFAULT), ErrorKind::bad_input,
                            where_text, "open the dataset")),
          file_name(), absolute};
}

DataSet Group::write_vector(std::string_view name, const Eigen::VectorXd& values,
                            const Storage& storage) {
  const std::string absolute = resolve(name);
  const std::string where_text = file_name() + ":" + absolute;
  const std::vector<hsize_t> dims{to_hsize(values.size())};
  const Handle space(checked_id(H5Screate_simple(1, dims.data(), nullptr), ErrorKind::runtime,
                                where_text, "create the dataspace"));
  const Handle properties =
      dataset_creation_properties({dims.begin(), dims.end()}, storage, false, where_text);
  DataSet dataset(Handle(checked_id(H5Dcreate2(id(), absolute.c_str(), H5T_IEEE_F64LE, space.id(),
                                               H5P_DEFAULT, properties.id(), H5P_DEFAULT),
                                    ErrorKind::runtime, where_text, "create the dataset")),
                  file_name(), absolute);
  if (values.size() > 0) {
    checked(H5Dwrite(dataset.id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
            ErrorKind::runtime, where_text, "write the dataset");
  }
  return dataset;
}

DataSet Group::write_matrix(std::string_view name, const Eigen::MatrixXd& values,
                            const Storage& storage) {
  const RowMajorMatrix row_major = values;
  const std::string absolute = resolve(name);
  const std::string where_text = file_name() + ":" + absolute;
  const std::vector<hsize_t> dims{to_hsize(values.rows()), to_hsize(values.cols())};
  const Handle space(checked_id(H5Screate_simple(2, dims.data(), nullptr), ErrorKind::runtime,
                                where_text, "create the dataspace"));
  const Handle properties =
      dataset_creation_properties({dims.begin(), dims.end()}, storage, false, where_text);
  DataSet dataset(Handle(checked_id(H5Dcreate2(id(), absolute.c_str(), H5T_IEEE_F64LE, space.id(),
                                               H5P_DEFAULT, properties.id(), H5P_DEFAULT),
                                    ErrorKind::runtime, where_text, "create the dataset")),
                  file_name(), absolute);
  if (row_major.size() > 0) {
    checked(
        H5Dwrite(dataset.id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, row_major.data()),
        ErrorKind::runtime, where_text, "write the dataset");
  }
  return dataset;
}

DataSet Group::create_extendable_matrix(std::string_view name, std::uint64_t columns,
                                        const Storage& storage) {
  const std::string absolute = resolve(name);
  const std::string where_text = file_name() + ":" + absolute;
  const std::vector<hsize_t> dims{0, columns};
  const std::vector<hsize_t> maximum_dims{H5S_UNLIMITED, columns};
  const Handle space(checked_id(H5Screate_simple(2, dims.data(), maximum_dims.data()),
                                ErrorKind::runtime, where_text, "create the dataspace"));
  Storage chunked = storage;
  if (chunked.chunk_shape.empty()) {
    const std::uint64_t row_bytes = std::max<std::uint64_t>(columns, 1) * sizeof(double);
    chunked.chunk_shape = {std::max<std::uint64_t>(default_chunk_bytes / row_bytes, 1), columns};
  }
  const Handle properties = dataset_creation_properties({0, columns}, chunked, true, where_text);
  return {Handle(checked_id(H5Dcreate2(id(), absolute.c_str(), H5T_IEEE_F64LE, space.id(),
                                       H5P_DEFAULT, properties.id(), H5P_DEFAULT),
                            ErrorKind::runtime, where_text, "create the extendable dataset")),
          file_name(), absolute};
}

DataSet Group::write_uint8_array(std::string_view name, const Shape& shape,
                                 const std::vector<std::uint8_t>& values, const Storage& storage) {
  const std::string absolute = resolve(name);
  const std::string where_text = file_name() + ":" + absolute;
  return {write_array(id(), absolute, where_text, shape, values, H5T_STD_U8LE, H5T_NATIVE_UINT8,
                      storage),
          file_name(), absolute};
}

DataSet Group::write_int64_array(std::string_view name, const Shape& shape,
                                 const std::vector<std::int64_t>& values, const Storage& storage) {
  const std::string absolute = resolve(name);
  const std::string where_text = file_name() + ":" + absolute;
  return {write_array(id(), absolute, where_text, shape, values, H5T_STD_I64LE, H5T_NATIVE_INT64,
                      storage),
          file_name(), absolute};
}

// ---- DataSet ----

Shape DataSet::shape() const {
  const Handle space(
      checked_id(H5Dget_space(id()), ErrorKind::bad_input, where(), "query the dataspace"));
  return shape_of_space(space.id(), ErrorKind::bad_input, where());
}

ValueClass DataSet::value_class() const {
  const Handle type(
      checked_id(H5Dget_type(id()), ErrorKind::bad_input, where(), "query the element type"));
  return value_class_of(type.id());
}

void DataSet::require_numeric() const {
  const Handle type(
      checked_id(H5Dget_type(id()), ErrorKind::bad_input, where(), "query the element type"));
  const ValueClass kind = value_class_of(type.id());
  if (kind != ValueClass::integer && kind != ValueClass::floating) {
    throw IoError(ErrorKind::bad_input, where() + ": holds " + type_description(type.id()) +
                                            "; expected numbers (float64, or any float or "
                                            "integer type)");
  }
}

void DataSet::require_rank(std::size_t rank) const {
  const Shape extent = shape();
  if (extent.size() != rank) {
    throw IoError(ErrorKind::bad_input, where() + ": has rank " + std::to_string(extent.size()) +
                                            " (shape " + shape_text(extent) + "); expected rank " +
                                            std::to_string(rank));
  }
}

Eigen::VectorXd DataSet::read_vector() const {
  require_rank(1);
  require_numeric();
  check_readable_size(*this, shape()[0], sizeof(double));
  Eigen::VectorXd values(to_index(shape()[0]));
  if (values.size() > 0) {
    checked(H5Dread(id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
            ErrorKind::bad_input, where(), "read the dataset as float64");
  }
  return values;
}

Eigen::MatrixXd DataSet::read_matrix() const {
  require_rank(2);
  return read_rows(0, shape()[0]);
}

Eigen::MatrixXd DataSet::read_rows(std::uint64_t first_row, std::uint64_t row_count) const {
  require_rank(2);
  require_numeric();
  const Shape extent = shape();
  if (first_row > extent[0] || row_count > extent[0] - first_row) {
    throw IoError(ErrorKind::bad_input, where() + ": rows [" + std::to_string(first_row) + ", " +
                                            std::to_string(first_row + row_count) +
                                            ") are outside the shape " + shape_text(extent));
  }
  check_readable_size(*this, saturating_product({row_count, extent[1]}), sizeof(double));
  RowMajorMatrix values(to_index(row_count), to_index(extent[1]));
  if (values.size() == 0) {
    return values;
  }
  const Handle file_space(
      checked_id(H5Dget_space(id()), ErrorKind::bad_input, where(), "query the dataspace"));
  const std::vector<hsize_t> start{first_row, 0};
  const std::vector<hsize_t> count{row_count, extent[1]};
  checked(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          ErrorKind::bad_input, where(), "select the rows to read");
  const Handle memory_space(checked_id(H5Screate_simple(2, count.data(), nullptr),
                                       ErrorKind::bad_input, where(),
                                       "create the memory dataspace"));
  checked(H5Dread(id(), H5T_NATIVE_DOUBLE, memory_space.id(), file_space.id(), H5P_DEFAULT,
                  values.data()),
          ErrorKind::bad_input, where(), "read the dataset as float64");
  return values;
}

std::vector<std::uint8_t> DataSet::read_uint8_array() const {
  return read_whole<std::uint8_t>(
      *this, H5T_NATIVE_UINT8,
      [](hid_t type) {
        return H5Tget_class(type) == H5T_INTEGER && H5Tget_size(type) == 1 &&
               H5Tget_sign(type) == H5T_SGN_NONE;
      },
      "uint8");
}

std::vector<std::int64_t> DataSet::read_int64_array() const {
  return read_whole<std::int64_t>(
      *this, H5T_NATIVE_INT64, [](hid_t type) { return H5Tget_class(type) == H5T_INTEGER; },
      "integers");
}

void DataSet::append_rows(const Eigen::MatrixXd& rows) {
  const Shape extent = shape();
  if (extent.size() != 2 || extent[1] != static_cast<std::uint64_t>(rows.cols())) {
    throw IoError(ErrorKind::runtime, where() + ": cannot append rows of " +
                                          std::to_string(rows.cols()) +
                                          " columns to a dataset of shape " + shape_text(extent));
  }
  if (rows.rows() == 0) {
    return;
  }
  const RowMajorMatrix row_major = rows;
  const std::vector<hsize_t> new_extent{extent[0] + to_hsize(rows.rows()), extent[1]};
  checked(H5Dset_extent(id(), new_extent.data()), ErrorKind::runtime, where(),
          "extend the dataset to " + shape_text({new_extent.begin(), new_extent.end()}) +
              " (was it created extendable?)");
  const Handle file_space(
      checked_id(H5Dget_space(id()), ErrorKind::runtime, where(), "query the dataspace"));
  const std::vector<hsize_t> start{extent[0], 0};
  const std::vector<hsize_t> count{to_hsize(rows.rows()), extent[1]};
  checked(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          ErrorKind::runtime, where(), "select the appended rows");
  const Handle memory_space(checked_id(H5Screate_simple(2, count.data(), nullptr),
                                       ErrorKind::runtime, where(), "create the memory dataspace"));
  checked(H5Dwrite(id(), H5T_NATIVE_DOUBLE, memory_space.id(), file_space.id(), H5P_DEFAULT,
                   row_major.data()),
          ErrorKind::runtime, where(), "write the appended rows");
}

// ---- File ----

File File::open_read_only(const std::filesystem::path& path) {
  silence_automatic_error_printing();
  const std::string name = path.string();
  std::error_code status;
  if (!std::filesystem::exists(path, status)) {
    throw IoError(ErrorKind::bad_input, name + ": file does not exist");
  }
  probe_in_child_process(name);
  return {Handle(checked_id(H5Fopen(name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                            ErrorKind::bad_input, name, "open as an HDF5 file")),
          name, "/"};
}

File File::open_read_write(const std::filesystem::path& path) {
  silence_automatic_error_printing();
  const std::string name = path.string();
  std::error_code status;
  if (!std::filesystem::exists(path, status)) {
    throw IoError(ErrorKind::bad_input, name + ": file does not exist");
  }
  probe_in_child_process(name);
  return {Handle(checked_id(H5Fopen(name.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), ErrorKind::bad_input,
                            name, "open as an HDF5 file for writing")),
          name, "/"};
}

File File::create(const std::filesystem::path& path) {
  silence_automatic_error_printing();
  const std::string name = path.string();
  return {Handle(checked_id(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                            ErrorKind::runtime, name, "create the HDF5 file")),
          name, "/"};
}

void File::flush() {
  checked(H5Fflush(id(), H5F_SCOPE_GLOBAL), ErrorKind::runtime, where(), "flush the file");
}

void File::close() {
  flush();
  checked(H5Fclose(release_handle()), ErrorKind::runtime, where(), "close the file");
}

}  // namespace imcosim::io::hdf5
