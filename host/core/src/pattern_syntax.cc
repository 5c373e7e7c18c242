#include "pattern_syntax.h"

#include <re2/re2.h>
#include <re2/set.h>

namespace guardpost::internal {

bool ParsesAsRe2(std::string_view pattern, std::string* error) {
  // RE2::Set::Add parses and stops there; RE2's constructor would also compile.
  RE2::Options options;
  options.set_log_errors(false);
  RE2::Set set(options, RE2::UNANCHORED);
  return set.Add(re2::StringPiece(pattern.data(), pattern.size()), error) >= 0;
}

int CountCaptureGroups(std::string_view pattern) {
  // The pattern is known to parse, so only what can hide a '(' needs care: escapes, \Q...\E
  // quoting and character classes (including [:alpha:] inside them, and a ']' right after the
  // opening '[' or '[^', which is a literal).
  int groups = 0;
  const size_t n = pattern.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < n && pattern[i + 1] == 'Q') {
        const size_t end = pattern.find("\\E", i + 2);
        if (end == std::string_view::npos) break;  // quoted to the end of the pattern
        i = end + 1;
      } else {
        ++i;  // the escaped character
      }
      continue;
    }
    if (c == '[') {
      size_t j = i + 1;
      if (j < n && pattern[j] == '^') ++j;
      if (j < n && pattern[j] == ']') ++j;
      for (; j < n && pattern[j] != ']'; ++j) {
        if (pattern[j] == '\\') {
          ++j;
        } else if (pattern[j] == '[' && j + 1 < n && pattern[j + 1] == ':') {
          const size_t end = pattern.find(":]", j + 2);
          if (end != std::string_view::npos) j = end + 1;
        }
      }
      i = j;  // the closing ']'
      continue;
    }
    if (c != '(') continue;
    // "(?" opens flags or a non-capturing group, except for a named group: "(?P<name>", or
    // "(?<name>" in RE2 releases that accept it.
    const std::string_view rest = pattern.substr(i + 1);
    if (!rest.starts_with('?') || rest.starts_with("?P<") || rest.starts_with("?<")) ++groups;
  }
  return groups;
}

}  // namespace guardpost::internal
