// Where Guardpost keeps its per-user state, and the log it writes there.
//
// The log is for whoever supports the host: request types, ids, rule ids, timings, error codes.
// It never holds post text, attachment text or the reasons employees give; callers keep to that,
// this file only decides where the lines go.

#ifndef GUARDPOST_COMMON_LOGGING_H_
#define GUARDPOST_COMMON_LOGGING_H_

#include <chrono>
#include <string>

namespace guardpost {

// The per-user state directory: $GUARDPOST_STATE_DIR, else $XDG_STATE_HOME/guardpost, else
// $HOME/.local/state/guardpost. It is created (owner-only) when missing. Returns an empty string
// when no location is known or it cannot be created.
std::string StateDir();

// Makes spdlog's default logger write to StateDir()/<file_name>, rotated at 1 MiB with 3 old files
// kept, at the level named by $GUARDPOST_LOG_LEVEL (trace, debug, info, warn, error, off; default
// info). Every line is flushed as it is written, because a browser ends its host without notice.
//
// This must run before anything logs: spdlog's own default logger writes to stdout, which carries
// the native messaging frames. When the file cannot be opened the logger has no sink at all and
// the program carries on. Returns the log file's path, or an empty string in that case.
std::string SetUpLogging(const std::string& file_name = "host.log");

// For the timings logged: milliseconds since `start`.
inline double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace guardpost

#endif  // GUARDPOST_COMMON_LOGGING_H_
