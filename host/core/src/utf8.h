// Small UTF-8 helpers shared by the core. Internal to the core library.

#ifndef GUARDPOST_CORE_UTF8_H_
#define GUARDPOST_CORE_UTF8_H_

#include <cstddef>
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

// Byte offset of the start of the code point that ends at `pos` (pos > 0, on a boundary).
size_t PreviousCodePoint(std::string_view text, size_t pos);

void AppendUtf8(char32_t code_point, std::string* out);

}  // namespace guardpost::internal

#endif  // GUARDPOST_CORE_UTF8_H_
