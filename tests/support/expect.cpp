#include "support/expect.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace sslfeatures::testing {

void expect_one_line_error(const Result& r, int exit_code, const std::string& must_mention) {
    EXPECT_EQ(r.exit_code, exit_code) << r.err;
    EXPECT_EQ(r.out, "") << "nothing on stdout for an error";
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("sslfeatures: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(must_mention), std::string::npos) << r.err;
}

void expect_usage_error(const std::vector<std::string>& args, const std::string& must_mention) {
    expect_one_line_error(run_tool(args), 2, must_mention);
}

}  // namespace sslfeatures::testing
