#include "native/session.h"

#include <chrono>
#include <exception>
#include <utility>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "common/findings_json.h"
#include "common/logging.h"
#include "guardpost/json_depth.h"

namespace guardpost {
namespace {

using json = nlohmann::json;
// Replies keep their keys in the order of docs/protocol.md, which makes them easier to read.
using ordered_json = nlohmann::ordered_json;

// Every failure a handler reports to the extension. The message names fields and sizes only:
// it must never quote the post.
struct RequestError {
  std::string code;
  std::string message;
};

RequestError BadRequest(std::string message) { return {"bad_request", std::move(message)}; }

// Post text and engine messages are valid UTF-8 when they reach a dump, but a bug that cut a
// character in half must cost a replacement character, not an exception.
std::string Dump(const ordered_json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A request value that came from the extension, not from the employee, shown in messages and
// logs: short and JSON-quoted so that it cannot forge a log line.
std::string Quote(std::string_view value) { return Dump(json(std::string(Utf8Prefix(value, 40)))); }

const char* JsonTypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}

// Typed field access. `path` is how the field is named in messages ("context.attachments[0].alt").
const json* Field(const json& object, const char* name) {
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

const std::string* OptionalString(const json& object, const char* name, const std::string& path) {
  const json* value = Field(object, name);
  if (value == nullptr) return nullptr;
  if (!value->is_string()) {
    throw BadRequest("field '" + path + "' must be a string, not " + JsonTypeName(*value));
  }
  return value->get_ptr<const std::string*>();
}

const std::string& RequiredString(const json& object, const char* name, const std::string& path) {
  const std::string* value = OptionalString(object, name, path);
  if (value == nullptr) throw BadRequest("field '" + path + "' is missing");
  return *value;
}

const json* OptionalOf(const json& object, const char* name, const std::string& path,
                       json::value_t type, const char* type_name) {
  const json* value = Field(object, name);
  if (value != nullptr && value->type() != type) {
    throw BadRequest("field '" + path + "' must be " + type_name + ", not " + JsonTypeName(*value));
  }
  return value;
}

// "2025.11" for a layer of one pack, "2025.11,3" for two, "-" for none or a rejected layer.
std::string LayerVersion(const Layer& layer) {
  if (!layer.errors.empty() || layer.packs.empty()) return "-";
  std::string out;
  for (const Pack& pack : layer.packs) {
    if (!out.empty()) out += ',';
    out += pack.version.empty() ? "?" : pack.version;
  }
  return out;
}

}  // namespace

std::string ErrorReply(std::string_view id_json, std::string_view code, std::string_view message) {
  std::string out = "{\"id\":";
  out += id_json;
  out += ",\"type\":\"error\",\"code\":";
  out += Dump(json(std::string(code)));
  out += ",\"message\":";
  out += Dump(json(std::string(message)));
  out += '}';
  return out;
}

struct Session::Request {
  json body;
  json id;
  std::string id_log;  // the id as it appears in log lines
  std::string type;
};

Session::Session(Layer builtin, Layer system, std::function<std::string()> today)
    : builtin_(std::move(builtin)), system_(std::move(system)), today_(std::move(today)) {
  for (const Layer* layer : {&builtin_, &system_}) {
    if (!layer->errors.empty()) {
      spdlog::error("{} rules rejected with {} error(s); first: {}", layer->name,
                    layer->errors.size(), layer->errors.front().ToString());
    }
  }
  std::string error;
  if (!Rebuild(managed_, &error)) {
    spdlog::error("cannot build the engine: {}; no rules are in effect", error);
    engine_ = std::make_shared<const Engine>(std::vector<Pack>{});
  }
  spdlog::info("rules in effect: {} from {} pack(s)", engine_->rule_count(),
               engine_->packs().size());
}

Session::~Session() = default;

bool Session::Rebuild(const Layer& managed, std::string* error) {
  try {
    engine_ = std::make_shared<const Engine>(PacksOf({&builtin_, &system_, &managed}));
    return true;
  } catch (const std::exception& e) {
    // Rule content is the organization's, not the employee's, so the reason may be logged.
    *error = e.what();
    return false;
  }
}

std::string Session::Handle(std::string_view frame_body) {
  const auto started = std::chrono::steady_clock::now();
  if (!IsValidUtf8(frame_body)) {
    spdlog::warn("request of {} bytes rejected: invalid_utf8", frame_body.size());
    return ErrorReply("null", "invalid_utf8", "the request is not valid UTF-8");
  }

  Request request;
  try {
    request.body = ParseJsonWithDepthLimit(frame_body);
  } catch (const JsonTooDeep& e) {
    spdlog::warn("request of {} bytes rejected: invalid_json, {}", frame_body.size(), e.what());
    return ErrorReply("null", "invalid_json", std::string("the request is ") + e.what());
  } catch (const json::parse_error& e) {
    // e.what() quotes the input around the error ("last read: ..."), which may be the post.
    // e.byte counts from 1 and points past the end when the input stops short.
    const std::string where = e.byte > frame_body.size()
                                  ? "it ends too early"
                                  : "syntax error at byte " + std::to_string(e.byte);
    spdlog::warn("request of {} bytes rejected: invalid_json, {}", frame_body.size(), where);
    return ErrorReply("null", "invalid_json", "the request is not valid JSON (" + where + ")");
  } catch (const json::exception&) {
    // out_of_range: a number beyond a double; its what() quotes the number.
    spdlog::warn("request of {} bytes rejected: invalid_json, number out of range",
                 frame_body.size());
    return ErrorReply("null", "invalid_json",
                      "the request is not usable JSON (a number is out of range)");
  }
  if (!request.body.is_object()) {
    spdlog::warn("request rejected: invalid_json, {} instead of an object",
                 JsonTypeName(request.body));
    return ErrorReply(
        "null", "invalid_json",
        std::string("the request is ") + JsonTypeName(request.body) + ", not a JSON object");
  }

  // Every reply echoes the id, so a long one would make any reply too long to send.
  const json* id = Field(request.body, "id");
  std::string id_problem;
  if (id == nullptr) {
    id_problem = "field 'id' is missing";
  } else if (!id->is_number() && !id->is_string()) {
    id_problem = std::string("field 'id' must be a number or a string, not ") + JsonTypeName(*id);
  } else if (id->is_string() && id->get_ref<const std::string&>().size() > kMaxIdBytes) {
    id_problem = "field 'id' is longer than " + std::to_string(kMaxIdBytes) + " bytes";
  }
  if (!id_problem.empty()) {
    spdlog::warn("request rejected: bad_request: {}", id_problem);
    return ErrorReply("null", "bad_request", id_problem);
  }
  request.id = *id;
  request.id_log = id->is_string() ? Quote(id->get_ref<const std::string&>()) : Dump(*id);

  std::string reply;
  try {
    request.type = RequiredString(request.body, "type", "type");
    reply = Dispatch(request);
  } catch (const RequestError& error) {
    spdlog::warn("{} id={} failed: {}: {}", request.type.empty() ? "request" : Quote(request.type),
                 request.id_log, error.code, error.message);
    return ErrorReply(Dump(request.id), error.code, error.message);
  } catch (const std::exception&) {
    // Not even e.what(): an exception from deep inside may carry a piece of the post.
    spdlog::error("{} id={} failed: internal exception", Quote(request.type), request.id_log);
    return ErrorReply(Dump(request.id), "internal",
                      "unexpected exception while answering " + Quote(request.type));
  }
  if (reply.size() > kMaxReplyBytes) {
    spdlog::error("{} id={}: reply of {} bytes is over the limit", request.type, request.id_log,
                  reply.size());
    return ErrorReply(Dump(request.id), "internal",
                      "the reply would be " + std::to_string(reply.size()) +
                          " bytes, over the limit of " + std::to_string(kMaxReplyBytes));
  }
  spdlog::debug("{} id={} answered in {:.2f} ms, {} bytes", request.type, request.id_log,
                MillisecondsSince(started), reply.size());
  return reply;
}

std::string Session::Dispatch(Request& request) {
  if (request.type == "check") return HandleCheck(request);
  if (request.type == "hello") return HandleHello(request);
  if (request.type == "event") return HandleEvent(request);
  if (request.type == "stats") return HandleStats(request);
  if (request.type == "rules.update") return HandleRulesUpdate(request);
  throw RequestError{"unknown_type", "unknown request type " + Quote(request.type)};
}

namespace {

ordered_json StatsJson(const Session::Stats& stats) {
  ordered_json out;
  out["checks"] = stats.checks;
  out["warned"] = stats.warned;
  out["edited"] = stats.edited;
  out["posted_anyway"] = stats.posted_anyway;
  out["cancelled"] = stats.cancelled;
  return out;
}

// A layer's problems as replies list them. Each pack lists at most 50 problems; a layer of
// thousands of broken packs is cut here too, so that every reply that repeats the problems (hello,
// rules.update) stays under 1 MiB.
std::vector<LoadError> Listed(std::string_view layer, const std::vector<LoadError>& errors) {
  constexpr size_t kMaxListedErrors = 100;
  const size_t listed = std::min(errors.size(), kMaxListedErrors);
  std::vector<LoadError> list(errors.begin(), errors.begin() + static_cast<ptrdiff_t>(listed));
  size_t left_out = 0;
  for (size_t i = listed; i < errors.size(); ++i) {
    left_out += errors[i].problems_left_out > 0 ? errors[i].problems_left_out : 1;
  }
  if (left_out > 0) {
    list.push_back({std::string(layer), 0, 0, "", "",
                    std::to_string(left_out) + " more problems, not listed", left_out});
  }
  return list;
}

// The "rules" object of hello and rules.update replies.
ordered_json RulesJson(const Layer& builtin, const Layer& system,
                       const std::string& managed_version,
                       const std::vector<LoadError>& managed_errors, const Engine& engine) {
  ordered_json rules;
  rules["count"] = engine.rule_count();
  rules["version"] = "builtin:" + LayerVersion(builtin) + "+system:" + LayerVersion(system) +
                     "+managed:" + (managed_version.empty() ? "-" : managed_version);

  // Engine packs come in layer order, so counting packs tells which layer each is from.
  ordered_json sources = ordered_json::array();
  const size_t builtin_packs = builtin.errors.empty() ? builtin.packs.size() : 0;
  const size_t system_packs = system.errors.empty() ? system.packs.size() : 0;
  size_t index = 0;
  for (const PackInfo& pack : engine.packs()) {
    const char* layer = index < builtin_packs                  ? "builtin"
                        : index < builtin_packs + system_packs ? "system"
                                                               : "managed";
    ++index;
    ordered_json source;
    source["layer"] = layer;
    source["pack"] = pack.name;
    source["version"] = pack.version;
    source["rules"] = pack.rules;
    sources.push_back(std::move(source));
  }
  rules["sources"] = std::move(sources);

  ordered_json errors = ordered_json::array();
  auto add_errors = [&errors](std::string_view layer, const std::vector<LoadError>& list) {
    for (const LoadError& error : Listed(layer, list)) {
      errors.push_back(ordered_json{{"layer", layer}, {"message", error.ToString()}});
    }
  };
  add_errors(builtin.name, builtin.errors);
  add_errors(system.name, system.errors);
  add_errors("managed", managed_errors);
  rules["errors"] = std::move(errors);
  return rules;
}

}  // namespace

std::string Session::HandleHello(Request& request) {
  const std::string* extension_version =
      OptionalString(request.body, "extension_version", "extension_version");
  spdlog::info("hello id={} extension_version={}", request.id_log,
               extension_version != nullptr ? Quote(*extension_version) : "-");

  ordered_json reply;
  reply["id"] = request.id;
  reply["type"] = "hello";
  reply["host_version"] = GUARDPOST_VERSION;
  reply["protocol"] = kProtocolVersion;
  reply["rules"] = RulesJson(builtin_, system_, managed_version_, managed_errors_, *engine_);
  reply["stats"] = StatsJson(stats_);
  return Dump(reply);
}

std::string Session::HandleCheck(Request& request) {
  const auto started = std::chrono::steady_clock::now();
  const std::string& text = RequiredString(request.body, "text", "text");
  if (text.size() > kMaxTextBytes) {
    throw RequestError{"text_too_large", "text is " + std::to_string(text.size()) +
                                             " bytes; the limit is " +
                                             std::to_string(kMaxTextBytes)};
  }
  const std::string* site = OptionalString(request.body, "site", "site");

  // Alt texts are read and limited before anything is checked, so that a bad attachment costs
  // nothing and the error names it.
  std::vector<const std::string*> alts;
  if (const json* context =
          OptionalOf(request.body, "context", "context", json::value_t::object, "an object")) {
    if (const json* attachments = OptionalOf(*context, "attachments", "context.attachments",
                                             json::value_t::array, "an array")) {
      for (size_t i = 0; i < attachments->size(); ++i) {
        const json& attachment = (*attachments)[i];
        const std::string path = "context.attachments[" + std::to_string(i) + "]";
        if (!attachment.is_object()) {
          throw BadRequest("field '" + path + "' must be an object, not " +
                           JsonTypeName(attachment));
        }
        OptionalString(attachment, "kind", path + ".kind");
        OptionalString(attachment, "name", path + ".name");
        const std::string* alt = OptionalString(attachment, "alt", path + ".alt");
        if (alt != nullptr && alt->size() > kMaxTextBytes) {
          throw RequestError{"text_too_large", path + ".alt is " + std::to_string(alt->size()) +
                                                   " bytes; the limit is " +
                                                   std::to_string(kMaxTextBytes)};
        }
        alts.push_back(alt);
      }
    }
  }

  CheckOptions options;
  options.today = today_();
  std::shared_ptr<const Engine> engine = engine_;

  // The CLI prints findings through the same ToJson, so that both speak one format.
  json reply;
  reply["id"] = request.id;
  reply["type"] = "findings";
  reply["findings"] = json::array();
  reply["truncated"] = true;  // the longer spelling, so that the budget below holds either way
  // Each finding adds its own size and a comma to what the empty reply takes.
  const size_t overhead = Dump(reply).size();
  size_t budget = kMaxReplyBytes > overhead ? kMaxReplyBytes - overhead : 0;
  json& out = reply["findings"];
  bool truncated = false;
  std::string rule_ids;  // for the log: rule ids are the organization's words, not the post's
  auto add = [&](const std::vector<Finding>& findings, int attachment) {
    for (const Finding& finding : findings) {
      if (out.size() >= kMaxFindings) {
        truncated = true;
        return;
      }
      json item = ToJson(finding);
      if (attachment >= 0) item["attachment"] = attachment;
      const size_t size = Dump(item).size() + 1;
      if (size > budget) {
        truncated = true;
        return;
      }
      budget -= size;
      out.push_back(std::move(item));
      if (rule_ids.size() < 1000) {
        if (!rule_ids.empty()) rule_ids += ',';
        rule_ids += finding.rule;
      }
    }
  };
  add(engine->Check(text, options), -1);
  for (size_t i = 0; i < alts.size() && !truncated; ++i) {
    if (alts[i] != nullptr) add(engine->Check(*alts[i], options), static_cast<int>(i));
  }
  reply["truncated"] = truncated;
  ++stats_.checks;

  spdlog::info("check id={} site={} bytes={} attachments={} findings={}{} rules=[{}] {:.2f} ms",
               request.id_log, site != nullptr ? Quote(*site) : "-", text.size(), alts.size(),
               out.size(), truncated ? " (truncated)" : "", rule_ids, MillisecondsSince(started));
  return Dump(reply);
}

std::string Session::HandleRulesUpdate(Request& request) {
  const json* bundle =
      OptionalOf(request.body, "bundle", "bundle", json::value_t::object, "an object");
  if (bundle == nullptr) throw BadRequest("field 'bundle' is missing");
  const std::string* version = OptionalString(*bundle, "version", "bundle.version");
  const json* packs =
      OptionalOf(*bundle, "packs", "bundle.packs", json::value_t::array, "an array");
  if (packs == nullptr) throw BadRequest("field 'bundle.packs' is missing");

  Layer managed{"managed", {}, {}};
  for (size_t i = 0; i < packs->size(); ++i) {
    const json& pack_json = (*packs)[i];
    std::string source = "managed:";
    const json* name = pack_json.is_object() ? Field(pack_json, "pack") : nullptr;
    if (name != nullptr && name->is_string()) {
      source += std::string(Utf8Prefix(name->get_ref<const std::string&>(), 80));
    } else {
      source += "packs[" + std::to_string(i) + "]";
    }
    Pack pack;
    std::vector<LoadError> errors;
    if (ParsePack(source, Dump(pack_json), &pack, &errors)) {
      managed.packs.push_back(std::move(pack));
    }
    for (LoadError& error : errors) {
      // Positions would point into our re-serialization of the pack, not into anything IT wrote.
      error.line = 0;
      error.column = 0;
      managed.errors.push_back(std::move(error));
    }
  }

  if (!managed.errors.empty()) {
    std::string message;
    ordered_json details = ordered_json::array();
    for (const LoadError& error : Listed("managed", managed.errors)) {
      if (!message.empty()) message += '\n';
      message += error.ToString();
      details.push_back(error.ToString());
    }
    spdlog::warn("rules.update id={} rejected with {} error(s); first: {}", request.id_log,
                 managed.errors.size(), managed.errors.front().ToString());
    managed_errors_ = std::move(managed.errors);
    ordered_json reply;
    reply["id"] = request.id;
    reply["type"] = "error";
    reply["code"] = "rules_invalid";
    reply["message"] = std::move(message);
    reply["errors"] = std::move(details);
    return Dump(reply);
  }

  std::string error;
  if (!Rebuild(managed, &error)) {
    spdlog::error("rules.update id={}: cannot build the engine: {}", request.id_log, error);
    throw RequestError{"internal", "the rules passed validation but could not be compiled"};
  }
  managed_errors_.clear();
  managed_version_ = managed.packs.empty() ? "" : (version != nullptr ? *version : "?");
  managed_ = std::move(managed);
  spdlog::info("rules.update id={}: managed version {} with {} pack(s); {} rules in effect",
               request.id_log, managed_version_.empty() ? "-" : Quote(managed_version_),
               managed_.packs.size(), engine_->rule_count());

  ordered_json reply;
  reply["id"] = request.id;
  reply["type"] = "rules";
  reply["rules"] = RulesJson(builtin_, system_, managed_version_, managed_errors_, *engine_);
  return Dump(reply);
}

std::string Session::HandleEvent(Request& request) {
  const std::string& action = RequiredString(request.body, "action", "action");
  if (const json* rules =
          OptionalOf(request.body, "rules", "rules", json::value_t::array, "an array")) {
    for (size_t i = 0; i < rules->size(); ++i) {
      if (!(*rules)[i].is_string()) {
        throw BadRequest("field 'rules[" + std::to_string(i) + "]' must be a string, not " +
                         JsonTypeName((*rules)[i]));
      }
    }
  }
  const std::string* site = OptionalString(request.body, "site", "site");
  // Read only to check its type: the reason is the employee's own words and goes nowhere.
  OptionalString(request.body, "reason", "reason");

  if (action == "shown") {
    ++stats_.warned;
  } else if (action == "edited") {
    ++stats_.edited;
  } else if (action == "posted_anyway") {
    ++stats_.posted_anyway;
  } else if (action == "cancelled") {
    ++stats_.cancelled;
  } else {
    throw BadRequest("field 'action' must be one of shown, edited, posted_anyway, cancelled; got " +
                     Quote(action));
  }

  // Rule ids come from the extension here, so they are quoted like any other request value.
  json rule_ids = json::array();
  if (const json* rules = Field(request.body, "rules")) {
    for (const json& rule : *rules) {
      if (rule_ids.size() >= 20) break;
      rule_ids.push_back(std::string(Utf8Prefix(rule.get_ref<const std::string&>(), 100)));
    }
  }
  spdlog::info("event id={} action={} site={} rules={}", request.id_log, action,
               site != nullptr ? Quote(*site) : "-", Dump(rule_ids));

  ordered_json reply;
  reply["id"] = request.id;
  reply["type"] = "ok";
  return Dump(reply);
}

std::string Session::HandleStats(Request& request) {
  spdlog::debug("stats id={}", request.id_log);
  ordered_json reply;
  reply["id"] = request.id;
  reply["type"] = "stats";
  reply["stats"] = StatsJson(stats_);
  return Dump(reply);
}

}  // namespace guardpost
