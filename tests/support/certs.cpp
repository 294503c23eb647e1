#include "support/certs.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "support/process.hpp"

namespace sslfeatures::testing {
namespace {

void openssl(const std::vector<std::string>& args, const std::string& dir) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    // Run inside dir so relative file names land there.
    std::vector<std::string> sh{"sh", "-c", "cd \"$0\" && exec \"$@\"", dir};
    sh.insert(sh.end(), argv.begin(), argv.end());
    Result r = run(sh);
    if (r.exit_code != 0) throw std::runtime_error("openssl " + args[0] + " failed: " + r.err);
}

const char* kCaConfig = R"(
[ca]
default_ca = ca_section
[ca_section]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
)";

}  // namespace

const TestCerts& TestCerts::get() {
    static TestCerts certs;
    return certs;
}

TestCerts::~TestCerts() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

TestCerts::TestCerts() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sslfeatures-certs.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir = pattern;
    auto path = [&](const std::string& f) { return dir + "/" + f; };
    const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"};
    auto make_ca = [&](const std::string& name) {
        std::vector<std::string> a{"req", "-x509"};
        a.insert(a.end(), ec.begin(), ec.end());
        a.insert(a.end(), {"-keyout", name + ".key", "-out", name + ".crt", "-days", "30", "-subj",
                           "/CN=" + name, "-addext", "basicConstraints=critical,CA:TRUE",
                           "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
        openssl(a, dir);
    };
    // A leaf: key and CSR, then signed by `ca` (or self-signed when ca is "").
    // Its subject CN is its name unless `cn` says otherwise; no `san`, no
    // subjectAltName.
    auto make_leaf = [&](const std::string& name, const std::string& ca_name, const std::string& san,
                         const std::vector<std::string>& dates, const std::string& cn = "") {
        write_file(path(name + ".ext"), (san.empty() ? "" : "subjectAltName=" + san + "\n") +
                                            "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n");
        std::vector<std::string> a{"req"};
        a.insert(a.end(), ec.begin(), ec.end());
        a.insert(a.end(), {"-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + (cn.empty() ? name : cn)});
        openssl(a, dir);
        if (ca_name.empty()) {
            openssl({"x509", "-req", "-in", name + ".csr", "-signkey", name + ".key", "-out", name + ".crt",
                     "-days", "30", "-extfile", name + ".ext"}, dir);
        } else if (dates.empty()) {
            openssl({"x509", "-req", "-in", name + ".csr", "-CA", ca_name + ".crt", "-CAkey", ca_name + ".key",
                     "-CAcreateserial", "-out", name + ".crt", "-days", "30", "-extfile", name + ".ext"}, dir);
        } else {
            // Only `openssl ca` takes explicit validity dates.
            write_file(path("ca.cnf"), kCaConfig);
            write_file(path("index.txt"), "");
            write_file(path("serial"), "1000\n");
            std::vector<std::string> a2{"ca", "-batch", "-config", "ca.cnf", "-cert", ca_name + ".crt",
                                        "-keyfile", ca_name + ".key", "-in", name + ".csr", "-out",
                                        name + ".crt", "-extfile", name + ".ext", "-notext"};
            a2.insert(a2.end(), dates.begin(), dates.end());
            openssl(a2, dir);
        }
        write_file(path(name + ".pem"), read_file(path(name + ".crt")) + read_file(path(name + ".key")));
        return path(name + ".pem");
    };
    const std::string local = "DNS:localhost,IP:127.0.0.1,IP:::1";
    make_ca("testca");
    make_ca("otherca");
    ca = path("testca.crt");
    localhost = make_leaf("localhost", "testca", local, {});
    client = make_leaf("client", "testca", "DNS:client.example", {});
    wrong_name = make_leaf("wrongname", "testca", "DNS:other.example", {});
    other_ca = make_leaf("strangers", "otherca", local, {});
    self_signed = make_leaf("selfsigned", "", local, {});
    expired = make_leaf("expired", "testca", local, {"-startdate", "20200101000000Z", "-enddate", "20200201000000Z"});
    not_yet = make_leaf("notyet", "testca", local, {"-startdate", "20990101000000Z", "-enddate", "20990201000000Z"});
    cn_only = make_leaf("cnonly", "testca", "", {}, "localhost");
}

}  // namespace sslfeatures::testing
