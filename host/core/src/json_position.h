// Line and column of a value inside a JSON document, found by its path.
//
// nlohmann::json (3.11, as Debian 12 ships it) keeps no source positions, yet a rule author needs
// "rules/secrets.json:41:20" to find a bad field. After a successful parse we walk the text once
// more with this small scanner, following the path to the value. Internal to the core library.

#ifndef GUARDPOST_CORE_JSON_POSITION_H_
#define GUARDPOST_CORE_JSON_POSITION_H_

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace guardpost::internal {

// One step of a path: an object key or an array index.
using PathStep = std::variant<std::string, size_t>;

struct TextPosition {
  int line = 0;  // 1-based; 0 when the path was not found
  int column = 0;
};

// Position of the value at `path` (an empty path is the whole document). When the path names an
// object member, the position is that of the member's key. Precondition: json is valid JSON.
TextPosition FindJsonPosition(std::string_view json, const std::vector<PathStep>& path);

// Line and column of a byte offset.
TextPosition PositionOfOffset(std::string_view text, size_t offset);

}  // namespace guardpost::internal

#endif  // GUARDPOST_CORE_JSON_POSITION_H_
