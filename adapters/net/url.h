// Url: the parts of an http(s)/ws(s) URL an adapter connects to, and the loopback rule.
//
// Grammar accepted: scheme "://" host [":" port] [path] with scheme one of http, https, ws, wss;
// host a name, an IPv4 literal or a bracketed IPv6 literal. No user info, no fragment.
// Plain http/ws is allowed only to loopback hosts (127.0.0.0/8, ::1, "localhost"): everything
// else must use TLS. check_transport_allowed() enforces it with a clear error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/result.h"

namespace at::net {

struct Url {
  std::string scheme;  // lower case
  std::string host;    // without brackets
  std::uint16_t port = 0;
  std::string path;  // "/..." ; "/" when absent (may carry a query)

  bool tls() const { return scheme == "https" || scheme == "wss"; }
  bool websocket() const { return scheme == "ws" || scheme == "wss"; }
  // "host" or "host:port" when the port is not the scheme's default (the Host header).
  std::string host_header() const;
  std::string to_string() const;
};

Result<Url> parse_url(std::string_view text);
// True for 127.0.0.0/8, ::1, ::ffff:127.x and the name "localhost".
bool is_loopback_host(std::string_view host);
// kInvalidArgument unless `url` is TLS or points at a loopback host.
Status check_transport_allowed(const Url& url);

}  // namespace at::net
