#include "scan/scan.hpp"

#include <array>
#include <utility>

namespace sslfeatures::scan {
namespace {

constexpr std::array<std::pair<Answer, std::string_view>, 4> kAnswers = {{
    {Answer::yes, "yes"},
    {Answer::no, "no"},
    {Answer::not_tested, "not tested"},
    {Answer::not_applicable, "not applicable"},
}};

}  // namespace

std::string_view answer_name(Answer answer) {
    for (const auto& [a, name] : kAnswers) {
        if (a == answer) return name;
    }
    return "not tested";
}

std::optional<Answer> parse_answer(std::string_view name) {
    for (const auto& [a, n] : kAnswers) {
        if (n == name) return a;
    }
    return std::nullopt;
}

std::vector<std::string> ScanResult::accepted_protocols() const {
    std::vector<std::string> names;
    for (const ProtocolResult& p : protocols) {
        if (p.accepted.answer == Answer::yes) names.push_back(p.name);
    }
    return names;
}

const Feature* ScanResult::feature(std::string_view id) const {
    for (const Feature& f : features) {
        if (f.id == id) return &f;
    }
    return nullptr;
}

}  // namespace sslfeatures::scan
