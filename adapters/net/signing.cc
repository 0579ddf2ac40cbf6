#include "adapters/net/signing.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cctype>
#include <stdexcept>

namespace at::net {
namespace {

// The HMAC algorithm, fetched once per process (fetching walks the provider tables).
EVP_MAC* hmac_algorithm() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

std::string hmac_raw(std::string_view key, std::string_view data) {
  return HmacSha256(key).raw(data);
}

}  // namespace

struct HmacSha256::Ctx {
  EVP_MAC_CTX* keyed = nullptr;
  ~Ctx() { EVP_MAC_CTX_free(keyed); }
};

HmacSha256::HmacSha256(std::string_view key) : ctx_(std::make_unique<Ctx>()) {
  EVP_MAC* mac = hmac_algorithm();
  if (mac) ctx_->keyed = EVP_MAC_CTX_new(mac);
  if (!ctx_->keyed) throw std::runtime_error("openssl: HMAC is not available");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  // An empty key is valid HMAC; OpenSSL wants a non-null pointer for it.
  static const unsigned char kEmpty = 0;
  const auto* k = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(ctx_->keyed, k, key.size(), params) != 1)
    throw std::runtime_error("openssl: HMAC-SHA256 key setup failed");
}

HmacSha256::~HmacSha256() = default;
HmacSha256::HmacSha256(HmacSha256&&) noexcept = default;
HmacSha256& HmacSha256::operator=(HmacSha256&&) noexcept = default;

std::string HmacSha256::raw(std::string_view data) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t len = 0;
  EVP_MAC_CTX* c = ctx_ ? EVP_MAC_CTX_dup(ctx_->keyed) : nullptr;
  bool ok =
      c &&
      EVP_MAC_update(c, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
      EVP_MAC_final(c, out, &len, sizeof out) == 1;
  EVP_MAC_CTX_free(c);
  if (!ok) throw std::runtime_error("openssl: HMAC-SHA256 failed");
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string HmacSha256::hex(std::string_view data) const { return to_hex(raw(data)); }
std::string HmacSha256::base64(std::string_view data) const { return base64_encode(raw(data)); }

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    s += kHex[c >> 4];
    s += kHex[c & 15];
  }
  return s;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  return to_hex(hmac_raw(key, data));
}

std::string hmac_sha256_base64(std::string_view key, std::string_view data) {
  return base64_encode(hmac_raw(key, data));
}

bool signatures_equal(std::string_view a, std::string_view b, bool hex) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]);
    unsigned char y = static_cast<unsigned char>(b[i]);
    if (hex) {
      x = static_cast<unsigned char>(std::tolower(x));
      y = static_cast<unsigned char>(std::tolower(y));
    }
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace at::net
