// The escaper for text in messages.
#include "core/escape.h"

namespace mlp {

std::string escape_for_message(std::string_view text, std::size_t max_chars) {
  static const char* const hex = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  std::string out;
  for (std::size_t chars = 0; p < end; ++chars) {
    if (chars == max_chars) {
      out += "...";
      break;
    }
    const unsigned char c = *p;
    const std::size_t n = c >= 0x80 ? utf8_length(p, end) : 1;
    if (n > 1) {
      out.append(reinterpret_cast<const char*>(p), n);
      p += n;
      continue;
    }
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c >= 0x7F) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
    ++p;
  }
  return out;
}

}  // namespace mlp
