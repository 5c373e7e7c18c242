// Salted SHA-256 for hashed terms. Internal to the core library.

#ifndef GUARDPOST_CORE_HASH_H_
#define GUARDPOST_CORE_HASH_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace guardpost::internal {

using Digest = std::array<uint8_t, 32>;

// SHA-256 of salt + message, computed many times per check with the same salt, so the salt is
// absorbed once and its state copied for each message.
class SaltedSha256 {
 public:
  explicit SaltedSha256(std::string_view salt);
  ~SaltedSha256();
  SaltedSha256(const SaltedSha256&) = delete;
  SaltedSha256& operator=(const SaltedSha256&) = delete;

  Digest Of(std::string_view message) const;
  // (*digests)[i] = Of(messages[i]), in about two thirds of the time per message for the short
  // messages hashed terms produce.
  void OfEach(std::span<const std::string_view> messages, std::vector<Digest>* digests) const;

 private:
  struct State;
  State* salted_;  // SHA-256 state after absorbing the salt
};

// Parses 64 hex digits. Precondition: `hex` was validated by ParsePack.
Digest DigestFromHex(std::string_view hex);
std::string HexOf(const Digest& digest);

struct DigestHash {
  size_t operator()(const Digest& d) const {
    size_t h;  // the digest is already uniform: its first bytes make a fine hash
    static_assert(sizeof(h) <= sizeof(Digest));
    __builtin_memcpy(&h, d.data(), sizeof(h));
    return h;
  }
};

}  // namespace guardpost::internal

#endif  // GUARDPOST_CORE_HASH_H_
