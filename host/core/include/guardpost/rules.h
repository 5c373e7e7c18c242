// The rule model: what a rule pack says, parsed and validated, before anything is compiled for
// matching. The format is documented in docs/rules.md; this header is its C++ mirror.
//
// Nothing here reads files. A front end reads a pack's bytes and hands them to ParsePack together
// with a name (usually the path) that error messages quote.

#ifndef GUARDPOST_RULES_H_
#define GUARDPOST_RULES_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace guardpost {

enum class Category { kSecret, kPii, kConfidential, kProfanity, kInsult, kDiscrimination, kTone };
enum class Severity { kInfo, kWarn, kBlock };  // ordered: a higher value is more serious

// Wire and rule-file spellings: "secret", "pii", ..., and "info", "warn", "block".
std::string_view CategoryName(Category category);
std::string_view SeverityName(Severity severity);
std::optional<Category> ParseCategory(std::string_view name);
std::optional<Severity> ParseSeverity(std::string_view name);
// Whether `s` is a date as rule files and CheckOptions::today write it: "YYYY-MM-DD", month 1-12,
// day 1-31.
bool IsDate(std::string_view s);
inline constexpr Category kAllCategories[] = {Category::kSecret,       Category::kPii,
                                              Category::kConfidential, Category::kProfanity,
                                              Category::kInsult,       Category::kDiscrimination,
                                              Category::kTone};

// Which view of the text a pattern runs on (see docs/rules.md, "Views").
//   kRaw:    the text as typed.
//   kFolded: case-folded, compatibility-normalized, accents and invisible characters removed,
//            look-alike letters from other scripts mapped to Latin in mixed-script words.
//   kWords:  kFolded plus leetspeak undone, with every run of non-alphanumeric characters
//            reduced to one space and spelled-out letters ("f u c k", "f.u.c.k") joined.
enum class View { kRaw, kFolded, kWords };

struct Validator {
  enum class Kind {
    kLuhn,     // the reported span's digits pass the Luhn check
    kIban,     // the span is an IBAN with the right length for its country and mod-97 == 1
    kEntropy,  // the span's Shannon entropy is at least min_bits per character
    kContext,  // one of `words` appears within `window` characters of the span (or must not)
  };
  Kind kind = Kind::kLuhn;
  double min_bits = 0;             // kEntropy
  std::vector<std::string> words;  // kContext, compared on the kWords view
  int window = 40;                 // kContext, in characters on each side
  bool require = true;             // kContext: true = must be near, false = must not be near
};

struct Term {
  std::string phrase;                      // as written in the pack; matched on the kWords view
  std::optional<Severity> severity;        // overrides the rule's severity for this term
  std::optional<std::string> suggestion;   // overrides the rule's suggestion for this term
  std::optional<std::string> replacement;  // overrides the rule's replacement for this term
  std::vector<std::string> unless_followed_by;  // added to the rule's, for this term only
  std::vector<std::string> unless_preceded_by;
};

// Terms stored as salted SHA-256 digests so that a pack can name what it protects without
// containing it. digest = SHA-256(salt + words_view(phrase)), lowercase hex.
struct HashedTerms {
  std::string salt;
  std::vector<std::string> sha256_hex;
  int max_words = 4;  // longest phrase, in words; bounds the n-grams that are hashed
};

enum class MeasureKind {
  kShouting,     // share of upper-case letters among letters, on texts with enough letters
  kPunctuation,  // runs of '!' or '?'
};

struct DateWindow {
  std::string from;   // "YYYY-MM-DD", inclusive; empty means unbounded
  std::string until;  // "YYYY-MM-DD", exclusive; empty means unbounded
};

struct Examples {
  std::vector<std::string> flag;  // posts the rule must flag
  std::vector<std::string> pass;  // posts the rule must not flag
};

enum class RuleKind { kPattern, kTerms, kMeasure };

struct Rule {
  std::string id;
  RuleKind kind = RuleKind::kPattern;
  Category category = Category::kTone;
  Severity severity = Severity::kWarn;
  std::string message;      // may contain {match}, replaced by the matched text
  std::string suggestion;   // optional advice shown to the employee; may contain {match}
  std::string replacement;  // optional text that can stand in place of the match, as written
  std::string policy_url;   // optional; defaults to the pack's
  std::optional<DateWindow> active;  // the rule applies only on these dates
  Examples examples;

  // kPattern
  std::string pattern;  // RE2 syntax
  int group = 0;        // capture group that is the reported span; 0 = the whole match
  View view = View::kRaw;
  bool case_sensitive = false;
  bool whole_word = false;            // Unicode-aware word boundaries around the span
  std::vector<std::string> keywords;  // at least one must occur (kFolded view) for the rule to run
  std::vector<Validator> validators;  // all must accept a span for it to be reported
  std::vector<std::string> allow;     // spans equal to one of these (case-insensitive) are ignored

  // kTerms
  std::vector<Term> terms;
  std::optional<HashedTerms> hashed;
  std::vector<std::string> unless_followed_by;  // phrases that cancel a term match right after it
  std::vector<std::string> unless_preceded_by;  // phrases that cancel a term match right before it

  // kMeasure
  MeasureKind measure = MeasureKind::kShouting;
  int min_letters = 20;    // kShouting
  double min_ratio = 0.7;  // kShouting
  int min_run = 3;         // kPunctuation
};

struct Pack {
  std::string name;     // "pack" field
  std::string version;  // "version" field, free form
  std::string description;
  std::string policy_url;  // default for the pack's rules
  std::string source;      // the name given to ParsePack, for messages
  std::vector<Rule> rules;
};

// One problem in a pack. ToString() gives the form every tool prints:
//   rules/starter.json:12:7: rule 'secret.aws-key': field 'severity': expected one of info, warn,
//   block; got "high"
// Parts that are unknown are left out (line 0 means no position; an empty rule id means the
// problem is at pack level).
struct LoadError {
  std::string source;
  int line = 0;
  int column = 0;
  std::string rule_id;
  std::string field;
  std::string message;
  // Not a problem but a summary of problems left out ("N more problems ..."): how many. A front
  // end that shortens the list again counts these, not the line.
  size_t problems_left_out = 0;
  std::string ToString() const;
};

// How ParsePack checks a pattern rule's regular expression.
enum class PatternCheck {
  // Compile it as the engine will. This also finds patterns that parse but are too large for
  // RE2's memory limit once compiled, which would otherwise never match. About 15 ms for the
  // default packs.
  kCompile,
  // Parse it only, a fraction of the cost: for packs that were linted before they were installed,
  // such as the built-in packs the host loads as it starts.
  kParse,
};

// Parses and validates one pack: JSON syntax, required fields and their types, enum values,
// regular expressions (see PatternCheck), capture groups, validators, dates, hex digests, and
// duplicate rule ids inside the pack. Every problem found is appended to *errors; the pack is
// usable only when ParsePack returns true. `source` names the pack in messages. Never throws.
bool ParsePack(std::string_view source, std::string_view json_text, Pack* pack,
               std::vector<LoadError>* errors, PatternCheck check = PatternCheck::kCompile);

}  // namespace guardpost

#endif  // GUARDPOST_RULES_H_
