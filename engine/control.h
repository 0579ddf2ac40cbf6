// Control channel of a running engine: a Unix-domain socket beside the journal
// (<journal>/control.sock), one JSON request line in, one JSON answer line out.
//
//   {"cmd":"kill","who":"cli:alice","reason":"fat finger","flatten":false}
//   {"cmd":"resume","who":"cli:alice"}
//   {"cmd":"reduce","who":"cli:alice","reason":"..."}          (trading state REDUCING)
//   {"cmd":"dlq_retry","id":"at1x2y3z42","who":"cli:alice"}
//   {"cmd":"dlq_drop","id":"at1x2y3z42","who":"cli:alice","reason":"..."}
//   {"cmd":"cancel","id":"at1x2y3z42"}
//   {"cmd":"replace","id":"at1x2y3z42","quantity":"2","price":"101.5"}
//   {"cmd":"decision","decision":{...decision line...}}
//   {"cmd":"status"}
// Answers: {"ok":true,...} or {"ok":false,"error":"one line"}. The operator commands of the CLI
// try this socket first; when no engine listens they append the same events to the journal
// directly (the engine acts on them when it starts).
//
// Only the local user can reach it (file permissions 0600). Runs on the engine's io_context.
#pragma once

#include <memory>
#include <string>

#include "domain/result.h"

namespace boost::asio {
class io_context;
}

namespace at::engine {

class Engine;

std::string control_socket_path(const std::string& journal_path);

class ControlServer {
 public:
  ControlServer(boost::asio::io_context& io, Engine& engine, std::string path);
  ~ControlServer();
  Status start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sends one request and waits (at most timeout_ms) for the answer line.
// kDisconnected when nothing listens at `path` (no engine running).
Result<std::string> control_request(const std::string& path, const std::string& request_json,
                                    int timeout_ms = 10000);

}  // namespace at::engine
