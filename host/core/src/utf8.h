// Small UTF-8 helpers shared by the core. Internal to the core library.

#ifndef GUARDPOST_CORE_UTF8_H_
#define GUARDPOST_CORE_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace guardpost::internal {

// Decodes the code point that starts at text[*pos] and advances *pos past it.
// Precondition: text is valid UTF-8 and *pos < text.size() is on a code point boundary.
char32_t DecodeUtf8(std::string_view text, size_t* pos);

// Byte offset of the start of the code point that ends at `pos` (pos > 0, on a boundary).
size_t PreviousCodePoint(std::string_view text, size_t pos);

void AppendUtf8(char32_t code_point, std::string* out);

}  // namespace guardpost::internal

#endif  // GUARDPOST_CORE_UTF8_H_
