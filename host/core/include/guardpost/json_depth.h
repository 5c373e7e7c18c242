// Parsing JSON that comes from outside (rule packs, browser requests, jsonl lines) with a limit on
// nesting.

#ifndef GUARDPOST_JSON_DEPTH_H_
#define GUARDPOST_JSON_DEPTH_H_

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

namespace guardpost {

// nlohmann parses and frees values without recursion, but dump() and copies recurse once per
// level: a request nested a hundred thousand levels deep parsed fine and then overflowed the stack
// of whatever printed it. Nothing Guardpost reads legitimately nests more than a few levels.
inline constexpr int kMaxJsonDepth = 64;
inline constexpr char kJsonTooDeep[] = "nested more than 64 levels deep";
static_assert(kMaxJsonDepth == 64, "kJsonTooDeep names the limit");

struct JsonTooDeep : std::runtime_error {
  JsonTooDeep() : std::runtime_error(kJsonTooDeep) {}
};

// nlohmann::json::parse, refusing objects and arrays nested more than kMaxJsonDepth levels deep
// by throwing JsonTooDeep (whatever `allow_exceptions` says about syntax errors).
inline nlohmann::json ParseJsonWithDepthLimit(std::string_view text, bool allow_exceptions = true) {
  using Json = nlohmann::json;
  return Json::parse(
      text,
      [](int depth, Json::parse_event_t event, Json&) {
        const bool opens =
            event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start;
        if (opens && depth >= kMaxJsonDepth) throw JsonTooDeep();
        return true;
      },
      allow_exceptions);
}

}  // namespace guardpost

#endif  // GUARDPOST_JSON_DEPTH_H_
