// OpenSSL 3 deprecates the low-level SHA256_* calls in favour of EVP, but EVP allocates a context
// per digest and costs several times more on the short inputs hashed terms produce (a few words).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "hash.h"

#include <openssl/sha.h>

#include <algorithm>

#include "guardpost/engine.h"
#include "normalize.h"

namespace guardpost {
namespace internal {

struct SaltedSha256::State {
  SHA256_CTX context;
};

SaltedSha256::SaltedSha256(std::string_view salt) : salted_(new State) {
  SHA256_Init(&salted_->context);
  SHA256_Update(&salted_->context, salt.data(), salt.size());
}

SaltedSha256::~SaltedSha256() { delete salted_; }

Digest SaltedSha256::Of(std::string_view message) const {
  SHA256_CTX context = salted_->context;
  SHA256_Update(&context, message.data(), message.size());
  Digest digest;
  SHA256_Final(digest.data(), &context);
  return digest;
}

Digest DigestFromHex(std::string_view hex) {
  auto nibble = [](char c) {
    return static_cast<uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  };
  Digest digest{};
  for (size_t i = 0; i < digest.size() && 2 * i + 1 < hex.size(); ++i) {
    digest[i] = static_cast<uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  }
  return digest;
}

std::string HexOf(const Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(64);
  for (uint8_t b : digest) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 15]);
  }
  return hex;
}

}  // namespace internal

HashedTerm HashTerm(std::string_view salt, std::string_view phrase) {
  const std::string words = internal::WordsForm(phrase);
  const int count =
      words.empty() ? 0 : static_cast<int>(std::count(words.begin(), words.end(), ' ')) + 1;
  return {internal::HexOf(internal::SaltedSha256(salt).Of(words)), count};
}

}  // namespace guardpost
