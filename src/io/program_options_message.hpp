#pragma once

// The message of a Boost.Program_options error, safe for any input.
//
// Boost (1.74) formats such a message by replacing placeholders like %value% with what the user
// wrote, over and over until none is left: a key, value or option that itself contains a
// placeholder ("xbar_rows = %value%", "--%canonical_option%") never ends, and the command hung
// for good (found by fuzz_ini_readers). Every message is made through this function instead of
// error.what().

#include <boost/program_options/errors.hpp>
#include <string>

namespace imcosim::io {

[[nodiscard]] std::string program_options_message(const boost::program_options::error& error);

}  // namespace imcosim::io
