// Checking and rewriting RE2 patterns without compiling them.
//
// Loading rules must report every bad pattern, but compiling RE2 programs is most of the cost of
// starting the host. So the built-in packs are validated with RE2's parser alone as the host
// starts (PatternCheck::kParse; other packs are compiled as they load), and the engine compiles a
// pattern only when it first needs it (engine.cc). Internal to the core library.

#ifndef GUARDPOST_CORE_PATTERN_SYNTAX_H_
#define GUARDPOST_CORE_PATTERN_SYNTAX_H_

#include <re2/re2.h>

#include <string>
#include <string_view>

namespace guardpost::internal {

// Parses `pattern` with RE2's parser (no program is built). Returns true when it is valid RE2
// syntax; otherwise false, with RE2's own description in *error (the same text RE2::error()
// gives, such as "missing ): (abc").
bool ParsesAsRe2(std::string_view pattern, std::string* error);

// The options the engine compiles a rule's pattern with (RE2's default memory limit).
RE2::Options RuleOptions(bool case_sensitive);

// The number of capturing groups in `pattern`, as RE2::NumberOfCapturingGroups() counts them.
// Precondition: ParsesAsRe2(pattern) is true.
int CountCaptureGroups(std::string_view pattern);

// `pattern` with every counted repetition whose upper bound is above `cap` ({n}, {n,m} or {n,})
// replaced by {min(n, cap),}. The result matches somewhere in every text that `pattern` matches
// somewhere in, so it can stand in for it in a prefilter; and RE2 needs far fewer DFA states for
// it, since a state no longer records how far into a run of up to 64 characters the text is, for
// every such run that might be under way. Precondition: ParsesAsRe2(pattern) is true; the result
// then parses too.
std::string WithRepetitionsCapped(std::string_view pattern, int cap);

}  // namespace guardpost::internal

#endif  // GUARDPOST_CORE_PATTERN_SYNTAX_H_
