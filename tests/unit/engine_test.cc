#define BOOST_TEST_MODULE engine
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <re2/re2.h>

#include <nlohmann/json.hpp>
#include <random>

#include "guardpost/engine.h"
#include "hash.h"

using namespace guardpost;
namespace bdata = boost::unit_test::data;

namespace {

// A pack of the given rules (JSON objects without "examples", which are added empty).
Pack MakePack(const std::string& name, const std::vector<std::string>& rules) {
  std::string json = R"({"pack": ")" + name + R"(", "rules": [)";
  for (size_t i = 0; i < rules.size(); ++i) {
    if (i > 0) json += ",";
    json.append(rules[i], 0, rules[i].rfind('}'));
    json += R"(, "examples": {"flag": [], "pass": []}})";
  }
  json += "]}";
  Pack pack;
  std::vector<LoadError> errors;
  const bool ok = ParsePack(name, json, &pack, &errors);
  for (const auto& e : errors) BOOST_TEST_MESSAGE(e.ToString());
  BOOST_REQUIRE(ok);
  return pack;
}

Engine MakeEngine(const std::vector<std::string>& rules) {
  return Engine({MakePack("test", rules)});
}

// "rule@start-end" for each finding, so that a test states the whole answer at once.
std::string Spans(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    out += (out.empty() ? "" : " ") + f.rule + "@" + std::to_string(f.start) + "-" +
           std::to_string(f.end);
  }
  return out;
}

const std::string kSwear = R"({"id": "swear", "kind": "terms", "category": "profanity",
  "severity": "warn", "message": "\"{match}\" is strong", "terms": ["shit", "holy shit"]})";

}  // namespace

// The same word after text whose UTF-16 length differs from its UTF-8 and code point lengths.
// Expected offsets are what JavaScript's String.prototype.indexOf returns.
BOOST_DATA_TEST_CASE(term_offsets_are_utf16_after_any_script,
                     bdata::make({"shit", "😀 shit", "👍🏽👩‍💻 shit",
                                  "e\u0301te\u0301 shit", "漢字かな shit", "שלום עולם shit",
                                  "مرحبا shit", "𝕏 shit"}) ^
                         bdata::make({0, 3, 10, 6, 5, 10, 6, 3}),
                     text, start) {
  const Engine engine = MakeEngine({kSwear});
  const auto findings = engine.Check(text);
  BOOST_REQUIRE(findings.size() == 1u);
  BOOST_TEST(findings[0].start == static_cast<size_t>(start));
  BOOST_TEST(findings[0].end == static_cast<size_t>(start) + 4);
}

BOOST_AUTO_TEST_CASE(terms_resist_obfuscation_and_respect_words) {
  const Engine engine = MakeEngine({kSwear});
  BOOST_TEST(Spans(engine.Check("Sh1t.")) == "swear@0-4");
  BOOST_TEST(Spans(engine.Check("s h i t")) == "swear@0-7");
  BOOST_TEST(Spans(engine.Check("s.h.i.t!")) == "swear@0-7");
  BOOST_TEST(Spans(engine.Check("ＳＨＩＴ")) == "swear@0-4");
  BOOST_TEST(Spans(engine.Check("\u0455hit")) == "swear@0-4");      // Cyrillic dze
  BOOST_TEST(Spans(engine.Check("sh\u200bit")) == "swear@0-5");     // zero-width space
  BOOST_TEST(Spans(engine.Check("shit\u0301 ok")) == "swear@0-5");  // trailing combining mark
  BOOST_TEST(Spans(engine.Check("shitake mushrooms")) == "");
  BOOST_TEST(Spans(engine.Check("Scunthorpe")) == "");
  // The longer phrase wins over the word inside it (same category overlap).
  BOOST_TEST(Spans(engine.Check("Holy  shit!")) == "swear@0-10");
}

BOOST_AUTO_TEST_CASE(term_severity_suggestion_and_message_quote) {
  const Engine engine = MakeEngine({R"({"id": "t", "kind": "terms", "category": "discrimination",
    "severity": "warn", "message": "\"{match}\" hurts", "suggestion": "rephrase",
    "terms": ["lame", {"term": "crazy", "severity": "info", "suggestion": "wild",
                       "replacement": "wild"}]})"});
  const auto findings = engine.Check("CRAZY and Lame");
  BOOST_REQUIRE(findings.size() == 2u);
  BOOST_TEST(findings[0].message == "\"CRAZY\" hurts");
  BOOST_TEST((findings[0].severity == Severity::kInfo));
  BOOST_TEST(findings[0].suggestion == "wild");
  BOOST_TEST(findings[0].replacement == "wild");
  BOOST_TEST(findings[1].replacement == "");  // advice only: nothing to apply
  BOOST_TEST((findings[1].severity == Severity::kWarn));
  BOOST_TEST(findings[1].suggestion == "rephrase");
}

BOOST_AUTO_TEST_CASE(unless_followed_or_preceded_cancels_a_term) {
  const Engine engine = MakeEngine({R"({"id": "c", "kind": "terms", "category": "confidential",
    "severity": "warn", "message": "m", "terms": ["confidential"],
    "unless_followed_by": ["computing"], "unless_preceded_by": ["not"]})"});
  BOOST_TEST(Spans(engine.Check("Confidential: do not share")) == "c@0-12");
  BOOST_TEST(Spans(engine.Check("Confidential Computing is neat")) == "");
  BOOST_TEST(Spans(engine.Check("this is not confidential")) == "");
}

BOOST_AUTO_TEST_CASE(a_term_can_have_its_own_cancelling_phrases) {
  const Engine engine = MakeEngine({R"({"id": "p", "kind": "terms", "category": "profanity",
    "severity": "warn", "message": "m", "unless_preceded_by": ["not"],
    "terms": ["fuck", {"term": "prick", "unless_preceded_by": ["the"]}]})"});
  BOOST_TEST(Spans(engine.Check("what the fuck")) == "p@9-13");
  BOOST_TEST(Spans(engine.Check("feel the prick of a needle")) == "");
  BOOST_TEST(Spans(engine.Check("not prick")) == "");  // the rule's list applies to every term
  BOOST_TEST(Spans(engine.Check("what a prick")) == "p@7-12");
}

BOOST_AUTO_TEST_CASE(hashed_terms_match_without_the_phrase_in_the_pack) {
  const HashedTerm hashed = HashTerm("salt", "Orca-7");
  BOOST_TEST(hashed.words == 2);
  const Engine engine = MakeEngine({R"({"id": "h", "kind": "terms", "category": "confidential",
    "severity": "block", "message": "code name", "hashed": {"salt": "salt", "max_words": 2,
    "sha256": [")" + hashed.sha256_hex +
                                    R"("]}})"});
  BOOST_TEST(Spans(engine.Check("Orca-7 ships soon")) == "h@0-6");
  BOOST_TEST(Spans(engine.Check("we saw orca 7 times")) == "h@7-13");
  BOOST_TEST(Spans(engine.Check("the orca swam")) == "");
}

// Find hashes a text's slices in batches of 128: a code name in the first, a middle and the last
// batch of a long text is found in each.
BOOST_AUTO_TEST_CASE(hashed_terms_are_found_in_every_batch_of_a_long_text) {
  const HashedTerm hashed = HashTerm("salt", "Orca-7");
  const Engine engine = MakeEngine({R"({"id": "h", "kind": "terms", "category": "confidential",
    "severity": "block", "message": "code name", "hashed": {"salt": "salt", "max_words": 3,
    "sha256": [")" + hashed.sha256_hex +
                                    R"("]}})"});
  std::string waves;
  for (int i = 0; i < 100; ++i) waves.append(" wave");
  const std::string text = "orca 7" + waves + " orca 7" + waves + " orca 7";
  BOOST_TEST(Spans(engine.Check(text)) == "h@0-6 h@507-513 h@1014-1020");
}

// OfEach pads short messages itself and compresses them with SHA256_Transform; Of goes through
// SHA256_Update and SHA256_Final. They must agree for every length around the one-block and
// two-block limits, and for salts too long for the padded path.
BOOST_AUTO_TEST_CASE(salted_sha256_of_each_agrees_with_of) {
  std::mt19937 rng(11);
  std::string bytes(200, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  for (const size_t salt_size : {0, 1, 15, 54, 55, 56, 63, 64, 100}) {
    const internal::SaltedSha256 hasher(std::string_view(bytes).substr(0, salt_size));
    std::vector<std::string_view> messages;
    for (size_t size = 0; size <= 140; ++size)
      messages.push_back(std::string_view(bytes).substr(7, size));
    std::vector<internal::Digest> digests;
    hasher.OfEach(messages, &digests);
    BOOST_REQUIRE(digests.size() == messages.size());
    for (size_t i = 0; i < messages.size(); ++i) {
      BOOST_TEST(internal::HexOf(digests[i]) == internal::HexOf(hasher.Of(messages[i])),
                 "salt of " << salt_size << " bytes, message of " << messages[i].size());
    }
  }
  // FIPS 180-2's first example, SHA-256("abc"), split between salt and message.
  std::vector<internal::Digest> abc;
  internal::SaltedSha256("a").OfEach(std::vector<std::string_view>{"bc"}, &abc);
  BOOST_TEST(internal::HexOf(abc.at(0)) ==
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(pattern_group_allowlist_and_validators) {
  const Engine engine = MakeEngine({
      R"({"id": "key", "kind": "pattern", "category": "secret", "severity": "block",
        "message": "key", "pattern": "key=(\\w+)\\b", "group": 1, "case_sensitive": true,
        "allow": ["xxxxxxxx"], "validators": [{"type": "entropy", "min_bits": 2.5}]})",
      R"({"id": "card", "kind": "pattern", "category": "pii", "severity": "block",
        "message": "card", "pattern": "\\d[\\d ]{11,22}\\d", "validators": [{"type": "luhn"}]})",
      R"({"id": "pw", "kind": "pattern", "category": "secret", "severity": "block",
        "message": "pw", "pattern": "\\b\\w{6,}\\b", "view": "words", "case_sensitive": true,
        "validators": [{"type": "context", "words": ["password"], "window": 12},
                       {"type": "context", "words": ["example"], "require": false}]})"});
  BOOST_TEST(Spans(engine.Check("key=Zq8xT2mLp0")) == "key@4-14");
  BOOST_TEST(Spans(engine.Check("key=XXXXXXXX")) == "");    // allowlisted, any case
  BOOST_TEST(Spans(engine.Check("KEY=Zq8xT2mLp0")) == "");  // case-sensitive
  BOOST_TEST(Spans(engine.Check("key=aaaaaaaa")) == "");    // too little entropy
  BOOST_TEST(Spans(engine.Check("pay 4111 1111 1111 1111 now")) == "card@4-23");
  BOOST_TEST(Spans(engine.Check("pay 4111 1111 1111 1112 now")) == "");
  BOOST_TEST(Spans(engine.Check("password: hunter22")) == "pw@0-8 pw@10-18");
  BOOST_TEST(Spans(engine.Check("password: hunter22 (example)")) == "");
}

BOOST_AUTO_TEST_CASE(whole_word_is_unicode_aware) {
  const Engine engine = MakeEngine({R"({"id": "nw", "kind": "pattern", "category": "confidential",
    "severity": "warn", "message": "m", "pattern": "nw", "whole_word": true, "view": "folded"})"});
  BOOST_TEST(Spans(engine.Check("NW rocks")) == "nw@0-2");
  BOOST_TEST(Spans(engine.Check("énw")) == "");  // RE2's \b would see a boundary after é
  BOOST_TEST(Spans(engine.Check("nwé")) == "");
  BOOST_TEST(Spans(engine.Check("(nw)")) == "nw@1-3");
}

// Raw patterns see the text as typed, case included; folded ones see it folded, so they match
// any case (even inside negated classes), on ASCII and other text alike. A folded pattern that
// turns case folding off still sees the folded text, which is lowercase.
BOOST_AUTO_TEST_CASE(raw_and_folded_patterns_on_ascii_and_other_text) {
  const std::string raw = R"({"id": "akia", "kind": "pattern", "category": "secret",
    "severity": "block", "message": "m", "pattern": "AKIA[0-9A-Z]{4}", "case_sensitive": true})";
  const std::string folded = R"({"id": "nw", "kind": "pattern", "category": "confidential",
    "severity": "warn", "message": "m", "pattern": "north[^a-z]wind", "view": "folded"})";
  const Engine engine = MakeEngine({raw, folded});
  BOOST_TEST(Spans(engine.Check("AKIA1234 NORTH-WIND")) == "akia@0-8 nw@9-19");
  BOOST_TEST(Spans(engine.Check("akia1234 North WIND")) == "nw@9-19");
  BOOST_TEST(Spans(engine.Check("NORTHxWIND")) == "");
  BOOST_TEST(Spans(engine.Check("AKIA1234 ＮＯＲＴＨ-wind é")) == "akia@0-8 nw@9-19");

  const std::string case_off_inside = R"js({"id": "abc", "kind": "pattern",
    "category": "confidential", "severity": "warn", "message": "m", "pattern": "(?-i:abc)",
    "view": "folded"})js";
  const Engine case_off = MakeEngine({raw, case_off_inside});
  BOOST_TEST(Spans(case_off.Check("AKIA1234 ABC")) == "akia@0-8 abc@9-12");
  BOOST_TEST(Spans(case_off.Check("akia1234 abc")) == "abc@9-12");
}

BOOST_AUTO_TEST_CASE(keywords_gate_a_pattern) {
  const Engine engine = MakeEngine({R"({"id": "k", "kind": "pattern", "category": "pii",
    "severity": "warn", "message": "m", "pattern": "\\d{3}-\\d{2}-\\d{4}", "keywords": ["ssn"]})"});
  BOOST_TEST(Spans(engine.Check("my SSN: 123-45-6789")) == "k@8-19");
  BOOST_TEST(Spans(engine.Check("order 123-45-6789")) == "");
}

BOOST_AUTO_TEST_CASE(measures_shouting_and_punctuation) {
  const Engine engine = MakeEngine({
      R"({"id": "shout", "kind": "measure", "category": "tone", "severity": "info",
        "message": "m", "measure": "shouting", "min_letters": 10, "min_ratio": 0.8})",
      R"({"id": "bang", "kind": "measure", "category": "tone", "severity": "info",
        "message": "m", "measure": "punctuation", "min_run": 3})"});
  BOOST_TEST(Spans(engine.Check("WHY IS THIS BROKEN AGAIN")) == "shout@0-24");
  BOOST_TEST(Spans(engine.Check("Short OK")) == "");
  BOOST_TEST(Spans(engine.Check("ПОЧЕМУ ЭТО СЛОМАНО")) == "shout@0-18");
  // Both are tone: the shout covers the run of "?!?", so only the shout stays.
  BOOST_TEST(Spans(engine.Check("WHY IS THIS BROKEN?!?")) == "shout@0-18 bang@18-21");
  BOOST_TEST(Spans(engine.Check("done?! ok!!!!")) == "bang@9-13");
}

BOOST_AUTO_TEST_CASE(active_window_uses_the_given_date) {
  const Engine engine = MakeEngine({R"({"id": "q", "kind": "terms", "category": "confidential",
    "severity": "warn", "message": "m", "terms": ["revenue"],
    "active": {"from": "2025-10-01", "until": "2025-10-23"}})"});
  BOOST_TEST(Spans(engine.Check("revenue", {"2025-10-10"})) == "q@0-7");
  BOOST_TEST(Spans(engine.Check("revenue", {"2025-10-23"})) == "");
  BOOST_TEST(Spans(engine.Check("revenue", {"2025-09-30"})) == "");
  BOOST_TEST(Spans(engine.Check("revenue", {})) == "");
}

BOOST_AUTO_TEST_CASE(later_pack_replaces_rule_with_same_id) {
  const std::string base = R"({"id": "r", "kind": "terms", "category": "tone", "severity": "info",
    "message": "base", "terms": ["alpha"]})";
  const std::string override = R"({"id": "r", "kind": "terms", "category": "tone",
    "severity": "block", "message": "org", "terms": ["beta"]})";
  const Engine engine({MakePack("builtin", {base, kSwear}), MakePack("org", {override})});
  BOOST_TEST(engine.rule_count() == 2u);
  BOOST_TEST(engine.packs()[0].rules == 1u);
  BOOST_TEST(engine.packs()[1].rules == 1u);
  BOOST_TEST(Spans(engine.Check("alpha beta")) == "r@6-10");
  BOOST_TEST(engine.Check("beta")[0].message == "org");
}

BOOST_AUTO_TEST_CASE(overlaps_across_categories_are_kept_and_sorted) {
  const Engine engine =
      MakeEngine({kSwear, R"({"id": "d", "kind": "terms", "category": "insult", "severity": "block",
                  "message": "m", "terms": ["holy shit"]})"});
  // Different categories on the same words both stay; the more serious comes first.
  const auto findings = engine.Check("holy shit");
  BOOST_TEST(Spans(findings) == "d@0-9 swear@0-9");
}

BOOST_AUTO_TEST_CASE(examples_run_per_rule) {
  Pack pack;
  std::vector<LoadError> errors;
  BOOST_REQUIRE(ParsePack("p", R"({"pack": "p", "rules": [
    {"id": "a", "kind": "terms", "category": "tone", "severity": "warn", "message": "m",
     "terms": ["alpha"], "examples": {"flag": ["alpha!", "beta"], "pass": ["gamma", "alpha"]}},
    {"id": "b", "kind": "terms", "category": "tone", "severity": "warn", "message": "m",
     "terms": ["beta"], "active": {"from": "2030-01-01"},
     "examples": {"flag": ["beta"], "pass": ["alpha"]}}]})",
                          &pack, &errors));
  const Engine engine({pack});
  const auto failures = TestExamples(engine, "");
  BOOST_REQUIRE(failures.size() == 2u);
  BOOST_TEST(failures[0].rule == "a");
  BOOST_TEST(failures[0].expected_flag);
  BOOST_TEST(failures[0].example == "beta");
  BOOST_TEST(!failures[1].expected_flag);
  BOOST_TEST(failures[1].example == "alpha");
}

// A view with more patterns than one RE2::Set holds is split into several sets; a candidate of
// any set must still run its own rule's pattern.
BOOST_AUTO_TEST_CASE(patterns_split_into_several_sets) {
  std::vector<std::string> rules;
  for (int i = 0; i < 60; ++i) {
    const std::string n = std::to_string(i / 10) + std::to_string(i % 10);
    rules.push_back(R"({"id": "k)" + n + R"(", "kind": "pattern", "category": "secret",
      "severity": "block", "message": "m", "pattern": "KEY)" +
                    n + R"(\\b", "case_sensitive": true})");
    rules.push_back(R"({"id": "w)" + n + R"(", "kind": "pattern", "category": "tone",
      "severity": "info", "message": "m", "pattern": "\\bword)" +
                    n + R"(\\b", "view": "words"})");
  }
  const Engine engine = MakeEngine(rules);
  const std::string text = "KEY07 KEY41 key42 KEY59 W0rd03 word33 word61";
  BOOST_TEST(Spans(engine.Check(text)) == "k07@0-5 k41@6-11 k59@18-23 w03@24-30 w33@31-37");
  const std::string_view texts[] = {"KEY00", text, "KEY30 and KEY29"};
  const auto many = engine.CheckMany(texts);
  BOOST_TEST(Spans(many[0]) == "k00@0-5");
  BOOST_TEST(Spans(many[1]) == Spans(engine.Check(text)));
  BOOST_TEST(Spans(many[2]) == "k30@0-5 k29@10-15");
}

// Patterns with long counted repetitions find their spans in two steps (the capped pattern finds
// where a match may start, the pattern runs anchored there) and must find exactly what one plain
// RE2 search after another finds.
BOOST_AUTO_TEST_CASE(long_repetitions_find_the_spans_a_plain_search_finds) {
  const std::pair<std::string, int> patterns[] = {
      {R"(a[ab]{17,30}b)", 0},   {R"((?:^|[^ab])([ab]{20})(?:$|[^ab]))", 1},
      {R"(\bb[ab-]{18,}\b)", 0}, {R"((?:ab){9,12}a{0,20})", 0},
      {R"(x|a{17})", 0},
  };
  std::mt19937 random(11);
  for (const auto& [pattern, group] : patterns) {
    const RE2 re(pattern);
    const Engine engine = MakeEngine({R"({"id": "p", "kind": "pattern", "category": "secret",
      "severity": "block", "message": "m", "case_sensitive": true, "group": )" +
                                      std::to_string(group) + R"(, "pattern": )" +
                                      nlohmann::json(pattern).dump() + "}"});
    size_t texts_with_spans = 0;
    for (int i = 0; i < 3000; ++i) {
      // Runs of a and b around the repetitions' bounds, "abab...", and separators.
      std::string text;
      for (size_t length = random() % 120; text.size() < length;) {
        switch (random() % 4) {
          case 0:
            for (auto n = 10 + random() % 20; n > 0; --n) text += "ab"[random() % 2];
            break;
          case 1:
            for (auto n = 5 + random() % 10; n > 0; --n) text += "ab";
            break;
          default:
            text += "aab- x"[random() % 6];
        }
      }
      std::string expected;
      re2::StringPiece match[2];
      for (size_t pos = 0; pos <= text.size() &&
                           re.Match(text, pos, text.size(), RE2::UNANCHORED, match, group + 1);) {
        const size_t begin = static_cast<size_t>(match[group].data() - text.data());
        if (!match[group].empty()) {
          expected += (expected.empty() ? "p@" : " p@") + std::to_string(begin) + "-" +
                      std::to_string(begin + match[group].size());
        }
        pos = static_cast<size_t>(match[0].data() - text.data()) +
              std::max<size_t>(match[0].size(), 1);
      }
      texts_with_spans += !expected.empty();
      BOOST_TEST(Spans(engine.Check(text)) == expected, pattern << " on '" << text << "'");
    }
    BOOST_TEST(texts_with_spans >= 100U, pattern << ": " << texts_with_spans);
  }
}

// Where the capped pattern starts many times and the rule's pattern at none of them, the search
// goes back to the plain one, and still finds the match after them.
BOOST_AUTO_TEST_CASE(many_false_starts_before_a_match) {
  const Engine engine = MakeEngine({R"({"id": "p", "kind": "pattern", "category": "secret",
    "severity": "block", "message": "m", "case_sensitive": true, "pattern": "a[ab]{17,30}c"})"});
  std::string text;
  for (int i = 0; i < 40; ++i) text += "a" + std::string(16, 'b') + "c ";  // one b too few
  const size_t at = text.size();
  text += "a" + std::string(17, 'b') + "c";
  BOOST_TEST(Spans(engine.Check(text)) ==
             "p@" + std::to_string(at) + "-" + std::to_string(at + 19));
}

// Checking many texts at once runs each step over a group of texts before the next step; every
// text must still get exactly its own findings, across groups and whatever its neighbours hold.
BOOST_AUTO_TEST_CASE(checking_many_texts_is_checking_each) {
  const Engine engine =
      MakeEngine({kSwear,
                  R"({"id": "akia", "kind": "pattern", "category": "secret", "severity": "block",
        "message": "key {match}", "pattern": "AKIA[0-9A-Z]{4}", "case_sensitive": true})",
                  R"({"id": "nw", "kind": "pattern", "category": "confidential", "severity": "warn",
        "message": "m", "pattern": "north[^a-z]wind", "view": "folded"})",
                  R"({"id": "pw", "kind": "pattern", "category": "secret", "severity": "block",
        "message": "pw", "pattern": "\\b\\w{6,}\\b", "view": "words",
        "validators": [{"type": "context", "words": ["password"], "window": 12}]})",
                  R"({"id": "shout", "kind": "measure", "category": "tone", "severity": "info",
        "message": "m", "measure": "shouting", "min_letters": 10, "min_ratio": 0.8})"});
  const std::vector<std::string> samples = {"",
                                            "holy shit",
                                            "AKIA1234 NORTH-WIND",
                                            "😀 sh1t, North·Wind",
                                            "password: hunter22",
                                            "WHY IS THIS BROKEN AGAIN",
                                            "nothing to see",
                                            "ＡＫＩＡ1234 ＮＯＲＴＨ-wind é"};
  std::vector<std::string> texts;
  for (size_t i = 0; i < 100; ++i) {  // each text its own: a mix-up between texts shows
    texts.push_back(std::to_string(i) + " " + samples[(i * 7 + i / 8) % samples.size()]);
  }
  const std::vector<std::string_view> views(texts.begin(), texts.end());
  const std::vector<std::vector<Finding>> together = engine.CheckMany(views);
  BOOST_REQUIRE_EQUAL(together.size(), texts.size());
  size_t flagged = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::vector<Finding> alone = engine.Check(texts[i]);
    BOOST_TEST(Spans(together[i]) == Spans(alone), "text " << i);
    for (size_t k = 0; k < alone.size() && k < together[i].size(); ++k) {
      BOOST_TEST(together[i][k].message == alone[k].message);
    }
    flagged += !alone.empty();
  }
  BOOST_TEST(flagged > 50u);  // the samples do exercise the rules
  BOOST_TEST(engine.CheckMany(std::vector<std::string_view>{}).empty());
}

BOOST_AUTO_TEST_CASE(utf8_validation_and_utf16_length) {
  BOOST_TEST(IsValidUtf8("plain é 😀"));
  BOOST_TEST(!IsValidUtf8("\xC3"));              // truncated
  BOOST_TEST(!IsValidUtf8("\xC0\xAF"));          // overlong
  BOOST_TEST(!IsValidUtf8("\xED\xA0\x80"));      // surrogate
  BOOST_TEST(!IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  BOOST_TEST(Utf16Length("a😀é") == 4u);
}
