#include "engine/control.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>

#include "engine/decision.h"
#include "engine/engine.h"

namespace at::engine {
namespace asio = boost::asio;
namespace json = boost::json;
using local = asio::local::stream_protocol;

std::string control_socket_path(const std::string& journal_path) {
  return (std::filesystem::path(journal_path) / "control.sock").string();
}

namespace {

std::string answer(Status st, json::object extra = {}) {
  extra["ok"] = st.ok();
  if (!st.ok()) extra["error"] = st.error().message;
  return json::serialize(extra);
}

std::string str_field(const json::object& o, const char* k, std::string def = {}) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : def;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(local::socket s, Engine& e) : sock_(std::move(s)), engine_(e) {}
  void start() {
    auto self = shared_from_this();
    asio::async_read_until(sock_, asio::dynamic_buffer(in_, 1 << 20), '\n',
                           [self](boost::system::error_code ec, std::size_t n) {
                             if (ec) return;
                             std::string line = self->in_.substr(0, n);
                             self->handle(line);
                           });
  }

 private:
  void reply(std::string s) {
    out_ = std::move(s) + "\n";
    auto self = shared_from_this();
    asio::async_write(sock_, asio::buffer(out_), [self](boost::system::error_code, std::size_t) {
      boost::system::error_code ignored;
      self->sock_.shutdown(local::socket::shutdown_both, ignored);
    });
  }

  void handle(const std::string& line) {
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object())
      return reply(answer(make_error(ErrorKind::kInvalidArgument, "request is not a JSON object")));
    const auto& o = v.as_object();
    std::string cmd = str_field(o, "cmd");
    std::string who = str_field(o, "who", "control");
    auto self = shared_from_this();
    auto done = [self](Status st) { self->reply(answer(std::move(st))); };
    if (cmd == "kill") {
      bool flatten =
          o.if_contains("flatten") && o.at("flatten").is_bool() && o.at("flatten").as_bool();
      engine_.kill(who, str_field(o, "reason", "operator"), flatten, done);
    } else if (cmd == "resume") {
      engine_.resume(who, done);
    } else if (cmd == "reduce") {
      engine_.set_trading_state(TradingState::kReducing, who, str_field(o, "reason", "operator"),
                                done);
    } else if (cmd == "dlq_retry") {
      engine_.dlq_retry(ClientOrderId(str_field(o, "id")), who, done);
    } else if (cmd == "dlq_drop") {
      engine_.dlq_drop(ClientOrderId(str_field(o, "id")), who, str_field(o, "reason", "operator"),
                       done);
    } else if (cmd == "cancel") {
      engine_.cancel_order(ClientOrderId(str_field(o, "id")), "user", done);
    } else if (cmd == "replace") {
      auto q = Decimal::parse(str_field(o, "quantity"));
      if (!q) return reply(answer(q.error()));
      std::optional<Price> px;
      if (auto p = str_field(o, "price"); !p.empty()) {
        auto d = Decimal::parse(p);
        if (!d) return reply(answer(d.error()));
        px = *d;
      }
      engine_.replace_order(ClientOrderId(str_field(o, "id")), *q, px,
                            [self](Result<ClientOrderId> r) {
                              if (!r) return self->reply(answer(r.error()));
                              json::object x;
                              x["new_client_order_id"] = r->str();
                              self->reply(answer({}, x));
                            });
    } else if (cmd == "decision") {
      auto* d = o.if_contains("decision");
      if (!d) return reply(answer(make_error(ErrorKind::kInvalidArgument, "missing 'decision'")));
      auto parsed = parse_decision(json::serialize(*d));
      if (!parsed) return reply(answer(parsed.error()));
      parsed->source = "control:" + who;
      engine_.submit_decision(std::move(*parsed),
                              [self](DecisionOutcome out) { self->reply(outcome_json(out)); });
    } else if (cmd == "status") {
      json::object x;
      const auto& c = engine_.counters();
      x["last_sequence"] = engine_.last_sequence();
      x["decisions"] = c.decisions;
      x["orders"] = c.orders;
      x["fills"] = c.fills;
      x["in_flight"] = engine_.in_flight();
      reply(answer({}, x));
    } else {
      reply(answer(make_error(ErrorKind::kInvalidArgument, "unknown command '" + cmd + "'")));
    }
  }

  local::socket sock_;
  Engine& engine_;
  std::string in_, out_;
};

}  // namespace

struct ControlServer::Impl {
  Impl(asio::io_context& io, Engine& e, std::string p)
      : io(io), engine(e), path(std::move(p)), acceptor(io) {}
  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, local::socket s) {
      if (ec) return;
      std::make_shared<Session>(std::move(s), engine)->start();
      accept();
    });
  }
  asio::io_context& io;
  Engine& engine;
  std::string path;
  local::acceptor acceptor;
};

ControlServer::ControlServer(asio::io_context& io, Engine& engine, std::string path)
    : impl_(std::make_unique<Impl>(io, engine, std::move(path))) {}

ControlServer::~ControlServer() { stop(); }

Status ControlServer::start() {
  ::unlink(impl_->path.c_str());  // a stale socket of a killed engine
  boost::system::error_code ec;
  impl_->acceptor.open(local(), ec);
  if (!ec) impl_->acceptor.bind(local::endpoint(impl_->path), ec);
  if (!ec) impl_->acceptor.listen(16, ec);
  if (ec) return make_error(ErrorKind::kIo, "control socket " + impl_->path + ": " + ec.message());
  ::chmod(impl_->path.c_str(), 0600);
  impl_->accept();
  return {};
}

void ControlServer::stop() {
  if (!impl_ || !impl_->acceptor.is_open()) return;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  ::unlink(impl_->path.c_str());
}

Result<std::string> control_request(const std::string& path, const std::string& request_json,
                                    int timeout_ms) {
  asio::io_context io;
  local::socket s(io);
  boost::system::error_code ec;
  s.connect(local::endpoint(path), ec);
  if (ec) return make_error(ErrorKind::kDisconnected, "no engine listening at " + path);
  std::string req = request_json + "\n", buf;
  bool done = false;
  Error err = make_error(ErrorKind::kUnknownOutcome,
                         "no answer from the engine within " + std::to_string(timeout_ms) + " ms");
  asio::async_write(s, asio::buffer(req), [&](boost::system::error_code wec, std::size_t) {
    if (wec) {
      err = make_error(ErrorKind::kDisconnected, "control write: " + wec.message());
      done = true;
      return;
    }
    asio::async_read_until(
        s, asio::dynamic_buffer(buf), '\n', [&](boost::system::error_code rec, std::size_t) {
          done = true;
          if (rec && buf.empty())
            err = make_error(ErrorKind::kUnknownOutcome, "control read: " + rec.message());
        });
  });
  io.run_for(std::chrono::milliseconds(timeout_ms));
  if (!done || buf.empty()) return err;
  while (!buf.empty() && (buf.back() == '\n' || buf.back() == '\r')) buf.pop_back();
  return buf;
}

}  // namespace at::engine
