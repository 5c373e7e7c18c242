#include "normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>
#include <unicode/utf16.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

#include "utf8.h"

namespace guardpost::internal {
namespace {

// ---------------------------------------------------------------------------------------------
// Per-code-point folding, computed with ICU once per code point and thread, then cached.

// What a code point folds to, and what the views need to know about it.
struct Folding {
  uint32_t offset = 0;  // of the folded UTF-8 in FoldCache::pool
  uint16_t length = 0;  // bytes; 0 when the code point is dropped
  uint8_t flags = 0;
  char confusable = 0;  // ASCII letter with the same skeleton as the code point, or 0
};

enum FoldingFlags : uint8_t {
  kFilled = 1 << 0,
  kOutWord = 1 << 1,         // every folded code point is a letter or a decimal digit
  kOutAsciiLetter = 1 << 2,  // some folded code point is an ASCII letter
};

constexpr uint32_t kGcLetter = U_GC_L_MASK;
constexpr uint32_t kGcMark = U_GC_M_MASK;
constexpr uint32_t kGcDigit = U_GC_ND_MASK;

bool IsLetterOrDigit(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  }
  return (U_GET_GC_MASK(static_cast<UChar32>(cp)) & (kGcLetter | kGcDigit)) != 0;
}

bool IsAsciiLetter(char32_t cp) { return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'); }

// Characters the folded view drops besides combining marks. NFKC_Casefold already removes all
// Default_Ignorable_Code_Point characters (which include these); the list makes the documented
// contract explicit and independent of that detail.
bool IsDropped(UChar32 cp) {
  return cp == 0x00AD || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) ||
         u_hasBinaryProperty(cp, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

// ICU services shared by all threads. Normalizer2 instances are immutable singletons; ICU
// documents the spoof checker's skeleton and check functions as safe to call concurrently.
class Icu {
 public:
  static const Icu& Get() {
    static const Icu icu;
    return icu;
  }

  const icu::Normalizer2* nfkc_cf = nullptr;
  const icu::Normalizer2* nfkd = nullptr;
  const icu::Normalizer2* nfc = nullptr;

  // The ASCII letter (lowercase) whose confusable skeleton equals that of `cp`, or 0.
  // An uppercase code point is compared with A-Z first, anything else with a-z first, so that
  // Cyrillic 'І' (skeleton "l", like 'I') becomes 'i' and Greek 'Η' (skeleton "H") becomes 'h'.
  char Confusable(UChar32 cp) const {
    if (!spoof_) return 0;
    icu::UnicodeString skeleton = Skeleton(icu::UnicodeString(cp));
    if (skeleton.isEmpty()) return 0;
    const bool upper = u_isupper(cp) || u_istitle(cp);
    for (int pass = 0; pass < 2; ++pass) {
      const bool use_upper = (pass == 0) == upper;
      const auto& table = use_upper ? upper_skeletons_ : lower_skeletons_;
      for (int i = 0; i < 26; ++i) {
        if (table[i] == skeleton) return static_cast<char>('a' + i);
      }
    }
    return 0;
  }

 private:
  Icu() {
    UErrorCode status = U_ZERO_ERROR;
    nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
    nfkd = icu::Normalizer2::getNFKDInstance(status);
    nfc = icu::Normalizer2::getNFCInstance(status);
    // The data ship with libicu; without them nothing in this file can work.
    if (U_FAILURE(status)) std::abort();
    UErrorCode spoof_status = U_ZERO_ERROR;
    spoof_.reset(uspoof_open(&spoof_status));
    if (U_FAILURE(spoof_status)) spoof_.reset();
    for (int i = 0; i < 26; ++i) {
      lower_skeletons_[i] = Skeleton(icu::UnicodeString(static_cast<UChar32>('a' + i)));
      upper_skeletons_[i] = Skeleton(icu::UnicodeString(static_cast<UChar32>('A' + i)));
    }
  }

  icu::UnicodeString Skeleton(const icu::UnicodeString& text) const {
    icu::UnicodeString skeleton;
    if (!spoof_) return skeleton;
    UErrorCode status = U_ZERO_ERROR;
    uspoof_getSkeletonUnicodeString(spoof_.get(), 0, text, skeleton, &status);
    if (U_FAILURE(status)) skeleton.remove();
    return skeleton;
  }

  struct SpoofCloser {
    void operator()(USpoofChecker* checker) const { uspoof_close(checker); }
  };
  std::unique_ptr<USpoofChecker, SpoofCloser> spoof_;
  std::array<icu::UnicodeString, 26> lower_skeletons_;
  std::array<icu::UnicodeString, 26> upper_skeletons_;
};

// Per code point: NFKC_Casefold (compatibility mapping, full case folding, default ignorables
// removed), then NFKD so that accents come apart, then every combining mark (Mn, Me, Mc) and
// zero-width character dropped, then NFC so that what is left (Hangul jamo, say) composes again.
Folding ComputeFolding(UChar32 cp, std::string* pool) {
  const Icu& icu = Icu::Get();
  Folding folding;
  folding.flags = kFilled;
  folding.offset = static_cast<uint32_t>(pool->size());

  icu::UnicodeString text;
  if (!IsDropped(cp)) {
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString folded = icu.nfkc_cf->normalize(icu::UnicodeString(cp), status);
    icu::UnicodeString decomposed = icu.nfkd->normalize(folded, status);
    icu::UnicodeString kept;
    for (int32_t i = 0; i < decomposed.length();) {
      const UChar32 c = decomposed.char32At(i);
      i += U16_LENGTH(c);
      if ((U_GET_GC_MASK(c) & kGcMark) != 0 || IsDropped(c)) continue;
      kept.append(c);
    }
    text = icu.nfc->normalize(kept, status);
    if (U_FAILURE(status)) text = icu::UnicodeString(cp);
  }

  bool any_non_word = false;
  UChar32 single = U_SENTINEL;
  int32_t count = 0;
  for (int32_t i = 0; i < text.length();) {
    const UChar32 c = text.char32At(i);
    i += U16_LENGTH(c);
    AppendUtf8(static_cast<char32_t>(c), pool);
    any_non_word |= !IsLetterOrDigit(static_cast<char32_t>(c));
    if (IsAsciiLetter(static_cast<char32_t>(c))) folding.flags |= kOutAsciiLetter;
    single = c;
    ++count;
  }
  folding.length = static_cast<uint16_t>(pool->size() - folding.offset);
  if (!any_non_word) folding.flags |= kOutWord;  // also when dropped: it does not split a word
  // Only a non-ASCII letter that folds to one non-ASCII letter can stand in for a Latin letter.
  if (count == 1 && single >= 0x80 && (U_GET_GC_MASK(single) & kGcLetter) != 0) {
    folding.confusable = icu.Confusable(cp);
    if (folding.confusable == 0 && single != cp) folding.confusable = icu.Confusable(single);
  }
  return folding;
}

// Two-level table indexed by code point; pages are allocated when first touched.
class FoldCache {
 public:
  const Folding& Get(char32_t cp) {
    auto& page = pages_[cp >> kPageBits];
    if (!page) page = std::make_unique<Page>();
    Folding& folding = (*page)[cp & (kPageSize - 1)];
    if (!(folding.flags & kFilled)) folding = ComputeFolding(static_cast<UChar32>(cp), &pool_);
    return folding;
  }
  std::string_view Text(const Folding& folding) const {
    return std::string_view(pool_).substr(folding.offset, folding.length);
  }

 private:
  static constexpr int kPageBits = 8;
  static constexpr size_t kPageSize = size_t{1} << kPageBits;
  using Page = std::array<Folding, kPageSize>;
  std::array<std::unique_ptr<Page>, (0x110000 >> kPageBits)> pages_;
  std::string pool_;
};

FoldCache& ThreadFoldCache() {
  thread_local FoldCache cache;
  return cache;
}

// In the word that occupies view bytes [word_begin, end), replaces every letter that has a Latin
// look-alike by that ASCII letter. The word is at the end of the view.
void MapConfusables(std::string_view original, FoldCache& cache, size_t word_begin,
                    TextView* view) {
  std::string& text = view->text;
  std::vector<uint32_t>& origin = view->origin;
  size_t write = word_begin;
  size_t read = word_begin;
  while (read < text.size()) {
    const auto byte = static_cast<unsigned char>(text[read]);
    size_t length = 1;
    char replacement = 0;
    if (byte >= 0x80) {
      length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
      size_t pos = origin[read];
      const Folding& folding = cache.Get(DecodeUtf8(original, &pos));
      replacement = folding.confusable;  // set only when the code point folded to one letter
    }
    if (replacement != 0) {
      text[write] = replacement;
      origin[write] = origin[read];
      ++write;
    } else {
      for (size_t k = 0; k < length; ++k, ++write) {
        text[write] = text[read + k];
        origin[write] = origin[read + k];
      }
    }
    read += length;
  }
  text.resize(write);
  origin.resize(write);
}

constexpr std::array<unsigned char, 128> kLowerAscii = [] {
  std::array<unsigned char, 128> lower{};
  for (int c = 0; c < 128; ++c) {
    lower[c] = static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  }
  return lower;
}();

// ---------------------------------------------------------------------------------------------
// The words view.

enum class Kind : uint8_t { kLetter, kDigit, kOther };

struct Unit {
  uint32_t pos;      // byte offset in the folded text
  uint8_t length;    // bytes
  Kind kind;         // as found in the folded text
  Kind out;          // after leetspeak: kOther units are gaps
  char replacement;  // ASCII letter replacing the unit (leetspeak), or 0
  char32_t cp;
};

Kind AsciiKind(unsigned char byte) {
  if ((byte | 0x20) >= 'a' && (byte | 0x20) <= 'z') return Kind::kLetter;
  if (byte >= '0' && byte <= '9') return Kind::kDigit;
  return Kind::kOther;
}

std::vector<Unit>& UnitScratch() {
  thread_local std::vector<Unit> units;
  return units;
}

Kind KindOf(char32_t cp) {
  if (cp < 0x80) return AsciiKind(static_cast<unsigned char>(cp));
  const uint32_t mask = U_GET_GC_MASK(static_cast<UChar32>(cp));
  // Marks do not survive folding; should one reach here it belongs to its letter.
  if (mask & (kGcLetter | kGcMark)) return Kind::kLetter;
  if (mask & kGcDigit) return Kind::kDigit;
  return Kind::kOther;
}

struct CodePoint {
  char32_t cp;
  uint8_t length;  // bytes
  Kind kind;
};

// Out of line, so that CodePointAt is small enough to be inlined into the scanning loops: most
// posts are mostly ASCII.
[[gnu::noinline]] CodePoint NonAsciiCodePointAt(std::string_view text, size_t pos) {
  size_t next = pos;
  const char32_t cp = DecodeUtf8(text, &next);
  return {cp, static_cast<uint8_t>(next - pos), KindOf(cp)};
}

CodePoint CodePointAt(std::string_view text, size_t pos) {
  const auto byte = static_cast<unsigned char>(text[pos]);
  if (byte < 0x80) return {byte, 1, AsciiKind(byte)};
  return NonAsciiCodePointAt(text, pos);
}

// Tokens, the stretches in which leetspeak is undone, are maximal runs of these.
bool InToken(const CodePoint& c) { return c.kind != Kind::kOther || c.cp == '@' || c.cp == '$'; }

char LeetLetter(char32_t cp) {
  switch (cp) {
    case '0':
      return 'o';
    case '1':
      return 'i';
    case '3':
      return 'e';
    case '4':
      return 'a';
    case '5':
      return 's';
    case '7':
      return 't';
    default:
      return 0;
  }
}

bool IsSpellingSeparator(char32_t cp) {
  return cp == ' ' || cp == '.' || cp == '-' || cp == '_' || cp == '*' || cp == 0x00B7;
}

// Undoes leetspeak in the token units[0, count) (letters, digits, '@' and '$').
//
// A digit stands for a letter only where a person would read it as one: a run of digits between
// letters ("sh1t", "r00t"), or a single digit at the edge of a word that has at least three
// letters ("5hit" once "h1t" is read). Model numbers, quarters and passwords keep their digits
// ("Q3", "mp3", "23rd", "password123", "covid19").
void ResolveToken(Unit* units, size_t count) {
  for (size_t i = 0; i < count; ++i) units[i].out = units[i].kind;
  auto is_letter = [&](size_t i) { return units[i].out == Kind::kLetter; };
  auto map_run = [&](size_t from, size_t to) {
    for (size_t k = from; k < to; ++k) {
      if (!LeetLetter(units[k].cp)) return;  // "r2d2": not every digit reads as a letter
    }
    for (size_t k = from; k < to; ++k) {
      units[k].replacement = LeetLetter(units[k].cp);
      units[k].out = Kind::kLetter;
    }
  };
  // Digit runs: interior ones first, so that edges see the letters they reveal.
  struct Run {
    size_t from, to;
  };
  Run runs[8];
  size_t run_count = 0;
  for (size_t i = 0; i < count;) {
    if (units[i].kind != Kind::kDigit) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < count && units[j].kind == Kind::kDigit) ++j;
    const bool before = i > 0 && units[i - 1].kind == Kind::kLetter;
    const bool after = j < count && units[j].kind == Kind::kLetter;
    if (before && after) {
      map_run(i, j);
    } else if ((before || after) && j - i == 1 && run_count < std::size(runs)) {
      runs[run_count++] = {i, j};
    }
    i = j;
  }
  size_t letters = 0;
  for (size_t i = 0; i < count; ++i) letters += is_letter(i);
  if (letters >= 3) {
    for (size_t r = 0; r < run_count; ++r) map_run(runs[r].from, runs[r].to);
  }
  for (size_t i = 0; i < count; ++i) {
    Unit& unit = units[i];
    if (unit.kind != Kind::kOther) continue;
    // Left to right, so the unit before is already resolved ("a$$" -> "ass").
    const bool letter_before = i > 0 && is_letter(i - 1);
    const bool letter_after = i + 1 < count && units[i + 1].kind == Kind::kLetter;
    if (unit.cp == '@' && letter_before) {
      unit.replacement = 'a';
      unit.out = Kind::kLetter;
    } else if (unit.cp == '$' && (letter_before || letter_after)) {
      unit.replacement = 's';
      unit.out = Kind::kLetter;
    }
  }
}

// Writes a words view: the bytes of words with their origins, and one space for each run of gaps
// between two words; and, if asked, where each word starts and ends.
//
// In most text a word is followed by a single ' ', and the view is then the folded text itself.
// Such stretches are copied in one piece when they end, rather than word by word: the words
// view was the engine's costliest step after RE2, and its small copies a good part of that.
class WordsWriter {
 public:
  WordsWriter(const TextView& folded, TextView* words, std::vector<WordSpan>* spans)
      : folded_(folded), words_(*words), spans_(spans) {
    if (spans_) spans_->clear();
    // The view is never longer than the folded text: a replacement takes one byte for one, a
    // space stands for at least one byte. Sized once, shrunk at the end.
    words_.text.resize(folded.text.size());
    words_.origin.resize(folded.text.size());
  }

  // The code point at folded byte `pos` separates words.
  void Gap(size_t pos) {
    gap_is_one_space_ = !in_gap_ && folded_.text[pos] == ' ';
    if (!in_gap_) {
      gap_pos_ = pos;
      gap_origin_ = folded_.origin[pos];
    }
    in_gap_ = true;
  }

  // Folded bytes [pos, pos + length) belong to a word as they are.
  void Copy(size_t pos, size_t length) {
    EndGap();
    if (pending_ == 0 || pending_from_ + pending_ != pos) {
      Flush();
      pending_from_ = pos;
    }
    pending_ += length;
    size_ += length;
  }

  // `letter` stands for the code point at folded byte `pos`.
  void Replace(size_t pos, char letter) {
    EndGap();
    Flush();
    words_.text[size_] = letter;
    words_.origin[size_++] = folded_.origin[pos];
  }

  void Finish() {
    Flush();
    if (spans_ && size_ > 0) spans_->push_back({word_begin_, size_});
    words_.text.resize(size_);
    words_.origin.resize(size_);
  }

 private:
  // A gap becomes a space only between two words: never leading, and trailing gaps stay pending.
  void EndGap() {
    if (in_gap_ && size_ > 0) {
      if (spans_) spans_->push_back({word_begin_, size_});
      if (gap_is_one_space_ && pending_ > 0 && pending_from_ + pending_ == gap_pos_) {
        ++pending_;  // the folded text's own ' ', with its origin
      } else {
        Flush();
        words_.text[size_] = ' ';
        words_.origin[size_] = gap_origin_;
      }
      word_begin_ = ++size_;
    }
    in_gap_ = false;
  }

  // Writes the pending stretch of folded bytes, which ends at size_.
  void Flush() {
    if (pending_ == 0) return;
    const size_t at = size_ - pending_;
    std::memcpy(words_.text.data() + at, folded_.text.data() + pending_from_, pending_);
    std::memcpy(words_.origin.data() + at, folded_.origin.data() + pending_from_,
                pending_ * sizeof(uint32_t));
    pending_ = 0;
  }

  const TextView& folded_;
  TextView& words_;
  std::vector<WordSpan>* spans_;
  size_t size_ = 0;        // of the view so far, pending bytes included
  size_t word_begin_ = 0;  // of the word being written
  // Folded bytes [pending_from_, pending_from_ + pending_) are the view's last bytes, not yet
  // written.
  size_t pending_from_ = 0;
  size_t pending_ = 0;
  bool in_gap_ = false;
  bool gap_is_one_space_ = false;  // the gap so far is a single ' '
  size_t gap_pos_ = 0;             // folded byte of the gap's first code point
  uint32_t gap_origin_ = 0;        // and its origin
};

// Writes the token at folded bytes [begin, end), which has a digit, '@' or '$', with leetspeak
// undone; the units that stay punctuation are gaps. Returns whether the token ends with a single
// letter: a letter after a gap.
bool WriteLeetToken(std::string_view text, size_t begin, size_t end, WordsWriter* out) {
  std::vector<Unit>& scratch = UnitScratch();
  if (scratch.size() < end - begin) scratch.resize(end - begin);
  Unit* const units = scratch.data();
  size_t count = 0;
  for (size_t pos = begin; pos < end;) {
    const CodePoint c = CodePointAt(text, pos);
    units[count++] = {static_cast<uint32_t>(pos), c.length, c.kind, Kind::kOther, 0, c.cp};
    pos += c.length;
  }
  ResolveToken(units, count);
  for (size_t i = 0; i < count; ++i) {
    const Unit& unit = units[i];
    if (unit.out == Kind::kOther) {
      out->Gap(unit.pos);
    } else if (unit.replacement != 0) {
      out->Replace(unit.pos, unit.replacement);
    } else {
      out->Copy(unit.pos, unit.length);
    }
  }
  // What precedes the token is a gap, or the start of the text.
  return units[count - 1].out == Kind::kLetter &&
         (count == 1 || units[count - 2].out == Kind::kOther);
}

// Spelled-out letters ("f.u.c.k", "f u c k"). The single letter (no letter or digit on either side
// once leetspeak is undone) that ends at folded byte `pos` is already written. If it starts a run
// of three single letters or more, each after exactly one spelling separator, writes the rest of
// the run joined to it and returns the run's end; otherwise returns `pos`.
//
// Inside a token, whatever follows a letter is a letter or a digit after leetspeak, so only a
// token's last letter can be single ("@a", where '@' stays punctuation). The run's other letters
// therefore each make up a whole token: a letter followed by the end of the text or by a code
// point outside tokens.
size_t WriteSpelledOutRest(std::string_view text, size_t pos, WordsWriter* out) {
  size_t letters = 1;
  size_t end = pos;
  while (end < text.size()) {
    const CodePoint separator = CodePointAt(text, end);
    const size_t letter_pos = end + separator.length;
    if (!IsSpellingSeparator(separator.cp) || letter_pos == text.size()) break;
    const CodePoint letter = CodePointAt(text, letter_pos);
    const size_t after = letter_pos + letter.length;
    if (letter.kind != Kind::kLetter) break;
    if (after < text.size() && InToken(CodePointAt(text, after))) break;
    ++letters;
    end = after;
  }
  if (letters < 3) return pos;
  while (pos < end) {
    pos += CodePointAt(text, pos).length;  // the separator, dropped
    const size_t length = CodePointAt(text, pos).length;
    out->Copy(pos, length);
    pos += length;
  }
  return end;
}

bool IsWordCodePoint(char32_t cp) {
  if (cp < 0x80) {
    return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') || (cp >= '0' && cp <= '9') || cp == '_';
  }
  return (U_GET_GC_MASK(static_cast<UChar32>(cp)) &
          (U_GC_L_MASK | U_GC_M_MASK | U_GC_ND_MASK | U_GC_PC_MASK)) != 0;
}

bool IsMark(char32_t cp) {
  return cp >= 0x300 && (U_GET_GC_MASK(static_cast<UChar32>(cp)) & kGcMark) != 0;
}

}  // namespace

Utf16Map::Utf16Map(std::string_view utf8) : utf16_at_byte_(utf8.size() + 1) {
  uint32_t units = 0;
  for (size_t i = 0; i < utf8.size(); ++i) {
    const auto byte = static_cast<unsigned char>(utf8[i]);
    if ((byte & 0xC0) != 0x80) {
      utf16_at_byte_[i] = units;
      units += byte >= 0xF0 ? 2 : 1;
    } else {
      utf16_at_byte_[i] = utf16_at_byte_[i - 1];  // inside a code point: its start
    }
  }
  utf16_at_byte_[utf8.size()] = units;
}

void FoldedView(std::string_view original, TextView* out) {
  TextView& view = *out;
  view.text.clear();
  view.origin.clear();
  const size_t n = original.size();
  // Fast path for all-ASCII text: lowercase it; nothing else changes and nothing is dropped.
  if (IsAscii(original)) {
    view.text.resize(n);
    view.origin.resize(n);
    for (size_t i = 0; i < n; ++i) {
      view.text[i] = static_cast<char>(kLowerAscii[static_cast<unsigned char>(original[i])]);
      view.origin[i] = static_cast<uint32_t>(i);
    }
    return;
  }

  view.text.reserve(original.size() + 8);
  view.origin.reserve(original.size() + 8);
  FoldCache* cache = nullptr;  // touched only for non-ASCII text

  // The current word (run of letters and digits) in the view, for the mixed-script check.
  bool in_word = false;
  size_t word_begin = 0;
  bool word_has_ascii_letter = false;
  bool word_has_confusable = false;
  auto begin_word = [&] {
    if (in_word) return;
    in_word = true;
    word_begin = view.text.size();
  };
  auto end_word = [&] {
    if (word_has_ascii_letter && word_has_confusable) {
      MapConfusables(original, *cache, word_begin, &view);
    }
    in_word = word_has_ascii_letter = word_has_confusable = false;
  };

  auto is_alnum = [&](size_t i) {
    const unsigned char lower = kLowerAscii[static_cast<unsigned char>(original[i])];
    return (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9');
  };
  auto has_letter = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      const unsigned char lower = kLowerAscii[static_cast<unsigned char>(original[i])];
      if (lower >= 'a' && lower <= 'z') return true;
    }
    return false;
  };
  auto append_lowered = [&](size_t from, size_t to) {
    const size_t at = view.text.size();
    view.text.resize(at + (to - from));
    view.origin.resize(at + (to - from));
    for (size_t i = from; i < to; ++i) {
      view.text[at + i - from] =
          static_cast<char>(kLowerAscii[static_cast<unsigned char>(original[i])]);
      view.origin[at + i - from] = static_cast<uint32_t>(i);
    }
  };

  size_t pos = 0;
  while (pos < n) {
    if (static_cast<unsigned char>(original[pos]) < 0x80) {
      // A run of ASCII, lowercased in bulk. Only its first word can belong to a word in progress
      // (which may hold look-alikes to map) and only its last one can go on past the run; the
      // words in between are plain ASCII with nothing to map.
      const size_t end = EndOfAscii(original, pos + 1);
      size_t lead_end = pos;
      while (lead_end < end && is_alnum(lead_end)) ++lead_end;
      if (lead_end > pos) {
        begin_word();
        word_has_ascii_letter |= has_letter(pos, lead_end);
      }
      append_lowered(pos, lead_end);
      if (lead_end < end) {
        end_word();
        size_t tail = end;
        while (is_alnum(tail - 1)) --tail;  // stops at the non-word byte at lead_end at the latest
        append_lowered(lead_end, tail);
        if (tail < end) {
          begin_word();
          word_has_ascii_letter = has_letter(tail, end);
        }
        append_lowered(tail, end);
      }
      pos = end;
      continue;
    }
    const size_t start = pos;
    const char32_t cp = DecodeUtf8(original, &pos);
    if (!cache) cache = &ThreadFoldCache();
    const Folding& folding = cache->Get(cp);
    if (folding.length == 0) continue;  // dropped: does not end a word either
    if (folding.flags & kOutWord) {
      begin_word();
      word_has_ascii_letter |= (folding.flags & kOutAsciiLetter) != 0;
      word_has_confusable |= folding.confusable != 0;
    } else {
      end_word();  // a code point that folds to punctuation (or to a mix) ends the word
    }
    view.text.append(cache->Text(folding));
    view.origin.resize(view.text.size(), static_cast<uint32_t>(start));
  }
  end_word();
}

// One pass, token by token. Most tokens are letters only and are copied as they are.
void WordsView(const TextView& folded, TextView* words, std::vector<WordSpan>* spans) {
  const std::string_view text = folded.text;
  WordsWriter out(folded, words, spans);
  size_t pos = 0;
  while (pos < text.size()) {
    const CodePoint first = CodePointAt(text, pos);
    if (!InToken(first)) {
      out.Gap(pos);
      pos += first.length;
      continue;
    }
    const size_t begin = pos;
    bool letters_only = first.kind == Kind::kLetter;
    pos += first.length;
    while (pos < text.size()) {
      if (AsciiKind(static_cast<unsigned char>(text[pos])) == Kind::kLetter) {
        ++pos;  // ASCII letters, the bulk of most tokens: no decoding
        continue;
      }
      const CodePoint c = CodePointAt(text, pos);
      if (!InToken(c)) break;
      letters_only &= c.kind == Kind::kLetter;
      pos += c.length;
    }
    bool ends_with_single_letter;
    if (letters_only) {  // most tokens: no leetspeak to undo
      out.Copy(begin, pos - begin);
      ends_with_single_letter = pos - begin == first.length;
    } else {
      ends_with_single_letter = WriteLeetToken(text, begin, pos, &out);
    }
    if (ends_with_single_letter) pos = WriteSpelledOutRest(text, pos, &out);
  }
  out.Finish();
}

std::string FoldedForm(std::string_view phrase) { return FoldedView(phrase).text; }

std::string WordsForm(std::string_view phrase) { return WordsView(FoldedView(phrase)).text; }

ByteSpan ToOriginal(const TextView& view, std::string_view original, size_t begin, size_t end) {
  ByteSpan span;
  span.begin = view.origin[begin];
  size_t pos = view.origin[end - 1];
  DecodeUtf8(original, &pos);
  while (pos < original.size()) {
    size_t next = pos;
    if (!IsMark(DecodeUtf8(original, &next))) break;
    pos = next;
  }
  span.end = pos;
  return span;
}

bool IsWordCharBefore(std::string_view text, size_t pos) {
  if (pos == 0) return false;
  size_t start = PreviousCodePoint(text, pos);
  return IsWordCodePoint(DecodeUtf8(text, &start));
}

bool IsWordCharAt(std::string_view text, size_t pos) {
  if (pos >= text.size()) return false;
  return IsWordCodePoint(DecodeUtf8(text, &pos));
}

}  // namespace guardpost::internal
