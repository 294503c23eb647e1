// The connection report's layout (test_tls.py): a title padded with '.' to 36
// characters, a space, the values; past 70 characters it wraps at spaces onto
// lines indented by four, never breaking a word.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sslfeatures::render {

inline constexpr std::size_t kDottedTitleWidth = 36;
inline constexpr std::size_t kDottedLineWidth = 70;

// Python's textwrap.fill(text, 70, subsequent_indent='    ',
// break_long_words=False, break_on_hyphens=False), for single-spaced text.
std::string wrap(std::string_view text, std::size_t width = kDottedLineWidth,
                 std::string_view indent = "    ");

// wrap(), except that a code point in parentheses, "(0x0804)", stays with the
// word before it: signature schemes inside longer text (a diff's lines)
// never part from their code points.
std::string wrap_keeping_code_points(std::string_view text, std::size_t width = kDottedLineWidth,
                                     std::string_view indent = "    ");

// One report line (possibly wrapped), with a trailing newline.
std::string dotted_line(std::string_view title, const std::vector<std::string>& values);

// The same, but each item stays whole whatever spaces it holds: a signature
// scheme never parts from its code point ("rsa_pss_rsae_sha256 (0x0804)").
// Items without spaces wrap exactly as dotted_line wraps them.
std::string dotted_items(std::string_view title, const std::vector<std::string>& items);

}  // namespace sslfeatures::render
