// guardpost eval: precision, recall and F1 of the rules on labeled posts.
//
// Input is JSONL, one post a line, in the form of the labeled corpus:
//   {"id": "nw-0450", "text": "...", "labels": ["secret"], "tags": ["password", "trap"]}
// Scoring is per post and category: a post counts as flagged for a category when any finding of
// that category, at or above the threshold severity, is reported for it. Posts tagged "trap" are
// clean posts that look risky; the ones flagged anyway are listed.

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/cli_support.h"
#include "common/findings_json.h"
#include "guardpost/json_depth.h"

namespace guardpost {
namespace {

constexpr char kHelp[] = R"(usage: guardpost eval [options] FILE.jsonl

Runs the rules on labeled posts and prints precision, recall and F1 per category (post level),
their micro average, the trap posts that were flagged, and the false negatives and false
positives of each category by post id.

Every input line is {"id": "...", "text": "...", "labels": [category...], "tags": [...]};
labels are secret, pii, confidential, profanity, insult, discrimination, tone (an empty list
means the post is fine); the tag "trap" marks a clean post that looks risky.

options:
  --rules PATH       a pack file or a directory of packs; repeat for more. Without it, the
                     built-in and system rules are used, as in the browser.
  --today DATE       the date (YYYY-MM-DD) for rules that apply only on some dates; default today
  --threshold LEVEL  info, warn (default) or block: the least severity that counts as flagged,
                     as for 'guardpost check' (info findings are reminders, not warnings)
  --format FORMAT    text (default) or json
  --verbose          also print the text of every false negative and false positive, and the
                     rules behind each false positive and flagged trap
  --min-f1 X         exit 1 when a category with labeled posts has an F1 below X
  --max-traps N      exit 1 when more than N trap posts are flagged

exit status: 0 done (and the --min-f1 and --max-traps gates, if any, held), 1 a gate failed,
2 usage, input or rules error.
)";

constexpr size_t kCategories = std::size(kAllCategories);

struct Post {
  std::string id;
  std::string text;
  std::array<bool, kCategories> labeled{};
  bool trap = false;
};

struct Outcome {
  std::array<bool, kCategories> flagged{};
  std::array<std::vector<std::string>, kCategories> rules;  // rule ids behind each flag
};

struct Counts {
  size_t tp = 0, fp = 0, fn = 0;
  std::vector<size_t> false_negatives, false_positives;  // indices into the posts
  size_t support() const { return tp + fn; }
  double precision() const { return tp + fp == 0 ? 0.0 : double(tp) / double(tp + fp); }
  double recall() const { return tp + fn == 0 ? 0.0 : double(tp) / double(tp + fn); }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
  }
  // A category with no labeled and no flagged posts says nothing about the rules.
  bool defined() const { return tp + fp + fn > 0; }
};

size_t IndexOf(Category category) {
  for (size_t i = 0; i < kCategories; ++i) {
    if (kAllCategories[i] == category) return i;
  }
  return 0;
}

// Reads the labeled posts; on a malformed line prints where and returns false.
bool ReadPosts(const std::string& path, std::vector<Post>* posts) {
  std::ifstream in;
  if (const auto error = OpenInput(path, &in)) {
    std::fprintf(stderr, "guardpost eval: cannot read '%s': %s\n", path.c_str(), error->c_str());
    return false;
  }
  std::string line;
  std::set<std::string> ids;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto fail = [&](const std::string& what) {
      std::fprintf(stderr, "guardpost eval: %s:%zu: %s\n", path.c_str(), number, what.c_str());
      return false;
    };
    nlohmann::json row;
    try {
      row = ParseJsonWithDepthLimit(line, /*allow_exceptions=*/false);
    } catch (const JsonTooDeep& e) {
      return fail(e.what());
    }
    if (!row.is_object()) return fail("expected a JSON object (is the line valid JSON and UTF-8?)");
    Post post;
    const auto id = row.find("id");
    const auto text = row.find("text");
    const auto labels = row.find("labels");
    if (id == row.end() || !id->is_string()) return fail("\"id\" must be a string");
    if (text == row.end() || !text->is_string()) return fail("\"text\" must be a string");
    if (labels == row.end() || !labels->is_array()) return fail("\"labels\" must be a list");
    post.id = id->get<std::string>();
    post.text = text->get<std::string>();
    if (!ids.insert(post.id).second) return fail("duplicate id '" + post.id + "'");
    for (const auto& label : *labels) {
      const auto category =
          label.is_string() ? ParseCategory(label.get<std::string>()) : std::nullopt;
      if (!category) return fail("unknown label " + label.dump());
      post.labeled[IndexOf(*category)] = true;
    }
    if (const auto tags = row.find("tags"); tags != row.end()) {
      if (!tags->is_array()) return fail("\"tags\" must be a list");
      for (const auto& tag : *tags)
        post.trap |= tag.is_string() && tag.get<std::string>() == "trap";
    }
    posts->push_back(std::move(post));
  }
  if (in.bad()) {  // a read that failed partway must not pass for the end of the file
    std::fprintf(stderr, "guardpost eval: reading '%s' failed\n", path.c_str());
    return false;
  }
  return true;
}

std::string Percent(double value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

std::string Join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// One line of text for a post: its id, and with verbose output the rules and the text.
std::string Describe(const Post& post, const std::vector<std::string>& rules, bool verbose) {
  std::string line = post.id;
  if (!verbose) return line;
  if (!rules.empty()) line += " [" + Join(rules, ", ") + "]";
  std::string text = post.text;
  std::replace(text.begin(), text.end(), '\n', ' ');
  line += ": " + text;
  return line;
}

}  // namespace

int RunEval(const Args& args) {
  std::vector<std::string> rule_paths;
  std::string input, format = "text", threshold_name = "warn", min_f1_text, max_traps_text, value;
  CheckOptions options;
  bool verbose = false;
  for (ArgReader reader(args); !reader.done();) {
    if (reader.Flag("--help") || reader.Flag("-h")) {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (reader.Flag("--verbose") || reader.Flag("-v")) {
      verbose = true;
    } else if (reader.Option("--rules", &value)) {
      rule_paths.push_back(value);
    } else if (reader.Option("--format", &format) ||
               reader.Option("--threshold", &threshold_name) ||
               reader.Option("--today", &options.today) ||
               reader.Option("--min-f1", &min_f1_text) ||
               reader.Option("--max-traps", &max_traps_text)) {
    } else if (auto operand = reader.Operand(); operand && input.empty()) {
      input = *operand;
    } else {
      return UsageError("eval", "unexpected argument '" + reader.Peek() + "'");
    }
    if (!reader.error().empty()) return UsageError("eval", reader.error());
  }
  if (input.empty()) return UsageError("eval", "which labeled JSONL file?");
  if (format != "text" && format != "json") {
    return UsageError("eval", "--format must be text or json; got '" + format + "'");
  }
  const std::optional<Severity> threshold = ThresholdArgument("eval", threshold_name);
  if (!threshold || !TodayArgument("eval", &options.today)) return 2;
  std::optional<double> min_f1;
  std::optional<long> max_traps;
  try {
    size_t used = 0;
    if (!min_f1_text.empty()) {
      min_f1 = std::stod(min_f1_text, &used);
      if (used != min_f1_text.size() || *min_f1 < 0 || *min_f1 > 1) throw std::invalid_argument("");
    }
    if (!max_traps_text.empty()) {
      max_traps = std::stol(max_traps_text, &used);
      if (used != max_traps_text.size() || *max_traps < 0) throw std::invalid_argument("");
    }
  } catch (const std::exception&) {
    return UsageError("eval", "--min-f1 takes a number from 0 to 1, --max-traps a count");
  }

  std::vector<Post> posts;
  if (!ReadPosts(input, &posts)) return 2;
  const auto engine = LoadEngine(rule_paths);
  if (!engine) return 2;

  std::vector<Outcome> outcomes(posts.size());
  std::array<Counts, kCategories> counts;
  Counts micro;
  std::vector<size_t> traps_flagged;
  size_t traps = 0;
  for (size_t i = 0; i < posts.size(); ++i) {
    const Post& post = posts[i];
    Outcome& outcome = outcomes[i];
    for (const Finding& finding : engine->Check(post.text, options)) {
      if (finding.severity < *threshold) continue;
      const size_t c = IndexOf(finding.category);
      outcome.flagged[c] = true;
      auto& rules = outcome.rules[c];
      if (std::find(rules.begin(), rules.end(), finding.rule) == rules.end())
        rules.push_back(finding.rule);
    }
    bool any = false;
    for (size_t c = 0; c < kCategories; ++c) {
      any |= outcome.flagged[c];
      Counts& count = counts[c];
      if (outcome.flagged[c] && post.labeled[c]) {
        ++count.tp;
      } else if (outcome.flagged[c]) {
        ++count.fp;
        count.false_positives.push_back(i);
      } else if (post.labeled[c]) {
        ++count.fn;
        count.false_negatives.push_back(i);
      }
    }
    if (post.trap) {
      ++traps;
      if (any) traps_flagged.push_back(i);
    }
  }
  for (const Counts& count : counts) {
    micro.tp += count.tp;
    micro.fp += count.fp;
    micro.fn += count.fn;
  }

  bool gates_hold = true;
  std::vector<std::string> gate_failures;
  if (min_f1) {
    for (size_t c = 0; c < kCategories; ++c) {
      if (counts[c].support() > 0 && counts[c].f1() < *min_f1) {
        gate_failures.push_back(std::string(CategoryName(kAllCategories[c])) + " F1 " +
                                Percent(counts[c].f1()) + " < " + Percent(*min_f1));
      }
    }
  }
  if (max_traps && traps_flagged.size() > static_cast<size_t>(*max_traps)) {
    gate_failures.push_back(std::to_string(traps_flagged.size()) + " trap posts flagged > " +
                            std::to_string(*max_traps));
  }
  gates_hold = gate_failures.empty();

  auto rules_of = [&](size_t post) {
    std::vector<std::string> all;
    for (const auto& rules : outcomes[post].rules)
      all.insert(all.end(), rules.begin(), rules.end());
    return all;
  };

  if (format == "json") {
    auto ids = [&](const std::vector<size_t>& indices) {
      nlohmann::json list = nlohmann::json::array();
      for (size_t i : indices) list.push_back(posts[i].id);
      return list;
    };
    auto metrics = [](const Counts& count) {
      return nlohmann::json{{"tp", count.tp},
                            {"fp", count.fp},
                            {"fn", count.fn},
                            {"support", count.support()},
                            {"precision", count.precision()},
                            {"recall", count.recall()},
                            {"f1", count.f1()}};
    };
    nlohmann::json categories = nlohmann::json::object();
    for (size_t c = 0; c < kCategories; ++c) {
      nlohmann::json entry = metrics(counts[c]);
      entry["false_negatives"] = ids(counts[c].false_negatives);
      entry["false_positives"] = ids(counts[c].false_positives);
      categories[std::string(CategoryName(kAllCategories[c]))] = entry;
    }
    nlohmann::json flagged = nlohmann::json::array();
    for (size_t i : traps_flagged) {
      nlohmann::json cats = nlohmann::json::array();
      for (size_t c = 0; c < kCategories; ++c) {
        if (outcomes[i].flagged[c]) cats.push_back(CategoryName(kAllCategories[c]));
      }
      flagged.push_back({{"id", posts[i].id}, {"categories", cats}, {"rules", rules_of(i)}});
    }
    nlohmann::json report = {{"file", input},
                             {"posts", posts.size()},
                             {"today", options.today},
                             {"threshold", SeverityName(*threshold)},
                             {"rules", engine->rule_count()},
                             {"categories", categories},
                             {"micro", metrics(micro)},
                             {"traps", {{"total", traps}, {"flagged", flagged}}},
                             {"gates", {{"hold", gates_hold}, {"failures", gate_failures}}}};
    std::printf("%s\n", report.dump(2).c_str());
    return gates_hold ? 0 : 1;
  }

  std::printf("%zu posts, %zu rules, today %s, counting findings at %s or above\n\n", posts.size(),
              engine->rule_count(), options.today.c_str(),
              std::string(SeverityName(*threshold)).c_str());
  std::printf("%-16s %9s %6s %6s %6s %4s %4s %4s\n", "category", "precision", "recall", "F1",
              "posts", "tp", "fp", "fn");
  auto row = [](const std::string& name, const Counts& count) {
    if (!count.defined()) {
      std::printf("%-16s %9s %6s %6s %6zu %4zu %4zu %4zu\n", name.c_str(), "-", "-", "-",
                  count.support(), count.tp, count.fp, count.fn);
      return;
    }
    std::printf("%-16s %9s %6s %6s %6zu %4zu %4zu %4zu\n", name.c_str(),
                Percent(count.precision()).c_str(), Percent(count.recall()).c_str(),
                Percent(count.f1()).c_str(), count.support(), count.tp, count.fp, count.fn);
  };
  for (size_t c = 0; c < kCategories; ++c)
    row(std::string(CategoryName(kAllCategories[c])), counts[c]);
  row("micro average", micro);

  std::printf("\ntrap posts flagged: %zu of %zu\n", traps_flagged.size(), traps);
  for (size_t i : traps_flagged) {
    std::vector<std::string> cats;
    for (size_t c = 0; c < kCategories; ++c) {
      if (outcomes[i].flagged[c]) cats.emplace_back(CategoryName(kAllCategories[c]));
    }
    std::printf("  %s (%s)\n", Describe(posts[i], rules_of(i), verbose).c_str(),
                Join(cats, ", ").c_str());
  }

  for (size_t c = 0; c < kCategories; ++c) {
    const Counts& count = counts[c];
    if (count.false_negatives.empty() && count.false_positives.empty()) continue;
    const std::string name(CategoryName(kAllCategories[c]));
    std::printf("\n%s\n", name.c_str());
    if (verbose) {
      for (size_t i : count.false_negatives) {
        std::printf("  missed   %s\n", Describe(posts[i], {}, true).c_str());
      }
      for (size_t i : count.false_positives) {
        std::printf("  wrong    %s\n", Describe(posts[i], outcomes[i].rules[c], true).c_str());
      }
    } else {
      std::vector<std::string> missed, wrong;
      for (size_t i : count.false_negatives) missed.push_back(posts[i].id);
      for (size_t i : count.false_positives) wrong.push_back(posts[i].id);
      if (!missed.empty()) std::printf("  false negatives: %s\n", Join(missed, " ").c_str());
      if (!wrong.empty()) std::printf("  false positives: %s\n", Join(wrong, " ").c_str());
    }
  }

  if (!gate_failures.empty()) {
    std::printf("\nFAILED: %s\n", Join(gate_failures, "; ").c_str());
  } else if (min_f1 || max_traps) {
    std::printf("\ngates hold\n");
  }
  return gates_hold ? 0 : 1;
}

}  // namespace guardpost
