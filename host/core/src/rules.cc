// Parsing and validating rule packs (docs/rules.md).
//
// The parser reports every problem it finds rather than stopping at the first, so that
// `guardpost rules lint` shows a rule author all of them at once. Each problem names the source,
// the JSON position, the rule and the field.

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "guardpost/engine.h"
#include "guardpost/json_depth.h"
#include "guardpost/rules.h"
#include "json_position.h"
#include "normalize.h"
#include "pattern_syntax.h"

namespace guardpost {

using Json = nlohmann::json;
using internal::PathStep;

namespace {

constexpr std::string_view kCategoryNames[] = {
    "secret", "pii", "confidential", "profanity", "insult", "discrimination", "tone"};
constexpr std::string_view kSeverityNames[] = {"info", "warn", "block"};
constexpr std::string_view kViewNames[] = {"raw", "folded", "words"};
constexpr std::string_view kKindNames[] = {"pattern", "terms", "measure"};
constexpr std::string_view kMeasureNames[] = {"shouting", "punctuation"};
constexpr std::string_view kValidatorNames[] = {"luhn", "iban", "entropy", "context"};

template <size_t N>
std::string OneOf(const std::string_view (&names)[N]) {
  std::string list;
  for (size_t i = 0; i < N; ++i) {
    if (i > 0) list += i + 1 == N ? (N > 2 ? ", or " : " or ") : ", ";
    list += names[i];
  }
  return list;
}

template <size_t N>
int IndexOf(const std::string_view (&names)[N], std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string Describe(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

std::string_view TypeName(const Json& value) {
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_number()) return "a number";
  if (value.is_array()) return "a list";
  if (value.is_object()) return "an object";
  return "null";
}

// Walks one pack, collecting problems. `path_` is the JSON path of the value being read, so that
// every error can be placed in the file.
class PackReader {
 public:
  PackReader(std::string_view source, std::string_view json, PatternCheck check,
             std::vector<LoadError>* errors)
      : source_(source), json_(json), check_(check), errors_(errors) {}

  // A pack with thousands of broken rules lists its first kMaxListedProblems problems and counts
  // the rest: each listed problem costs a scan of the pack for its position, and the list goes
  // into replies that must stay under 1 MiB.
  static constexpr size_t kMaxListedProblems = 50;

  bool Read(Pack* pack) {
    const bool ok = ReadPack(pack);
    if (problems_ > kMaxListedProblems) {
      const size_t left_out = problems_ - kMaxListedProblems;
      errors_->push_back({std::string(source_), 0, 0, "", "",
                          std::to_string(left_out) + " more problems in this pack, not listed",
                          left_out});
    }
    return ok;
  }

 private:
  bool ReadPack(Pack* pack) {
    Json doc;
    try {
      doc = ParseJsonWithDepthLimit(json_);
    } catch (const JsonTooDeep& e) {
      Add({std::string(source_), 0, 0, "", "", std::string("not valid JSON (") + e.what() + ")"});
      return false;
    } catch (const Json::parse_error& e) {
      // e.what() quotes the input; rule files are not secret, but a position is all we need.
      const auto position = internal::PositionOfOffset(json_, e.byte > 0 ? e.byte - 1 : 0);
      Add({std::string(source_), position.line, position.column, "", "",
           "not valid JSON (" + SyntaxProblem(e) + ")"});
      return false;
    }
    const size_t problems_before = problems_;
    if (!doc.is_object()) {
      Error({}, "", "",
            "expected an object with \"pack\" and \"rules\"; got " + std::string(TypeName(doc)));
      return false;
    }
    pack->source = std::string(source_);
    CheckKnownFields(doc, {}, "", {"pack", "version", "description", "policy_url", "rules"});
    String(doc, {}, "", "pack", /*required=*/true, &pack->name);
    String(doc, {}, "", "version", false, &pack->version);
    String(doc, {}, "", "description", false, &pack->description);
    String(doc, {}, "", "policy_url", false, &pack->policy_url);
    const auto rules = doc.find("rules");
    if (rules == doc.end()) {
      Error({}, "", "rules", "required field is missing");
    } else if (!rules->is_array()) {
      Error({"rules"}, "", "rules",
            "expected a list of rules; got " + std::string(TypeName(*rules)));
    } else {
      std::set<std::string> ids;
      for (size_t i = 0; i < rules->size(); ++i) {
        Rule rule;
        if (ReadRule((*rules)[i], i, &rule)) {
          if (!ids.insert(rule.id).second) {
            Error({"rules", i, "id"}, rule.id, "id",
                  "repeats the id of an earlier rule in this pack");
          }
          if (rule.policy_url.empty()) rule.policy_url = pack->policy_url;
          pack->rules.push_back(std::move(rule));
        }
      }
    }
    return problems_ == problems_before;
  }

  static std::string SyntaxProblem(const Json::parse_error& e) {
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line 3, column 5:
    // syntax error while parsing object key - invalid literal; last read: '...'". Keep the part
    // that says what was wrong and drop the rest.
    std::string what = e.what();
    const size_t start = what.find("syntax error");
    if (start == std::string::npos) return "syntax error";
    what = what.substr(start);
    const size_t last_read = what.find("; last read");
    if (last_read != std::string::npos) what.erase(last_read);
    return what;
  }

  // A problem quotes what the pack wrote (a rule id, a field name, a pattern in RE2's message),
  // which may be megabytes long; each part is cut, so that a listed problem stays short.
  void Add(LoadError error) {
    if (++problems_ > kMaxListedProblems) return;
    for (auto [part, max_bytes] :
         {std::pair{&error.rule_id, size_t{100}}, std::pair{&error.field, size_t{100}},
          std::pair{&error.message, size_t{300}}}) {
      if (part->size() > max_bytes) *part = std::string(Utf8Prefix(*part, max_bytes)) + "…";
    }
    errors_->push_back(std::move(error));
  }

  void Error(std::vector<PathStep> path, const std::string& rule_id, const std::string& field,
             std::string message) {
    if (problems_ >= kMaxListedProblems) {  // not listed: spare the position's scan of the pack
      ++problems_;
      return;
    }
    const auto position = internal::FindJsonPosition(json_, path);
    Add({std::string(source_), position.line, position.column, rule_id, field, std::move(message)});
  }

  static std::vector<PathStep> Append(std::vector<PathStep> path, PathStep step) {
    path.push_back(std::move(step));
    return path;
  }

  void CheckKnownFields(const Json& object, const std::vector<PathStep>& path,
                        const std::string& rule_id, std::initializer_list<std::string_view> known) {
    for (const auto& [key, value] : object.items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        Error(Append(path, key), rule_id, key, "unknown field");
      }
    }
  }

  // Each reader below leaves *out unchanged when the field is absent and not required.
  bool String(const Json& object, const std::vector<PathStep>& path, const std::string& rule_id,
              const std::string& field, bool required, std::string* out) {
    const auto it = object.find(field);
    if (it == object.end()) {
      if (required) Error(path, rule_id, field, "required field is missing");
      return false;
    }
    if (!it->is_string()) {
      Error(Append(path, field), rule_id, field,
            "expected a string; got " + std::string(TypeName(*it)));
      return false;
    }
    *out = it->get<std::string>();
    if (required && out->empty()) {
      Error(Append(path, field), rule_id, field, "must not be empty");
      return false;
    }
    return true;
  }

  void Bool(const Json& object, const std::vector<PathStep>& path, const std::string& rule_id,
            const std::string& field, bool* out) {
    const auto it = object.find(field);
    if (it == object.end()) return;
    if (!it->is_boolean()) {
      Error(Append(path, field), rule_id, field, "expected true or false; got " + Describe(*it));
      return;
    }
    *out = it->get<bool>();
  }

  void Int(const Json& object, const std::vector<PathStep>& path, const std::string& rule_id,
           const std::string& field, int min, int max, int* out) {
    const auto it = object.find(field);
    if (it == object.end()) return;
    if (!it->is_number_integer() || it->get<long long>() < min || it->get<long long>() > max) {
      Error(Append(path, field), rule_id, field,
            "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                "; got " + Describe(*it));
      return;
    }
    *out = it->get<int>();
  }

  void Number(const Json& object, const std::vector<PathStep>& path, const std::string& rule_id,
              const std::string& field, double min, double max, double* out) {
    const auto it = object.find(field);
    if (it == object.end()) return;
    if (!it->is_number() || it->get<double>() < min || it->get<double>() > max) {
      Error(Append(path, field), rule_id, field,
            "expected a number from " + Json(min).dump() + " to " + Json(max).dump() + "; got " +
                Describe(*it));
      return;
    }
    *out = it->get<double>();
  }

  void Strings(const Json& object, const std::vector<PathStep>& path, const std::string& rule_id,
               const std::string& field, std::vector<std::string>* out) {
    const auto it = object.find(field);
    if (it == object.end()) return;
    if (!it->is_array()) {
      Error(Append(path, field), rule_id, field,
            "expected a list of strings; got " + std::string(TypeName(*it)));
      return;
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const Json& item = (*it)[i];
      if (!item.is_string()) {
        Error(Append(Append(path, field), i), rule_id, field,
              "item " + std::to_string(i) + ": expected a string; got " +
                  std::string(TypeName(item)));
        continue;
      }
      out->push_back(item.get<std::string>());
    }
  }

  template <size_t N>
  int Enum(const Json& object, const std::vector<PathStep>& path, const std::string& rule_id,
           const std::string& field, bool required, const std::string_view (&names)[N]) {
    const auto it = object.find(field);
    if (it == object.end()) {
      if (required)
        Error(path, rule_id, field, "required field is missing; expected one of " + OneOf(names));
      return -1;
    }
    const int index = it->is_string() ? IndexOf(names, it->get<std::string>()) : -1;
    if (index < 0) {
      Error(Append(path, field), rule_id, field,
            "expected one of " + OneOf(names) + "; got " + Describe(*it));
    }
    return index;
  }

  bool ReadRule(const Json& object, size_t index, Rule* rule) {
    const std::vector<PathStep> path = {"rules", index};
    const size_t problems_before = problems_;
    if (!object.is_object()) {
      Error(path, "", "",
            "rule " + std::to_string(index) + ": expected an object; got " +
                std::string(TypeName(object)));
      return false;
    }
    if (!String(object, path, "", "id", true, &rule->id)) {
      rule->id = "#" + std::to_string(index);  // so later messages still say which rule
    }
    const std::string& id = rule->id;

    const int kind = Enum(object, path, id, "kind", true, kKindNames);
    if (kind >= 0) rule->kind = static_cast<RuleKind>(kind);
    const int category = Enum(object, path, id, "category", true, kCategoryNames);
    if (category >= 0) rule->category = static_cast<Category>(category);
    const int severity = Enum(object, path, id, "severity", true, kSeverityNames);
    if (severity >= 0) rule->severity = static_cast<Severity>(severity);
    String(object, path, id, "message", true, &rule->message);
    String(object, path, id, "suggestion", false, &rule->suggestion);
    String(object, path, id, "replacement", false, &rule->replacement);
    String(object, path, id, "policy_url", false, &rule->policy_url);
    ReadActive(object, path, id, rule);
    ReadExamples(object, path, id, rule);

    auto known = [&](std::initializer_list<std::string_view> own) {
      std::vector<std::string_view> all = {"id",      "kind",       "category",    "severity",
                                           "message", "suggestion", "replacement", "policy_url",
                                           "active",  "examples"};
      all.insert(all.end(), own);
      for (const auto& [key, value] : object.items()) {
        if (std::find(all.begin(), all.end(), key) == all.end()) {
          Error(Append(path, key), id, key,
                "unknown field for a " + std::string(kKindNames[kind]) + " rule");
        }
      }
    };
    switch (kind) {
      case 0:
        known({"pattern", "group", "view", "case_sensitive", "whole_word", "keywords", "validators",
               "allow"});
        ReadPattern(object, path, rule);
        break;
      case 1:
        known({"terms", "hashed", "unless_followed_by", "unless_preceded_by"});
        ReadTerms(object, path, rule);
        break;
      case 2:
        known({"measure", "min_letters", "min_ratio", "min_run"});
        ReadMeasure(object, path, rule);
        break;
      default:
        break;  // the kind error was reported above
    }
    return problems_ == problems_before;
  }

  void ReadActive(const Json& object, const std::vector<PathStep>& path, const std::string& id,
                  Rule* rule) {
    const auto it = object.find("active");
    if (it == object.end()) return;
    const auto at = Append(path, "active");
    if (!it->is_object()) {
      Error(at, id, "active", "expected an object with \"from\" and/or \"until\" dates");
      return;
    }
    CheckKnownFields(*it, at, id, {"from", "until"});
    DateWindow window;
    for (auto [field, out] : {std::pair{"from", &window.from}, std::pair{"until", &window.until}}) {
      if (String(*it, at, id, field, false, out) && !IsDate(*out)) {
        Error(Append(at, field), id, std::string("active.") + field,
              "expected a date as YYYY-MM-DD; got \"" + *out + "\"");
      }
    }
    if (!window.from.empty() && !window.until.empty() && window.until <= window.from) {
      Error(at, id, "active", "\"until\" must come after \"from\"");
    }
    rule->active = window;
  }

  void ReadExamples(const Json& object, const std::vector<PathStep>& path, const std::string& id,
                    Rule* rule) {
    const auto it = object.find("examples");
    if (it == object.end()) {
      Error(path, id, "examples",
            "required field is missing; give posts the rule must flag and must pass: "
            "{\"flag\": [...], \"pass\": [...]}");
      return;
    }
    const auto at = Append(path, "examples");
    if (!it->is_object()) {
      Error(at, id, "examples", "expected an object {\"flag\": [...], \"pass\": [...]}");
      return;
    }
    CheckKnownFields(*it, at, id, {"flag", "pass"});
    Strings(*it, at, id, "flag", &rule->examples.flag);
    Strings(*it, at, id, "pass", &rule->examples.pass);
  }

  void ReadPattern(const Json& object, const std::vector<PathStep>& path, Rule* rule) {
    const std::string& id = rule->id;
    const int view = Enum(object, path, id, "view", false, kViewNames);
    if (view >= 0) rule->view = static_cast<View>(view);
    Bool(object, path, id, "case_sensitive", &rule->case_sensitive);
    Bool(object, path, id, "whole_word", &rule->whole_word);
    Int(object, path, id, "group", 0, 99, &rule->group);
    Strings(object, path, id, "keywords", &rule->keywords);
    Strings(object, path, id, "allow", &rule->allow);
    if (String(object, path, id, "pattern", true, &rule->pattern)) {
      std::string error;
      int groups = 0;
      if (check_ == PatternCheck::kCompile) {
        // One compile answers all: whether the pattern parses, whether its program fits RE2's
        // memory limit, and how many groups it has.
        const RE2 re(rule->pattern, internal::RuleOptions(rule->case_sensitive));
        if (re.error_code() == RE2::ErrorPatternTooLarge) {
          error = "RE2 cannot compile it (" + re.error() +
                  "): split it into several rules, or shorten its lists and repetitions";
        } else if (!re.ok()) {
          error = "not a valid RE2 expression: " + re.error();
        }
        groups = re.NumberOfCapturingGroups();
      } else if (internal::ParsesAsRe2(rule->pattern, &error)) {
        groups = internal::CountCaptureGroups(rule->pattern);
      } else {
        error = "not a valid RE2 expression: " + error;
      }
      if (!error.empty()) {
        Error(Append(path, "pattern"), id, "pattern", error);
      } else if (rule->group > groups) {
        Error(Append(path, "group"), id, "group",
              "the pattern has " + std::to_string(groups) + " capture group(s); got group " +
                  std::to_string(rule->group));
      }
    }
    const auto validators = object.find("validators");
    if (validators == object.end()) return;
    const auto at = Append(path, "validators");
    if (!validators->is_array()) {
      Error(at, id, "validators", "expected a list of validators");
      return;
    }
    for (size_t i = 0; i < validators->size(); ++i) {
      const Json& v = (*validators)[i];
      const auto vat = Append(at, i);
      if (!v.is_object()) {
        Error(vat, id, "validators", "expected an object such as {\"type\": \"luhn\"}");
        continue;
      }
      Validator validator;
      const int type = Enum(v, vat, id, "type", true, kValidatorNames);
      if (type < 0) continue;
      validator.kind = static_cast<Validator::Kind>(type);
      switch (validator.kind) {
        case Validator::Kind::kLuhn:
        case Validator::Kind::kIban:
          CheckKnownFields(v, vat, id, {"type"});
          break;
        case Validator::Kind::kEntropy:
          CheckKnownFields(v, vat, id, {"type", "min_bits"});
          if (!v.contains("min_bits")) Error(vat, id, "min_bits", "required field is missing");
          Number(v, vat, id, "min_bits", 0.0, 8.0, &validator.min_bits);
          break;
        case Validator::Kind::kContext:
          CheckKnownFields(v, vat, id, {"type", "words", "window", "require"});
          Strings(v, vat, id, "words", &validator.words);
          if (validator.words.empty()) Error(vat, id, "words", "give at least one context word");
          Int(v, vat, id, "window", 1, 10000, &validator.window);
          Bool(v, vat, id, "require", &validator.require);
          break;
      }
      rule->validators.push_back(std::move(validator));
    }
  }

  void ReadTerms(const Json& object, const std::vector<PathStep>& path, Rule* rule) {
    const std::string& id = rule->id;
    Strings(object, path, id, "unless_followed_by", &rule->unless_followed_by);
    Strings(object, path, id, "unless_preceded_by", &rule->unless_preceded_by);
    const auto terms = object.find("terms");
    if (terms != object.end()) {
      const auto at = Append(path, "terms");
      if (!terms->is_array()) {
        Error(at, id, "terms", "expected a list of terms");
      } else {
        for (size_t i = 0; i < terms->size(); ++i) ReadTerm((*terms)[i], Append(at, i), rule);
      }
    }
    const auto hashed = object.find("hashed");
    if (hashed != object.end()) {
      const auto at = Append(path, "hashed");
      if (!hashed->is_object()) {
        Error(at, id, "hashed", "expected an object {\"salt\", \"sha256\": [...]}");
      } else {
        CheckKnownFields(*hashed, at, id, {"salt", "sha256", "max_words"});
        HashedTerms h;
        String(*hashed, at, id, "salt", true, &h.salt);
        Int(*hashed, at, id, "max_words", 1, 16, &h.max_words);
        Strings(*hashed, at, id, "sha256", &h.sha256_hex);
        for (size_t i = 0; i < h.sha256_hex.size(); ++i) {
          std::string& hex = h.sha256_hex[i];
          std::transform(hex.begin(), hex.end(), hex.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
          if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
            Error(Append(Append(at, "sha256"), i), id, "hashed.sha256",
                  "item " + std::to_string(i) + ": expected 64 hexadecimal digits");
          }
        }
        rule->hashed = std::move(h);
      }
    }
    if (rule->terms.empty() && (!rule->hashed || rule->hashed->sha256_hex.empty())) {
      Error(path, id, "terms",
            "a terms rule needs \"terms\" or \"hashed\" with at least one entry");
    }
  }

  void ReadTerm(const Json& item, const std::vector<PathStep>& at, Rule* rule) {
    const std::string& id = rule->id;
    Term term;
    if (item.is_string()) {
      term.phrase = item.get<std::string>();
    } else if (item.is_object()) {
      CheckKnownFields(item, at, id,
                       {"term", "severity", "suggestion", "replacement", "unless_followed_by",
                        "unless_preceded_by"});
      Strings(item, at, id, "unless_followed_by", &term.unless_followed_by);
      Strings(item, at, id, "unless_preceded_by", &term.unless_preceded_by);
      String(item, at, id, "term", true, &term.phrase);
      const int severity = Enum(item, at, id, "severity", false, kSeverityNames);
      if (severity >= 0) term.severity = static_cast<Severity>(severity);
      std::string suggestion;
      if (String(item, at, id, "suggestion", false, &suggestion)) term.suggestion = suggestion;
      std::string replacement;
      if (String(item, at, id, "replacement", false, &replacement)) term.replacement = replacement;
    } else {
      Error(at, id, "terms", "expected a string or {\"term\": ...}; got " + Describe(item));
      return;
    }
    if (!term.phrase.empty() && internal::WordsForm(term.phrase).empty()) {
      Error(at, id, "terms", "\"" + term.phrase + "\" has no letters or digits to match");
      return;
    }
    if (!term.phrase.empty()) rule->terms.push_back(std::move(term));
  }

  void ReadMeasure(const Json& object, const std::vector<PathStep>& path, Rule* rule) {
    const std::string& id = rule->id;
    const int measure = Enum(object, path, id, "measure", true, kMeasureNames);
    if (measure >= 0) rule->measure = static_cast<MeasureKind>(measure);
    Int(object, path, id, "min_letters", 1, 1000000, &rule->min_letters);
    Number(object, path, id, "min_ratio", 0.01, 1.0, &rule->min_ratio);
    Int(object, path, id, "min_run", 2, 1000, &rule->min_run);
  }

  std::string_view source_;
  std::string_view json_;
  PatternCheck check_;
  std::vector<LoadError>* errors_;
  size_t problems_ = 0;  // found so far, listed in *errors_ or not
};

}  // namespace

std::string_view CategoryName(Category category) {
  return kCategoryNames[static_cast<int>(category)];
}

std::string_view SeverityName(Severity severity) {
  return kSeverityNames[static_cast<int>(severity)];
}

std::optional<Category> ParseCategory(std::string_view name) {
  const int index = IndexOf(kCategoryNames, name);
  if (index < 0) return std::nullopt;
  return static_cast<Category>(index);
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  const int index = IndexOf(kSeverityNames, name);
  if (index < 0) return std::nullopt;
  return static_cast<Severity>(index);
}

bool IsDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  const int day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

std::string LoadError::ToString() const {
  std::string text = source;
  if (line > 0) text += ":" + std::to_string(line) + ":" + std::to_string(column);
  text += ": ";
  if (!rule_id.empty()) text += "rule '" + rule_id + "': ";
  if (!field.empty()) text += "field '" + field + "': ";
  return text + message;
}

bool ParsePack(std::string_view source, std::string_view json_text, Pack* pack,
               std::vector<LoadError>* errors, PatternCheck check) {
  *pack = Pack{};
  return PackReader(source, json_text, check, errors).Read(pack);
}

}  // namespace guardpost
