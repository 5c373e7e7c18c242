#include "common/logging.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string_view>
#include <system_error>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

namespace guardpost {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxLogBytes = 1024 * 1024;
constexpr size_t kMaxLogFiles = 3;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

fs::path StateDirPath() {
  if (std::string dir = Env("GUARDPOST_STATE_DIR"); !dir.empty()) return dir;
  // The XDG spec says relative values are to be ignored.
  if (std::string xdg = Env("XDG_STATE_HOME"); !xdg.empty() && fs::path(xdg).is_absolute()) {
    return fs::path(xdg) / "guardpost";
  }
#ifdef _WIN32
  if (std::string local = Env("LOCALAPPDATA"); !local.empty()) return fs::path(local) / "Guardpost";
#endif
  if (std::string home = Env("HOME"); !home.empty()) {
    return fs::path(home) / ".local" / "state" / "guardpost";
  }
  return {};
}

// Unknown names fall back to info; spdlog's own from_str would turn a typo into "off".
spdlog::level::level_enum LevelFromEnv() {
  const std::string name = Env("GUARDPOST_LOG_LEVEL");
  if (name == "trace") return spdlog::level::trace;
  if (name == "debug") return spdlog::level::debug;
  if (name == "warn" || name == "warning") return spdlog::level::warn;
  if (name == "error") return spdlog::level::err;
  if (name == "off") return spdlog::level::off;
  return spdlog::level::info;
}

}  // namespace

std::string StateDir() {
  const fs::path dir = StateDirPath();
  if (dir.empty()) return {};
  std::error_code ec;
  if (fs::create_directories(dir, ec)) {
    // The log names the rules an employee tripped over: nobody else needs to read it.
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  if (!fs::is_directory(dir, ec)) return {};
  return dir.string();
}

std::string SetUpLogging(const std::string& file_name) {
  std::shared_ptr<spdlog::logger> logger;
  std::string path;
  if (const std::string dir = StateDir(); !dir.empty()) {
    path = (fs::path(dir) / file_name).string();
    try {
      auto sink =
          std::make_shared<spdlog::sinks::rotating_file_sink_mt>(path, kMaxLogBytes, kMaxLogFiles);
      logger = std::make_shared<spdlog::logger>("guardpost", std::move(sink));
    } catch (const spdlog::spdlog_ex&) {
      path.clear();
    }
  }
  if (logger == nullptr) {
    logger = std::make_shared<spdlog::logger>("guardpost");  // no sinks: logs go nowhere
  }
  logger->set_level(LevelFromEnv());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %P %l %v");
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
  return path;
}

}  // namespace guardpost
