// Request signing primitives shared by venue adapters and simulators (HMAC, hex, base64).
// Secret material is passed as string_view and never copied into logs or errors.
#pragma once

#include <string>
#include <string_view>

namespace at::net {

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
