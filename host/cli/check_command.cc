// guardpost check: findings for one post, or for one post per line of JSONL.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_support.h"
#include "common/findings_json.h"

namespace guardpost {
namespace {

constexpr char kHelp[] = R"(usage: guardpost check [options] [FILE|-]

Checks the post in FILE (or standard input) and prints what it finds.

options:
  --rules PATH       a pack file or a directory of packs; repeat for more. Without it, the
                     built-in and system rules are used, as in the browser.
  --format FORMAT    text (default), json (one object for the whole input), or jsonl: every
                     input line is {"id": ..., "text": ...} and every output line is
                     {"id": ..., "findings": [...]}
  --threshold LEVEL  info, warn (default) or block: the least severity that makes the exit
                     status 1
  --today DATE       the date (YYYY-MM-DD) for rules that apply only on some dates; default today

exit status: 0 nothing at or above the threshold, 1 something was, 2 usage or rules error.
)";

// 1-based line and column (in characters) of a UTF-16 offset, for people reading text output.
std::pair<size_t, size_t> LineAndColumn(const std::string& text, size_t utf16_offset) {
  size_t line = 1, column = 1, units = 0;
  for (size_t i = 0; i < text.size() && units < utf16_offset; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80) continue;
    units += (c & 0xF8) == 0xF0 ? 2 : 1;
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

void PrintText(const std::string& name, const std::string& text,
               const std::vector<Finding>& findings) {
  for (const Finding& f : findings) {
    const auto [line, column] = LineAndColumn(text, f.start);
    std::printf("%s:%zu:%zu: %s: %s [%s]\n", name.c_str(), line, column,
                std::string(SeverityName(f.severity)).c_str(), f.message.c_str(), f.rule.c_str());
    if (!f.suggestion.empty()) std::printf("    suggestion: %s\n", f.suggestion.c_str());
    if (!f.policy_url.empty()) std::printf("    policy: %s\n", f.policy_url.c_str());
  }
}

bool AtOrAbove(const std::vector<Finding>& findings, Severity threshold) {
  for (const Finding& f : findings) {
    if (f.severity >= threshold) return true;
  }
  return false;
}

int CheckJsonl(std::istream& in, const Engine& engine, const CheckOptions& options,
               Severity threshold) {
  bool found = false, bad_input = false;
  std::string line;
  std::string out;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    nlohmann::json request = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    const auto text = request.is_object() ? request.find("text") : request.end();
    if (!request.is_object() || text == request.end() || !text->is_string()) {
      // Invalid UTF-8 also lands here: nlohmann rejects it while parsing.
      std::fprintf(stderr, "guardpost check: line %zu: expected {\"id\": ..., \"text\": \"...\"}\n",
                   number);
      bad_input = true;
      continue;
    }
    const std::vector<Finding> findings = engine.Check(text->get_ref<const std::string&>(), options);
    found |= AtOrAbove(findings, threshold);
    nlohmann::json reply = {{"id", request.value("id", nlohmann::json())},
                            {"findings", ToJson(findings)}};
    out = reply.dump();
    out.push_back('\n');
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  if (bad_input) return 2;
  return found ? 1 : 0;
}

}  // namespace

int RunCheck(const Args& args) {
  std::vector<std::string> rule_paths;
  std::string format = "text", threshold_name = "warn", input = "-", value;
  CheckOptions options;
  bool have_input = false;
  for (ArgReader reader(args); !reader.done();) {
    if (reader.Flag("--help") || reader.Flag("-h")) {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (reader.Option("--rules", &value)) {
      rule_paths.push_back(value);
    } else if (reader.Option("--format", &format) || reader.Option("--threshold", &threshold_name) ||
               reader.Option("--today", &options.today)) {
    } else if (auto operand = reader.Operand(); operand && !have_input) {
      input = *operand;
      have_input = true;
    } else {
      return UsageError("check", "unexpected argument '" + reader.Peek() + "'");
    }
    if (!reader.error().empty()) return UsageError("check", reader.error());
  }
  if (format != "text" && format != "json" && format != "jsonl") {
    return UsageError("check", "--format must be text, json or jsonl; got '" + format + "'");
  }
  const std::optional<Severity> threshold = ParseSeverity(threshold_name);
  if (!threshold) {
    return UsageError("check", "--threshold must be info, warn or block; got '" + threshold_name + "'");
  }
  if (options.today.empty()) {
    options.today = LocalDateToday();
  } else if (!IsDateArgument(options.today)) {
    return UsageError("check", "--today must be a date as YYYY-MM-DD; got '" + options.today + "'");
  }

  std::ifstream file;
  if (input != "-") {
    file.open(input, std::ios::binary);
    if (!file) return UsageError("check", "cannot read '" + input + "'");
  }
  std::istream& in = input == "-" ? std::cin : file;
  const auto engine = LoadEngine(rule_paths);
  if (!engine) return 2;

  if (format == "jsonl") return CheckJsonl(in, *engine, options, *threshold);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  const std::string text = bytes.str();
  if (!IsValidUtf8(text)) {
    std::fprintf(stderr, "guardpost check: %s is not valid UTF-8\n", input.c_str());
    return 2;
  }
  const std::vector<Finding> findings = engine->Check(text, options);
  if (format == "json") {
    std::printf("%s\n", nlohmann::json({{"findings", ToJson(findings)}}).dump().c_str());
  } else {
    PrintText(input == "-" ? "<stdin>" : input, text, findings);
  }
  return AtOrAbove(findings, *threshold) ? 1 : 0;
}

}  // namespace guardpost
