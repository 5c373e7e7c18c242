#define BOOST_TEST_MODULE rules
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <re2/re2.h>

#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "guardpost/rules.h"
#include "pattern_syntax.h"

using namespace guardpost;
namespace gi = guardpost::internal;

namespace {

// Parses `json` as "test.json" and returns every error, one per line.
std::string ErrorsOf(const std::string& json) {
  Pack pack;
  std::vector<LoadError> errors;
  const bool ok = ParsePack("test.json", json, &pack, &errors);
  BOOST_TEST(ok == errors.empty());
  std::string text;
  for (const LoadError& error : errors) text += error.ToString() + "\n";
  return text;
}

constexpr char kGoodRule[] = R"({"id": "t.one", "kind": "terms", "category": "tone",
  "severity": "warn", "message": "m", "terms": ["x"], "examples": {"flag": ["x"], "pass": []}})";

}  // namespace

BOOST_AUTO_TEST_CASE(good_pack_loads_with_defaults) {
  Pack pack;
  std::vector<LoadError> errors;
  const std::string json =
      std::string(R"({"pack": "p", "policy_url": "https://p", "rules": [)") + kGoodRule + "]}";
  BOOST_TEST(ParsePack("p.json", json, &pack, &errors));
  BOOST_TEST(errors.empty());
  BOOST_TEST(pack.name == "p");
  BOOST_TEST(pack.source == "p.json");
  BOOST_REQUIRE(pack.rules.size() == 1u);
  BOOST_TEST(pack.rules[0].policy_url == "https://p");  // inherited from the pack
  BOOST_TEST(pack.rules[0].terms[0].phrase == "x");
}

BOOST_AUTO_TEST_CASE(syntax_error_gives_line_and_column) {
  BOOST_TEST(ErrorsOf("{\n  \"pack\": \"p\",\n  \"rules\": [,]\n}") ==
             "test.json:3:13: not valid JSON (syntax error while parsing value - unexpected ',';"
             " expected '[', '{', or a literal)\n");
}

// nlohmann parses deep nesting without recursion but prints and copies it recursively: a pack
// nested 200,000 levels deep used to crash whatever described its values.
BOOST_AUTO_TEST_CASE(deeply_nested_pack_is_refused) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  BOOST_TEST(ErrorsOf(R"({"pack": "p", "rules": [{"id": )" + deep + "}]}") ==
             "test.json: not valid JSON (nested more than 64 levels deep)\n");
  // 64 levels are fine as far as nesting goes (the rule is then wrong in other ways).
  const std::string ok = std::string(62, '[') + std::string(62, ']');
  BOOST_TEST(ErrorsOf(R"({"pack": "p", "rules": )" + ok + "}").find("nested") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_enum_names_rule_field_and_choices) {
  const std::string json = R"({"pack": "p", "rules": [
  {"id": "t.sev", "kind": "terms", "category": "tone", "severity": "high",
   "message": "m", "terms": ["x"], "examples": {"flag": [], "pass": []}}]})";
  BOOST_TEST(ErrorsOf(json) ==
             "test.json:2:56: rule 't.sev': field 'severity': expected one of info, warn, or block;"
             " got \"high\"\n");
}

BOOST_AUTO_TEST_CASE(bad_regex_and_group_are_reported) {
  const std::string json = R"({"pack": "p", "rules": [
  {"id": "t.re", "kind": "pattern", "category": "secret", "severity": "block", "message": "m",
   "pattern": "(unclosed", "examples": {"flag": [], "pass": []}},
  {"id": "t.group", "kind": "pattern", "category": "secret", "severity": "block", "message": "m",
   "pattern": "(a)b", "group": 2, "examples": {"flag": [], "pass": []}}]})";
  BOOST_TEST(ErrorsOf(json) ==
             "test.json:3:4: rule 't.re': field 'pattern': not a valid RE2 expression: missing ): "
             "(unclosed\n"
             "test.json:5:23: rule 't.group': field 'group': the pattern has 1 capture group(s); "
             "got group 2\n");
}

// A pattern can parse and still be too large for RE2 to compile: a thousand copies of a class of
// every letter in Unicode. Without compiling, the pack would load and the rule never match.
BOOST_AUTO_TEST_CASE(a_pattern_too_large_to_compile_is_reported) {
  const std::string json = R"({"pack": "p", "rules": [
  {"id": "t.huge", "kind": "pattern", "category": "secret", "severity": "block", "message": "m",
   "pattern": "\\pL{1000}", "examples": {"flag": [], "pass": []}}]})";
  BOOST_TEST(ErrorsOf(json) ==
             "test.json:3:4: rule 't.huge': field 'pattern': RE2 cannot compile it (pattern too "
             "large - compile failed): split it into several rules, or shorten its lists and "
             "repetitions\n");
  // Parsing alone, for packs that were checked before they were installed, does not see it.
  Pack pack;
  std::vector<LoadError> errors;
  BOOST_TEST(ParsePack("test.json", json, &pack, &errors, PatternCheck::kParse));
  BOOST_TEST(errors.empty());
}

BOOST_AUTO_TEST_CASE(missing_fields_unknown_fields_and_duplicates) {
  const std::string json = std::string(R"({"pack": "p", "rules": [)") + kGoodRule + "," +
                           kGoodRule +
                           R"(,
  {"id": "t.two", "kind": "measure", "category": "tone", "severty": "info", "message": "m",
   "measure": "shouting", "examples": {"flag": [], "pass": []}}]})";
  BOOST_TEST(ErrorsOf(json) ==
             "test.json:2:97: rule 't.one': field 'id': repeats the id of an earlier rule in this "
             "pack\n"
             "test.json:4:3: rule 't.two': field 'severity': required field is missing; expected "
             "one of info, warn, or block\n"
             "test.json:4:58: rule 't.two': field 'severty': unknown field for a measure rule\n");
}

BOOST_AUTO_TEST_CASE(field_types_dates_and_digests_are_checked) {
  const std::string json = R"({"pack": "p", "rules": [
  {"id": "t.h", "kind": "terms", "category": "confidential", "severity": "block", "message": 3,
   "active": {"from": "2025-13-01"},
   "hashed": {"salt": "s", "sha256": ["abc"]},
   "examples": {"flag": [], "pass": []}}]})";
  BOOST_TEST(ErrorsOf(json) ==
             "test.json:2:83: rule 't.h': field 'message': expected a string; got a number\n"
             "test.json:3:15: rule 't.h': field 'active.from': expected a date as YYYY-MM-DD; got "
             "\"2025-13-01\"\n"
             "test.json:4:39: rule 't.h': field 'hashed.sha256': item 0: expected 64 hexadecimal "
             "digits\n");
}

BOOST_AUTO_TEST_CASE(pack_level_problems) {
  BOOST_TEST(ErrorsOf("[]") ==
             "test.json:1:1: expected an object with \"pack\" and \"rules\"; got a list\n");
  BOOST_TEST(ErrorsOf(R"({"pack": "p", "rules": {}})") ==
             "test.json:1:15: field 'rules': expected a list of rules; got an object\n");
}

BOOST_AUTO_TEST_CASE(dates_are_yyyy_mm_dd_with_a_real_month_and_day) {
  BOOST_TEST(IsDate("2025-10-10"));
  BOOST_TEST(IsDate("2024-12-31"));
  BOOST_TEST(!IsDate("2025-19-45"));
  BOOST_TEST(!IsDate("2025-00-10"));
  BOOST_TEST(!IsDate("2025-1-10"));
  BOOST_TEST(!IsDate("2025/10/10"));
  BOOST_TEST(!IsDate(""));
}

BOOST_AUTO_TEST_CASE(a_pack_lists_its_first_50_problems_and_counts_the_rest) {
  std::string rules;
  for (int i = 0; i < 70; ++i) rules += std::string(i ? "," : "") + "{}";
  Pack pack;
  std::vector<LoadError> errors;
  BOOST_TEST(!ParsePack("big.json", R"({"pack": "p", "rules": [)" + rules + "]}", &pack, &errors));
  BOOST_REQUIRE_EQUAL(errors.size(), 51U);
  BOOST_TEST(errors[0].ToString() == "big.json:1:25: field 'id': required field is missing");
  // Each {} misses id, kind, category, severity, message and examples: 420 problems.
  BOOST_TEST(errors[50].ToString() == "big.json: 370 more problems in this pack, not listed");
}

// A problem quotes what the pack wrote; a rule id, a field name or a pattern megabytes long is
// cut, so that each listed problem stays short.
BOOST_AUTO_TEST_CASE(long_quotes_in_problems_are_cut) {
  const std::string id(5000, 'i'), field(5000, 'f'), pattern = "(" + std::string(100000, 'a');
  const std::string errors =
      ErrorsOf(R"({"pack": "p", "rules": [{"id": ")" + id +
               R"(", "kind": "pattern", "category": "secret", "severity": "block",
               "message": "m", "examples": {"flag": [], "pass": []}, ")" +
               field + R"(": 1, "pattern": ")" + pattern + R"("}]})");
  std::istringstream stream(errors);
  std::vector<std::string> lines;
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  BOOST_REQUIRE_EQUAL(lines.size(), 2U);  // the unknown field and the pattern
  const std::string rule = "rule '" + std::string(100, 'i') + "…': field '";
  BOOST_TEST(lines[0].find(rule + std::string(100, 'f') + "…': unknown field for a pattern rule") !=
             std::string::npos);
  BOOST_TEST(lines[1].find(rule + "pattern': not a valid RE2 expression: missing ): (aaa") !=
             std::string::npos);
  BOOST_TEST(lines[1].ends_with("a…"));
  for (const std::string& line : lines) BOOST_TEST(line.size() < 500U);
}

// Packs are validated with RE2's parser only (pattern_syntax.h), so the capture groups it counts
// must be the ones RE2 finds once the pattern is compiled.
BOOST_DATA_TEST_CASE(capture_groups_are_counted_as_re2_counts_them,
                     boost::unit_test::data::make({
                         R"(abc)",
                         R"((a)(b(c)))",
                         R"((?:a)(?i)b(?i:c)(d))",
                         R"((?P<name>a)|(b))",
                         R"(\(not a group\) (but this is))",
                         R"([(](x)[)])",
                         R"([]()](y))",
                         R"([^]()](y))",
                         R"([[:alpha:](](z))",
                         R"([\]()](w))",
                         R"(\Q(quoted)\E(real))",
                         R"(\Q(quoted to the end)",
                         R"(\\(escaped backslash, then a group))",
                         R"(\p{L}+(x)\pN)",
                         R"(a{2,3}(b)?)",
                     }),
                     pattern) {
  std::string error;
  BOOST_TEST_REQUIRE(gi::ParsesAsRe2(pattern, &error), error);
  const RE2 re(pattern);
  BOOST_TEST(gi::CountCaptureGroups(pattern) == re.NumberOfCapturingGroups(), pattern);
}

BOOST_AUTO_TEST_CASE(parse_errors_are_re2s_own) {
  std::string error;
  BOOST_TEST(!gi::ParsesAsRe2("(unclosed", &error));
  BOOST_TEST(error == RE2("(unclosed", RE2::Quiet).error());
  BOOST_TEST(!gi::ParsesAsRe2("a{2,1}", &error));
  BOOST_TEST(error == RE2("a{2,1}", RE2::Quiet).error());
}

// The engine's RE2::Sets hold patterns with long counted repetitions capped (engine.cc). Braces
// that are not an operator (escaped, quoted, in a class, an escape's argument) must stay.
BOOST_AUTO_TEST_CASE(long_repetitions_are_capped_and_nothing_else_changes) {
  const std::pair<std::string, std::string> cases[] = {
      {R"(a{2,3}b{16})", R"(a{2,3}b{16})"},
      {R"([A-Z]{40})", R"([A-Z]{16,})"},
      {R"(x{20,64}y)", R"(x{16,}y)"},
      {R"(x{4,64}y{3,})", R"(x{4,}y{3,})"},
      {R"((?:ab){1,40}?)", R"((?:ab){1,}?)"},
      {R"(\x{41}{20})", R"(\x{41}{16,})"},
      {R"(\p{Greek}{30}\pL{17})", R"(\p{Greek}{16,}\pL{16,})"},
      {R"([{]{20}[\]{]{20})", R"([{]{16,}[\]{]{16,})"},
      {R"([[:alpha:]{]{40})", R"([[:alpha:]{]{16,})"},
      {R"(\Q{20}\E{20})", R"(\Q{20}\E{16,})"},
      {R"(\{20}a{,40})", R"(\{20}a{,40})"},
      {R"(\Qx{20})", R"(\Qx{20})"},
      // RE2 reads no count with a leading zero or of ten digits: these braces are literal.
      {R"(x{020})", R"(x{020})"},
      {R"(x{2,040})", R"(x{2,040})"},
      {R"(x{1234567890})", R"(x{1234567890})"},
      {R"(x{0}y{0,40})", R"(x{0}y{0,})"},
  };
  for (const auto& [pattern, capped] : cases) {
    BOOST_TEST(gi::WithRepetitionsCapped(pattern, 16) == capped, pattern);
    std::string error;
    BOOST_TEST(gi::ParsesAsRe2(capped, &error), capped << ": " << error);
  }
}

// A capped pattern stands in for the rule's in a prefilter, so it must match every text the
// original matches. Texts over a small alphabet, and a cap of 2, reach the repetitions' edges.
BOOST_AUTO_TEST_CASE(capped_patterns_match_whatever_the_original_matches) {
  const std::vector<std::string> patterns = {
      R"(\ba{3,5}\b)",
      R"((?:^|[^a])(a{4})(?:$|[^a]))",
      R"(-[ab]{3,} )",
      R"((?:ab ?){2,4}b)",
      R"(b{3}?a)",
      R"(\b[ab]{2}-[ab]{3}\b)",
      R"((a|ba){3}[^a]{0,3}$)",
      R"((?:a[ _]?){3}b{2,4})",
  };
  std::mt19937 random(7);
  for (const std::string& pattern : patterns) {
    size_t matched = 0;
    const RE2 original(pattern);
    const RE2 capped(gi::WithRepetitionsCapped(pattern, 2));
    BOOST_TEST_REQUIRE(capped.ok(), capped.pattern());
    for (int i = 0; i < 20000; ++i) {
      std::string text(random() % 24, ' ');
      for (char& c : text) c = "aab -_"[random() % 6];
      if (!RE2::PartialMatch(text, original)) continue;
      ++matched;
      BOOST_TEST(RE2::PartialMatch(text, capped), pattern << " on '" << text << "'");
    }
    BOOST_TEST(matched >= 100U, pattern << " matched " << matched << " texts");  // reached often
  }
}
