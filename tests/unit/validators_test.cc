#define BOOST_TEST_MODULE validators
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "validators.h"

namespace bdata = boost::unit_test::data;
using namespace guardpost::internal;

// Test card numbers published by the card networks, and near misses.
BOOST_DATA_TEST_CASE(luhn_accepts_valid_card_numbers,
                     bdata::make({"4111111111111111", "4111 1111 1111 1111", "5500-0000-0000-0004",
                                  "5313.9278.3786.6586", "378282246310005", "6011111111111117",
                                  "3530111333300000"}),
                     number) {
  BOOST_TEST(PassesLuhn(number));
}

BOOST_DATA_TEST_CASE(luhn_rejects_invalid_or_malformed,
                     bdata::make({"4111111111111112", "41111111111", "4111x111111111111",
                                  "12345678901234567890", ""}),
                     number) {
  BOOST_TEST(!PassesLuhn(number));
}

// IBANs from several countries' published examples.
BOOST_DATA_TEST_CASE(
    iban_accepts_valid,
    bdata::make({"DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
                 "gb82 west 1234 5698 7654 32", "FR1420041010050500013M02606", "NL91ABNA0417164300",
                 "PT50000201231234567890154", "NO9386011117947", "MT84MALT011000012345MTLCAST001S",
                 "BR1800360305000010009795493C1"}),
    iban) {
  BOOST_TEST(IsValidIban(iban));
}

BOOST_DATA_TEST_CASE(iban_rejects_bad_check_digits_length_or_country,
                     bdata::make({"DE89370400440532013001",  // check digits
                                  "DE8937040044053201300",   // one digit short for DE
                                  "XX89370400440532013000",  // no such country
                                  "GB82WEST1234569876543!",  // not alphanumeric
                                  "DE8"}),
                     iban) {
  BOOST_TEST(!IsValidIban(iban));
}

BOOST_AUTO_TEST_CASE(entropy_measures_bits_per_character) {
  BOOST_TEST(ShannonEntropy("") == 0.0);
  BOOST_TEST(ShannonEntropy("aaaaaaaa") == 0.0);
  BOOST_TEST(ShannonEntropy("abababab") == 1.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(ShannonEntropy("abcdefghijklmnop") == 4.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(ShannonEntropy("wJalrXUtnFEMI/K7MDENG/bPxRfiCY") > 4.0);
}
