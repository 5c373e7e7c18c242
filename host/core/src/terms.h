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
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "hash.h"

namespace guardpost::internal {

struct WordSpan {
  size_t begin = 0;  // byte offsets in the words view, end exclusive
  size_t end = 0;
};

// The words of a words view, in order.
std::vector<WordSpan> SplitWords(std::string_view words_view);

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

  bool empty() const { return plain_.empty() && salted_.empty(); }

 private:
  struct Ref {
    size_t rule;
    int term;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Salted {
    std::unique_ptr<SaltedSha256> hasher;
    int max_words = 0;
    std::unordered_map<Digest, std::vector<size_t>, DigestHash> rules_by_digest;
  };

  std::unordered_map<std::string, std::vector<Ref>, StringHash, std::equal_to<>> plain_;
  size_t plain_max_words_ = 0;
  std::unordered_map<std::string, Salted> salted_;  // by salt
};

}  // namespace guardpost::internal

#endif  // GUARDPOST_CORE_TERMS_H_
