// guardpost rules test|lint|hash: tools for the people who write rule packs.

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_support.h"
#include "common/rule_files.h"

namespace guardpost {
namespace {

constexpr char kHelp[] = R"(usage: guardpost rules <test|lint|hash> ...

  guardpost rules test [--today DATE] PATH...
      Loads the packs at PATH (files or directories) and runs every rule's own examples against
      that rule. Prints one line per failing example; exit status 1 when any fails, 2 when a pack
      does not load. --today sets the date for rules with an active window (default: each such
      rule is tested on the first day of its window).

  guardpost rules lint PATH...
      Validates the packs and prints every problem with file, line:column, rule and field.
      Exit status 2 when there is any.

  guardpost rules hash --salt SALT [FILE|-]
      Reads one phrase per line and prints the "hashed" object of a terms rule, so that a pack
      can name code names without containing them (docs/rules.md, "Hashed terms").
)";

// Reads the operands and options shared by test and lint. Returns false after a usage error.
bool ReadPaths(const std::string& command, const Args& args, std::vector<std::string>* paths,
               std::string* today, int* status) {
  for (ArgReader reader(args); !reader.done();) {
    if (reader.Flag("--help") || reader.Flag("-h")) {
      std::fputs(kHelp, stdout);
      *status = 0;
      return false;
    }
    if (today && reader.Option("--today", today)) {
      if (!reader.error().empty()) return *status = UsageError(command, reader.error()), false;
      if (!IsDate(*today)) {
        return *status = UsageError(command, "--today must be a date as YYYY-MM-DD"), false;
      }
    } else if (auto path = reader.Operand()) {
      paths->push_back(*path);
    } else {
      return *status = UsageError(command, "unexpected argument '" + reader.Peek() + "'"), false;
    }
  }
  if (paths->empty()) return *status = UsageError(command, "give at least one PATH"), false;
  return true;
}

// Loads the packs, printing every problem. Returns false when any pack failed.
bool Load(const std::vector<std::string>& paths, Layer* layer) {
  *layer = LoadLayer("command line", paths);
  for (const LoadError& error : layer->errors)
    std::fprintf(stderr, "%s\n", error.ToString().c_str());
  return layer->errors.empty();
}

size_t RuleCount(const Layer& layer) {
  size_t rules = 0;
  for (const Pack& pack : layer.packs) rules += pack.rules.size();
  return rules;
}

int Test(const Args& args) {
  std::vector<std::string> paths;
  std::string today;
  int status = 0;
  if (!ReadPaths("rules test", args, &paths, &today, &status)) return status;
  Layer layer;
  if (!Load(paths, &layer)) return 2;
  size_t examples = 0;
  for (const Pack& pack : layer.packs) {
    for (const Rule& rule : pack.rules)
      examples += rule.examples.flag.size() + rule.examples.pass.size();
  }
  const Engine engine(layer.packs);
  const std::vector<ExampleFailure> failures = TestExamples(engine, today);
  for (const ExampleFailure& failure : failures) {
    std::printf("FAIL %s: should %s: %s\n", failure.rule.c_str(),
                failure.expected_flag ? "flag" : "pass",
                nlohmann::json(failure.example).dump().c_str());
  }
  std::printf("%zu packs, %zu rules, %zu examples: %zu passed, %zu failed\n", layer.packs.size(),
              engine.rule_count(), examples, examples - failures.size(), failures.size());
  return failures.empty() ? 0 : 1;
}

int Lint(const Args& args) {
  std::vector<std::string> paths;
  int status = 0;
  if (!ReadPaths("rules lint", args, &paths, nullptr, &status)) return status;
  Layer layer;
  if (!Load(paths, &layer)) return 2;
  std::printf("%zu packs, %zu rules: no problems\n", layer.packs.size(), RuleCount(layer));
  return 0;
}

int Hash(const Args& args) {
  std::string salt, input = "-";
  for (ArgReader reader(args); !reader.done();) {
    if (reader.Flag("--help") || reader.Flag("-h")) {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (reader.Option("--salt", &salt)) {
      if (!reader.error().empty()) return UsageError("rules hash", reader.error());
    } else if (auto operand = reader.Operand()) {
      input = *operand;
    } else {
      return UsageError("rules hash", "unexpected argument '" + reader.Peek() + "'");
    }
  }
  if (salt.empty()) return UsageError("rules hash", "--salt is required");
  std::ifstream file;
  if (input != "-") {
    file.open(input);
    if (!file) return UsageError("rules hash", "cannot read '" + input + "'");
  }
  std::istream& in = input == "-" ? std::cin : file;
  nlohmann::json digests = nlohmann::json::array();
  int max_words = 1;
  for (std::string phrase; std::getline(in, phrase);) {
    if (!phrase.empty() && phrase.back() == '\r') phrase.pop_back();
    if (phrase.find_first_not_of(" \t") == std::string::npos) continue;
    if (!IsValidUtf8(phrase)) return UsageError("rules hash", "input is not valid UTF-8");
    const HashedTerm hashed = HashTerm(salt, phrase);
    if (hashed.words == 0) return UsageError("rules hash", "a phrase has no letters or digits");
    digests.push_back(hashed.sha256_hex);
    max_words = std::max(max_words, hashed.words);
  }
  const nlohmann::json hashed = {{"salt", salt}, {"max_words", max_words}, {"sha256", digests}};
  std::printf("%s\n", hashed.dump(2).c_str());
  return 0;
}

}  // namespace

int RunRules(const Args& args) {
  if (args.empty()) return UsageError("rules", "give a subcommand: test, lint or hash");
  const Args rest(args.begin() + 1, args.end());
  if (args[0] == "test") return Test(rest);
  if (args[0] == "lint") return Lint(rest);
  if (args[0] == "hash") return Hash(rest);
  if (args[0] == "--help" || args[0] == "-h") {
    std::fputs(kHelp, stdout);
    return 0;
  }
  return UsageError("rules", "unknown subcommand '" + args[0] + "'");
}

}  // namespace guardpost
