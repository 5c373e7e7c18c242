// guardpost: the command line for IT and tests, and the native messaging host when a browser
// starts it. Each subcommand lives in its own file; this one only dispatches.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "native/host.h"

#ifndef _WIN32
#include <sys/prctl.h>
#include <sys/resource.h>
#endif

namespace {

constexpr char kUsage[] = R"(usage: guardpost <command> [options]

Checks social-media posts against confidentiality and tone rules.

commands:
  check [--rules PATH]... [--format text|json|jsonl] [FILE|-]
                         check a post (or one post per JSONL line) and print findings
  rules test PATH...     run every rule's own examples
  rules lint PATH...     validate packs without running examples
  rules hash --salt S    turn phrases on stdin into hashed-term digests
  eval FILE.jsonl        precision, recall and F1 on labeled posts
  host                   serve the native messaging protocol on stdin/stdout

Run 'guardpost <command> --help' for a command's options. Browsers start the native host
themselves, passing their own arguments (see docs/protocol.md).
)";

// Chrome passes "chrome-extension://ID/" (after "--parent-window=N" on Windows); Firefox passes
// the host manifest's path and the add-on id.
bool StartedByBrowser(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("chrome-extension://")) return true;
    if (arg.starts_with("--parent-window=")) continue;
    if (arg.ends_with(".json") && argc == 3) return true;  // Firefox: manifest path, add-on id
    return false;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
#ifndef _WIN32
  // A crash must not leave posts in a core file: the host's memory, and that of `check` and
  // `eval`, is the one place where post text may be. No core file, and no core handed to a crash
  // collector either.
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
  if (StartedByBrowser(argc, argv)) return guardpost::RunNativeHost(argc, argv);
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string_view command = argv[1];
  if (command == "host") return guardpost::RunNativeHost(argc, argv);
  const guardpost::Args args(argv + 2, argv + argc);
  int status = 2;
  if (command == "--version") {
    std::puts("guardpost " GUARDPOST_VERSION);
    status = 0;
  } else if (command == "check") {
    status = guardpost::RunCheck(args);
  } else if (command == "rules") {
    status = guardpost::RunRules(args);
  } else if (command == "eval") {
    status = guardpost::RunEval(args);
  } else {
    std::fprintf(stderr, "guardpost: unknown command '%s'\n\n%s", argv[1], kUsage);
  }
  // Output that did not all arrive (a full disk, a closed pipe) must not pass for a result.
  const bool flushed = std::fflush(stdout) == 0;
  const int error = flushed ? guardpost::StdoutError() : errno;
  if (!flushed || std::ferror(stdout)) {
    std::fprintf(stderr, "guardpost %s: writing the output failed%s%s\n", argv[1],
                 error != 0 ? ": " : "", error != 0 ? std::strerror(error) : "");
    return 2;
  }
  return status;
}
