// guardpost check: findings for one post, or for one post per line of JSONL.

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>
#include <thread>
#include <vector>

#include "cli/cli_support.h"
#include "common/findings_json.h"
#include "common/parallel.h"
#include "guardpost/json_depth.h"

namespace guardpost {
namespace {

constexpr char kHelp[] = R"(usage: guardpost check [options] [FILE|-]

Checks the post in FILE (or standard input) and prints what it finds.

options:
  --rules PATH       a pack file or a directory of packs; repeat for more. Without it, the
                     built-in and system rules are used, as in the browser.
  --format FORMAT    text (default), json (one object for the whole input), or jsonl: every
                     input line is {"id": ..., "text": ...} and every output line is
                     {"id": ..., "findings": [...]}; blank lines are skipped, and a bad line
                     is named on stderr and the rest answered
  --threshold LEVEL  info, warn (default) or block: the least severity that makes the exit
                     status 1
  --today DATE       the date (YYYY-MM-DD) for rules that apply only on some dates; default today

exit status: 0 nothing at or above the threshold, 1 something was, 2 a usage or rules error,
an input that cannot be read or (text, json) is not UTF-8, a bad jsonl line, or output that
cannot be written.
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
// The jsonl path is built for throughput on large files of short posts: input is read in chunks
// of whole lines that the checking threads split without copying, each line goes through a fast
// parser for the common shape {"id": <integer or plain string>, "text": "..."} (anything else
// falls back to nlohmann, so every input gets exactly the answer nlohmann would give), the posts
// of a chunk are checked together (Engine::CheckMany) and chunks on all cores (the
// engine is const and thread-safe), and replies are written in input order, in the bytes
// nlohmann's dump() would produce (sorted keys, same escapes).

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
// (its objects keep keys sorted) built from common/findings_json.h's ToJson: a field added there
// must be added here (check_jsonl_test compares the two).
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
    if (!f.replacement.empty()) {
      out->append(",\"replacement\":");
      AppendJsonString(f.replacement, out);
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
// On success *id_json is the id as nlohmann would print it and the decoded text is appended to
// *text (the caller takes back whatever was appended when Parse fails), and the line is valid
// UTF-8 (checked by the caller). Returns false for anything else, which then goes
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
  // The first byte at or after `pos` that a JSON string cannot hold as it is: '"', '\\' or a
  // control character; or the end. Eight bytes at a time: posts are mostly plain text.
  size_t NextSpecial(size_t pos) const {
    constexpr uint64_t kOnes = 0x0101010101010101, kHigh = 0x8080808080808080;
    // has_zero may flag bytes above a real match but never misses one: the loop below then finds
    // the exact position.
    auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
    for (uint64_t x; s_.size() - pos >= sizeof x; pos += sizeof x) {
      std::memcpy(&x, s_.data() + pos, sizeof x);
      const uint64_t control = (x - 0x20 * kOnes) & ~x & kHigh;
      if (has_zero(x ^ ('"' * kOnes)) | has_zero(x ^ ('\\' * kOnes)) | control) break;
    }
    while (pos < s_.size() && s_[pos] != '"' && s_[pos] != '\\' &&
           static_cast<unsigned char>(s_[pos]) >= 0x20) {
      ++pos;
    }
    return pos;
  }
  // A string with no escapes and no control characters; *out is its content.
  bool RawString(std::string_view* out) {
    if (!Eat('"')) return false;
    const size_t begin = pos_;
    pos_ = NextSpecial(pos_);
    if (pos_ == s_.size() || s_[pos_] != '"') return false;
    *out = s_.substr(begin, pos_ - begin);
    ++pos_;
    return true;
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
    size_t run = pos_;
    for (; (pos_ = NextSpecial(pos_)) < s_.size(); ++pos_) {
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        text->append(s_.data() + run, pos_ - run);
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;
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

// Threads write their own Scratch and Chunk for every line (a string's size, a flag). Kept on
// cache lines of their own, neighbours in a vector do not make two cores take turns at one line.
constexpr size_t kCacheLine = 64;

// A line of a chunk, once parsed.
struct ParsedLine {
  enum class Kind { kEmpty, kBad, kPost } kind = Kind::kEmpty;
  const char* problem = nullptr;  // kBad: what is wrong, in words that never quote the line
  // kPost: the text, then the id as JSON, back to back in Scratch::parsed from `at`.
  size_t at = 0;
  size_t text_size = 0;
  size_t id_size = 0;
};

// Per-thread scratch space, reused from chunk to chunk.
struct alignas(kCacheLine) Scratch {
  std::vector<ParsedLine> lines;
  std::string parsed;  // the ids and texts of `lines`
  std::vector<std::string_view> texts;
};

// Parses a non-empty line of the form {"id": ..., "text": "..."}, appending its text and id to
// *parsed.
ParsedLine ParseLine(std::string_view line, std::string* parsed) {
  const size_t at = parsed->size();
  std::string_view id_json;
  if (FastLine(line).Parse(&id_json, parsed) && IsValidUtf8(line)) {
    const size_t text_size = parsed->size() - at;
    parsed->append(id_json);
    return {ParsedLine::Kind::kPost, nullptr, at, text_size, id_json.size()};
  }
  parsed->resize(at);
  auto bad = [](const char* problem) { return ParsedLine{ParsedLine::Kind::kBad, problem}; };
  if (!IsValidUtf8(line)) return bad("not valid UTF-8");
  nlohmann::json request;
  try {
    request = ParseJsonWithDepthLimit(line, /*allow_exceptions=*/false);
  } catch (const JsonTooDeep&) {
    return bad(kJsonTooDeep);
  }
  if (request.is_discarded()) return bad("not valid JSON");
  if (!request.is_object()) return bad("not a JSON object");
  const auto found = request.find("text");
  if (found == request.end() || !found->is_string()) return bad("no string \"text\"");
  const std::string& text = found->get_ref<const std::string&>();
  const std::string id_dump = request.value("id", nlohmann::json()).dump();
  parsed->append(text);
  parsed->append(id_dump);
  return {ParsedLine::Kind::kPost, nullptr, at, text.size(), id_dump.size()};
}

// A run of whole input lines, checked by one thread and written out by the one that read it.
struct alignas(kCacheLine) Chunk {
  std::string lines;  // each ends in '\n' but, at the end of input, the last

  // What CheckChunk found.
  size_t line_count = 0;
  std::string replies;  // one line per non-empty, well-formed input line
  struct Bad {
    size_t line;  // index in the chunk
    const char* problem;
    size_t replies_before;  // bytes of `replies` that come before it
  };
  std::vector<Bad> bad;
  bool flagged = false;  // a finding at or above the threshold
  bool done = false;     // guarded by the pipeline's mutex
};

// Parses every line of the chunk, checks all the posts at once (Engine::CheckMany is faster than
// one Check per post), then writes the replies in order.
void CheckChunk(const Engine& engine, const CheckOptions& options, Severity threshold,
                Scratch* scratch, Chunk* chunk) {
  scratch->lines.clear();
  scratch->parsed.clear();
  const std::string_view lines = chunk->lines;
  for (size_t begin = 0; begin < lines.size();) {
    size_t end = lines.find('\n', begin);
    if (end == std::string_view::npos) end = lines.size();
    const std::string_view line = lines.substr(begin, end - begin);
    // A line of JSON whitespace only (an empty line, or "\r" in a CRLF file) is no post.
    const bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
    scratch->lines.push_back(blank ? ParsedLine{} : ParseLine(line, &scratch->parsed));
    begin = end + 1;
  }

  const std::string_view parsed = scratch->parsed;
  scratch->texts.clear();
  for (const ParsedLine& line : scratch->lines) {
    if (line.kind == ParsedLine::Kind::kPost) {
      scratch->texts.push_back(parsed.substr(line.at, line.text_size));
    }
  }
  const std::vector<std::vector<Finding>> findings = engine.CheckMany(scratch->texts, options);

  chunk->line_count = scratch->lines.size();
  chunk->replies.clear();
  chunk->bad.clear();
  chunk->flagged = false;
  size_t post = 0;
  for (size_t i = 0; i < scratch->lines.size(); ++i) {
    const ParsedLine& line = scratch->lines[i];
    if (line.kind == ParsedLine::Kind::kBad) {
      chunk->bad.push_back({i, line.problem, chunk->replies.size()});
    } else if (line.kind == ParsedLine::Kind::kPost) {
      chunk->flagged |= AtOrAbove(findings[post], threshold);
      AppendReply(parsed.substr(line.at + line.text_size, line.id_size), findings[post],
                  &chunk->replies);
      ++post;
    }
  }
}

// Replaces *lines with the next whole lines of `in`: the partial line left in *rest by the last
// call, then at least kChunkBytes more unless the input ends first; what follows the last newline
// goes back to *rest. At the end of input *lines takes all that is left, and is empty once
// nothing is.
void ReadChunk(std::istream& in, std::string* rest, std::string* lines) {
  constexpr size_t kChunkBytes = 64 << 10;  // about 300 short posts
  lines->swap(*rest);
  rest->clear();
  for (;;) {
    const size_t old_size = lines->size();
    lines->resize(old_size + kChunkBytes);
    in.read(lines->data() + old_size, static_cast<std::streamsize>(kChunkBytes));
    lines->resize(old_size + static_cast<size_t>(in.gcount()));
    if (lines->size() == old_size) return;  // end of input
    // Only the bytes just read can hold a newline: searching all of a long line at every read
    // would take time quadratic in its length.
    const size_t newline = std::string_view(*lines).substr(old_size).rfind('\n');
    if (newline == std::string_view::npos) continue;  // a line longer than a chunk: read on
    rest->assign(*lines, old_size + newline + 1);
    lines->resize(old_size + newline + 1);
    return;
  }
}

// Checks the input on all cores and writes the replies in input order. The calling thread reads
// chunks of lines into a ring, writes out the oldest chunk once it is checked, and checks chunks
// itself while it waits; the other threads only check. Reading stays ahead of checking by the
// size of the ring, which matters when the file is not in the page cache.
int CheckJsonl(std::istream& in, const Engine& engine, const CheckOptions& options,
               Severity threshold) {
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::vector<Chunk> ring(2 * threads + 2);
  std::vector<Scratch> scratch(threads);
  std::mutex mutex;
  std::condition_variable work_ready, chunk_done;
  // Chunks are numbered in input order; chunk n lives in ring[n % ring.size()].
  size_t chunks_read = 0, chunks_claimed = 0;  // guarded by mutex
  size_t chunks_written = 0;                   // only the reading thread uses it
  bool finished = false;                       // guarded by mutex

  // Checks the oldest unclaimed chunk. Called and returns with `lock` held.
  auto check_one = [&](std::unique_lock<std::mutex>& lock, size_t worker) {
    Chunk& chunk = ring[chunks_claimed++ % ring.size()];
    lock.unlock();
    CheckChunk(engine, options, threshold, &scratch[worker], &chunk);
    lock.lock();
    chunk.done = true;
    chunk_done.notify_all();
  };

  bool found = false, bad_input = false;
  auto read_and_write = [&] {
    size_t number = 0;  // lines written so far
    std::string rest;
    for (bool at_end = false;;) {
      // Fill the free slots. Only this thread touches a chunk between writing and reading it.
      while (!at_end && chunks_read - chunks_written < ring.size()) {
        Chunk& chunk = ring[chunks_read % ring.size()];
        ReadChunk(in, &rest, &chunk.lines);
        at_end = chunk.lines.empty();
        if (at_end) break;
        std::lock_guard lock(mutex);
        chunk.done = false;
        ++chunks_read;
        work_ready.notify_one();
      }

      std::unique_lock lock(mutex);
      if (chunks_written == chunks_read) {
        finished = true;
        work_ready.notify_all();
        break;
      }
      Chunk& oldest = ring[chunks_written % ring.size()];
      while (!oldest.done) {
        if (chunks_claimed < chunks_read) {
          check_one(lock, 0);
        } else {
          chunk_done.wait(lock);
        }
      }
      lock.unlock();

      size_t replies_written = 0;
      auto write_replies = [&](size_t until) {
        WriteStdout(
            std::string_view(oldest.replies).substr(replies_written, until - replies_written));
        replies_written = until;
      };
      for (const Chunk::Bad& bad : oldest.bad) {
        write_replies(bad.replies_before);
        std::fflush(stdout);  // so that, written to one file, the message follows those replies
        std::fprintf(stderr,
                     "guardpost check: line %zu: %s; expected {\"id\": ..., \"text\": \"...\"}\n",
                     number + bad.line + 1, bad.problem);
      }
      write_replies(oldest.replies.size());
      found |= oldest.flagged;
      bad_input |= !oldest.bad.empty();
      number += oldest.line_count;
      ++chunks_written;
      // Replies that cannot be written end the run: read no more, and let the chunks already
      // read drain (their writes fail at once).
      if (StdoutError() != 0) at_end = true;
    }
  };

  RunOnThreads(threads - 1, [&](size_t worker) {
    if (worker == 0) return read_and_write();
    std::unique_lock lock(mutex);
    for (;;) {
      work_ready.wait(lock, [&] { return chunks_claimed < chunks_read || finished; });
      if (chunks_claimed == chunks_read) return;
      check_one(lock, worker);
    }
  });
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
    if (const auto error = OpenInput(input, &file)) {
      return UsageError("check", "cannot read '" + input + "': " + *error);
    }
  }
  std::istream& in = input == "-" ? std::cin : file;
  const auto engine = LoadEngine(rule_paths);
  if (!engine) return 2;
  // A read that fails partway must not pass for the end of the input. std::cin reads through C's
  // stdin, which keeps the error to itself.
  auto reading_failed = [&] { return in.bad() || (input == "-" && std::ferror(stdin)); };
  auto read_failed = [&] {
    std::fprintf(stderr, "guardpost check: reading %s failed\n",
                 input == "-" ? "stdin" : ("'" + input + "'").c_str());
    return 2;
  };

  if (format == "jsonl") {
    const int status = CheckJsonl(in, *engine, options, *threshold);
    return reading_failed() ? read_failed() : status;
  }
  std::string text;
  for (char buffer[64 << 10]; in.read(buffer, sizeof buffer) || in.gcount() > 0;) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
  }
  if (reading_failed()) return read_failed();
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
