// mlp::escape_for_message, the one escaper of text in messages (CSV cells, NPY headers,
// safetensors names and JSON errors all show text through it).
#include <gtest/gtest.h>

#include <string>

#include "core/escape.h"

namespace {

using mlp::escape_for_message;

TEST(Escape, ControlBytesAndInvalidUtf8AreEscaped) {
  EXPECT_EQ(escape_for_message("plain text"), "plain text");
  EXPECT_EQ(escape_for_message("a\nb\r\tc\x01\x7f"), "a\\nb\\r\\tc\\x01\\x7f");
  EXPECT_EQ(escape_for_message(std::string("x\0y", 3)), "x\\x00y");
  EXPECT_EQ(escape_for_message("caf\xC3\xA9 \xE2\x82\xAC"), "caf\xC3\xA9 \xE2\x82\xAC");  // valid UTF-8 stays
  EXPECT_EQ(escape_for_message("\xff\xC3"), "\\xff\\xc3");                            // not UTF-8
  EXPECT_EQ(escape_for_message("\xC3\x28"), "\\xc3(");                                // a cut sequence
}

TEST(Escape, CutAfterMaxCharacters) {
  EXPECT_EQ(escape_for_message(std::string(40, 'z')), std::string(40, 'z'));
  EXPECT_EQ(escape_for_message(std::string(41, 'z')), std::string(40, 'z') + "...");
  std::string e_acute;
  for (int i = 0; i < 50; ++i) e_acute += "\xC3\xA9";  // characters count, not bytes
  EXPECT_EQ(escape_for_message(e_acute, 3), "\xC3\xA9\xC3\xA9\xC3\xA9...");
  EXPECT_EQ(escape_for_message("\n\n\n", 2), "\\n\\n...");
  EXPECT_EQ(escape_for_message(std::string(100, 'z'), std::string::npos), std::string(100, 'z'));
}

}  // namespace
