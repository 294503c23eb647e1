#include "support/sslscan.hpp"

#include <cctype>
#include <stdexcept>

#include "support/openssl_cli.hpp"

namespace sslfeatures::testing {

// --- XML --------------------------------------------------------------------------

namespace {

class XmlReader {
  public:
    explicit XmlReader(const std::string& text) : s_(text) {}

    XmlElement document() {
        skip_misc();
        if (!at("<")) fail("no root element");
        XmlElement root = element();
        skip_misc();
        if (pos_ != s_.size()) fail("text after the root element");
        return root;
    }

  private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("XML: " + what + " at offset " + std::to_string(pos_));
    }
    bool at(const char* lit) const { return s_.compare(pos_, std::char_traits<char>::length(lit), lit) == 0; }
    void skip_space() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    // Skips to just past `end`.
    void skip_past(const char* end) {
        const std::size_t e = s_.find(end, pos_);
        if (e == std::string::npos) fail(std::string("missing ") + end);
        pos_ = e + std::char_traits<char>::length(end);
    }
    // Declarations, processing instructions, comments and blanks.
    void skip_misc() {
        for (;;) {
            skip_space();
            if (at("<?")) skip_past("?>");
            else if (at("<!--")) skip_past("-->");
            else if (at("<!DOCTYPE")) skip_past(">");
            else return;
        }
    }
    std::string name() {
        const std::size_t start = pos_;
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '-' ||
                                    s_[pos_] == '_' || s_[pos_] == ':' || s_[pos_] == '.'))
            ++pos_;
        if (pos_ == start) fail("expected a name");
        return s_.substr(start, pos_ - start);
    }
    std::string decode(const std::string& raw) const {
        std::string out;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] != '&') {
                out += raw[i];
                continue;
            }
            const std::size_t semi = raw.find(';', i);
            if (semi == std::string::npos) fail("unterminated entity");
            const std::string ent = raw.substr(i + 1, semi - i - 1);
            if (ent == "amp") out += '&';
            else if (ent == "lt") out += '<';
            else if (ent == "gt") out += '>';
            else if (ent == "quot") out += '"';
            else if (ent == "apos") out += '\'';
            else if (ent.size() > 1 && ent[0] == '#') {
                const long code = ent[1] == 'x' ? std::stol(ent.substr(2), nullptr, 16) : std::stol(ent.substr(1));
                // sslscan's output is ASCII; anything wider is kept as one byte
                // per code point below 256 and '?' otherwise.
                out += code < 256 ? static_cast<char>(code) : '?';
            } else {
                fail("unknown entity &" + ent + ";");
            }
            i = semi;
        }
        return out;
    }
    XmlElement element() {
        ++pos_;  // '<'
        XmlElement e;
        e.name = name();
        for (;;) {
            skip_space();
            if (at("/>")) {
                pos_ += 2;
                return e;
            }
            if (at(">")) {
                ++pos_;
                break;
            }
            const std::string key = name();
            skip_space();
            if (!at("=")) fail("expected '=' after " + key);
            ++pos_;
            skip_space();
            if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) fail("unquoted attribute " + key);
            const char quote = s_[pos_++];
            const std::size_t end = s_.find(quote, pos_);
            if (end == std::string::npos) fail("unterminated attribute " + key);
            e.attributes[key] = decode(s_.substr(pos_, end - pos_));
            pos_ = end + 1;
        }
        // Content up to the matching end tag.
        for (;;) {
            if (pos_ >= s_.size()) fail("missing </" + e.name + ">");
            if (at("</")) {
                pos_ += 2;
                if (name() != e.name) fail("mismatched end tag in " + e.name);
                skip_space();
                if (!at(">")) fail("expected '>'");
                ++pos_;
                return e;
            }
            if (at("<![CDATA[")) {
                pos_ += 9;
                const std::size_t end = s_.find("]]>", pos_);
                if (end == std::string::npos) fail("unterminated CDATA");
                e.text += s_.substr(pos_, end - pos_);
                pos_ = end + 3;
            } else if (at("<!--")) {
                skip_past("-->");
            } else if (at("<")) {
                e.children.push_back(element());
            } else {
                const std::size_t end = s_.find('<', pos_);
                if (end == std::string::npos) fail("missing </" + e.name + ">");
                e.text += decode(s_.substr(pos_, end - pos_));
                pos_ = end;
            }
        }
    }

    const std::string& s_;
    std::size_t pos_ = 0;
};

int to_int(const std::string& s) {
    try {
        return s.empty() ? 0 : std::stoi(s);
    } catch (const std::exception&) {
        return 0;
    }
}

}  // namespace

XmlElement parse_xml(const std::string& text) { return XmlReader(text).document(); }

std::string XmlElement::attr(const std::string& key) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? "" : it->second;
}

const XmlElement* XmlElement::child(const std::string& n) const {
    for (const XmlElement& c : children) {
        if (c.name == n) return &c;
    }
    return nullptr;
}

// --- sslscan's documents -------------------------------------------------------------

void parse_sslscan_xml(const std::string& xml, SslscanResult& r) {
    const XmlElement doc = parse_xml(xml);
    if (doc.name != "document") throw std::runtime_error("sslscan XML: root is <" + doc.name + ">");
    const XmlElement* test = doc.child("ssltest");
    if (test == nullptr) throw std::runtime_error("sslscan XML: no <ssltest> (did it connect?)");
    for (const XmlElement& e : test->children) {
        if (e.name == "protocol") {
            // type="ssl" version="3" -> SSLv3; type="tls" version="1.2" -> TLSv1.2,
            // the names sslscan uses in its cipher and group elements.
            const std::string name = (e.attr("type") == "ssl" ? "SSLv" : "TLSv") + e.attr("version");
            r.protocols[name] = e.attr("enabled") == "1";
        } else if (e.name == "cipher") {
            r.ciphers.push_back({e.attr("sslversion"), e.attr("cipher"), e.attr("id"), to_int(e.attr("bits")),
                                 e.attr("status") == "preferred", e.attr("strength"), e.attr("curve")});
        } else if (e.name == "group") {
            r.groups.push_back({e.attr("sslversion"), e.attr("name"), e.attr("id"), to_int(e.attr("bits"))});
        } else if (e.name == "connection-signature-algorithm") {
            r.signature_algorithms.push_back({e.attr("sslversion"), e.attr("name"), e.attr("id")});
        } else if (e.name == "renegotiation") {
            r.renegotiation_supported = e.attr("supported") == "1";
            r.renegotiation_secure = e.attr("secure") == "1";
        } else if (e.name == "heartbleed") {
            r.heartbleed[e.attr("sslversion")] = e.attr("vulnerable") == "1";
        } else if (e.name == "certificates") {
            for (const XmlElement& c : e.children) {
                if (c.name != "certificate") continue;
                SslscanCertificate cert;
                auto text = [&](const char* n) {
                    const XmlElement* x = c.child(n);
                    return x == nullptr ? std::string() : trimmed(x->text);
                };
                cert.signature_algorithm = text("signature-algorithm");
                cert.subject = text("subject");
                cert.issuer = text("issuer");
                cert.self_signed = text("self-signed") == "true";
                cert.expired = text("expired") == "true";
                cert.not_before = text("not-valid-before");
                cert.not_after = text("not-valid-after");
                if (const XmlElement* pk = c.child("pk")) {
                    cert.key_type = pk->attr("type");
                    cert.key_bits = to_int(pk->attr("bits"));
                    cert.curve = pk->attr("curve_name");
                }
                r.certificates.push_back(cert);
            }
        }
    }
}

void parse_sslscan_text(const std::string& text, SslscanResult& r) {
    // Sections open with a two-space-indented heading ("  TLS Fallback
    // SCSV:"). The fallback verdict is the section's last line (sslscan may
    // print a note before it); the compression verdict is its first.
    std::string section;
    bool compression_seen = false;
    for (const std::string& raw : lines_of(text)) {
        const std::string line = trimmed(raw);
        if (raw.rfind("  ", 0) == 0 && !line.empty() && line.back() == ':') {
            section = line;
            continue;
        }
        if (line.empty()) continue;
        if (section == "TLS Fallback SCSV:") {
            r.fallback_text = line;
            if (line.find("does not support TLS Fallback SCSV") != std::string::npos) r.fallback_scsv = false;
            else if (line.find("supports TLS Fallback SCSV") != std::string::npos) r.fallback_scsv = true;
            else r.fallback_scsv.reset();  // "Server only supports TLSv1.3" and the like: no verdict
        } else if (section == "TLS Compression:" && !compression_seen) {
            // Only the first line is the verdict: "OpenSSL version does not
            // support compression" is followed by a rebuild hint.
            compression_seen = true;
            r.compression_text = line;
            if (line == "Compression disabled") r.compression = false;
            else if (line.rfind("Compression enabled", 0) == 0) r.compression = true;
        }
    }
}

SslscanResult sslscan(const std::string& target, const std::vector<std::string>& extra) {
    SslscanResult r;
    TempDir dir;
    const std::string xml_path = dir.path() + "/scan.xml";
    // Bounded: sslscan's own per-connection timeout is 3 s, and a scan of a
    // local server makes a few hundred connections.
    std::vector<std::string> argv{"timeout", "120", "sslscan", "--no-colour", "--xml=" + xml_path};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(target);
    r.run = run(argv);
    r.xml = read_file(xml_path);
    if (r.run.exit_code != 0) {
        r.error = "sslscan exited with code " + std::to_string(r.run.exit_code) + ": " + r.run.err;
        return r;
    }
    try {
        parse_sslscan_xml(r.xml, r);
        parse_sslscan_text(r.run.out, r);
    } catch (const std::exception& e) {
        r.error = e.what();
    }
    return r;
}

std::vector<std::string> SslscanResult::enabled_protocols() const {
    std::vector<std::string> out;
    for (const auto& [name, on] : protocols) {
        if (on) out.push_back(name);
    }
    return out;
}

std::vector<std::string> SslscanResult::ciphers_for(const std::string& version) const {
    std::vector<std::string> out;
    for (const SslscanCipher& c : ciphers) {
        if (c.version == version) out.push_back(c.name);
    }
    return out;
}

std::string SslscanResult::preferred_cipher(const std::string& version) const {
    for (const SslscanCipher& c : ciphers) {
        if (c.version == version && c.preferred) return c.name;
    }
    return "";
}

std::vector<std::string> SslscanResult::group_ids_for(const std::string& version) const {
    std::vector<std::string> out;
    for (const SslscanGroup& g : groups) {
        if (g.version == version) out.push_back(g.id);
    }
    return out;
}

}  // namespace sslfeatures::testing
