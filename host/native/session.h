// One browser connection's worth of state: the rule layers, the engine built from them and the
// counts the popup shows. Session turns one request frame into one reply; it does no I/O, so the
// framing (host.cc) and the tests can drive it however they like.

#ifndef GUARDPOST_NATIVE_SESSION_H_
#define GUARDPOST_NATIVE_SESSION_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/rule_files.h"
#include "guardpost/engine.h"

namespace guardpost {

// Limits of docs/protocol.md.
inline constexpr size_t kMaxRequestBytes = 4 * 1024 * 1024;
inline constexpr size_t kMaxTextBytes = 256 * 1024;
// Chrome drops a host's message of 1 MiB or more and closes the port.
inline constexpr size_t kMaxReplyBytes = 1024 * 1024 - 1;
inline constexpr size_t kMaxFindings = 500;
inline constexpr size_t kMaxIdBytes = 128;  // a string id longer than this is bad_request
inline constexpr int kProtocolVersion = 1;

// Builds the error reply of docs/protocol.md. `id_json` is the request's id as JSON ("null" when
// it could not be read). `message` must not quote the request.
std::string ErrorReply(std::string_view id_json, std::string_view code, std::string_view message);

class Session {
 public:
  struct Stats {
    uint64_t checks = 0;
    uint64_t warned = 0;  // `shown` events: the employee saw a warning
    uint64_t edited = 0;
    uint64_t posted_anyway = 0;
    uint64_t cancelled = 0;
  };

  // `builtin` and `system` are the layers as loaded from disk; a layer with errors contributes no
  // rules and is reported in hello. `today` returns the local date as "YYYY-MM-DD" for rules with
  // an active window; it is asked on every check because a host can live for days.
  Session(Layer builtin, Layer system, std::function<std::string()> today);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Answers one request frame (the bytes after the length prefix) with the reply's JSON text,
  // always under kMaxReplyBytes. Never throws.
  std::string Handle(std::string_view frame_body);

  const Stats& stats() const { return stats_; }
  std::shared_ptr<const Engine> engine() const { return engine_; }

 private:
  struct Request;
  std::string Dispatch(Request& request);
  std::string HandleHello(Request& request);
  std::string HandleCheck(Request& request);
  std::string HandleRulesUpdate(Request& request);
  std::string HandleEvent(Request& request);
  std::string HandleStats(Request& request);

  // Rebuilds engine_ from the good layers. Returns false (and keeps the old engine) if the engine
  // could not be built.
  bool Rebuild(const Layer& managed, std::string* error);

  Layer builtin_;
  Layer system_;
  Layer managed_{"managed", {}, {}};       // the last good managed layer
  std::string managed_version_;            // the bundle's version; empty when there is no bundle
  std::vector<LoadError> managed_errors_;  // why the latest rules.update was refused, if it was
  std::shared_ptr<const Engine> engine_;
  std::function<std::string()> today_;
  Stats stats_;
};

}  // namespace guardpost

#endif  // GUARDPOST_NATIVE_SESSION_H_
