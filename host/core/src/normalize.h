// Normalized views of a post's text, with a map from every byte of a view back to the original.
//
// Rules match on views (docs/rules.md, "Views"); findings must land on what the employee typed,
// in UTF-16 code units. Each view therefore keeps, for every byte it holds, the byte offset in
// the original text of the code point that produced it. Spans map back through that table and
// through Utf16Map, which turns original byte offsets into UTF-16 offsets.
//
// Internal to the core library.

#ifndef GUARDPOST_CORE_NORMALIZE_H_
#define GUARDPOST_CORE_NORMALIZE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace guardpost::internal {

// UTF-16 offsets of an original text's byte offsets. Built once per check.
class Utf16Map {
 public:
  // Precondition: utf8 is valid UTF-8.
  explicit Utf16Map(std::string_view utf8);
  // UTF-16 offset of the code point that starts at byte `byte_offset`; byte_offset may be the
  // text's size (the end). Precondition: byte_offset is on a code point boundary.
  size_t At(size_t byte_offset) const { return utf16_at_byte_[byte_offset]; }

 private:
  std::vector<uint32_t> utf16_at_byte_;  // size() == text size + 1
};

// A view of the text. origin.size() == text.size().
struct TextView {
  std::string text;              // UTF-8
  std::vector<uint32_t> origin;  // origin[i]: original byte offset of the code point behind text[i]
};

// A word of a words view: byte offsets in the view, end exclusive.
struct WordSpan {
  size_t begin = 0;
  size_t end = 0;
};

struct ByteSpan {
  size_t begin = 0;  // original byte offsets, end exclusive, on code point boundaries
  size_t end = 0;
};

// The kFolded view: per code point, compatibility decomposition (NFKD), combining marks dropped,
// Unicode case folding; zero-width characters and soft hyphens dropped; in words that mix Latin
// letters with letters of other scripts, look-alike letters mapped to the Latin letter with the
// same confusable skeleton (ICU uspoof). Whitespace and punctuation are kept.
//
// Written into *view, whose buffers are reused: a check keeps one view of each kind per thread.
void FoldedView(std::string_view original, TextView* view);

// The kWords view, built from the folded view: leetspeak undone inside words (0→o 1→i 3→e 4→a
// 5→s 7→t for a run of digits between letters, or for one digit at the edge of a word of three
// letters or more; '@' after a letter → a, '$' next to a letter → s); runs of
// three or more single letters (once leetspeak is undone, neither a letter nor a digit on either
// side, like the "a" of "@a") separated by one space or one of . - _ * · joined into a word;
// every other run of characters that are neither letters nor digits becomes one space; no
// leading or trailing space. Words are therefore separated by exactly one ' '.
// Written into *words, reusing its buffers. `words` must not be `folded`. If `spans` is given,
// the view's words are written into it, in order (the writer knows where they start and end,
// which spares the engine a second pass over the view to find the spaces).
void WordsView(const TextView& folded, TextView* words, std::vector<WordSpan>* spans = nullptr);

// The same, returned, for callers that keep no buffers (tests, phrases from rules).
inline TextView FoldedView(std::string_view original) {
  TextView view;
  FoldedView(original, &view);
  return view;
}
inline TextView WordsView(const TextView& folded) {
  TextView words;
  WordsView(folded, &words);
  return words;
}

// The views of a phrase from a rule (a term, a keyword, a context word), without origins.
std::string FoldedForm(std::string_view phrase);
std::string WordsForm(std::string_view phrase);

// Maps [begin, end) of a view back to the original text. The result starts at the code point that
// produced view byte `begin` and ends after the code point that produced view byte `end - 1`,
// extended over combining marks that directly follow it in the original (they produced no bytes
// of their own). Precondition: begin < end <= view.text.size().
ByteSpan ToOriginal(const TextView& view, std::string_view original, size_t begin, size_t end);

// Unicode-aware word characters (letters, marks, digits, connector punctuation), for whole-word
// checks on any view. `pos` is a byte offset into `text`.
bool IsWordCharBefore(std::string_view text, size_t pos);  // the code point ending at pos
bool IsWordCharAt(std::string_view text, size_t pos);      // the code point starting at pos

}  // namespace guardpost::internal

#endif  // GUARDPOST_CORE_NORMALIZE_H_
