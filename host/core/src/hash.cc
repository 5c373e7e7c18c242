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

namespace {
// SHA-256 pads a message with 0x80, zeros and its length in bits (8 bytes), to whole blocks.
constexpr size_t kPaddingMin = 9;
size_t PaddedBlocks(size_t size) { return (size + kPaddingMin + 63) / 64; }
// OfEach pads messages of up to two blocks itself (most slices of a post fit in one, some with
// long words in two); longer ones go through Of.
using TwoBlocks = std::array<uint8_t, 128>;
}  // namespace

struct SaltedSha256::State {
  SHA256_CTX context;  // after absorbing the salt
  SHA256_CTX initial;  // before
  size_t salt_size = 0;
  TwoBlocks salt_then_zeros{};  // when the salt fits one block
};

SaltedSha256::SaltedSha256(std::string_view salt) : salted_(new State) {
  SHA256_Init(&salted_->initial);
  salted_->context = salted_->initial;
  SHA256_Update(&salted_->context, salt.data(), salt.size());
  salted_->salt_size = salt.size();
  if (PaddedBlocks(salt.size()) == 1) {
    std::copy(salt.begin(), salt.end(), salted_->salt_then_zeros.begin());
  }
}

SaltedSha256::~SaltedSha256() { delete salted_; }

Digest SaltedSha256::Of(std::string_view message) const {
  SHA256_CTX context = salted_->context;
  SHA256_Update(&context, message.data(), message.size());
  Digest digest;
  SHA256_Final(digest.data(), &context);
  return digest;
}

void SaltedSha256::OfEach(std::span<const std::string_view> messages,
                          std::vector<Digest>* digests) const {
  digests->resize(messages.size());
  // Messages of one or two blocks with the salt are padded here and compressed with
  // SHA256_Transform, which skips SHA256_Update's buffering and SHA256_Final's copying and
  // cleansing. All of them are padded before the first is compressed: a block compressed right
  // after it was written waits for the stores to reach the cache (the compression's 16-byte loads
  // cannot take bytes from several smaller stores in flight), and that wait cost as much as the
  // compression.
  thread_local std::vector<TwoBlocks> padded;
  padded.clear();
  const size_t salt_size = salted_->salt_size;
  auto padded_blocks = [&](std::string_view message) {
    const size_t count = PaddedBlocks(salt_size + message.size());
    return count <= 2 && PaddedBlocks(salt_size) == 1 ? count : 0;
  };
  for (const std::string_view message : messages) {
    const size_t count = padded_blocks(message);
    if (count == 0) continue;
    const size_t size = salt_size + message.size();
    TwoBlocks& blocks = padded.emplace_back(salted_->salt_then_zeros);
    std::copy(message.begin(), message.end(), blocks.begin() + static_cast<ptrdiff_t>(salt_size));
    blocks[size] = 0x80;
    const size_t bits = 8 * size;  // < 2^16
    blocks[64 * count - 2] = static_cast<uint8_t>(bits >> 8);
    blocks[64 * count - 1] = static_cast<uint8_t>(bits);
  }
  size_t next = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    const size_t count = padded_blocks(messages[i]);
    if (count == 0) {
      (*digests)[i] = Of(messages[i]);
      continue;
    }
    SHA256_CTX context = salted_->initial;
    const TwoBlocks& blocks = padded[next++];
    for (size_t b = 0; b < count; ++b) SHA256_Transform(&context, blocks.data() + 64 * b);
    Digest digest;  // a local: stores through uint8_t* into the vector would alias everything
    for (size_t w = 0; w < 8; ++w) {
      for (size_t b = 0; b < 4; ++b) {
        digest[4 * w + b] = static_cast<uint8_t>(context.h[w] >> (24 - 8 * b));
      }
    }
    (*digests)[i] = digest;
  }
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
