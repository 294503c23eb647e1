// The `library` section: which OpenSSL the table describes and which one runs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reflect/catalogue.hpp"

namespace sslfeatures::reflect {

std::vector<Row> library_info();

// Empty when the headers and the running library are the same release;
// otherwise one sentence saying how they differ.
std::string version_mismatch();

// True when they differ in major or minor version: values from the headers
// may then be wrong for the library that actually runs.
bool version_mismatch_is_serious();

// The opening every JSON document of ours shares: what it is (schema and
// version), the tool that wrote it, and the OpenSSL headers and library it
// describes.
nlohmann::ordered_json document_head(std::string_view schema, int schema_version);

}  // namespace sslfeatures::reflect
