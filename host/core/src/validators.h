// Checks that turn a pattern match into a finding only when the matched text really is what the
// rule is after: a card number that passes Luhn, an IBAN with the right length and check digits,
// a key with enough randomness. Internal to the core library.

#ifndef GUARDPOST_CORE_VALIDATORS_H_
#define GUARDPOST_CORE_VALIDATORS_H_

#include <string_view>

namespace guardpost::internal {

// Digits of `text` (spaces, dashes and dots ignored; any other character fails) pass the Luhn
// check, with 12 to 19 digits.
bool PassesLuhn(std::string_view text);

// `text` (spaces ignored, letters in either case) is an IBAN: a known country code, the length
// that country uses, and the mod-97 remainder equal to 1.
bool IsValidIban(std::string_view text);

// Shannon entropy of `text` in bits per byte.
double ShannonEntropy(std::string_view text);

}  // namespace guardpost::internal

#endif  // GUARDPOST_CORE_VALIDATORS_H_
