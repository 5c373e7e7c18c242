// The checking engine: compiled rules that turn a post's text into findings.
//
// An Engine is built once from parsed packs and is then immutable; Check is const and safe to call
// from several threads at once. Building one is cheap: the matchers are built by Prepare. Front
// ends swap whole engines (std::shared_ptr<const Engine>) when rules change, so a check never sees
// half-updated rules.

#ifndef GUARDPOST_ENGINE_H_
#define GUARDPOST_ENGINE_H_

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "guardpost/rules.h"

namespace guardpost {

// One thing worth the employee's attention. start and end are offsets in UTF-16 code units into
// the text that was checked (what JavaScript strings index), end exclusive.
struct Finding {
  std::string rule;
  Category category = Category::kTone;
  Severity severity = Severity::kWarn;
  size_t start = 0;
  size_t end = 0;
  std::string message;
  std::string suggestion;  // advice for the employee; empty when the rule has none
  std::string
      replacement;  // text that can replace [start, end) as is (one-click Apply); may be empty
  std::string policy_url;  // empty when neither rule nor pack has one
};

struct CheckOptions {
  // Today's date as "YYYY-MM-DD", for rules with an active window. Rules with a window are
  // skipped when this is empty. The engine has no clock of its own: front ends pass it.
  std::string today;
};

struct PackInfo {
  std::string name;
  std::string version;
  std::string source;
  size_t rules = 0;  // rules of this pack that are in effect (not replaced by a later pack)
};

// One failed example of one rule, as `guardpost rules test` reports it.
struct ExampleFailure {
  std::string rule;
  bool expected_flag = false;  // true: the example should have been flagged and was not
  std::string example;
};

class Engine;
std::vector<ExampleFailure> TestExamples(const Engine& engine, const std::string& today);

class Engine {
 public:
  // Compiles the packs in order. A rule whose id repeats one from an earlier pack replaces it, so
  // later layers (system directory, managed policy) override earlier ones (built-in).
  // Precondition: every pack came from a successful ParsePack.
  explicit Engine(std::vector<Pack> packs);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Returns the findings for `text`, sorted by start, then by end (longer first), then by
  // severity (more serious first). Overlapping findings of the same category are reduced to the
  // most serious one. Precondition: text is valid UTF-8 (see IsValidUtf8).
  std::vector<Finding> Check(std::string_view text, const CheckOptions& options = {}) const;

  // Checks many texts: findings[i] is what Check(texts[i], options) returns. Faster than a Check
  // per text when there are many (guardpost check --format jsonl checks its input this way).
  // Precondition: every text is valid UTF-8.
  std::vector<std::vector<Finding>> CheckMany(std::span<const std::string_view> texts,
                                              const CheckOptions& options = {}) const;

  // Builds what matching needs (term tables and, above all, the compiled patterns), which the
  // first Check would otherwise do: tens of milliseconds for the default packs. Front ends call it
  // on a background thread right after building the engine, so that the work overlaps their wait
  // for the first post. Safe to call from any thread, any number of times; concurrent checks wait
  // for it to finish.
  void Prepare() const;

  size_t rule_count() const;
  const std::vector<PackInfo>& packs() const;
  // The rules in effect, in pack order, for `guardpost rules test` and documentation tools.
  const std::vector<const Rule*>& rules() const;

 private:
  friend std::vector<ExampleFailure> TestExamples(const Engine& engine, const std::string& today);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Number of UTF-16 code units needed to encode `text`. Precondition: valid UTF-8.
size_t Utf16Length(std::string_view text);

// The longest prefix of `text` of at most `max_bytes` bytes that does not end inside a UTF-8
// sequence, for quoting something that may be long in a message.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

// Salted digest used by hashed terms: lowercase hex SHA-256 of salt + the words view of phrase,
// and the number of words in that view (for the pack's max_words). `guardpost rules hash` uses it
// to turn a private list into a pack.
struct HashedTerm {
  std::string sha256_hex;
  int words = 0;
};
HashedTerm HashTerm(std::string_view salt, std::string_view phrase);

// Runs every rule's own examples against that rule alone (other rules do not interfere) and
// returns the failures. `today` is used for rules with an active window; when empty, each such
// rule is tested on its window's first day.
std::vector<ExampleFailure> TestExamples(const Engine& engine, const std::string& today);

}  // namespace guardpost

#endif  // GUARDPOST_ENGINE_H_
