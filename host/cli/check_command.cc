// guardpost check: findings for one post, or for one post per line of JSONL.

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "cli/cli_support.h"
#include "common/findings_json.h"
#include "common/parallel.h"

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

// --- JSONL ---------------------------------------------------------------------------------
//
// The jsonl path is built for throughput on large files of short posts: input is read in large
// blocks and split into lines without copying, each line goes through a fast parser for the
// common shape {"id": <integer or plain string>, "text": "..."} (anything else falls back to
// nlohmann, so every input gets exactly the answer nlohmann would give), posts are checked on all
// cores (Engine::Check is const and thread-safe), and replies are written in input order, in the
// bytes nlohmann's dump() would produce (sorted keys, same escapes).

// Appends `s` as a JSON string, escaped as nlohmann's dump() does with ensure_ascii off.
void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t run = 0;  // start of the pending run of bytes that need no escape
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(escape, sizeof escape);
      }
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void AppendUnsigned(size_t value, std::string* out) {
  char digits[24];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  while (n > 0) out->push_back(digits[--n]);
}

// {"findings":[...],"id":ID}\n, byte for byte what nlohmann's dump() gives for the reply object
// (its objects keep keys sorted) built from common/findings_json.h's ToJson.
void AppendReply(std::string_view id_json, const std::vector<Finding>& findings, std::string* out) {
  out->append("{\"findings\":[");
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    if (i > 0) out->push_back(',');
    out->append("{\"category\":");
    AppendJsonString(CategoryName(f.category), out);
    out->append(",\"end\":");
    AppendUnsigned(f.end, out);
    out->append(",\"message\":");
    AppendJsonString(f.message, out);
    if (!f.policy_url.empty()) {
      out->append(",\"policy_url\":");
      AppendJsonString(f.policy_url, out);
    }
    out->append(",\"rule\":");
    AppendJsonString(f.rule, out);
    out->append(",\"severity\":");
    AppendJsonString(SeverityName(f.severity), out);
    out->append(",\"start\":");
    AppendUnsigned(f.start, out);
    if (!f.suggestion.empty()) {
      out->append(",\"suggestion\":");
      AppendJsonString(f.suggestion, out);
    }
    out->push_back('}');
  }
  out->append("],\"id\":");
  out->append(id_json);
  out->append("}\n");
}

// The fast path for one JSONL line: exactly the keys "id" and "text", once each, in either order;
// id an integer that fits in int64 without a sign on zero, or a string without escapes or control
// characters; text a string whose escapes are the one-character ones (\" \\ \/ \b \f \n \r \t).
// On success *id_json is the id as nlohmann would print it and *text the decoded text, and the
// line is valid UTF-8 (checked by the caller). Returns false for anything else, which then goes
// to nlohmann: the fast path decides nothing on its own about what is invalid.
class FastLine {
 public:
  explicit FastLine(std::string_view line) : s_(line) {}

  bool Parse(std::string_view* id_json, std::string* text) {
    bool have_id = false, have_text = false;
    SkipSpace();
    if (!Eat('{')) return false;
    for (int member = 0; member < 2; ++member) {
      SkipSpace();
      std::string_view key;
      if (!RawString(&key)) return false;
      SkipSpace();
      if (!Eat(':')) return false;
      SkipSpace();
      if (key == "id" && !have_id) {
        have_id = true;
        if (!Id(id_json)) return false;
      } else if (key == "text" && !have_text) {
        have_text = true;
        if (!Text(text)) return false;
      } else {
        return false;
      }
      SkipSpace();
      if (!Eat(member == 0 ? ',' : '}')) return false;
    }
    SkipSpace();
    return pos_ == s_.size();
  }

 private:
  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Eat(char c) {
    if (pos_ >= s_.size() || s_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  // A string with no escapes and no control characters; *out is its content.
  bool RawString(std::string_view* out) {
    if (!Eat('"')) return false;
    const size_t begin = pos_;
    for (; pos_ < s_.size(); ++pos_) {
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        *out = s_.substr(begin, pos_ - begin);
        ++pos_;
        return true;
      }
      if (c == '\\' || c < 0x20) return false;
    }
    return false;
  }
  bool Id(std::string_view* id_json) {
    const size_t begin = pos_;
    if (pos_ < s_.size() && s_[pos_] == '"') {
      std::string_view content;
      if (!RawString(&content)) return false;
      *id_json = s_.substr(begin, pos_ - begin);  // dump() prints such a string as it came
      return true;
    }
    const bool negative = Eat('-');
    const size_t digits = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    const size_t count = pos_ - digits;
    // "0", or no leading zero; 18 digits always fit in int64; "-0" becomes 0 in nlohmann.
    if (count == 0 || count > 18 || (s_[digits] == '0' && (count > 1 || negative))) return false;
    if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E')) return false;
    *id_json = s_.substr(begin, pos_ - begin);
    return true;
  }
  bool Text(std::string* text) {
    if (!Eat('"')) return false;
    text->clear();
    size_t run = pos_;
    for (; pos_ < s_.size(); ++pos_) {
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        text->append(s_.data() + run, pos_ - run);
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;
      if (c != '\\') continue;
      text->append(s_.data() + run, pos_ - run);
      if (++pos_ >= s_.size()) return false;
      switch (s_[pos_]) {
        case '"':
          text->push_back('"');
          break;
        case '\\':
          text->push_back('\\');
          break;
        case '/':
          text->push_back('/');
          break;
        case 'b':
          text->push_back('\b');
          break;
        case 'f':
          text->push_back('\f');
          break;
        case 'n':
          text->push_back('\n');
          break;
        case 'r':
          text->push_back('\r');
          break;
        case 't':
          text->push_back('\t');
          break;
        default:
          return false;  // \uXXXX and invalid escapes: nlohmann's business
      }
      run = pos_ + 1;
    }
    return false;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// What one input line turned into.
struct LineResult {
  bool bad = false;      // not {"id": ..., "text": "..."}: reported on stderr
  bool flagged = false;  // a finding at or above the threshold
  std::string reply;     // the output line, newline included
};

// Per-thread scratch space, reused from line to line.
struct Scratch {
  std::string text;
  std::string id;
};

void CheckLine(std::string_view line, const Engine& engine, const CheckOptions& options,
               Severity threshold, Scratch* scratch, LineResult* result) {
  result->bad = result->flagged = false;
  result->reply.clear();
  std::string_view id_json;
  const std::string* text = nullptr;
  nlohmann::json request;
  if (FastLine(line).Parse(&id_json, &scratch->text) && IsValidUtf8(line)) {
    text = &scratch->text;
  } else {
    request = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    const auto found = request.is_object() ? request.find("text") : request.end();
    if (!request.is_object() || found == request.end() || !found->is_string()) {
      // Invalid UTF-8 also lands here: nlohmann rejects it while parsing.
      result->bad = true;
      return;
    }
    text = &found->get_ref<const std::string&>();
    scratch->id = request.value("id", nlohmann::json()).dump();
    id_json = scratch->id;
  }
  const std::vector<Finding> findings = engine.Check(*text, options);
  result->flagged = AtOrAbove(findings, threshold);
  AppendReply(id_json, findings, &result->reply);
}

// Reads a stream in blocks, one block ahead of its caller, on a thread of its own: reading a file
// that is not in the page cache takes as long as checking it, and this way the two overlap.
class BlockReader {
 public:
  static constexpr size_t kBlockBytes = 256 << 10;

  explicit BlockReader(std::istream& in) : in_(in) { ReadAhead(); }
  ~BlockReader() {
    if (pending_.valid()) pending_.wait();
  }

  // Replaces *block with the next block of the stream (empty at its end) and starts reading the
  // one after into *block's old storage.
  void Next(std::string* block) {
    if (pending_.valid()) pending_.get();
    std::swap(*block, ahead_);
    if (!block->empty()) ReadAhead();
  }

 private:
  void ReadAhead() {
    auto read = [this] {
      ahead_.resize(kBlockBytes);
      in_.read(ahead_.data(), static_cast<std::streamsize>(kBlockBytes));
      ahead_.resize(static_cast<size_t>(in_.gcount()));
    };
    try {
      pending_ = std::async(std::launch::async, read);
    } catch (const std::system_error&) {
      read();  // no thread to be had: read now
    }
  }

  std::istream& in_;
  std::string ahead_;
  std::future<void> pending_;  // reading into ahead_
};

int CheckJsonl(std::istream& in, const Engine& engine, const CheckOptions& options,
               Severity threshold) {
  constexpr size_t kLinesPerClaim = 32;  // lines a worker takes at a time
  const size_t workers = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);

  bool found = false, bad_input = false;
  size_t number = 0;   // lines before this batch
  std::string buffer;  // the partial last line of the previous block, then the next block
  std::string block;
  std::vector<std::string_view> lines;
  std::vector<LineResult> results;
  std::vector<Scratch> scratch(workers);
  BlockReader reader(in);
  bool eof = false;
  while (!eof) {
    reader.Next(&block);
    eof = block.empty();
    buffer += block;
    size_t complete = buffer.size();  // at end of input the last line needs no newline
    if (!eof) {
      const size_t newline = buffer.rfind('\n');
      if (newline == std::string::npos) continue;  // a line longer than a block: read on
      complete = newline + 1;
    }

    lines.clear();
    for (size_t begin = 0; begin < complete;) {
      size_t end = buffer.find('\n', begin);
      if (end == std::string::npos || end > complete) end = complete;
      lines.push_back(std::string_view(buffer).substr(begin, end - begin));
      begin = end + 1;
    }
    if (results.size() < lines.size()) results.resize(lines.size());

    std::atomic<size_t> next{0};
    auto work = [&](size_t worker) {
      Scratch* mine = &scratch[worker];
      for (;;) {
        const size_t first = next.fetch_add(kLinesPerClaim);
        if (first >= lines.size()) return;
        const size_t last = std::min(lines.size(), first + kLinesPerClaim);
        for (size_t i = first; i < last; ++i) {
          if (lines[i].empty()) continue;
          CheckLine(lines[i], engine, options, threshold, mine, &results[i]);
        }
      }
    };
    const size_t claims = (lines.size() + kLinesPerClaim - 1) / kLinesPerClaim;
    RunOnThreads(std::min(workers, std::max<size_t>(claims, 1)) - 1, work);

    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].empty()) continue;
      const LineResult& result = results[i];
      if (result.bad) {
        std::fprintf(stderr,
                     "guardpost check: line %zu: expected {\"id\": ..., \"text\": \"...\"}\n",
                     number + i + 1);
        bad_input = true;
        continue;
      }
      found |= result.flagged;
      std::fwrite(result.reply.data(), 1, result.reply.size(), stdout);
    }
    number += lines.size();
    buffer.erase(0, std::min(buffer.size(), complete));
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
    } else if (reader.Option("--format", &format) ||
               reader.Option("--threshold", &threshold_name) ||
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
  const std::optional<Severity> threshold = ThresholdArgument("check", threshold_name);
  if (!threshold || !TodayArgument("check", &options.today)) return 2;

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
