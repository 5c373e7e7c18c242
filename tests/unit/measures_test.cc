#define BOOST_TEST_MODULE measures
#include <unicode/uchar.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "measures.h"
#include "utf8.h"

using namespace guardpost::internal;

namespace {

std::string Describe(const std::vector<ByteSpan>& spans) {
  std::string out;
  for (const ByteSpan& s : spans)
    out += std::to_string(s.begin) + "-" + std::to_string(s.end) + " ";
  return out;
}

std::string Describe(const std::optional<ByteSpan>& span) {
  return span ? std::to_string(span->begin) + "-" + std::to_string(span->end) : "none";
}

std::vector<ByteSpan> PunctuationRuns(std::string_view text, int min_run) {
  std::vector<ByteSpan> runs;
  FindPunctuationRuns(text, min_run, &runs);
  return runs;
}

// The measures as their definitions say, one code point at a time: what the block-wise
// versions must agree with.
std::vector<ByteSpan> ReferencePunctuationRuns(std::string_view text, int min_run) {
  std::vector<ByteSpan> runs;
  for (size_t i = 0; i < text.size();) {
    size_t j = i;
    while (j < text.size() && (text[j] == '!' || text[j] == '?')) ++j;
    if (static_cast<int>(j - i) >= min_run) runs.push_back({i, j});
    i = j > i ? j : i + 1;
  }
  return runs;
}

std::optional<ByteSpan> ReferenceShouting(std::string_view text, int min_letters,
                                          double min_ratio) {
  struct Letter {
    size_t begin, end;
    bool capital;
  };
  std::vector<Letter> letters;
  for (size_t pos = 0, next = 0; pos < text.size(); pos = next) {
    const auto c = static_cast<UChar32>(DecodeUtf8(text, &next));
    if (u_isalpha(c)) letters.push_back({pos, next, u_isupper(c) != 0});
  }
  const auto capitals =
      std::count_if(letters.begin(), letters.end(), [](const Letter& l) { return l.capital; });
  const auto count = static_cast<double>(letters.size());
  if (letters.empty() || letters.size() < static_cast<size_t>(min_letters) ||
      static_cast<double>(capitals) < min_ratio * count) {
    return std::nullopt;
  }
  return ByteSpan{letters.front().begin, letters.back().end};
}

}  // namespace

BOOST_AUTO_TEST_CASE(punctuation_runs) {
  BOOST_TEST(Describe(PunctuationRuns("Why?!? Really!! No!!!", 3)) == "3-6 18-21 ");
  BOOST_TEST(Describe(PunctuationRuns("", 3)) == "");
  // A run across the end of a 32-byte block, and one that ends the text.
  const std::string text = std::string(30, 'a') + "!!!!" + std::string(40, 'b') + "???";
  BOOST_TEST(Describe(PunctuationRuns(text, 3)) == "30-34 74-77 ");
}

BOOST_AUTO_TEST_CASE(shouting) {
  BOOST_TEST(Describe(FindShouting("WHY IS THIS BROKEN AGAIN", 10, 0.8)) == "0-24");
  BOOST_TEST(Describe(FindShouting("Why is this broken again", 10, 0.8)) == "none");
  BOOST_TEST(Describe(FindShouting("SHORT", 10, 0.8)) == "none");
  // Long enough for whole ASCII blocks: the span still starts and ends on letters.
  const std::string shout = "... 42 >> THIS IS THE THIRD TIME THE BUILD HAS BROKEN TODAY !!! :(";
  BOOST_TEST(Describe(FindShouting(shout, 20, 0.7)) == "10-59");
  // Non-ASCII letters count, in and around blocks.
  const std::string mixed = "ÉCOLE FERMÉE DEMAIN, TOUS À LA MAISON — ÇA VA ÊTRE LONG 😀";
  BOOST_TEST(Describe(FindShouting(mixed, 20, 0.9)) == Describe(ReferenceShouting(mixed, 20, 0.9)));
  BOOST_TEST(FindShouting(mixed, 20, 0.9).has_value());
}

// Random mixes of ASCII and non-ASCII pieces, so that block edges fall everywhere: the block-wise
// measures agree with the definitions.
BOOST_AUTO_TEST_CASE(agree_with_definitions_on_random_texts) {
  const std::vector<std::string> pieces = {"HELLO ", "world ",  "ÉCOLE ", "école ", "!!",
                                           "?",      "!",       "😀",      "日本",   "  ",
                                           "123",    "ПРИВЕТ ", "x",      "Y",      ".\n"};
  std::mt19937 random(20261122);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const size_t count = random() % 60;
    const bool loud = random() % 2;
    for (size_t i = 0; i < count; ++i) {
      size_t piece = random() % pieces.size();
      if (loud && (piece == 1 || piece == 3)) --piece;  // mostly capitals
      text += pieces[piece];
    }
    BOOST_TEST_CONTEXT(text) {
      BOOST_TEST(Describe(PunctuationRuns(text, 3)) == Describe(ReferencePunctuationRuns(text, 3)));
      BOOST_TEST(Describe(PunctuationRuns(text, 1)) == Describe(ReferencePunctuationRuns(text, 1)));
      BOOST_TEST(Describe(FindShouting(text, 20, 0.7)) ==
                 Describe(ReferenceShouting(text, 20, 0.7)));
      BOOST_TEST(Describe(FindShouting(text, 5, 0.95)) ==
                 Describe(ReferenceShouting(text, 5, 0.95)));
    }
  }
}
