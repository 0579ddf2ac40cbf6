// TLS client setup shared by HttpClient and WsClient (internal: include only from .cc files,
// it pulls in Asio's SSL headers).
//
// The context trusts the system store (plus an optional PEM file) and verifies the peer; each
// stream gets SNI and host-name verification for the host it connects to.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "domain/result.h"

namespace at::net::detail {

// kIo when the trust store or ca_file cannot be loaded.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_client_context(
    const std::string& ca_file, bool verify_peer);

// Sets SNI and (when verifying) host-name verification on one connection's SSL handle.
Status prepare_tls_stream(SSL* ssl, const std::string& host, bool verify_peer);

// The error for a failed TLS handshake: kPermanent when the certificate or its name did not
// verify (retrying cannot help), kTransient otherwise.
Error classify_tls_handshake_error(SSL* ssl, const boost::system::error_code& ec,
                                   std::string_view host);

}  // namespace at::net::detail
