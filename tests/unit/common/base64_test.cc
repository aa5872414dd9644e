#include "common/base64.h"

#include <gtest/gtest.h>

#include <vector>

namespace weft {
namespace {

TEST(Base64Test, StandardAlphabetIsPaddedRfc4648) {
  struct Case {
    std::string plain, encoded;
  };
  for (const Case& c : std::vector<Case>{{"", ""},
                                         {"f", "Zg=="},
                                         {"fo", "Zm8="},
                                         {"foo", "Zm9v"},
                                         {"foob", "Zm9vYg=="},
                                         {std::string("\xff\x00\xfe", 3), "/wD+"}}) {
    EXPECT_EQ(Base64Encode(c.plain), c.encoded);
    EXPECT_EQ(Base64Decode(c.encoded), c.plain) << c.encoded;
  }
  for (std::string bad : {"Zg=", "Z===", "Zg=a", "Zm9v!A==", "=Zm9", "Zh=="}) {
    EXPECT_EQ(Base64Decode(bad), std::nullopt) << bad;
  }
}

TEST(Base64Test, UrlAlphabetRoundTripsEveryLengthUnpadded) {
  std::string bytes;
  for (int i = 0; i < 20; ++i) {
    auto text = Base64Encode(bytes, Base64Alphabet::kUrl);
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(Base64Decode(text, Base64Alphabet::kUrl), bytes);
    bytes.push_back(static_cast<char>(i * 37 + 200));
  }
  EXPECT_EQ(Base64Decode("%%%", Base64Alphabet::kUrl), std::nullopt);
  EXPECT_EQ(Base64Decode("A", Base64Alphabet::kUrl), std::nullopt);
  EXPECT_EQ(Base64Decode("Zg==", Base64Alphabet::kUrl), std::nullopt);
}

}  // namespace
}  // namespace weft
