#include "program_options_message.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace imcosim::io {

namespace {

namespace po = boost::program_options;

// The substitutions are protected members of po::error_with_option_name; a pointer to member
// taken in a derived class reaches them on any such error, without a cast of the object.
struct SubstitutionsOf : po::error_with_option_name {
  static constexpr auto values = &SubstitutionsOf::m_substitutions;
  static constexpr auto defaults = &SubstitutionsOf::m_substitution_defaults;
};

// '%' cannot start a placeholder once it is gone; the user's text is otherwise kept.
void strip_percent_signs(std::string& text) { std::replace(text.begin(), text.end(), '%', '?'); }

}  // namespace

std::string program_options_message(const po::error& error) {
  const auto* with_name = dynamic_cast<const po::error_with_option_name*>(&error);
  if (with_name == nullptr) {
    return error.what();  // no placeholders are substituted
  }
  po::error_with_option_name copy = *with_name;
  for (auto& [name, value] : copy.*SubstitutionsOf::values) {
    strip_percent_signs(value);
  }
  for (auto& [name, value] : copy.*SubstitutionsOf::defaults) {
    strip_percent_signs(value.first);
    strip_percent_signs(value.second);
  }
  return copy.what();
}

}  // namespace imcosim::io
