#include "cli/cli_support.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "common/rule_files.h"
#include "common/today.h"

namespace guardpost {

bool ArgReader::Flag(const std::string& name) {
  if (done() || args_[i_] != name) return false;
  ++i_;
  return true;
}

bool ArgReader::Option(const std::string& name, std::string* value) {
  if (done()) return false;
  const std::string& arg = args_[i_];
  if (arg.starts_with(name + "=")) {
    *value = arg.substr(name.size() + 1);
    ++i_;
    return true;
  }
  if (arg != name) return false;
  if (i_ + 1 >= args_.size()) {
    error_ = name + " needs a value";
    ++i_;
    return true;
  }
  *value = args_[i_ + 1];
  i_ += 2;
  return true;
}

std::optional<std::string> ArgReader::Operand() {
  if (done()) return std::nullopt;
  const std::string& arg = args_[i_];
  if (arg.size() > 1 && arg[0] == '-') return std::nullopt;
  ++i_;
  return arg;
}

std::shared_ptr<const Engine> LoadEngine(const std::vector<std::string>& paths) {
  std::vector<Layer> layers;
  if (paths.empty()) {
    layers.push_back(LoadBuiltinLayer());
    layers.push_back(LoadSystemLayer());
  } else {
    layers.push_back(LoadLayer("command line", paths));
  }
  bool ok = true;
  std::vector<const Layer*> good;
  for (const Layer& layer : layers) {
    for (const LoadError& error : layer.errors) {
      std::fprintf(stderr, "%s\n", error.ToString().c_str());
      ok = false;
    }
    good.push_back(&layer);
  }
  if (!ok) return nullptr;
  return std::make_shared<const Engine>(PacksOf(good));
}

int UsageError(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "guardpost %s: %s\nRun 'guardpost %s --help' for usage.\n", command.c_str(),
               message.c_str(), command.c_str());
  return 2;
}

std::optional<Severity> ThresholdArgument(const std::string& command, const std::string& value) {
  const std::optional<Severity> threshold = ParseSeverity(value);
  if (!threshold)
    UsageError(command, "--threshold must be info, warn or block; got '" + value + "'");
  return threshold;
}

bool TodayArgument(const std::string& command, std::string* today) {
  if (today->empty()) {
    *today = LocalDateToday();
  } else if (!IsDate(*today)) {
    UsageError(command, "--today must be a date as YYYY-MM-DD; got '" + *today + "'");
    return false;
  }
  return true;
}

std::optional<std::string> OpenInput(const std::string& path, std::ifstream* file) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return "it is a directory";
  file->open(path, std::ios::binary);
  if (!*file) return std::strerror(errno);
  return std::nullopt;
}

namespace {
int stdout_error = 0;
}  // namespace

void WriteStdout(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size() && stdout_error == 0) {
    stdout_error = errno != 0 ? errno : EIO;
  }
}

int StdoutError() { return stdout_error; }

}  // namespace guardpost
