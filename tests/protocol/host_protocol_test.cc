// The wire contract of docs/protocol.md, checked against the real `guardpost` binary over pipes.

#define BOOST_TEST_MODULE host_protocol
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host_process.h"

namespace guardpost::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr size_t kMaxRequestBytes = 4 * 1024 * 1024;
constexpr size_t kMaxTextBytes = 256 * 1024;

struct IgnoreSigpipe {
  // A host that exits early must fail a test, not kill the test runner with SIGPIPE.
  IgnoreSigpipe() { signal(SIGPIPE, SIG_IGN); }
};
BOOST_TEST_GLOBAL_FIXTURE(IgnoreSigpipe);

json Check(const json& id, const std::string& text) {
  return {{"id", id}, {"type", "check"}, {"text", text}};
}

void ExpectError(const json& reply, const json& id, const std::string& code) {
  BOOST_TEST_CONTEXT("reply: " << reply.dump()) {
    BOOST_TEST(reply.value("type", "") == "error");
    BOOST_TEST(reply.value("code", "") == code);
    BOOST_TEST(reply["id"] == id);
    BOOST_TEST(reply["message"].is_string());
  }
}

// The host is still in step with the stream: a plain request gets its own reply.
void ExpectServing(Host& host, int id = 4242) {
  const json reply = host.Call({{"id", id}, {"type", "stats"}});
  BOOST_TEST(reply.value("type", "") == "stats");
  BOOST_TEST(reply["id"] == id);
}

// A request that is answered with bad_request, echoing `id`, with a message naming `field`.
struct BadRequest {
  json request;
  json id;
  std::string field;
};

// Sends each request; each must get its bad_request, and the host must keep serving.
template <size_t N>
void ExpectBadRequests(Host& host, const BadRequest (&cases)[N]) {
  for (const BadRequest& c : cases) {
    BOOST_TEST_CONTEXT(c.request.dump()) {
      const json reply = host.Call(c.request);
      ExpectError(reply, c.id, "bad_request");
      BOOST_TEST(reply["message"].get<std::string>().find(c.field) != std::string::npos,
                 reply["message"]);
    }
  }
  ExpectServing(host);
}

HostOptions WithArgs(std::vector<std::string> args) {
  HostOptions options;
  options.args = std::move(args);
  return options;
}

HostOptions WithEnv(std::map<std::string, std::string> env) {
  HostOptions options;
  options.env = std::move(env);
  return options;
}

HostOptions WithPack(std::string pack) {
  HostOptions options;
  options.builtin_pack = std::move(pack);
  return options;
}

std::string HeaderOnly(uint32_t length) {
  std::string header(sizeof length, '\0');
  std::memcpy(header.data(), &length, sizeof length);
  return header;
}

// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(hello_describes_host_rules_and_stats) {
  Host host;
  const json reply = host.Call({{"id", 1}, {"type", "hello"}, {"extension_version", "0.1.0"}});
  BOOST_TEST_INFO("reply: " << reply.dump());
  BOOST_TEST(reply["id"] == 1);
  BOOST_TEST(reply["type"] == "hello");
  BOOST_TEST(reply["protocol"] == 1);
  BOOST_TEST(reply["host_version"].is_string());
  BOOST_TEST(reply["rules"]["count"] == 1);
  BOOST_TEST(reply["rules"]["version"] == "builtin:1+system:-+managed:-");
  BOOST_TEST(reply["rules"]["errors"] == json::array());
  BOOST_REQUIRE(reply["rules"]["sources"].size() == 1u);
  BOOST_TEST(reply["rules"]["sources"][0] ==
             json({{"layer", "builtin"}, {"pack", "test"}, {"version", "1"}, {"rules", 1}}));
  BOOST_TEST(reply["stats"]["checks"] == 0);
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(check_reports_findings_with_utf16_offsets) {
  Host host;
  // U+1F600 takes two UTF-16 code units and é one, as in JavaScript.
  const json reply = host.Call(Check(7, "h\xC3\xA9 \xF0\x9F\x98\x80 canaryword!"));
  BOOST_TEST_INFO("reply: " << reply.dump());
  BOOST_TEST(reply["id"] == 7);
  BOOST_TEST(reply["type"] == "findings");
  BOOST_TEST(reply["truncated"] == false);
  BOOST_REQUIRE(reply["findings"].size() == 1u);
  const json& finding = reply["findings"][0];
  BOOST_TEST(finding["rule"] == "profanity.canary");
  BOOST_TEST(finding["category"] == "profanity");
  BOOST_TEST(finding["severity"] == "warn");
  BOOST_TEST(finding["start"] == 6);
  BOOST_TEST(finding["end"] == 16);
  BOOST_TEST(finding["message"] == "\"canaryword\" is a test word.");
  BOOST_TEST(!finding.contains("suggestion"));
  BOOST_TEST(!finding.contains("policy_url"));
  BOOST_TEST(!finding.contains("attachment"));

  const json clean = host.Call(Check("s-1", "nothing to see here"));
  BOOST_TEST(clean["id"] == "s-1");
  BOOST_TEST(clean["findings"] == json::array());
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(check_looks_at_attachment_alt_text) {
  Host host;
  json request = Check(8, "a clean post");
  request["site"] = "x.com";
  request["context"] = {{"attachments",
                         {{{"kind", "image"}, {"name", "a.jpg"}},
                          {{"kind", "image"}, {"name", "b.jpg"}, {"alt", "my canaryword"}}}}};
  const json reply = host.Call(request);
  BOOST_TEST_INFO("reply: " << reply.dump());
  BOOST_REQUIRE(reply["findings"].size() == 1u);
  BOOST_TEST(reply["findings"][0]["attachment"] == 1);
  BOOST_TEST(reply["findings"][0]["start"] == 3);
  BOOST_TEST(reply["findings"][0]["end"] == 13);
}

BOOST_AUTO_TEST_CASE(long_session_echoes_every_id) {
  Host host;
  constexpr int kRequests = 400;
  for (int i = 0; i < kRequests; ++i) {
    // Numbers and strings alternate; every third post has a finding.
    const json id = i % 2 == 0 ? json(i) : json("req-" + std::to_string(i));
    const bool flagged = i % 3 == 0;
    const json reply =
        host.Call(Check(id, "post number " + std::to_string(i) + (flagged ? " canaryword" : "")));
    BOOST_REQUIRE_MESSAGE(reply["id"] == id, "request " << i << " got " << reply.dump());
    BOOST_REQUIRE(reply["type"] == "findings");
    BOOST_REQUIRE(reply["findings"].size() == (flagged ? 1u : 0u));
  }
  const json stats = host.Call({{"id", "last"}, {"type", "stats"}});
  BOOST_TEST(stats["stats"]["checks"] == kRequests);
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_answered_in_order) {
  Host host;
  std::string batch;
  for (int i = 0; i < 50; ++i) batch += Frame(Check(i, "canaryword " + std::to_string(i)).dump());
  host.Write(batch);
  for (int i = 0; i < 50; ++i) {
    const json reply = host.Receive();
    BOOST_REQUIRE(reply["id"] == i);
    BOOST_REQUIRE(reply["findings"].size() == 1u);
  }
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(frames_split_across_many_writes) {
  Host host;
  const std::string first = Frame(Check(1, "first canaryword").dump());
  const std::string second = Frame(Check(2, "second canaryword").dump());
  // The second frame's header starts in the same write as the whole first frame; its reply can
  // only come once the rest has arrived, so the host is left holding half a header.
  host.Write(first + second.substr(0, 2));
  BOOST_TEST(host.Receive()["id"] == 1);
  for (size_t i = 2; i < second.size(); i += 3) host.Write(second.substr(i, 3));
  const json reply = host.Receive();
  BOOST_TEST(reply["id"] == 2);
  BOOST_TEST(reply["findings"].size() == 1u);

  // Byte by byte, header included.
  const std::string third = Frame(Check(3, "third canaryword").dump());
  for (char byte : third) host.Write(std::string(1, byte));
  BOOST_TEST(host.Receive()["id"] == 3);
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(zero_length_frame_is_an_error_and_the_host_goes_on) {
  Host host;
  host.Write(Frame(""));
  ExpectError(host.Receive(), nullptr, "invalid_json");
  ExpectServing(host);
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(oversized_frame_is_discarded_and_the_host_goes_on) {
  Host host;
  host.Send(std::string(kMaxRequestBytes + 1, 'a'));
  const json reply = host.Receive();
  ExpectError(reply, nullptr, "frame_too_large");
  ExpectServing(host, 1);

  // 5 MiB of a check the host must not even parse; then a request in the same write.
  host.Write(Frame(Check(2, std::string(5 * 1024 * 1024, 'b')).dump()) +
             Frame(json({{"id", 3}, {"type", "stats"}}).dump()));
  ExpectError(host.Receive(), nullptr, "frame_too_large");
  BOOST_TEST(host.Receive()["id"] == 3);
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(frame_of_exactly_the_limit_is_read) {
  Host host;
  json request = {{"id", 1}, {"type", "stats"}, {"padding", ""}};
  const size_t bare = request.dump().size();
  request["padding"] = std::string(kMaxRequestBytes - bare, 'p');
  BOOST_REQUIRE(request.dump().size() == kMaxRequestBytes);
  const json reply = host.Call(request);
  BOOST_TEST(reply["type"] == "stats");
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(length_above_64_mib_is_stream_corrupt_and_exits_1) {
  for (const uint32_t length : {uint32_t{64 * 1024 * 1024 + 1}, uint32_t{0xFFFFFFFF}}) {
    BOOST_TEST_CONTEXT("length " << length) {
      Host host;
      ExpectServing(host);
      host.Write(HeaderOnly(length));
      ExpectError(host.Receive(), nullptr, "stream_corrupt");
      BOOST_TEST(host.Wait() == 1);
      BOOST_TEST(host.trailing_output().empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(invalid_json_is_reported_without_quoting_it) {
  Host host;
  host.Send(R"({"id": 5, "type": "check", "text": "the quarterly numbers are)");
  const json reply = host.Receive();
  ExpectError(reply, nullptr, "invalid_json");
  const std::string message = reply["message"];
  BOOST_TEST(message.find("quarterly") == std::string::npos, message);
  BOOST_TEST(message.find("ends too early") != std::string::npos, message);

  host.Send(R"({"id": 1e400, "type": "stats"})");
  ExpectError(host.Receive(), nullptr, "invalid_json");

  host.Send("{\"id\": 6,, }");
  const json syntax = host.Receive();
  ExpectError(syntax, nullptr, "invalid_json");
  BOOST_TEST(syntax["message"].get<std::string>().find("at byte 10") != std::string::npos,
             syntax["message"]);
  ExpectServing(host);
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(json_nested_too_deeply_is_rejected) {
  // Deep nesting used to parse and then crash the host when it printed a rules.update's packs.
  Host host;
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  host.Send(R"({"id": 1, "type": "rules.update", "bundle": {"version": "v2", "packs": )" + deep +
            "}}");
  const json reply = host.Receive();
  ExpectError(reply, nullptr, "invalid_json");
  BOOST_TEST(reply["message"] == "the request is nested more than 64 levels deep");
  host.Send(R"({"id": 2, "type": "check", "text": "hi", "extra": )" + deep + "}");
  ExpectError(host.Receive(), nullptr, "invalid_json");
  // 64 levels are still fine.
  const json ok = host.Call({{"id", 3},
                             {"type", "hello"},
                             {"x", json::parse(std::string(62, '[') + std::string(62, ']'))}});
  BOOST_TEST(ok["id"] == 3);
  BOOST_TEST(!ok.contains("error"));
  ExpectServing(host);
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_rejected) {
  Host host;
  for (const std::string& bad : {
           std::string("{\"id\":1,\"type\":\"check\",\"text\":\"caf\xC3\"}"),       // cut sequence
           std::string("{\"id\":1,\"type\":\"check\",\"text\":\"\xC0\xAF\"}"),      // overlong '/'
           std::string("{\"id\":1,\"type\":\"check\",\"text\":\"\xED\xA0\x80\"}"),  // surrogate
           std::string("{\"id\":1,\"type\":\"check\",\"text\":\"\xFF\"}"),
       }) {
    host.Send(bad);
    ExpectError(host.Receive(), nullptr, "invalid_utf8");
  }
  ExpectServing(host);
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(json_that_is_not_an_object_is_rejected) {
  Host host;
  for (const char* body : {"[1, 2]", "\"check\"", "42", "null", "true"}) {
    BOOST_TEST_CONTEXT(body) {
      host.Send(body);
      ExpectError(host.Receive(), nullptr, "invalid_json");
    }
  }
  ExpectServing(host);
}

BOOST_AUTO_TEST_CASE(missing_fields_are_named) {
  Host host;
  const BadRequest cases[] = {
      {{{"type", "check"}, {"text", "x"}}, nullptr, "'id'"},
      {{{"id", 1}, {"text", "x"}}, 1, "'type'"},
      {{{"id", 2}, {"type", "check"}}, 2, "'text'"},
      {{{"id", 3}, {"type", "event"}}, 3, "'action'"},
      {{{"id", 4}, {"type", "rules.update"}}, 4, "'bundle'"},
      {{{"id", 5}, {"type", "rules.update"}, {"bundle", json::object()}}, 5, "'bundle.packs'"},
  };
  ExpectBadRequests(host, cases);
}

BOOST_AUTO_TEST_CASE(mistyped_fields_are_named) {
  Host host;
  const json attachments_bad_alt = {{"attachments", {{{"kind", "image"}, {"alt", 5}}}}};
  const BadRequest cases[] = {
      {{{"id", true}, {"type", "stats"}}, nullptr, "'id'"},
      {{{"id", {1}}, {"type", "stats"}}, nullptr, "'id'"},
      {{{"id", std::string(2 * 1024 * 1024, 'i')}, {"type", "stats"}}, nullptr, "'id'"},
      {{{"id", 1}, {"type", 5}}, 1, "'type'"},
      {{{"id", 2}, {"type", "check"}, {"text", 5}}, 2, "'text'"},
      {{{"id", 3}, {"type", "check"}, {"text", "x"}, {"site", 5}}, 3, "'site'"},
      {{{"id", 4}, {"type", "check"}, {"text", "x"}, {"context", "x"}}, 4, "'context'"},
      {{{"id", 5}, {"type", "check"}, {"text", "x"}, {"context", {{"attachments", 1}}}},
       5,
       "'context.attachments'"},
      {{{"id", 6}, {"type", "check"}, {"text", "x"}, {"context", attachments_bad_alt}},
       6,
       "'context.attachments[0].alt'"},
      {{{"id", 7}, {"type", "event"}, {"action", 1}}, 7, "'action'"},
      {{{"id", 8}, {"type", "event"}, {"action", "liked"}}, 8, "'action'"},
      {{{"id", 9}, {"type", "event"}, {"action", "shown"}, {"rules", "a"}}, 9, "'rules'"},
      {{{"id", 10}, {"type", "event"}, {"action", "shown"}, {"reason", 1}}, 10, "'reason'"},
      {{{"id", 11}, {"type", "rules.update"}, {"bundle", "x"}}, 11, "'bundle'"},
      {{{"id", 12}, {"type", "rules.update"}, {"bundle", {{"packs", json::object()}}}},
       12,
       "'bundle.packs'"},
      {{{"id", 13}, {"type", "hello"}, {"extension_version", 1}}, 13, "'extension_version'"},
  };
  ExpectBadRequests(host, cases);
}

BOOST_AUTO_TEST_CASE(unknown_type_is_rejected_with_the_id) {
  Host host;
  ExpectError(host.Call({{"id", "u1"}, {"type", "summarize"}}), "u1", "unknown_type");
  ExpectError(host.Call({{"id", 2}, {"type", ""}}), 2, "unknown_type");
  ExpectServing(host);
}

BOOST_AUTO_TEST_CASE(text_over_256_kib_is_rejected) {
  Host host;
  const json reply = host.Call(Check(1, std::string(kMaxTextBytes + 1, 'a')));
  ExpectError(reply, 1, "text_too_large");
  BOOST_TEST(reply["message"].get<std::string>().find("262145") != std::string::npos);

  const json at_limit = host.Call(Check(2, std::string(kMaxTextBytes - 11, 'a') + " canaryword"));
  BOOST_TEST(at_limit["type"] == "findings");
  BOOST_TEST(at_limit["findings"].size() == 1u);

  json alt = Check(3, "short");
  alt["context"] = {{"attachments", {{{"alt", std::string(kMaxTextBytes + 1, 'a')}}}}};
  ExpectError(host.Call(alt), 3, "text_too_large");
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(findings_are_cut_at_500) {
  Host host;
  std::string text;
  for (int i = 0; i < 600; ++i) text += "canaryword ";
  const json reply = host.Call(Check(1, text));
  BOOST_TEST(reply["findings"].size() == 500u);
  BOOST_TEST(reply["truncated"] == true);
}

BOOST_AUTO_TEST_CASE(replies_stay_under_1_mib) {
  Host host;
  // Rule messages are the organization's to write, and may be long.
  const json pack = {{"pack", "verbose"},
                     {"version", "1"},
                     {"rules",
                      {{{"id", "tone.verbose"},
                        {"kind", "terms"},
                        {"category", "tone"},
                        {"severity", "info"},
                        {"message", std::string(4000, 'm')},
                        {"terms", {"wordy"}},
                        {"examples", {{"flag", {"wordy"}}, {"pass", {"brief"}}}}}}}};
  const json update =
      host.Call({{"id", 1}, {"type", "rules.update"}, {"bundle", {{"packs", {pack}}}}});
  BOOST_REQUIRE_MESSAGE(update["type"] == "rules", update.dump());
  std::string text;
  for (int i = 0; i < 400; ++i) text += "wordy ";
  host.Send(Check(2, text).dump());
  // Receive() itself fails on a reply of 1 MiB or more.
  const json reply = host.Receive();
  BOOST_TEST(reply["truncated"] == true);
  BOOST_TEST(reply["findings"].size() > 200u);
  BOOST_TEST(reply["findings"].size() < 400u);
}

json BrokenPack() {
  return {{"pack", "broken"},
          {"version", "2"},
          {"rules",
           {{{"id", "confidential.bluefin"},
             {"kind", "terms"},
             {"category", "confidential"},
             {"severity", "high"},
             {"message", "code name"},
             {"terms", {"bluefin"}},
             {"examples", {{"flag", {"bluefin"}}, {"pass", {"tuna"}}}}}}}};
}

json GoodPack() {
  json pack = BrokenPack();
  pack["pack"] = "codenames";
  pack["rules"][0]["severity"] = "block";
  return pack;
}

BOOST_AUTO_TEST_CASE(broken_rules_update_keeps_the_old_rules) {
  Host host;
  const json reply = host.Call({{"id", 1},
                                {"type", "rules.update"},
                                {"bundle", {{"version", "v2"}, {"packs", {BrokenPack()}}}}});
  ExpectError(reply, 1, "rules_invalid");
  const std::string message = reply["message"];
  BOOST_TEST(message.find("managed:broken") != std::string::npos, message);
  BOOST_TEST(message.find("confidential.bluefin") != std::string::npos, message);
  BOOST_TEST(message.find("severity") != std::string::npos, message);

  const json check = host.Call(Check(2, "canaryword and bluefin"));
  BOOST_REQUIRE(check["findings"].size() == 1u);
  BOOST_TEST(check["findings"][0]["rule"] == "profanity.canary");

  const json hello = host.Call({{"id", 3}, {"type", "hello"}});
  BOOST_TEST(hello["rules"]["version"] == "builtin:1+system:-+managed:-");
  BOOST_REQUIRE(hello["rules"]["errors"].size() >= 1u);
  BOOST_TEST(hello["rules"]["errors"][0]["layer"] == "managed");
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(a_bundle_of_thousands_of_broken_packs_gets_a_short_answer) {
  // Every error used to be listed, in the reply and in every later hello: past 1 MiB both became
  // `internal`, and hello stayed broken until a good bundle came.
  Host host;
  const json reply = host.Call({{"id", 1},
                                {"type", "rules.update"},
                                {"bundle", {{"version", "v2"}, {"packs", json::array()}}}});
  BOOST_TEST(!reply.contains("error"));
  json packs = json::array();
  for (int i = 0; i < 20000; ++i) packs.push_back(json::object());
  const json broken = host.Call(
      {{"id", 2}, {"type", "rules.update"}, {"bundle", {{"version", "v3"}, {"packs", packs}}}});
  ExpectError(broken, 2, "rules_invalid");
  BOOST_REQUIRE_EQUAL(broken["errors"].size(), 101U);
  BOOST_TEST(broken["errors"][100] == "managed: 39900 more problems, not listed");
  const json hello = host.Call({{"id", 3}, {"type", "hello"}});
  BOOST_TEST(hello["id"] == 3);
  BOOST_TEST(hello["rules"]["errors"].size() == 101U);
  ExpectServing(host);
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(a_bundle_of_long_broken_patterns_gets_a_short_answer) {
  // 135 rules whose 20,000-character alternation misses its ')': RE2's message quotes the
  // pattern, and the reply (each problem twice) passed 1 MiB and came back as `internal`.
  std::string names = "(";
  for (int i = 0; i < 2000; ++i) names += "name" + std::to_string(i % 10) + "x|";
  json packs = json::array();
  for (int p = 0; p < 3; ++p) {
    json rules = json::array();
    for (int r = 0; r < 45; ++r) {
      rules.push_back({{"id", "r" + std::to_string(r)},
                       {"kind", "pattern"},
                       {"category", "secret"},
                       {"severity", "block"},
                       {"message", "m"},
                       {"pattern", names},
                       {"examples", {{"flag", json::array()}, {"pass", json::array()}}}});
    }
    packs.push_back({{"pack", "p" + std::to_string(p)}, {"rules", rules}});
  }
  Host host;
  const json broken = host.Call(
      {{"id", 1}, {"type", "rules.update"}, {"bundle", {{"version", "v2"}, {"packs", packs}}}});
  ExpectError(broken, 1, "rules_invalid");
  BOOST_REQUIRE_EQUAL(broken["errors"].size(), 101U);
  BOOST_TEST(broken["errors"][0].get<std::string>().size() < 500U);
  const json hello = host.Call({{"id", 2}, {"type", "hello"}});
  BOOST_TEST(hello["rules"]["errors"].size() == 101U);
  ExpectServing(host);
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(a_system_directory_of_broken_packs_gets_a_short_hello) {
  // The same limit for the layers read at start: 200 packs of 60 broken rules, 6 problems each,
  // are 72,000 problems (each pack lists 50 and sums up the rest), which made hello's reply pass
  // 1 MiB and come back as `internal`.
  TempDir system;
  json rules = json::array();
  for (int i = 0; i < 60; ++i) rules.push_back(json::object());
  for (int i = 0; i < 200; ++i) {
    WriteFile(system.path() / ("broken-" + std::to_string(i) + ".json"),
              json{{"pack", "broken"}, {"rules", rules}}.dump());
  }
  Host host(WithEnv({{"GUARDPOST_SYSTEM_RULES", system.path().string()}}));
  const json hello = host.Call({{"id", 1}, {"type", "hello"}});
  BOOST_TEST_REQUIRE(hello["type"] == "hello");
  const json& errors = hello["rules"]["errors"];
  BOOST_REQUIRE_EQUAL(errors.size(), 101U);
  BOOST_TEST(errors[0]["layer"] == "system");
  // Listed: the first pack's 50 problems and its line for the other 310, and 49 of the second
  // pack's. Every other problem is counted, those behind the packs' own summaries too.
  BOOST_TEST(errors[50]["message"].get<std::string>().ends_with(
      ": 310 more problems in this pack, not listed"));
  BOOST_TEST(errors[100]["message"] ==
             "system: " + std::to_string(72000 - 50 - 310 - 49) + " more problems, not listed");
  ExpectServing(host);
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(a_system_directory_that_cannot_be_read_is_an_error_not_an_empty_layer) {
  // Only a missing directory means "no system rules". One that cannot be looked at (here a link
  // to itself: a directory that may not be entered does the same, but tests run as root) used to
  // pass for an empty layer, dropping the organization's rules without a word.
  TempDir dir;
  fs::create_symlink(dir.path() / "rules.d", dir.path() / "rules.d");
  Host host(WithEnv({{"GUARDPOST_SYSTEM_RULES", (dir.path() / "rules.d").string()}}));
  const json hello = host.Call({{"id", 1}, {"type", "hello"}});
  BOOST_TEST_INFO("hello: " << hello.dump());
  BOOST_REQUIRE_EQUAL(hello["rules"]["errors"].size(), 1U);
  BOOST_TEST(hello["rules"]["errors"][0]["layer"] == "system");
  BOOST_TEST(hello["rules"]["errors"][0]["message"] ==
             (dir.path() / "rules.d").string() +
                 ": cannot be read: Too many levels of symbolic links");
  ExpectServing(host);
  BOOST_TEST(host.Wait() == 0);
}

// A managed pattern that parses but is too large for RE2 to compile is refused with the others'
// problems, rather than loaded as a rule that never matches.
BOOST_AUTO_TEST_CASE(a_rules_update_with_a_pattern_too_large_to_compile_is_refused) {
  json pack = GoodPack();
  pack["rules"].push_back({{"id", "secret.huge"},
                           {"kind", "pattern"},
                           {"category", "secret"},
                           {"severity", "block"},
                           {"message", "m"},
                           {"pattern", "\\pL{1000}"},
                           {"examples", {{"flag", json::array()}, {"pass", json::array()}}}});
  Host host;
  const json reply =
      host.Call({{"id", 1}, {"type", "rules.update"}, {"bundle", {{"packs", {pack}}}}});
  ExpectError(reply, 1, "rules_invalid");
  const std::string message = reply["message"];
  BOOST_TEST(message.find("secret.huge") != std::string::npos, message);
  BOOST_TEST(message.find("pattern too large") != std::string::npos, message);
  // The last good rules stay: the pack's other rule did not take effect either.
  BOOST_TEST(host.Call(Check(2, "bluefin"))["findings"].size() == 0u);
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(good_rules_update_takes_effect_and_can_be_removed) {
  Host host;
  // A broken update first: the good one after it must clear its error.
  host.Call({{"id", 0}, {"type", "rules.update"}, {"bundle", {{"packs", {BrokenPack()}}}}});
  const json reply = host.Call({{"id", 1},
                                {"type", "rules.update"},
                                {"bundle", {{"version", "2025-11-20"}, {"packs", {GoodPack()}}}}});
  BOOST_TEST_INFO("reply: " << reply.dump());
  BOOST_TEST(reply["id"] == 1);
  BOOST_TEST(reply["type"] == "rules");
  BOOST_TEST(reply["rules"]["count"] == 2);
  BOOST_TEST(reply["rules"]["version"] == "builtin:1+system:-+managed:2025-11-20");
  BOOST_TEST(reply["rules"]["errors"] == json::array());
  BOOST_REQUIRE(reply["rules"]["sources"].size() == 2u);
  BOOST_TEST(reply["rules"]["sources"][1]["layer"] == "managed");
  BOOST_TEST(reply["rules"]["sources"][1]["pack"] == "codenames");

  const json check = host.Call(Check(2, "canaryword and Bluefin"));
  BOOST_REQUIRE(check["findings"].size() == 2u);
  BOOST_TEST(check["findings"][0]["rule"] == "profanity.canary");
  BOOST_TEST(check["findings"][1]["rule"] == "confidential.bluefin");
  BOOST_TEST(check["findings"][1]["severity"] == "block");

  const json removed =
      host.Call({{"id", 3}, {"type", "rules.update"}, {"bundle", {{"packs", json::array()}}}});
  BOOST_TEST(removed["rules"]["version"] == "builtin:1+system:-+managed:-");
  BOOST_TEST(host.Call(Check(4, "bluefin"))["findings"] == json::array());
  BOOST_TEST(host.Wait() == 0);
}

// The patterns of the rules in effect compile on a thread once a reply is out, so that the next
// check does not pay for them: the first engine's after the first reply, and each engine a
// rules.update brings after its reply.
BOOST_AUTO_TEST_CASE(patterns_compile_ahead_at_start_and_after_an_update) {
  Host host;
  BOOST_TEST(host.Call({{"id", 0}, {"type", "hello"}})["type"] == "hello");
  const json reply =
      host.Call({{"id", 1}, {"type", "rules.update"}, {"bundle", {{"packs", {GoodPack()}}}}});
  BOOST_TEST(reply["rules"]["count"] == 2);
  BOOST_TEST(host.Wait() == 0);
  const std::string log = ReadFile(host.state_dir() / "host.log");
  BOOST_TEST_INFO("log:\n" << log);
  size_t compiled = 0;
  for (size_t at = log.find("patterns compiled"); at != std::string::npos;
       at = log.find("patterns compiled", at + 1)) {
    ++compiled;
  }
  BOOST_TEST(compiled == 2u);
}

BOOST_AUTO_TEST_CASE(events_are_counted) {
  Host host;
  for (const char* action : {"shown", "shown", "edited", "posted_anyway", "cancelled"}) {
    const json reply = host.Call({{"id", action},
                                  {"type", "event"},
                                  {"action", action},
                                  {"rules", {"profanity.canary"}},
                                  {"site", "x.com"},
                                  {"reason", "it is a test"}});
    BOOST_TEST(reply == json({{"id", action}, {"type", "ok"}}));
  }
  const json stats = host.Call({{"id", 9}, {"type", "stats"}});
  BOOST_TEST(
      stats["stats"] ==
      json({{"checks", 0}, {"warned", 2}, {"edited", 1}, {"posted_anyway", 1}, {"cancelled", 1}}));
}

BOOST_AUTO_TEST_CASE(end_of_input_exits_0) {
  {
    Host host;
    BOOST_TEST(host.Wait() == 0);  // before any request
  }
  {
    Host host;
    ExpectServing(host);
    BOOST_TEST(host.Wait() == 0);
    BOOST_TEST(host.trailing_output().empty());
  }
  {
    Host host;  // inside a frame: nobody is left to answer
    host.Write(Frame(Check(1, "cut short").dump()).substr(0, 10));
    BOOST_TEST(host.Wait() == 0);
    BOOST_TEST(host.trailing_output().empty());
  }
  {
    Host host;  // inside a header
    host.Write(std::string("\x10\x00", 2));
    BOOST_TEST(host.Wait() == 0);
  }
}

BOOST_AUTO_TEST_CASE(started_the_way_chrome_starts_it) {
  Host host(WithArgs({"chrome-extension://abcdefghijklmnopabcdefghijklmnop/"}));
  const json reply = host.Call(Check(1, "canaryword"));
  BOOST_TEST(reply["findings"].size() == 1u);
  BOOST_TEST(host.Wait() == 0);
  const std::string log = ReadFile(host.state_dir() / "host.log");
  BOOST_TEST(log.find("chrome-extension://abcdefghijklmnopabcdefghijklmnop/") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(started_the_way_windows_chrome_starts_it) {
  Host host(
      WithArgs({"--parent-window=0", "chrome-extension://abcdefghijklmnopabcdefghijklmnop/"}));
  BOOST_TEST(host.Call(Check(1, "canaryword"))["findings"].size() == 1u);
  BOOST_TEST(host.Wait() == 0);
  const std::string log = ReadFile(host.state_dir() / "host.log");
  BOOST_TEST(log.find("Chromium browser for chrome-extension://") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(started_the_way_firefox_starts_it) {
  Host host(WithArgs({"/home/someone/.mozilla/native-messaging-hosts/com.guardpost.host.json",
                      "guardpost@example.com"}));
  BOOST_TEST(host.Call(Check(1, "canaryword"))["findings"].size() == 1u);
  BOOST_TEST(host.Wait() == 0);
  const std::string log = ReadFile(host.state_dir() / "host.log");
  BOOST_TEST(log.find("guardpost@example.com") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(broken_builtin_pack_is_reported_and_the_host_still_answers) {
  Host host(WithPack(R"({"pack": "test", "rules": [{"id": "x", "kind": "nope"}]})"));
  const json hello = host.Call({{"id", 1}, {"type", "hello"}});
  BOOST_TEST_INFO("reply: " << hello.dump());
  BOOST_TEST(hello["rules"]["count"] == 0);
  BOOST_REQUIRE(hello["rules"]["errors"].size() >= 1u);
  BOOST_TEST(hello["rules"]["errors"][0]["layer"] == "builtin");
  BOOST_TEST(host.Call(Check(2, "canaryword"))["findings"] == json::array());
  BOOST_TEST(host.Wait() == 0);
}

// ---------------------------------------------------------------------------------------------
// Logging and privacy

BOOST_AUTO_TEST_CASE(logs_never_contain_post_text_or_reasons) {
  const std::string canary = "zebra-quokka-7731";
  Host host(WithEnv({{"GUARDPOST_LOG_LEVEL", "debug"}}));
  for (int i = 0; i < 5; ++i) {
    json request = Check(i, "our " + canary + " plan and a canaryword");
    request["context"] = {{"attachments", {{{"kind", "image"}, {"alt", canary + " canaryword"}}}}};
    BOOST_TEST(host.Call(request)["findings"].size() == 2u);
  }
  // Invalid JSON whose parser error would quote the canary.
  host.Send(R"({"id": 9, "type": "check", "text": "the )" + canary + " is");
  ExpectError(host.Receive(), nullptr, "invalid_json");
  host.Send("{\"id\": 10, \"text\": \"" + canary + "\", \"type\": \"check\"}, ");
  ExpectError(host.Receive(), nullptr, "invalid_json");
  // Errors about a well-formed request.
  ExpectError(host.Call({{"id", 11}, {"type", "check"}, {"text", canary}, {"site", 1}}), 11,
              "bad_request");
  ExpectError(host.Call(Check(12, canary + std::string(kMaxTextBytes, 'a'))), 12, "text_too_large");
  const json event = host.Call({{"id", 13},
                                {"type", "event"},
                                {"action", "posted_anyway"},
                                {"rules", {"profanity.canary"}},
                                {"reason", "because " + canary}});
  BOOST_TEST(event["type"] == "ok");
  BOOST_TEST(host.Wait() == 0);

  const fs::path log_file = host.state_dir() / "host.log";
  BOOST_REQUIRE(fs::exists(log_file));
  const std::string log = ReadFile(log_file);
  BOOST_TEST_INFO("log:\n" << log);
  // The test could fail: the log does describe the requests.
  BOOST_TEST(log.find("check") != std::string::npos);
  BOOST_TEST(log.find("profanity.canary") != std::string::npos);
  BOOST_TEST(log.find("posted_anyway") != std::string::npos);
  BOOST_TEST(log.find("invalid_json") != std::string::npos);

  for (const auto& entry : fs::recursive_directory_iterator(host.state_dir())) {
    if (!entry.is_regular_file()) continue;
    BOOST_TEST(ReadFile(entry.path()).find(canary) == std::string::npos, entry.path());
  }
  BOOST_TEST(host.Stderr().find(canary) == std::string::npos);
}

// The soft and hard "Max core file size" of a running process.
std::pair<std::string, std::string> CoreLimits(pid_t pid) {
  std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(limits, line) && !line.starts_with("Max core file size")) {
  }
  BOOST_REQUIRE(line.starts_with("Max core file size"));
  std::istringstream fields(line.substr(std::string("Max core file size").size()));
  std::string soft, hard;
  fields >> soft >> hard;
  return {soft, hard};
}

BOOST_AUTO_TEST_CASE(a_crash_leaves_no_core_file_with_post_text) {
  Host host;
  host.Call({{"id", 1}, {"type", "hello"}});  // past start-up
  BOOST_TEST((CoreLimits(host.pid()) == std::pair<std::string, std::string>{"0", "0"}));
  BOOST_TEST(host.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(the_command_line_leaves_no_core_file_either) {
  // `check` holds post text too. Its rules come from a FIFO: opening the FIFO to write returns once
  // the command has opened it to read, which is well past its start-up.
  TempDir dir;
  const fs::path fifo = dir.path() / "rules.json";
  BOOST_REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  Host command(WithArgs({"check", "--rules", fifo.string(), "-"}));
  std::ofstream rules(fifo);
  BOOST_TEST((CoreLimits(command.pid()) == std::pair<std::string, std::string>{"0", "0"}));
  rules << json{{"pack", "p"}, {"rules", json::array()}}.dump();
  rules.close();
  BOOST_TEST(command.Wait() == 0);
}

BOOST_AUTO_TEST_CASE(log_level_off_writes_nothing_but_serves) {
  Host host(WithEnv({{"GUARDPOST_LOG_LEVEL", "off"}}));
  BOOST_TEST(host.Call(Check(1, "canaryword"))["findings"].size() == 1u);
  BOOST_TEST(host.Wait() == 0);
  const fs::path log_file = host.state_dir() / "host.log";
  BOOST_TEST((!fs::exists(log_file) || fs::file_size(log_file) == 0u));
}

BOOST_AUTO_TEST_CASE(state_dir_follows_xdg_state_home_then_home) {
  {
    TempDir xdg;
    Host host(WithEnv({{"GUARDPOST_STATE_DIR", ""}, {"XDG_STATE_HOME", xdg.path().string()}}));
    ExpectServing(host);
    BOOST_TEST(host.Wait() == 0);
    BOOST_TEST(fs::exists(xdg.path() / "guardpost" / "host.log"));
  }
  {
    Host host(WithEnv({{"GUARDPOST_STATE_DIR", ""}}));
    ExpectServing(host);
    BOOST_TEST(host.Wait() == 0);
    BOOST_TEST(fs::exists(host.dir() / "home" / ".local" / "state" / "guardpost" / "host.log"));
  }
}

BOOST_AUTO_TEST_CASE(unusable_state_dir_does_not_stop_the_host) {
  TempDir dir;
  WriteFile(dir.path() / "a-file", "");
  // A directory cannot be made inside a regular file.
  Host host(WithEnv({{"GUARDPOST_STATE_DIR", (dir.path() / "a-file" / "state").string()}}));
  BOOST_TEST(host.Call(Check(1, "canaryword"))["findings"].size() == 1u);
  BOOST_TEST(host.Wait() == 0);
}

}  // namespace
}  // namespace guardpost::testing
