#include "adapters/net/tls.h"

#include <openssl/x509_vfy.h>

namespace at::net::detail {

namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>> make_tls_client_context(const std::string& ca_file,
                                                              bool verify_peer) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                   ec);
  if (verify_peer) {
    ctx->set_default_verify_paths(ec);
    if (ec)
      return make_error(ErrorKind::kIo, "tls: cannot load the system trust store: " + ec.message());
    if (!ca_file.empty()) {
      ctx->load_verify_file(ca_file, ec);
      if (ec)
        return make_error(ErrorKind::kIo,
                          "tls: cannot load ca_file '" + ca_file + "': " + ec.message());
    }
    ctx->set_verify_mode(ssl::verify_peer, ec);
  } else {
    ctx->set_verify_mode(ssl::verify_none, ec);
  }
  return ctx;
}

Status prepare_tls_stream(SSL* ssl, const std::string& host, bool verify_peer) {
  // SNI: servers behind shared front ends (Binance's CDN) need it to pick the certificate.
  if (!SSL_set_tlsext_host_name(ssl, host.c_str()))
    return make_error(ErrorKind::kTransient, "tls: cannot set SNI for " + host);
  if (verify_peer) {
    // OpenSSL checks the name (or IP literal) against the certificate during the handshake.
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    int ok = 0;
    if (host.find_first_not_of("0123456789.") == std::string::npos ||
        host.find(':') != std::string::npos)
      ok = X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    else
      ok = X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    if (!ok) return make_error(ErrorKind::kTransient, "tls: cannot set verify host " + host);
    SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
  }
  return {};
}

Error classify_tls_handshake_error(SSL* ssl, const boost::system::error_code& ec,
                                   std::string_view host) {
  long vr = SSL_get_verify_result(ssl);
  if (vr != X509_V_OK) {
    return make_error(ErrorKind::kPermanent, "tls: certificate verification failed for " +
                                                 std::string(host) + ": " +
                                                 X509_verify_cert_error_string(vr));
  }
  return make_error(ErrorKind::kTransient,
                    "tls: handshake with " + std::string(host) + " failed: " + ec.message());
}

}  // namespace at::net::detail
