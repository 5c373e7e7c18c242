// `guardpost check --format jsonl`: the real binary on files of many lines. Lines are read in
// chunks of whole lines ahead of the checks and checked in parallel, and the replies must still
// come out one per line, in input order, across chunk boundaries.

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host_process.h"

namespace guardpost::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

struct JsonlRun {
  TempDir dir;
  int status = -1;
  std::vector<json> replies;        // stdout lines that are JSON
  std::vector<std::string> errors;  // the other lines (stderr)
  std::vector<std::string> lines;   // both, in the order they reached the one output file

  // Checks `input` (the file's bytes) against `pack`.
  explicit JsonlRun(const std::string& input, std::string_view pack = kTestPack) {
    WriteFile(dir.path() / "test.json", pack);
    WriteFile(dir.path() / "input.jsonl", input);
    status = Run({GUARDPOST_BINARY, "check", "--format", "jsonl", "--rules",
                  (dir.path() / "test.json").string(), (dir.path() / "input.jsonl").string()},
                 {"PATH=/usr/bin:/bin", "GUARDPOST_SYSTEM_RULES=" + (dir.path() / "none").string()},
                 dir.path() / "output.txt");
    std::istringstream output(ReadFile(dir.path() / "output.txt"));
    for (std::string line; std::getline(output, line);) {
      lines.push_back(line);
      if (line.starts_with('{')) {
        replies.push_back(json::parse(line));
      } else {
        errors.push_back(line);
      }
    }
  }
};

std::string Line(int id, const std::string& text) {
  return json{{"id", id}, {"text", text}}.dump() + "\n";
}

BOOST_AUTO_TEST_SUITE(check_jsonl)

BOOST_AUTO_TEST_CASE(replies_keep_input_order_across_chunks) {
  // About 1 MB: many 64 KiB chunks, with one line longer than several chunks in the middle and no
  // newline after the last line.
  std::string input;
  const int kLines = 8000;
  for (int id = 1; id <= kLines; ++id) {
    std::string text = "post number " + std::to_string(id) + " about nothing in particular";
    if (id % 7 == 0) text += ", canaryword";
    if (id == kLines / 2) text = std::string(300 * 1024, 'x') + " canaryword";
    input += Line(id, text);
  }
  input.pop_back();

  const JsonlRun run(input);
  BOOST_TEST(run.status == 1);  // something at or above warn
  BOOST_TEST(run.errors.empty());
  BOOST_REQUIRE_EQUAL(run.replies.size(), static_cast<size_t>(kLines));
  for (int id = 1; id <= kLines; ++id) {
    const json& reply = run.replies[static_cast<size_t>(id - 1)];
    BOOST_TEST_REQUIRE(reply["id"] == id);
    const bool canary = id % 7 == 0 || id == kLines / 2;
    BOOST_TEST_REQUIRE(reply["findings"].size() == (canary ? 1U : 0U), "id " << id);
  }
}

BOOST_AUTO_TEST_CASE(bad_lines_are_named_and_the_rest_answered) {
  // Blank lines get no reply but count: the bad lines after them are lines 4, 6, 8 and 9, each
  // named with what is wrong with it.
  const std::string input = Line(1, "fine") + "\n" + "\n" + "not json\n" + Line(5, "a canaryword") +
                            "{\"id\": 4}\n" + Line(7, "ok");
  const JsonlRun run(input + "{\"id\": " + std::string(100000, '[') + std::string(100000, ']') +
                     ", \"text\": \"x\"}\n" +                  // nested too deeply to print: line 8
                     "{\"id\": 9, \"text\": \"caf\xE9\"}\n");  // Latin-1, not UTF-8: line 9
  BOOST_TEST(run.status == 2);
  BOOST_REQUIRE_EQUAL(run.replies.size(), 3U);
  BOOST_TEST(run.replies[0]["id"] == 1);
  BOOST_TEST(run.replies[1]["id"] == 5);
  BOOST_TEST(run.replies[1]["findings"].size() == 1U);
  BOOST_TEST(run.replies[2]["id"] == 7);
  const std::vector<std::string> expected = {
      "guardpost check: line 4: not valid JSON; expected {\"id\": ..., \"text\": \"...\"}",
      "guardpost check: line 6: no string \"text\"; expected {\"id\": ..., \"text\": \"...\"}",
      "guardpost check: line 8: nested more than 64 levels deep; expected {\"id\": ..., \"text\": "
      "\"...\"}",
      "guardpost check: line 9: not valid UTF-8; expected {\"id\": ..., \"text\": \"...\"}"};
  BOOST_TEST(run.errors == expected, boost::test_tools::per_element());
  // Sent to one file, each message comes right after the replies to the lines before it.
  std::string order;
  for (const std::string& line : run.lines) order += line.starts_with('{') ? 'r' : 'e';
  BOOST_TEST(order == "rereree");
}

// Lines of JSON whitespace only, such as the "\r" of a blank line in a CRLF file, are no posts.
BOOST_AUTO_TEST_CASE(blank_lines_of_whitespace_are_skipped) {
  const JsonlRun run(
      "{\"id\": 1, \"text\": \"ok\"}\r\n\r\n \t \n{\"id\": 2, \"text\": \"a canaryword\"}\r\n");
  BOOST_TEST(run.status == 1);
  BOOST_TEST(run.errors.empty());
  BOOST_REQUIRE_EQUAL(run.replies.size(), 2U);
  BOOST_TEST(run.replies[1]["findings"].size() == 1U);
}

// Replies that could not all be written must not pass for a result, and the message says why,
// also when the failure came in the middle of a long input (the write failed inside the run, not
// at the final flush).
BOOST_AUTO_TEST_CASE(output_that_cannot_be_written_is_an_error) {
  TempDir dir;
  std::string many;
  for (int i = 0; i < 20000; ++i) many += Line(i, "fine");
  for (const std::string& input : {Line(1, "fine"), many}) {
    WriteFile(dir.path() / "input.jsonl", input);
    const fs::path errors = dir.path() / "errors.txt";
    BOOST_TEST(
        Run({"/bin/sh", "-c",
             std::string(GUARDPOST_BINARY) + " check --format jsonl '" +
                 (dir.path() / "input.jsonl").string() + "' >/dev/full 2>'" + errors.string() +
                 "'"},
            {"PATH=/usr/bin:/bin", "GUARDPOST_SYSTEM_RULES=" + (dir.path() / "none").string()},
            "/dev/null") == 2);
    BOOST_TEST(ReadFile(errors) ==
               "guardpost check: writing the output failed: No space left on device\n");
  }
}

BOOST_AUTO_TEST_CASE(findings_are_those_of_format_json_with_every_optional_field) {
  // The jsonl path writes its replies by hand, for speed; they must carry what --format json does.
  constexpr std::string_view kPack = R"({"pack": "full", "version": "1", "rules": [{
    "id": "insensitive.term", "kind": "terms", "category": "discrimination", "severity": "info",
    "message": "\"{match}\" can hurt.", "suggestion": "Say \"{match}\" differently.",
    "policy_url": "https://intranet.example/policy",
    "terms": [{"term": "canaryword", "replacement": "bird word"}],
    "examples": {"flag": ["a canaryword"], "pass": ["a bird"]}}]})";
  const std::string text = "Tabs\tand \"quotes\", then a canaryword 😀";
  const JsonlRun run(Line(7, text), kPack);
  BOOST_TEST(run.status == 0);  // info is below the default threshold
  BOOST_REQUIRE_EQUAL(run.replies.size(), 1U);

  WriteFile(run.dir.path() / "post.txt", text);
  const int status =
      Run({GUARDPOST_BINARY, "check", "--format", "json", "--rules",
           (run.dir.path() / "test.json").string(), (run.dir.path() / "post.txt").string()},
          {"PATH=/usr/bin:/bin", "GUARDPOST_SYSTEM_RULES=" + (run.dir.path() / "none").string()},
          run.dir.path() / "json.txt");
  BOOST_TEST(status == 0);
  const json expected = json::parse(ReadFile(run.dir.path() / "json.txt"))["findings"];
  BOOST_REQUIRE_EQUAL(expected.size(), 1U);
  BOOST_TEST(expected[0].contains("replacement"));
  BOOST_TEST(expected[0].contains("suggestion"));
  BOOST_TEST(expected[0].contains("policy_url"));
  BOOST_TEST(run.replies[0]["findings"] == expected);
}

// Lines are parsed by a fast path that scans strings eight bytes at a time. Escapes and raw
// control characters at every offset within those eight bytes must come out as a JSON parser
// reads them: each finding lands where the decoded text has the word, and a raw control
// character makes the line bad.
BOOST_AUTO_TEST_CASE(escapes_and_control_characters_at_every_offset) {
  std::string input;
  std::vector<std::string> texts;
  for (int pad = 0; pad < 16; ++pad) {
    const std::string text = std::string(pad, 'x') + "\"q\" \\ / \n\t\r é\u00e9 " +
                             std::string(pad, 'y') + " canaryword";
    texts.push_back(text);
    std::string line = Line(pad, text);  // nlohmann escapes ", \, \n, \t and \r
    if (pad % 4 == 0) {
      const size_t slash = line.find(" / ");
      line.replace(slash, 3, " \\/ ");  // an escaped '/', which dump() never writes
    }
    input += line;
    // A line with a raw control character, which JSON does not allow inside a string.
    std::string raw_control = Line(100 + pad, std::string(pad, 'x') + "z canaryword");
    raw_control.insert(raw_control.find('z'), 1, "\t\x01\x1f"[pad % 3]);
    input += raw_control;
  }
  const JsonlRun run(input);
  BOOST_REQUIRE_EQUAL(run.replies.size(), texts.size());
  BOOST_TEST(run.errors.size() == texts.size());
  for (size_t pad = 0; pad < texts.size(); ++pad) {
    const json& reply = run.replies[pad];
    BOOST_TEST_REQUIRE(reply["id"] == pad);
    BOOST_REQUIRE_EQUAL(reply["findings"].size(), 1U);
    // Every character before the word is a single UTF-16 unit.
    const std::string& text = texts[pad];
    const size_t chars_before = text.size() - std::string(" canaryword").size() + 1 - 2;  // é twice
    BOOST_TEST(reply["findings"][0]["start"] == chars_before, "pad " << pad);
  }
}

// Input that cannot be read is an error, not an empty input: a directory named as the input, and
// a directory as stdin, which fails only once reading starts.
BOOST_AUTO_TEST_CASE(unreadable_input_is_an_error_not_an_empty_input) {
  TempDir dir;
  const std::vector<std::string> env = {"PATH=/usr/bin:/bin",
                                        "GUARDPOST_SYSTEM_RULES=" + (dir.path() / "none").string()};
  for (const char* format : {"jsonl", "text"}) {
    BOOST_TEST_CONTEXT(format) {
      const fs::path output = dir.path() / "output.txt";
      BOOST_TEST(Run({GUARDPOST_BINARY, "check", "--format", format, dir.path().string()}, env,
                     output) == 2);
      BOOST_TEST(ReadFile(output) == "guardpost check: cannot read '" + dir.path().string() +
                                         "': it is a directory\n"
                                         "Run 'guardpost check --help' for usage.\n");
      BOOST_TEST(
          Run({GUARDPOST_BINARY, "check", "--format", format, "-"}, env, output, dir.path()) == 2);
      BOOST_TEST(ReadFile(output) == "guardpost check: reading stdin failed\n");
    }
  }
}

// `guardpost eval` reads its labeled posts the same way: a directory used to read as no posts.
BOOST_AUTO_TEST_CASE(eval_of_a_directory_is_an_error_not_an_empty_file) {
  TempDir dir;
  const fs::path output = dir.path() / "output.txt";
  BOOST_TEST(Run({GUARDPOST_BINARY, "eval", dir.path().string()},
                 {"PATH=/usr/bin:/bin", "GUARDPOST_SYSTEM_RULES=" + (dir.path() / "none").string()},
                 output) == 2);
  BOOST_TEST(ReadFile(output) ==
             "guardpost eval: cannot read '" + dir.path().string() + "': it is a directory\n");
}

BOOST_AUTO_TEST_CASE(empty_input_is_no_output_and_status_0) {
  const JsonlRun run("");
  BOOST_TEST(run.status == 0);
  BOOST_TEST(run.replies.empty());
  BOOST_TEST(run.errors.empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace guardpost::testing
