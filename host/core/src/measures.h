// Properties of a post's whole text: shouting, and runs of '!' and '?'. Internal to the core.
//
// Measures look at every post, and most posts are mostly ASCII, so both walk the text in blocks of
// ASCII bytes with loops simple enough for the compiler to vectorize, and decode code points only
// where a block holds something else.

#ifndef GUARDPOST_CORE_MEASURES_H_
#define GUARDPOST_CORE_MEASURES_H_

#include <optional>
#include <string_view>
#include <vector>

#include "normalize.h"

namespace guardpost::internal {

// Runs of at least `min_run` characters that are each '!' or '?', appended to *runs.
void FindPunctuationRuns(std::string_view text, int min_run, std::vector<ByteSpan>* runs);

// If `text` has at least `min_letters` letters and capitals make up at least `min_ratio` of
// them: the span from its first letter to the end of its last one. Letters and capitals are
// Unicode's (u_isalpha, u_isupper). Precondition: text is valid UTF-8.
std::optional<ByteSpan> FindShouting(std::string_view text, int min_letters, double min_ratio);

}  // namespace guardpost::internal

#endif  // GUARDPOST_CORE_MEASURES_H_
