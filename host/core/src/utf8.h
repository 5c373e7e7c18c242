// Small UTF-8 helpers shared by the core. Internal to the core library.

#ifndef GUARDPOST_CORE_UTF8_H_
#define GUARDPOST_CORE_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace guardpost::internal {

// Decodes the code point that starts at text[*pos] and advances *pos past it.
// Precondition: text is valid UTF-8 and *pos < text.size() is on a code point boundary.
// Inline: every view and measure calls it per code point.
inline char32_t DecodeUtf8(std::string_view text, size_t* pos) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t i = *pos;
  const unsigned char c = s[i];
  if (c < 0x80) {
    *pos = i + 1;
    return c;
  }
  const size_t length = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
  char32_t cp = c & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < length; ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
  *pos = i + length;
  return cp;
}

// Whether every byte of `text` is ASCII. Branch-free, so that the compiler vectorizes it.
inline bool IsAscii(std::string_view text) {
  unsigned char any = 0;
  for (const char c : text) any |= static_cast<unsigned char>(c);
  return any < 0x80;
}

// The first byte at or after `pos` that is not ASCII, or text.size(). Most text is mostly ASCII:
// it is skipped eight bytes at a time.
inline size_t EndOfAscii(std::string_view text, size_t pos) {
  for (uint64_t eight; text.size() - pos >= sizeof eight; pos += sizeof eight) {
    std::memcpy(&eight, text.data() + pos, sizeof eight);
    if (eight & 0x8080808080808080u) break;
  }
  while (pos < text.size() && static_cast<unsigned char>(text[pos]) < 0x80) ++pos;
  return pos;
}

// Byte offset of the start of the code point that ends at `pos` (pos > 0, on a boundary).
size_t PreviousCodePoint(std::string_view text, size_t pos);

// Byte offset of the start of the code point after the one at `pos` (on a boundary), or
// text.size().
inline size_t NextCodePoint(std::string_view text, size_t pos) {
  ++pos;
  while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
  return pos;
}

void AppendUtf8(char32_t code_point, std::string* out);

}  // namespace guardpost::internal

#endif  // GUARDPOST_CORE_UTF8_H_
