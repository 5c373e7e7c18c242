#include "terms.h"

#include <algorithm>

namespace guardpost::internal {

size_t TermIndex::KeyIndex(std::string_view key, uint64_t hash) const {
  if (slots_.empty()) return kNoKey;
  const size_t mask = slots_.size() - 1;
  for (size_t i = (hash >> 32) & mask;; i = (i + 1) & mask) {
    const uint32_t slot = slots_[i];
    if (slot == 0) return kNoKey;
    const KeyEntry& candidate = keys_[slot - 1];
    if (candidate.hash == hash && candidate.key == key) return slot - 1;
  }
}

TermIndex::Entry& TermIndex::LookupOrAdd(std::string_view key) {
  const uint64_t hash = StringHash{}(key);
  if (const size_t k = KeyIndex(key, hash); k != kNoKey) return keys_[k].entry;
  // A key without a space is a phrase's first word (a phrase, or the start of longer ones).
  auto is_first_word = [](const KeyEntry& k) { return k.key.find(' ') == std::string::npos; };
  if (2 * (keys_.size() + 1) > slots_.size()) {  // grow, and place every key again
    slots_.assign(std::max<size_t>(64, 2 * slots_.size()), 0);
    first_words_.assign(std::min(8 * slots_.size(), kMaxFirstWordBits) / 64, 0);
    for (size_t k = 0; k < keys_.size(); ++k) {
      size_t i = (keys_[k].hash >> 32) & (slots_.size() - 1);
      while (slots_[i] != 0) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = static_cast<uint32_t>(k + 1);
      if (is_first_word(keys_[k])) AddFirstWord(keys_[k].hash);
    }
  }
  size_t i = (hash >> 32) & (slots_.size() - 1);
  while (slots_[i] != 0) i = (i + 1) & (slots_.size() - 1);
  keys_.push_back({std::string(key), hash, {}});
  slots_[i] = static_cast<uint32_t>(keys_.size());
  if (is_first_word(keys_.back())) AddFirstWord(hash);
  return keys_.back().entry;
}

void TermIndex::AddTerm(std::string_view phrase, size_t rule, int term) {
  if (phrase.empty()) return;
  LookupOrAdd(phrase).refs.push_back({rule, term});
  for (size_t space = phrase.find(' '); space != std::string_view::npos;
       space = phrase.find(' ', space + 1)) {
    LookupOrAdd(phrase.substr(0, space)).starts_longer = true;
  }
  const size_t words = static_cast<size_t>(std::count(phrase.begin(), phrase.end(), ' ')) + 1;
  plain_max_words_ = std::max(plain_max_words_, words);
}

void TermIndex::AddHashed(std::string_view salt, const std::vector<std::string>& sha256_hex,
                          int max_words, size_t rule) {
  Salted& salted = salted_[std::string(salt)];
  if (!salted.hasher) salted.hasher = std::make_unique<SaltedSha256>(salt);
  salted.max_words = std::max(salted.max_words, max_words);
  for (const std::string& hex : sha256_hex) {
    const Digest digest = DigestFromHex(hex);
    salted.rules_by_digest[digest].push_back(rule);
    const size_t bit = DigestHash{}(digest) & (Salted::kDigestBits - 1);
    salted.digest_bits[bit / 64] |= uint64_t{1} << (bit % 64);
  }
}

void TermIndex::Find(std::string_view view, const std::vector<WordSpan>& words,
                     std::vector<TermHit>* hits) const {
  for (size_t first = 0; first < words.size(); ++first) {
    const size_t begin = words[first].begin;
    const std::string_view first_word = view.substr(begin, words[first].end - begin);
    const uint64_t first_hash = keys_.empty() ? 0 : StringHash{}(first_word);
    const bool may_start = !keys_.empty() && MayStartPhrase(first_hash);
    for (size_t n = 0; may_start && n < plain_max_words_ && first + n < words.size(); ++n) {
      const std::string_view slice = view.substr(begin, words[first + n].end - begin);
      const size_t k = KeyIndex(slice, n == 0 ? first_hash : StringHash{}(slice));
      if (k == kNoKey) break;  // no phrase starts with these words
      const Entry& entry = keys_[k].entry;
      for (const Ref& ref : entry.refs) hits->push_back({ref.rule, ref.term, first, first + n});
      if (!entry.starts_longer) break;
    }
  }
  // Hashed terms: every slice of 1..max_words words, hashed in batches (SaltedSha256::OfEach) of
  // a size that keeps the scratch small whatever the text's length.
  constexpr size_t kBatch = 128;
  thread_local std::vector<std::string_view> slices;
  thread_local std::vector<std::pair<size_t, size_t>> slice_words;  // first, last
  thread_local std::vector<Digest> digests;
  for (const auto& [salt, salted] : salted_) {
    auto look_up_batch = [&] {
      salted.hasher->OfEach(slices, &digests);
      for (size_t i = 0; i < digests.size(); ++i) {
        if (!salted.MayHold(digests[i])) continue;
        const auto it = salted.rules_by_digest.find(digests[i]);
        if (it == salted.rules_by_digest.end()) continue;
        for (size_t rule : it->second) {
          hits->push_back({rule, -1, slice_words[i].first, slice_words[i].second});
        }
      }
      slices.clear();
      slice_words.clear();
    };
    for (size_t first = 0; first < words.size(); ++first) {
      const size_t begin = words[first].begin;
      const size_t end = std::min(words.size(), first + static_cast<size_t>(salted.max_words));
      for (size_t last = first; last < end; ++last) {
        slices.push_back(view.substr(begin, words[last].end - begin));
        slice_words.emplace_back(first, last);
      }
      if (slices.size() >= kBatch) look_up_batch();
    }
    look_up_batch();
  }
}

}  // namespace guardpost::internal
