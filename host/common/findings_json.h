// Findings as JSON, in the one form that the command line (--format json) and the native host
// (docs/protocol.md) both print.

#ifndef GUARDPOST_COMMON_FINDINGS_JSON_H_
#define GUARDPOST_COMMON_FINDINGS_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "guardpost/engine.h"

namespace guardpost {

// {rule, category, severity, start, end, message, suggestion?, replacement?, policy_url?}
// `check --format jsonl` writes the same object by hand for speed (check_command.cc, AppendReply).
inline nlohmann::json ToJson(const Finding& finding) {
  nlohmann::json json = {{"rule", finding.rule},
                         {"category", CategoryName(finding.category)},
                         {"severity", SeverityName(finding.severity)},
                         {"start", finding.start},
                         {"end", finding.end},
                         {"message", finding.message}};
  if (!finding.suggestion.empty()) json["suggestion"] = finding.suggestion;
  if (!finding.replacement.empty()) json["replacement"] = finding.replacement;
  if (!finding.policy_url.empty()) json["policy_url"] = finding.policy_url;
  return json;
}

inline nlohmann::json ToJson(const std::vector<Finding>& findings) {
  nlohmann::json list = nlohmann::json::array();
  for (const Finding& finding : findings) list.push_back(ToJson(finding));
  return list;
}

}  // namespace guardpost

#endif  // GUARDPOST_COMMON_FINDINGS_JSON_H_
