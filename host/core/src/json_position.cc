#include "json_position.h"

namespace guardpost::internal {
namespace {

// A forward-only scanner over valid JSON. It never validates: ParsePack has already parsed the
// document with nlohmann::json, so every skip below can trust the structure.
class Scanner {
 public:
  explicit Scanner(std::string_view json) : json_(json) {}

  size_t pos() const { return pos_; }

  void SkipSpace() {
    while (pos_ < json_.size() && (json_[pos_] == ' ' || json_[pos_] == '\t' ||
                                   json_[pos_] == '\n' || json_[pos_] == '\r')) {
      ++pos_;
    }
  }

  char Peek() {
    SkipSpace();
    return pos_ < json_.size() ? json_[pos_] : '\0';
  }

  void Expect(char c) {
    if (Peek() == c) ++pos_;
  }

  // Reads a string token and returns its raw contents (escapes are left as they are; keys in rule
  // packs are plain ASCII, so comparing raw contents is enough).
  std::string_view ReadString() {
    Expect('"');
    const size_t begin = pos_;
    while (pos_ < json_.size() && json_[pos_] != '"') pos_ += json_[pos_] == '\\' ? 2 : 1;
    const std::string_view contents = json_.substr(begin, pos_ - begin);
    ++pos_;
    return contents;
  }

  void SkipValue() {
    const char c = Peek();
    if (c == '"') {
      ReadString();
    } else if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++pos_;
      while (Peek() != close) {
        if (c == '{') {
          ReadString();
          Expect(':');
        }
        SkipValue();
        if (Peek() == ',') ++pos_;
      }
      ++pos_;
    } else {
      while (pos_ < json_.size() && json_[pos_] != ',' && json_[pos_] != '}' &&
             json_[pos_] != ']' && json_[pos_] != ' ' && json_[pos_] != '\n' &&
             json_[pos_] != '\r' && json_[pos_] != '\t') {
        ++pos_;
      }
    }
  }

  // Moves to the member `key` of the object at the current position. Returns the offset of the
  // key, or npos when there is no such member.
  size_t EnterMember(std::string_view key) {
    if (Peek() != '{') return std::string_view::npos;
    ++pos_;
    while (Peek() == '"') {
      const size_t key_pos = pos_;
      const std::string_view name = ReadString();
      Expect(':');
      if (name == key) {
        SkipSpace();
        return key_pos;
      }
      SkipValue();
      if (Peek() == ',') ++pos_;
    }
    return std::string_view::npos;
  }

  // Moves to element `index` of the array at the current position; false when there is none.
  bool EnterElement(size_t index) {
    if (Peek() != '[') return false;
    ++pos_;
    for (size_t i = 0; i < index; ++i) {
      if (Peek() == ']') return false;
      SkipValue();
      if (Peek() == ',') ++pos_;
    }
    return Peek() != ']';
  }

 private:
  std::string_view json_;
  size_t pos_ = 0;
};

}  // namespace

TextPosition PositionOfOffset(std::string_view text, size_t offset) {
  TextPosition position{1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++position.column;  // columns count characters, not bytes
    }
  }
  return position;
}

TextPosition FindJsonPosition(std::string_view json, const std::vector<PathStep>& path) {
  Scanner scanner(json);
  size_t at = (scanner.SkipSpace(), scanner.pos());
  for (const PathStep& step : path) {
    if (const auto* key = std::get_if<std::string>(&step)) {
      at = scanner.EnterMember(*key);
      if (at == std::string_view::npos) return {};
    } else {
      if (!scanner.EnterElement(std::get<size_t>(step))) return {};
      at = scanner.pos();
    }
  }
  return PositionOfOffset(json, at);
}

}  // namespace guardpost::internal
