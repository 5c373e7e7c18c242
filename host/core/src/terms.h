// Whole-word matching of term lists, plain and hashed, on the words view.
//
// The words view separates words by exactly one space, so a phrase of n words is a contiguous
// slice of it. Matching walks the word starts and looks up the slices of 1..max_words words in a
// hash table: a handful of lookups per word, whatever the number of terms. (An RE2 alternation of
// ten thousand literals compiles slowly and its DFA thrashes; this does not.) Hashed terms hash
// the same slices with the pack's salt and look the digest up instead. Internal to the core.

#ifndef GUARDPOST_CORE_TERMS_H_
#define GUARDPOST_CORE_TERMS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "hash.h"
#include "normalize.h"

namespace guardpost::internal {

struct TermHit {
  size_t rule = 0;  // the index given to Add*
  int term = -1;    // index into the rule's terms, or -1 for a hashed term
  size_t first_word = 0;
  size_t last_word = 0;  // inclusive
};

class TermIndex {
 public:
  // `phrase` is already in words form (WordsForm); empty phrases are ignored.
  void AddTerm(std::string_view phrase, size_t rule, int term);
  void AddHashed(std::string_view salt, const std::vector<std::string>& sha256_hex, int max_words,
                 size_t rule);

  // Appends every occurrence of every term, in no particular order.
  void Find(std::string_view words_view, const std::vector<WordSpan>& words,
            std::vector<TermHit>* hits) const;

  bool empty() const { return keys_.empty() && salted_.empty(); }

 private:
  struct Ref {
    size_t rule;
    int term;
  };
  // Every phrase, and every shorter run of a phrase's leading words ("a b" for "a b c"), so that
  // Find stops extending a slice as soon as no phrase starts with it: with ten thousand terms most
  // words cost one lookup, whatever the longest phrase.
  struct Entry {
    std::vector<Ref> refs;       // empty when the key is only the start of longer phrases
    bool starts_longer = false;  // some phrase continues this key with more words
  };
  // Short keys (a few words) dominate: a multiply-xorshift over 8-byte chunks is several times
  // cheaper than std::hash's out-of-line murmur, and spreads well enough for a hash table.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      uint64_t h = 0x9E3779B97F4A7C15ULL ^ s.size();
      size_t i = 0;
      for (; i + 8 <= s.size(); i += 8) {
        uint64_t chunk;
        __builtin_memcpy(&chunk, s.data() + i, 8);
        h = (h ^ chunk) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
      }
      // The last 0 to 7 bytes, read without a loop: a loop's exit, at a different count for
      // every word, was mispredicted for most of them.
      const size_t rest = s.size() - i;
      const char* p = s.data() + i;
      uint64_t tail = 0;
      if (rest >= 4) {
        uint32_t low, high;
        __builtin_memcpy(&low, p, 4);
        __builtin_memcpy(&high, p + rest - 4, 4);
        tail = low | static_cast<uint64_t>(high) << 32;
      } else if (rest > 0) {
        tail = static_cast<uint64_t>(static_cast<unsigned char>(p[0])) |
               static_cast<uint64_t>(static_cast<unsigned char>(p[rest / 2])) << 8 |
               static_cast<uint64_t>(static_cast<unsigned char>(p[rest - 1])) << 16;
      }
      h = (h ^ tail) * 0x94D049BB133111EBULL;
      return static_cast<size_t>(h ^ (h >> 29));
    }
  };
  struct Salted {
    // One bit per digest (its first bytes are uniform): most slices of a post are no hashed
    // term, and the bit says so from cache, where the map lookup would miss it.
    static constexpr size_t kDigestBits = size_t{1} << 16;  // 8 KiB
    bool MayHold(const Digest& digest) const {
      const size_t bit = DigestHash{}(digest) & (kDigestBits - 1);
      return (digest_bits[bit / 64] >> (bit % 64)) & 1;
    }
    std::vector<uint64_t> digest_bits = std::vector<uint64_t>(kDigestBits / 64);
    std::unique_ptr<SaltedSha256> hasher;
    int max_words = 0;
    std::unordered_map<Digest, std::vector<size_t>, DigestHash> rules_by_digest;
  };

  // One bit per hash of a phrase's first word. Most words of a post start no phrase; the bit says
  // so from a table small enough to stay in cache: it grows with the keys, 16 bits or more per
  // key, up to kMaxFirstWordBits.
  static constexpr size_t kMaxFirstWordBits = size_t{1} << 18;  // 32 KiB
  bool MayStartPhrase(uint64_t hash) const {
    const size_t bit = hash & (first_words_.size() * 64 - 1);
    return (first_words_[bit / 64] >> (bit % 64)) & 1;
  }
  void AddFirstWord(uint64_t hash) {
    const size_t bit = hash & (first_words_.size() * 64 - 1);
    first_words_[bit / 64] |= uint64_t{1} << (bit % 64);
  }

  // The keys (phrases and their leading runs of words) in an open-addressing table: power-of-two
  // size, at most half full, linear probing. A lookup is one probe or two and one comparison; a
  // std::unordered_map lookup was a division and two dependent cache misses, for every word.
  struct KeyEntry {
    std::string key;
    uint64_t hash = 0;
    Entry entry;
  };
  static constexpr size_t kNoKey = SIZE_MAX;
  size_t KeyIndex(std::string_view key, uint64_t hash) const;  // into keys_, or kNoKey
  Entry& LookupOrAdd(std::string_view key);

  std::vector<KeyEntry> keys_;
  std::vector<uint32_t> slots_;        // index + 1 into keys_; 0 is a free slot
  std::vector<uint64_t> first_words_;  // a power of two of bits once a term is added
  size_t plain_max_words_ = 0;
  std::unordered_map<std::string, Salted> salted_;  // by salt
};

}  // namespace guardpost::internal

#endif  // GUARDPOST_CORE_TERMS_H_
