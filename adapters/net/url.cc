#include "adapters/net/url.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <charconv>

namespace at::net {

std::string Url::host_header() const {
  bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  std::uint16_t def = tls() ? 443 : 80;
  if (port != def) h += ":" + std::to_string(port);
  return h;
}

std::string Url::to_string() const { return scheme + "://" + host_header() + path; }

Result<Url> parse_url(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return make_error(ErrorKind::kInvalidArgument,
                      "invalid url '" + std::string(text) + "': " + std::string(why));
  };
  Url u;
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return bad("expected scheme://host");
  u.scheme = std::string(text.substr(0, sep));
  std::transform(u.scheme.begin(), u.scheme.end(), u.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (u.scheme != "http" && u.scheme != "https" && u.scheme != "ws" && u.scheme != "wss")
    return bad("scheme must be http, https, ws or wss");
  std::string_view rest = text.substr(sep + 3);
  auto slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  u.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!u.path.empty() && u.path.front() == '?') u.path = "/" + u.path;
  if (authority.empty()) return bad("missing host");
  if (authority.find('@') != std::string_view::npos) return bad("user info is not supported");
  std::string_view port_text;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 literal");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("garbage after IPv6 literal");
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      u.host = std::string(authority.substr(0, colon));
      port_text = authority.substr(colon + 1);
    } else {
      u.host = std::string(authority);
    }
  }
  if (u.host.empty()) return bad("missing host");
  if (!port_text.empty()) {
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || p == 0 || p > 65535)
      return bad("bad port");
    u.port = static_cast<std::uint16_t>(p);
  } else {
    u.port = u.tls() ? 443 : 80;
  }
  return u;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return false;
  if (addr.is_loopback()) return true;
  if (addr.is_v6() && addr.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6()).is_loopback();
  return false;
}

Status check_transport_allowed(const Url& url) {
  if (url.tls() || is_loopback_host(url.host)) return {};
  return make_error(ErrorKind::kInvalidArgument,
                    "refusing plain " + url.scheme + "://" + url.host +
                        ": unencrypted connections are allowed only to loopback addresses; use " +
                        (url.websocket() ? "wss://" : "https://"));
}

}  // namespace at::net
