// A real `guardpost host` process on the other end of two pipes, as a browser would start it.
//
// Every Host gets its own temporary directory holding the state directory, an empty system rules
// directory and a built-in pack, and points the host at them through the environment, so tests
// never touch the user's files and never see each other's.

#ifndef GUARDPOST_TESTS_PROTOCOL_HOST_PROCESS_H_
#define GUARDPOST_TESTS_PROTOCOL_HOST_PROCESS_H_

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace guardpost::testing {

// A pack with one terms rule, so that checks have something to find.
//   "canaryword" -> profanity.canary, warn
inline constexpr std::string_view kTestPack = R"({
  "pack": "test",
  "version": "1",
  "rules": [{
    "id": "profanity.canary",
    "kind": "terms",
    "category": "profanity",
    "severity": "warn",
    "message": "\"{match}\" is a test word.",
    "terms": ["canaryword"],
    "examples": {"flag": ["a canaryword here"], "pass": ["nothing to see"]}
  }]
})";

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct HostOptions {
  // argv after the program name. Browsers pass their own; `host` is the by-hand spelling.
  std::vector<std::string> args = {"host"};
  // Environment on top of the defaults (see Host). An empty value removes the variable.
  std::map<std::string, std::string> env;
  // The built-in pack; written to <dir>/builtin/test.json.
  std::string builtin_pack = std::string(kTestPack);
  // The program to start; a test of the installer starts what the manifest names.
  std::string program = GUARDPOST_BINARY;
};

class Host {
 public:
  // Starts the binary with a minimal environment: PATH, HOME=<dir>/home,
  // GUARDPOST_STATE_DIR=<dir>/state, GUARDPOST_SYSTEM_RULES=<dir>/system (empty),
  // GUARDPOST_BUILTIN_RULES=<dir>/builtin, GUARDPOST_LOG_LEVEL=debug, then options.env.
  // stderr goes to <dir>/stderr.txt.
  explicit Host(HostOptions options = {});
  ~Host();  // kills the process if the test did not wait for it
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // Writes `bytes` to the host's stdin in one write(2) loop.
  void Write(std::string_view bytes);
  // Writes one frame: a native-endian 32-bit length, then the body.
  void Send(std::string_view body);

  // Reads one reply frame and parses it. Fails the test (throws) if no whole frame arrives within
  // the safety-net timeout, or if the stream ends.
  nlohmann::json Receive();
  // Send then Receive.
  nlohmann::json Call(const nlohmann::json& request);

  // Closes stdin: the browser saying goodbye.
  void CloseStdin();
  // Closes stdin, reads stdout to its end and returns the process's exit status (-signal when it
  // was killed). Whatever the host wrote after the last Receive is kept in trailing_output().
  int Wait();
  const std::string& trailing_output() const { return trailing_output_; }

  pid_t pid() const { return pid_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path state_dir() const { return dir() / "state"; }
  std::string Stderr() const;

 private:
  // Reads exactly `size` bytes from stdout; false on end of stream.
  bool ReadExact(char* data, size_t size);

  TempDir dir_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string trailing_output_;
};

// Runs `argv` to completion with exactly `env` as its environment, stdout and stderr going to
// `output`. Returns the exit status. For short commands whose end does not depend on us.
int Run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
        const std::filesystem::path& output, const std::filesystem::path& input = "/dev/null");

std::string ReadFile(const std::filesystem::path& path);
void WriteFile(const std::filesystem::path& path, std::string_view content);
// A frame's bytes: length prefix and body.
std::string Frame(std::string_view body);

}  // namespace guardpost::testing

#endif  // GUARDPOST_TESTS_PROTOCOL_HOST_PROCESS_H_
