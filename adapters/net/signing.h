// Request signing primitives shared by venue adapters and simulators (HMAC, hex, base64).
// Secret material is passed as string_view and never copied into logs or errors.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace at::net {

// HMAC-SHA256 with the key set up once (OpenSSL 3 EVP_MAC). The one-shot functions below
// fetch the algorithm and derive the key pads on every call; a venue adapter signs every
// request with the same secret, so it keeps one of these and each signature only duplicates
// the keyed context. The key lives only inside OpenSSL's context (cleansed when freed).
// sign() is const and thread-safe (the keyed context is only read). Move-only.
class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(HmacSha256&&) noexcept;
  HmacSha256& operator=(HmacSha256&&) noexcept;
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  // 32 raw bytes; hex() is lower-case hex, base64() standard base64.
  std::string raw(std::string_view data) const;
  std::string hex(std::string_view data) const;
  std::string base64(std::string_view data) const;

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// HMAC-SHA256(key, data) as lower-case hex (Binance).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
// HMAC-SHA256(key, data) as standard base64 (OKX, Coinbase legacy).
std::string hmac_sha256_base64(std::string_view key, std::string_view data);
std::string to_hex(std::string_view bytes);
std::string base64_encode(std::string_view bytes);
// Constant-time comparison for signature checks (case-insensitive hex when `hex`).
bool signatures_equal(std::string_view a, std::string_view b, bool hex);
// Percent-encodes everything outside RFC 3986 unreserved characters.
std::string url_encode(std::string_view s);
std::string url_decode(std::string_view s);

}  // namespace at::net
