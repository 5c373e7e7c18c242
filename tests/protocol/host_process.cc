#include "host_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace guardpost::testing {
namespace {

namespace fs = std::filesystem;

// Only a safety net so that a broken host fails the test instead of hanging it; nothing waits for
// it to pass. Generous because sanitizer builds on a shared machine are slow.
constexpr auto kTimeout = std::chrono::seconds(60);

[[noreturn]] void Fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

void Check(int result, const char* what) {
  if (result != 0) {
    errno = result;
    Fail(what);
  }
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "guardpost-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) Fail("mkdtemp");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(path_, ec);
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteFile(const fs::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string Frame(std::string_view body) {
  const auto length = static_cast<uint32_t>(body.size());
  std::string frame(sizeof length, '\0');
  std::memcpy(frame.data(), &length, sizeof length);
  frame.append(body);
  return frame;
}

int Run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
        const fs::path& output, const fs::path& input) {
  std::vector<std::string> strings = argv;
  std::vector<char*> args;
  for (std::string& s : strings) args.push_back(s.data());
  args.push_back(nullptr);
  std::vector<std::string> env_strings = env;
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  Check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init");
  Check(posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0600),
        "addopen");
  Check(posix_spawn_file_actions_adddup2(&actions, 1, 2), "adddup2");
  Check(posix_spawn_file_actions_addopen(&actions, 0, input.c_str(), O_RDONLY, 0), "addopen");
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  Check(spawned, "posix_spawn");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) Fail("waitpid");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

Host::Host(HostOptions options) {
  fs::create_directory(dir() / "home");
  fs::create_directory(dir() / "system");
  fs::create_directory(dir() / "builtin");
  WriteFile(dir() / "builtin" / "test.json", options.builtin_pack);

  std::map<std::string, std::string> env = {
      {"PATH", "/usr/bin:/bin"},
      {"HOME", (dir() / "home").string()},
      {"GUARDPOST_STATE_DIR", state_dir().string()},
      {"GUARDPOST_SYSTEM_RULES", (dir() / "system").string()},
      {"GUARDPOST_BUILTIN_RULES", (dir() / "builtin").string()},
      {"GUARDPOST_LOG_LEVEL", "debug"},
  };
  // Sanitizer builds need their settings in the child too.
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) env[name] = value;
  }
  for (const auto& [name, value] : options.env) {
    if (value.empty()) {
      env.erase(name);
    } else {
      env[name] = value;
    }
  }
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  std::string program = options.program;
  std::vector<std::string> args = options.args;
  std::vector<char*> argv = {program.data()};
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  // O_CLOEXEC keeps each child from holding the other pipes' ends open, which would hide EOF.
  int in[2];
  int out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) Fail("pipe2");
  const std::string stderr_path = (dir() / "stderr.txt").string();

  posix_spawn_file_actions_t actions;
  Check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init");
  Check(posix_spawn_file_actions_adddup2(&actions, in[0], 0), "adddup2");
  Check(posix_spawn_file_actions_adddup2(&actions, out[1], 1), "adddup2");
  Check(posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600),
        "addopen");
  const int spawned =
      posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  stdin_fd_ = in[1];
  stdout_fd_ = out[0];
  Check(spawned, "posix_spawn");
}

Host::~Host() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

void Host::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = write(stdin_fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      Fail("write to the host");
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

void Host::Send(std::string_view body) { Write(Frame(body)); }

bool Host::ReadExact(char* data, size_t size) {
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  size_t done = 0;
  while (done < size) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("timed out waiting for the host");
    pollfd fd{stdout_fd_, POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      Fail("poll");
    }
    if (ready == 0) continue;  // the deadline check above reports it
    const ssize_t n = read(stdout_fd_, data + done, size - done);
    if (n == 0) return false;
    if (n < 0) {
      if (errno == EINTR) continue;
      Fail("read from the host");
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

nlohmann::json Host::Receive() {
  uint32_t length = 0;
  if (!ReadExact(reinterpret_cast<char*>(&length), sizeof length)) {
    throw std::runtime_error("the host closed stdout instead of replying; stderr: " + Stderr());
  }
  if (length >= 1024 * 1024) {
    throw std::runtime_error("reply of " + std::to_string(length) + " bytes: Chrome drops it");
  }
  std::string body(length, '\0');
  if (!ReadExact(body.data(), length)) throw std::runtime_error("the host closed stdout mid-reply");
  return nlohmann::json::parse(body);
}

nlohmann::json Host::Call(const nlohmann::json& request) {
  Send(request.dump());
  return Receive();
}

void Host::CloseStdin() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  stdin_fd_ = -1;
}

int Host::Wait() {
  CloseStdin();
  // The host closes stdout only by exiting, so its end of stream is the sign to reap it.
  char buffer[4096];
  for (;;) {
    pollfd fd{stdout_fd_, POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(std::chrono::milliseconds(kTimeout).count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) throw std::runtime_error("timed out waiting for the host to exit");
    const ssize_t n = read(stdout_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    trailing_output_.append(buffer, static_cast<size_t>(n));
  }
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) Fail("waitpid");
  }
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return -WTERMSIG(status);
}

std::string Host::Stderr() const { return ReadFile(dir() / "stderr.txt"); }

}  // namespace guardpost::testing
