#define BOOST_TEST_MODULE normalize
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstddef>
#include <iosfwd>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "normalize.h"

namespace gi = guardpost::internal;
namespace bdata = boost::unit_test::data;

namespace {

struct Case {
  const char* input;
  const char* expected;
};

std::ostream& operator<<(std::ostream& out, const Case& c) {
  return out << '"' << c.input << "\" -> \"" << c.expected << '"';
}

// Origins are byte offsets of code point starts in the original, never decreasing.
void CheckOrigins(const gi::TextView& view, std::string_view original) {
  BOOST_TEST_REQUIRE(view.origin.size() == view.text.size());
  for (size_t i = 0; i < view.origin.size(); ++i) {
    BOOST_TEST_REQUIRE(view.origin[i] < original.size());
    BOOST_TEST((static_cast<unsigned char>(original[view.origin[i]]) & 0xC0) != 0x80);
    if (i > 0) BOOST_TEST(view.origin[i] >= view.origin[i - 1]);
  }
}

// UTF-16 [start, end) of the first occurrence of `target` in the given view of `original`.
struct Utf16Span {
  size_t start;
  size_t end;
  bool operator==(const Utf16Span&) const = default;
};
std::ostream& operator<<(std::ostream& out, const Utf16Span& s) {
  return out << '[' << s.start << ',' << s.end << ')';
}

Utf16Span Locate(const gi::TextView& view, std::string_view original, std::string_view target) {
  const size_t at = view.text.find(target);
  BOOST_TEST_REQUIRE(at != std::string::npos, "\"" << target << "\" not in \"" << view.text << '"');
  const gi::ByteSpan span = gi::ToOriginal(view, original, at, at + target.size());
  const gi::Utf16Map map(original);
  return {map.At(span.begin), map.At(span.end)};
}

}  // namespace

// ----------------------------------------------------------------------------- folded view

const Case kFolded[] = {
    {"Hello World", "hello world"},
    {"ＡＢＣ１２３", "abc123"},                  // fullwidth
    {"Café Crème brûlée", "cafe creme brulee"},  // precomposed accents
    {"e\u0301te\u0301", "ete"},                  // decomposed accents
    {"Straße", "strasse"},                       // full case folding
    {"İstanbul", "istanbul"},                    // I with dot above
    {"ﬁle", "file"},                             // ligature
    {"\u212Aelvin", "kelvin"},                   // Kelvin sign
    {"Ⅻ", "xii"},                                // Roman numeral
    {"Hi, there! (ok?)", "hi, there! (ok?)"},    // punctuation kept
    {"a\tb\nc", "a\tb\nc"},                      // whitespace kept
    {"a\u00A0b", "a b"},                         // no-break space
    {"😀👍🏽", "😀👍🏽"},            // emoji kept
    {"東京", "東京"},                            // CJK
    {"한국어", "한국어"},                        // Hangul recomposed after NFKD
    {"Σοφία", "σοφια"},                          // Greek: folded, accent dropped
    // Zero-width characters, soft hyphens and variation selectors produce nothing.
    {"sh\u200Bit", "shit"},
    {"sh\u00ADit", "shit"},
    {"a\u200Cb\u200Dc\u2060d\uFEFFe", "abcde"},
    {"x\uFE0F", "x"},
    {"fuck\u0301", "fuck"},
    // Look-alikes from other scripts inside Latin words.
    {"Cont\u043Eso", "contoso"},        // Cyrillic о
    {"\u0421ontoso", "contoso"},        // Cyrillic С
    {"\u0455hit", "shit"},              // Cyrillic ѕ
    {"\u0440aypal", "paypal"},          // Cyrillic р
    {"\u0391pple", "apple"},            // Greek Α
    {"\u0397ello", "hello"},            // Greek Η: by the capital's skeleton, not η's
    {"\u0406nvoice", "invoice"},        // Cyrillic І (skeleton "l", like I)
    {"\u0455h1t", "sh1t"},              // digits belong to the word
    {"C\u200B\u043Entoso", "contoso"},  // a zero-width space does not split the word
    // Words without an ASCII letter are left in their script.
    {"привет", "привет"},
    {"Привет world", "привет world"},
    {"\u0441\u043E\u0441\u043E", "\u0441\u043E\u0441\u043E"},  // Cyrillic "сосо"
    {"ελα", "ελα"},
    {"Cont\u043Eso-\u0441\u043E\u0441\u043E", "contoso-\u0441\u043E\u0441\u043E"},
};

BOOST_DATA_TEST_CASE(folded_form, bdata::make(kFolded), c) {
  BOOST_TEST(gi::FoldedForm(c.input) == c.expected);
  const gi::TextView view = gi::FoldedView(c.input);
  BOOST_TEST(view.text == c.expected);
  CheckOrigins(view, c.input);
  BOOST_TEST(gi::FoldedForm(c.expected) == c.expected);  // idempotent
}

BOOST_AUTO_TEST_CASE(folded_view_origins) {
  const std::string original = "Ａé\u200Bx";  // 3 + 2 + 3 + 1 bytes
  const gi::TextView view = gi::FoldedView(original);
  BOOST_TEST(view.text == "aex");
  BOOST_TEST(view.origin == (std::vector<uint32_t>{0, 3, 8}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(empty_text) {
  const gi::TextView folded = gi::FoldedView("");
  BOOST_TEST(folded.text.empty());
  BOOST_TEST(gi::WordsView(folded).text.empty());
  BOOST_TEST(gi::WordsForm("\u200B !!! \u00AD").empty());
}

// ------------------------------------------------------------------------------ words view

const Case kWords[] = {
    {"Hello, World!!!", "hello world"},
    {"  leading and trailing  ", "leading and trailing"},
    {"😀 hi 👍🏽", "hi"},
    {"don't", "don t"},
    // Leetspeak, only in tokens with a letter.
    {"Sh1t", "shit"},
    {"r00t", "root"},
    {"l33t", "leet"},
    {"h4ck3r5", "hackers"},
    {"7his", "this"},
    {"2025", "2025"},
    {"4 hours", "4 hours"},
    {"in 2025 we", "in 2025 we"},
    {"b2b", "b2b"},  // 2 is not leet
    {"$hit", "shit"},
    {"a$$", "ass"},
    {"$100", "100"},
    {"$ alone", "alone"},
    {"b@d", "bad"},
    {"@home", "home"},
    {"4@", "4"},  // no letter: '@' is punctuation
    // Spelled-out letters.
    {"f u c k", "fuck"},
    {"f.u.c.k", "fuck"},
    {"what the f.u.c.k", "what the fuck"},
    {"F-U-C-K", "fuck"},
    {"f_u_c_k", "fuck"},
    {"f*u*c*k", "fuck"},
    {"f\u00B7u\u00B7c\u00B7k", "fuck"},
    {"S H I T", "shit"},
    {"the U.S.A. team", "the usa team"},
    {"a b", "a b"},
    {"x = y + z", "x y z"},
    {"f  u  c  k", "f u c k"},  // two spaces are not one separator
    {"f. u. c. k", "f u c k"},
    {"ab c d e", "ab cde"},
    {"f.u-c k", "fuck"},        // separators may differ within a run
    {"f\tu\tc\tk", "f u c k"},  // of the spaces, only U+0020
    {"a..b..c", "a b c"},
    {"a.b.c. d.e.f", "abc def"},  // ". " ends the first run
    {"(a.b.c)", "abc"},
    {"x a.b.c", "xabc"},
    {"\u00E9.\u0416.\u65E5", "e\u0436\u65E5"},  // single letters of any script
    {"e\u0301.u.c", "euc"},
    // Single letters are judged after leetspeak: a letter next to a digit, or next to '@' or '$'
    // read as a letter, is not single; next to an '@' that stays punctuation, it is.
    {"a.b.c1", "a b c1"},
    {"a.b.2", "a b 2"},
    {"a.b.c@", "a b ca"},
    {"a.b.$c", "a b sc"},
    {"x@a.b.c", "xaa b c"},
    {"b@d.a.s.s", "bad ass"},
    {"@a.b.c", "abc"},
    {"1@a.b.c", "1 abc"},
    {"a.b.c.@", "abc"},
    // Digits read as letters only between letters, or alone at the edge of a longer word.
    {"mp3 covid19 Q3 23rd password123", "mp3 covid19 q3 23rd password123"},
    {"5h1t b1tch3 r2d2 p4ssw0rd", "shit bitche r2d2 password"},
    // Through the folded view.
    {"ＳＨＩＴ", "shit"},
    {"sh\u200Bit", "shit"},
    {"sh\u00ADit", "shit"},
    {"\u0455hit", "shit"},
    {"\u0455h1t", "shit"},
    {"c0nt\u043Eso", "contoso"},
    {"привет, мир!", "привет мир"},
    {"東京 2025", "東京 2025"},
};

BOOST_DATA_TEST_CASE(words_form, bdata::make(kWords), c) {
  BOOST_TEST(gi::WordsForm(c.input) == c.expected);
  const gi::TextView folded = gi::FoldedView(c.input);
  gi::TextView words;
  std::vector<gi::WordSpan> spans;
  gi::WordsView(folded, &words, &spans);
  BOOST_TEST(words.text == c.expected);
  CheckOrigins(words, c.input);
  // The spans are the view split at its spaces.
  const std::string_view view = words.text;
  std::vector<std::string_view> expected_words, span_words;
  for (size_t begin = 0; begin < view.size();) {
    const size_t end = std::min(view.find(' ', begin), view.size());
    expected_words.push_back(view.substr(begin, end - begin));
    begin = end + 1;
  }
  for (const gi::WordSpan& span : spans) {
    span_words.push_back(view.substr(span.begin, span.end - span.begin));
  }
  BOOST_TEST(span_words == expected_words, boost::test_tools::per_element());
}

// --------------------------------------------------------------------------------- mapping

struct MapCase {
  const char* original;
  bool words;  // which view to search
  const char* target;
  size_t start;  // expected UTF-16 span of the target in the original
  size_t end;
};

std::ostream& operator<<(std::ostream& out, const MapCase& c) {
  return out << '"' << c.original << "\" / " << c.target;
}

const MapCase kMapping[] = {
    // Emoji: 2 UTF-16 units each, skin tone modifier included.
    {"😀👍🏽 fuck", true, "fuck", 7, 11},
    {"😀👍🏽 fuck", false, "fuck", 7, 11},
    // ZWJ sequence, then a soft hyphen inside the word.
    {"👨\u200D👩\u200D👧 sh\u00ADit", true, "shit", 9, 14},
    // Decomposed accents before the word and one after it.
    {"e\u0301e\u0301 fuck\u0301 ok", true, "fuck", 5, 10},
    {"cafe\u0301\u0327 x", false, "cafe", 0, 6},
    // CJK and Hangul.
    {"東京で shit", true, "shit", 4, 8},
    {"한국어 shit", false, "shit", 4, 8},
    // Right-to-left text, with harakat / niqqud (combining marks) that the view drops.
    {"مرحبا shit", true, "shit", 6, 10},
    {"مَرْحَبًا shit", true, "shit", 10, 14},
    {"שָׁלוֹם f.u.c.k!", true, "fuck", 8, 15},
    {"\u200Fשלום\u200F shit", true, "shit", 7, 11},  // RLM marks: dropped but counted
    // Look-alikes and fullwidth: the span covers what was typed.
    {"🔥🔥 C\u043Entoso rocks", false, "contoso", 5, 12},
    {"🔥🔥 C\u043Entoso rocks", true, "rocks", 13, 18},
    {"ｓｈｉｔ", true, "shit", 0, 4},
    {"ok 𝐬𝐡𝐢𝐭", true, "shit", 3, 11},  // mathematical bold: 4-byte, 2 units each
    // One code point that became several view bytes.
    {"ﬁnance", true, "finance", 0, 6},
    {"ﬁnance", true, "inance", 0, 6},
    {"ﬁnance", true, "nance", 1, 6},
    {"Straße!", false, "ss", 4, 5},
    // Leetspeak and joined letters.
    {"🙂 $h1t", true, "shit", 3, 7},
    {"🙂 f . u . c . k", true, "f u c k", 3, 16},
    {"🙂 F.U.C.K.", true, "fuck", 3, 10},
    {"🙂 @a.b.c", true, "abc", 4, 9},
};

BOOST_DATA_TEST_CASE(maps_to_utf16, bdata::make(kMapping), c) {
  const gi::TextView folded = gi::FoldedView(c.original);
  const gi::TextView words = gi::WordsView(folded);
  const Utf16Span got = Locate(c.words ? words : folded, c.original, c.target);
  BOOST_TEST(got == (Utf16Span{c.start, c.end}));
}

BOOST_AUTO_TEST_CASE(to_original_extends_over_trailing_marks_only) {
  const std::string original = "fuck\u0301\u0301 x";  // marks: 2 bytes each
  const gi::TextView view = gi::FoldedView(original);
  BOOST_TEST(view.text == "fuck x");
  const gi::ByteSpan span = gi::ToOriginal(view, original, 0, 4);
  BOOST_TEST(span.begin == 0u);
  BOOST_TEST(span.end == 8u);
  const gi::ByteSpan inner = gi::ToOriginal(view, original, 1, 3);  // "uc": no marks follow
  BOOST_TEST(inner.begin == 1u);
  BOOST_TEST(inner.end == 3u);
  const gi::ByteSpan last = gi::ToOriginal(view, original, 5, 6);  // "x" at the very end
  BOOST_TEST(last.begin == 9u);
  BOOST_TEST(last.end == 10u);
}

BOOST_AUTO_TEST_CASE(utf16_map) {
  const std::string text = "a\u00E9\u6771😀b";  // 1 + 2 + 3 + 4 + 1 bytes
  const gi::Utf16Map map(text);
  BOOST_TEST(map.At(0) == 0u);
  BOOST_TEST(map.At(1) == 1u);   // é
  BOOST_TEST(map.At(3) == 2u);   // 東
  BOOST_TEST(map.At(6) == 3u);   // 😀, two units
  BOOST_TEST(map.At(10) == 5u);  // b
  BOOST_TEST(map.At(11) == 6u);  // end
  const gi::Utf16Map empty("");
  BOOST_TEST(empty.At(0) == 0u);
}

// ---------------------------------------------------------------------------- word chars

BOOST_AUTO_TEST_CASE(word_chars) {
  const std::string text = "a_\u00E9!\u6771 😀\u0301\u0663-";
  // a(0) _(1) é(2) !(4) 東(5) ' '(8) 😀(9) U+0301(13) ٣(15) -(17), size 18
  BOOST_TEST(gi::IsWordCharAt(text, 0));
  BOOST_TEST(gi::IsWordCharAt(text, 1));  // connector punctuation
  BOOST_TEST(gi::IsWordCharAt(text, 2));
  BOOST_TEST(!gi::IsWordCharAt(text, 4));
  BOOST_TEST(gi::IsWordCharAt(text, 5));
  BOOST_TEST(!gi::IsWordCharAt(text, 8));
  BOOST_TEST(!gi::IsWordCharAt(text, 9));
  BOOST_TEST(gi::IsWordCharAt(text, 13));  // combining mark
  BOOST_TEST(gi::IsWordCharAt(text, 15));  // Arabic-Indic digit
  BOOST_TEST(!gi::IsWordCharAt(text, 17));
  BOOST_TEST(!gi::IsWordCharAt(text, 18));  // end

  BOOST_TEST(!gi::IsWordCharBefore(text, 0));  // start
  BOOST_TEST(gi::IsWordCharBefore(text, 1));
  BOOST_TEST(gi::IsWordCharBefore(text, 4));  // é, two bytes back
  BOOST_TEST(!gi::IsWordCharBefore(text, 5));
  BOOST_TEST(gi::IsWordCharBefore(text, 8));    // 東
  BOOST_TEST(!gi::IsWordCharBefore(text, 13));  // 😀
  BOOST_TEST(gi::IsWordCharBefore(text, 15));
  BOOST_TEST(gi::IsWordCharBefore(text, 17));
  BOOST_TEST(!gi::IsWordCharBefore(text, 18));
}

// ------------------------------------------------------------------------------- threads

BOOST_AUTO_TEST_CASE(concurrent_views_agree) {
  const std::string text =
      "Привет 😀 C\u043Entoso ＳＨＩＴ café 東京 f.u.c.k \u0455h1t Σοφία 한국어 ﬁnance";
  const std::string expected = gi::WordsForm(text);
  BOOST_TEST(expected == "привет contoso shit cafe 東京 fuck shit σοφια 한국어 finance");
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) results[t] = gi::WordsView(gi::FoldedView(text)).text;
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) BOOST_TEST(result == expected);
}
