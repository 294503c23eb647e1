// Feature availability: the HAS_* flags of the table's last section.
#pragma once

#include <vector>

#include "reflect/catalogue.hpp"

namespace sslfeatures::reflect {

// One row per HAS_* flag, unsorted. Names that Python's ssl module also has
// keep Python's meaning; the others are documented in each row's description.
std::vector<Row> feature_availability();

}  // namespace sslfeatures::reflect
