#include "pattern_syntax.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <optional>

namespace guardpost::internal {

namespace {

// The index of the last character of the escape, \Q...\E quoting or character class that starts
// at `i`, or `i` itself when none starts there. What lies inside those is literal, so a scan of a
// pattern's operators skips them whole. `pattern` is known to parse.
size_t EndOfLiteralConstruct(std::string_view pattern, size_t i) {
  const size_t n = pattern.size();
  const size_t last = n - 1;
  // An escape's argument in braces: \x{263a}, \p{Greek}. Returns the index of the '}'.
  auto braced_argument_end = [&](size_t open) { return std::min(pattern.find('}', open), last); };
  if (pattern[i] == '\\') {
    if (i == last) return i;
    const char e = pattern[i + 1];
    if (e == 'Q') {  // quoted up to \E, or to the end of the pattern
      const size_t end = pattern.find("\\E", i + 2);
      return end == std::string_view::npos ? last : end + 1;
    }
    const bool braced = i + 2 < n && pattern[i + 2] == '{';
    if ((e == 'x' || e == 'p' || e == 'P') && braced) return braced_argument_end(i + 2);
    if (e == 'x') return std::min(i + 3, last);              // \x41
    if (e == 'p' || e == 'P') return std::min(i + 2, last);  // \pN
    return i + 1;
  }
  if (pattern[i] != '[') return i;
  // A ']' right after the opening '[' or '[^' is a literal; so are escapes and [:alpha:] inside.
  size_t j = i + 1;
  if (j < n && pattern[j] == '^') ++j;
  if (j < n && pattern[j] == ']') ++j;
  for (; j < n && pattern[j] != ']'; ++j) {
    if (pattern[j] == '\\') {
      j = EndOfLiteralConstruct(pattern, j);
    } else if (pattern[j] == '[' && j + 1 < n && pattern[j + 1] == ':') {
      const size_t end = pattern.find(":]", j + 2);
      if (end != std::string_view::npos) j = end + 1;
    }
  }
  return std::min(j, last);  // the closing ']'
}

// The counted repetition {n}, {n,} or {n,m} that starts at pattern[i] == '{'. In a pattern that
// parses, such braces outside literal constructs are always an operator: RE2 rejects a repetition
// with nothing to repeat, and takes braces of any other form, such as {,5}, literally.
struct CountedRepetition {
  size_t end = 0;  // index of the '}'
  int min = 0;
  std::optional<int> max;  // none for {n,}
};

std::optional<CountedRepetition> ParseCountedRepetition(std::string_view pattern, size_t i) {
  const size_t n = pattern.size();
  auto is_digit = [&](size_t j) { return j < n && pattern[j] >= '0' && pattern[j] <= '9'; };
  // As RE2's parser reads a count: no leading zero, at most 9 digits. Braces around anything
  // else, such as {020} or {1234567890}, are literal text to RE2, and must stay so here.
  auto number = [&](size_t* j) -> std::optional<int> {
    if (!is_digit(*j) || (pattern[*j] == '0' && is_digit(*j + 1))) return std::nullopt;
    int value = 0;
    for (int digits = 0; is_digit(*j); ++*j, ++digits) {
      if (digits == 9) return std::nullopt;
      value = std::min(value * 10 + (pattern[*j] - '0'), 100000);  // RE2 allows 1000 at most
    }
    return value;
  };
  CountedRepetition repetition;
  size_t j = i + 1;
  const std::optional<int> min = number(&j);
  if (!min) return std::nullopt;
  repetition.min = *min;
  repetition.max = min;
  if (j < n && pattern[j] == ',') {
    ++j;
    repetition.max = number(&j);  // none: {n,}
  }
  if (j >= n || pattern[j] != '}') return std::nullopt;
  repetition.end = j;
  return repetition;
}

}  // namespace

bool ParsesAsRe2(std::string_view pattern, std::string* error) {
  // RE2::Set::Add parses and stops there; RE2's constructor would also compile.
  RE2::Options options;
  options.set_log_errors(false);
  RE2::Set set(options, RE2::UNANCHORED);
  return set.Add(re2::StringPiece(pattern.data(), pattern.size()), error) >= 0;
}

RE2::Options RuleOptions(bool case_sensitive) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(case_sensitive);
  return options;
}

int CountCaptureGroups(std::string_view pattern) {
  int groups = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (const size_t end = EndOfLiteralConstruct(pattern, i); end != i) {
      i = end;
      continue;
    }
    if (pattern[i] != '(') continue;
    // "(?" opens flags or a non-capturing group, except for a named group: "(?P<name>", or
    // "(?<name>" in RE2 releases that accept it.
    const std::string_view rest = pattern.substr(i + 1);
    if (!rest.starts_with('?') || rest.starts_with("?P<") || rest.starts_with("?<")) ++groups;
  }
  return groups;
}

std::string WithRepetitionsCapped(std::string_view pattern, int cap) {
  std::string capped;
  capped.reserve(pattern.size());
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (const size_t end = EndOfLiteralConstruct(pattern, i); end != i) {
      capped.append(pattern.substr(i, end - i + 1));
      i = end;
      continue;
    }
    const std::optional<CountedRepetition> repetition =
        pattern[i] == '{' ? ParseCountedRepetition(pattern, i) : std::nullopt;
    if (!repetition) {
      capped.push_back(pattern[i]);
      continue;
    }
    if (repetition->max && *repetition->max <= cap) {
      capped.append(pattern.substr(i, repetition->end - i + 1));
    } else {
      capped.push_back('{');
      capped.append(std::to_string(std::min(repetition->min, cap)));
      capped.append(",}");
    }
    i = repetition->end;
  }
  return capped;
}

}  // namespace guardpost::internal
