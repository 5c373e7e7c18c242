#include "terms.h"

#include <algorithm>

namespace guardpost::internal {

std::vector<WordSpan> SplitWords(std::string_view view) {
  std::vector<WordSpan> words;
  size_t begin = 0;
  while (begin < view.size()) {
    size_t end = view.find(' ', begin);
    if (end == std::string_view::npos) end = view.size();
    if (end > begin) words.push_back({begin, end});
    begin = end + 1;
  }
  return words;
}

void TermIndex::AddTerm(std::string_view phrase, size_t rule, int term) {
  if (phrase.empty()) return;
  plain_[std::string(phrase)].refs.push_back({rule, term});
  for (size_t space = phrase.find(' '); space != std::string_view::npos;
       space = phrase.find(' ', space + 1)) {
    plain_[std::string(phrase.substr(0, space))].starts_longer = true;
  }
  const size_t words = static_cast<size_t>(std::count(phrase.begin(), phrase.end(), ' ')) + 1;
  plain_max_words_ = std::max(plain_max_words_, words);
  if (first_words_.empty()) first_words_.resize(kFirstWordBits / 64);
  const size_t bit = StringHash{}(phrase.substr(0, phrase.find(' '))) & (kFirstWordBits - 1);
  first_words_[bit / 64] |= uint64_t{1} << (bit % 64);
}

void TermIndex::AddHashed(std::string_view salt, const std::vector<std::string>& sha256_hex,
                          int max_words, size_t rule) {
  Salted& salted = salted_[std::string(salt)];
  if (!salted.hasher) salted.hasher = std::make_unique<SaltedSha256>(salt);
  salted.max_words = std::max(salted.max_words, max_words);
  for (const std::string& hex : sha256_hex) {
    salted.rules_by_digest[DigestFromHex(hex)].push_back(rule);
  }
}

void TermIndex::Find(std::string_view view, const std::vector<WordSpan>& words,
                     std::vector<TermHit>* hits) const {
  for (size_t first = 0; first < words.size(); ++first) {
    const size_t begin = words[first].begin;
    const bool may_start =
        !first_words_.empty() && MayStartPhrase(view.substr(begin, words[first].end - begin));
    for (size_t n = 0; may_start && n < plain_max_words_ && first + n < words.size(); ++n) {
      const std::string_view slice = view.substr(begin, words[first + n].end - begin);
      const auto it = plain_.find(slice);
      if (it == plain_.end()) break;  // no phrase starts with these words
      for (const Ref& ref : it->second.refs)
        hits->push_back({ref.rule, ref.term, first, first + n});
      if (!it->second.starts_longer) break;
    }
    for (const auto& [salt, salted] : salted_) {
      for (size_t n = 0; n < static_cast<size_t>(salted.max_words) && first + n < words.size();
           ++n) {
        const std::string_view slice = view.substr(begin, words[first + n].end - begin);
        const auto it = salted.rules_by_digest.find(salted.hasher->Of(slice));
        if (it == salted.rules_by_digest.end()) continue;
        for (size_t rule : it->second) hits->push_back({rule, -1, first, first + n});
      }
    }
  }
}

}  // namespace guardpost::internal
