// Text from files and command lines shown in one-line error messages: the one escaper every
// message uses, and the UTF-8 check it (and the CSV scanner) relies on.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mlp {

// `text` as a message shows it (inside quotes the caller adds): "\n", "\r" and "\t" for those
// bytes; "\xHH" for other control bytes, DEL and bytes that are not part of valid UTF-8; other
// text as it is. Cut after `max_chars` characters (a UTF-8 sequence counts as one), with "..."
// appended; std::string_view::npos: never cut. escape_for_message("a\nb\x01") == "a\\nb\\x01".
std::string escape_for_message(std::string_view text, std::size_t max_chars = 40);

// Length of the valid UTF-8 sequence at p, whose first byte is >= 0x80 (2, 3 or 4), or 0 if it is
// not one (a continuation byte, an overlong form, a surrogate, beyond U+10FFFF, or cut by `end`).
inline std::size_t utf8_length(const unsigned char* p, const unsigned char* end) {
  auto cont = [&](std::size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return p + i < end && p[i] >= lo && p[i] <= hi;
  };
  unsigned char c = p[0];
  if (c < 0xC2) return 0;  // a lone continuation byte, or an overlong two-byte form
  if (c < 0xE0) return cont(1) ? 2 : 0;
  if (c < 0xF0) {
    bool second = c == 0xE0 ? cont(1, 0xA0) : c == 0xED ? cont(1, 0x80, 0x9F) : cont(1);
    return second && cont(2) ? 3 : 0;
  }
  if (c < 0xF5) {
    bool second = c == 0xF0 ? cont(1, 0x90) : c == 0xF4 ? cont(1, 0x80, 0x8F) : cont(1);
    return second && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

}  // namespace mlp
