// What the subcommands share: reading their arguments, and loading the rules they check with.

#ifndef GUARDPOST_CLI_CLI_SUPPORT_H_
#define GUARDPOST_CLI_CLI_SUPPORT_H_

#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "guardpost/engine.h"

namespace guardpost {

// Reads "--name value", "--name=value", flags, and operands, in order.
class ArgReader {
 public:
  explicit ArgReader(const Args& args) : args_(args) {}

  bool done() const { return i_ >= args_.size(); }
  // True and consumes the flag when the next argument is `name`.
  bool Flag(const std::string& name);
  // True when the next argument is option `name`; its value goes to *value. When the value is
  // missing, sets error() and returns true so that the caller stops.
  bool Option(const std::string& name, std::string* value);
  // The next argument, as an operand; "-" is an operand, "--x" is not.
  std::optional<std::string> Operand();
  // The next argument, which nothing claimed.
  const std::string& Peek() const { return args_[i_]; }
  const std::string& error() const { return error_; }

 private:
  const Args& args_;
  size_t i_ = 0;
  std::string error_;
};

// The rules a command checks with: the packs at `paths`, or, when there are none, the built-in
// and system layers as the native host would load them. On any error prints every problem to
// stderr and returns null.
std::shared_ptr<const Engine> LoadEngine(const std::vector<std::string>& paths);

// A usage error: prints "guardpost <command>: <message>" and a hint, and returns 2.
int UsageError(const std::string& command, const std::string& message);

// The option values `check` and `eval` share. Each prints the usage error and returns nullopt
// (or false) for a bad value.
//   --threshold: info, warn or block.
std::optional<Severity> ThresholdArgument(const std::string& command, const std::string& value);
//   --today: a YYYY-MM-DD date; *today becomes the local date when the option was not given.
bool TodayArgument(const std::string& command, std::string* today);

// Opens the input file `path` and returns nullopt, or returns why it cannot be read ("it is a
// directory": a directory opens, then fails at the first read).
std::optional<std::string> OpenInput(const std::string& path, std::ifstream* file);

// Writes `bytes` to stdout. A failed fwrite leaves only stdout's error flag, and the reason is
// gone by the time main flushes, so the first failure's errno is kept: StdoutError() returns it,
// or 0 while every write has gone through.
void WriteStdout(std::string_view bytes);
int StdoutError();

}  // namespace guardpost

#endif  // GUARDPOST_CLI_CLI_SUPPORT_H_
