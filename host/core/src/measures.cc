#include "measures.h"

#include <unicode/uchar.h>

#include <cstdint>

#include "utf8.h"

namespace guardpost::internal {
namespace {

constexpr size_t kBlock = 32;

// How many of text[pos, pos + kBlock) are '!' or '?'. Branch-free, so that it vectorizes.
int MarksInBlock(std::string_view text, size_t pos) {
  int marks = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    const char c = text[pos + i];
    marks += (c == '!') | (c == '?');
  }
  return marks;
}

bool IsAsciiLetter(unsigned char byte) {
  return static_cast<unsigned char>((byte | 0x20) - 'a') < 26;
}
bool IsAsciiCapital(unsigned char byte) { return static_cast<unsigned char>(byte - 'A') < 26; }

}  // namespace

void FindPunctuationRuns(std::string_view text, int min_run, std::vector<ByteSpan>* runs) {
  auto is_mark = [&](size_t i) { return text[i] == '!' || text[i] == '?'; };
  // A block that held a mark is walked byte by byte to its end before the next block is tested:
  // testing a block at every byte near a mark would count the same bytes up to 32 times.
  size_t bytewise_until = 0;
  for (size_t i = 0; i < text.size();) {
    if (i >= bytewise_until && i + kBlock <= text.size()) {
      if (MarksInBlock(text, i) == 0) {
        i += kBlock;
        continue;
      }
      bytewise_until = i + kBlock;
    }
    if (!is_mark(i)) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < text.size() && is_mark(j)) ++j;
    if (static_cast<int>(j - i) >= min_run) runs->push_back({i, j});
    i = j;
  }
}

std::optional<ByteSpan> FindShouting(std::string_view text, int min_letters, double min_ratio) {
  if (text.size() < static_cast<size_t>(min_letters)) return std::nullopt;
  int letters = 0, capitals = 0;
  size_t first = text.size(), last_end = 0;
  // As in FindPunctuationRuns: a block that is not all ASCII is walked character by character to
  // its end before the next block is tested.
  size_t bytewise_until = 0;
  for (size_t pos = 0; pos < text.size();) {
    bool ascii_block = false;
    if (pos >= bytewise_until && pos + kBlock <= text.size()) {
      ascii_block = IsAscii(text.substr(pos, kBlock));
      if (!ascii_block) bytewise_until = pos + kBlock;
    }
    if (ascii_block) {
      int block_letters = 0, block_capitals = 0;
      for (size_t k = 0; k < kBlock; ++k) {
        const auto byte = static_cast<unsigned char>(text[pos + k]);
        block_letters += IsAsciiLetter(byte);
        block_capitals += IsAsciiCapital(byte);
      }
      if (block_letters > 0) {
        size_t k = 0;
        if (letters == 0) {
          while (!IsAsciiLetter(static_cast<unsigned char>(text[pos + k]))) ++k;
          first = pos + k;
        }
        k = kBlock;
        while (!IsAsciiLetter(static_cast<unsigned char>(text[pos + k - 1]))) --k;
        last_end = pos + k;
      }
      letters += block_letters;
      capitals += block_capitals;
      pos += kBlock;
    } else {
      const size_t start = pos;
      const auto byte = static_cast<unsigned char>(text[pos]);
      bool letter, capital;
      if (byte < 0x80) {  // most characters even of a block that is not all ASCII
        ++pos;
        letter = IsAsciiLetter(byte);
        capital = IsAsciiCapital(byte);
      } else {
        const auto c = static_cast<UChar32>(DecodeUtf8(text, &pos));
        letter = u_isalpha(c);
        capital = u_isupper(c);
      }
      if (!letter) continue;
      if (letters++ == 0) first = start;
      capitals += capital ? 1 : 0;
      last_end = pos;
    }
    // Most posts are not shouting: stop once even a text that is capitals from here on could not
    // reach the share (each remaining byte adds at most one capital letter).
    const auto remaining = static_cast<double>(text.size() - pos);
    if (capitals + remaining < min_ratio * (letters + remaining)) return std::nullopt;
  }
  if (letters >= min_letters && capitals >= min_ratio * static_cast<double>(letters)) {
    return ByteSpan{first, last_end};
  }
  return std::nullopt;
}

}  // namespace guardpost::internal
