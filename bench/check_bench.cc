// In-process check latency and engine construction time (issue 2, "Benchmarks").
//
// Rules: the packs in rules/*.json, plus a generated terms pack of 10,000 plain 1-3 word phrases
// and a generated pack of 1,000 hashed terms. The phrases are made of pronounceable nonsense
// syllables from a fixed-seed generator, so they almost never occur in the sample posts by
// chance; the posts carry a few of them on purpose (as "risky spans") so that the terms path
// produces findings too.
//
// Texts: 280 characters (code points), 3 KB and 100 KB, built from a fixed-seed mix of ordinary
// post sentences, risky spans (keys, card numbers, e-mail addresses, profanity, code names),
// emoji and non-Latin text. Several different texts of each size are cycled through.
//
// Every check is timed with std::chrono::steady_clock; p50 and p99 (in microseconds) are reported
// as counters next to Google Benchmark's mean time, and bytes/second as throughput. p50_cpu_us
// and p99_cpu_us are the same percentiles of the thread's CPU time, which a busy shared machine
// disturbs much less.
//
//   ./build-bench/bench/check_bench --benchmark_repetitions=3

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/rule_files.h"
#include "guardpost/engine.h"
#include "guardpost/rules.h"

#ifndef GUARDPOST_BENCH_RULES_DIR
#error "GUARDPOST_BENCH_RULES_DIR must name the repository's rules/ directory"
#endif

namespace {

using guardpost::Engine;
using guardpost::Pack;

// splitmix64: small, fast, and the same sequence on every machine.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }

 private:
  uint64_t state_;
};

// A pronounceable nonsense word of 2-4 syllables ("zorvek", "taquimo").
std::string NonsenseWord(Rng& rng) {
  static constexpr const char* kOnsets[] = {"b",  "d",  "f",  "g",  "k",  "l",  "m",  "n",
                                            "p",  "r",  "s",  "t",  "v",  "z",  "br", "dr",
                                            "kr", "tr", "qu", "sk", "st", "vl", "zh", "gr"};
  static constexpr const char* kVowels[] = {"a", "e", "i", "o", "u", "ai", "ou", "ei", "y"};
  static constexpr const char* kCodas[] = {"", "", "", "n", "r", "k", "x", "l", "m", "s"};
  std::string word;
  const size_t syllables = 2 + rng.Below(3);
  for (size_t i = 0; i < syllables; ++i) {
    word += kOnsets[rng.Below(std::size(kOnsets))];
    word += kVowels[rng.Below(std::size(kVowels))];
  }
  word += kCodas[rng.Below(std::size(kCodas))];
  return word;
}

// 1-3 word phrases: about half single words, a third two words, the rest three.
std::vector<std::string> Phrases(uint64_t seed, size_t count) {
  Rng rng(seed);
  std::vector<std::string> phrases;
  phrases.reserve(count);
  while (phrases.size() < count) {
    const size_t r = rng.Below(6);
    const size_t words = r < 3 ? 1 : r < 5 ? 2 : 3;
    std::string phrase = NonsenseWord(rng);
    for (size_t w = 1; w < words; ++w) phrase += " " + NonsenseWord(rng);
    phrases.push_back(std::move(phrase));
  }
  return phrases;
}

const std::vector<std::string>& PlainPhrases() {
  static const std::vector<std::string> phrases = Phrases(0x7E12, 10000);
  return phrases;
}
const std::vector<std::string>& HashedPhrases() {
  static const std::vector<std::string> phrases = Phrases(0xC0DE, 1000);
  return phrases;
}
constexpr char kSalt[] = "bench-salt-2025";

Pack ParseOrDie(const std::string& source, const std::string& json) {
  Pack pack;
  std::vector<guardpost::LoadError> errors;
  if (!guardpost::ParsePack(source, json, &pack, &errors)) {
    for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
    std::abort();
  }
  return pack;
}

std::string TermsPackJson() {
  nlohmann::json terms = PlainPhrases();
  nlohmann::json pack = {
      {"pack", "bench-terms"},
      {"version", "1"},
      {"rules",
       {{{"id", "bench.terms-10k"},
         {"kind", "terms"},
         {"category", "confidential"},
         {"severity", "warn"},
         {"message", "\"{match}\" is on the generated list."},
         {"terms", terms},
         {"examples", {{"flag", nlohmann::json::array()}, {"pass", nlohmann::json::array()}}}}}}};
  return pack.dump();
}

std::string HashedPackJson() {
  nlohmann::json digests = nlohmann::json::array();
  int max_words = 1;
  for (const std::string& phrase : HashedPhrases()) {
    const guardpost::HashedTerm hashed = guardpost::HashTerm(kSalt, phrase);
    digests.push_back(hashed.sha256_hex);
    max_words = std::max(max_words, hashed.words);
  }
  nlohmann::json pack = {
      {"pack", "bench-hashed"},
      {"version", "1"},
      {"rules",
       {{{"id", "bench.hashed-1k"},
         {"kind", "terms"},
         {"category", "confidential"},
         {"severity", "block"},
         {"message", "This looks like an unreleased code name."},
         {"hashed", {{"salt", kSalt}, {"max_words", max_words}, {"sha256", digests}}},
         {"examples", {{"flag", nlohmann::json::array()}, {"pass", nlohmann::json::array()}}}}}}};
  return pack.dump();
}

enum PackSet { kDefaultOnly = 0, kDefaultPlusTerms = 1, kAll = 2 };
constexpr const char* kPackSetNames[] = {"rules/", "rules/+10k terms",
                                         "rules/+10k terms+1k hashed"};

// The packs of a set, parsed once.
const std::vector<Pack>& Packs(int set) {
  static const std::vector<std::vector<Pack>> sets = [] {
    const guardpost::Layer layer = guardpost::LoadLayer("builtin", {GUARDPOST_BENCH_RULES_DIR});
    if (!layer.errors.empty() || layer.packs.empty()) {
      for (const auto& e : layer.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
      std::abort();
    }
    std::vector<std::vector<Pack>> result(3, layer.packs);
    result[kDefaultPlusTerms].push_back(ParseOrDie("bench-terms.json", TermsPackJson()));
    result[kAll] = result[kDefaultPlusTerms];
    result[kAll].push_back(ParseOrDie("bench-hashed.json", HashedPackJson()));
    return result;
  }();
  return sets[static_cast<size_t>(set)];
}

const Engine& EngineFor(int set) {
  static std::unique_ptr<const Engine> engines[3];
  if (!engines[set]) engines[set] = std::make_unique<const Engine>(Packs(set));
  return *engines[set];
}

// Pieces of posts. Ordinary sentences are most of every text; risky spans, emoji and non-Latin
// text are sprinkled in at fixed rates.
constexpr const char* kSentences[] = {
    "Had a great time at the team offsite this week. ",
    "Proud of what we shipped this quarter, and grateful for the people who made it happen. ",
    "If you are in Berlin next month, come say hi at our booth. ",
    "Three things I learned about hiring this year: be clear, be fast, and be kind. ",
    "Coffee first, then the roadmap review. ",
    "We are hiring engineers who like hard problems and short meetings! ",
    "Our new office has a view of the river and far too many plants. ",
    "Congratulations to Maria on ten years with the company. ",
    "Thanks to everyone who joined the webinar yesterday; the recording is on our site. ",
    "Honestly the best part of the conference was the hallway track. ",
    "Working on something exciting with the platform team, more soon. ",
    "Reminder: the charity run is on Saturday morning, bring water. ",
    "The quarterly numbers look good, details at the all-hands. ",
    "Who else is still debugging on a Friday afternoon? ",
    "Small teams, clear goals, and a lot of tea. ",
    "Great discussion on the panel about remote work and mentoring. ",
};
constexpr const char* kRisky[] = {
    "our key is AKIA2E0A8F3B244C9986 lol ",
    "card 4111 1111 1111 1111 exp 12/27 ",
    "mail me at jane.doe@example.com ",
    "this is such bullsh1t ",
    "what the f.u.c.k ",
    "call me on +49 30 1234567 ",
    "IBAN DE89 3704 0044 0532 0130 00 ",
    "THIS LAUNCH IS GOING TO BE HUGE FOR EVERYONE!!! ",
    "the draft says internal only, do not share ",
};
constexpr const char* kEmoji[] = {"🎉 ", "👍🏽 ", "👨‍👩‍👧 ", "🚀🚀 ", "❤️ ",
                                  "😂 ", "🇩🇪 "};
constexpr const char* kNonLatin[] = {
    "今日はチームで打ち上げでした。 ",
    "Привет всем, увидимся на конференции! ",
    "مرحبا بالجميع في المكتب الجديد ",
    "새로운 프로젝트를 시작했습니다 ",
    "שלום לכולם ",
    "Ευχαριστώ για όλα! ",
    "Café crème à côté du bureau, très sympa. ",
};

// A text of about `size` units: code points when `code_points`, else bytes. Cut on a code point
// boundary.
std::string MakeText(uint64_t seed, size_t size, bool code_points) {
  Rng rng(seed);
  std::string text;
  auto length = [&](const std::string& s) {
    if (!code_points) return s.size();
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  while (length(text) < size) {
    const size_t r = rng.Below(100);
    if (r < 70) {
      text += kSentences[rng.Below(std::size(kSentences))];
    } else if (r < 78) {
      text += kRisky[rng.Below(std::size(kRisky))];
    } else if (r < 82) {  // a code name from a generated list
      const auto& list = rng.Below(2) ? PlainPhrases() : HashedPhrases();
      text += "ask about " + list[rng.Below(list.size())] + " today ";
    } else if (r < 90) {
      text += kEmoji[rng.Below(std::size(kEmoji))];
    } else {
      text += kNonLatin[rng.Below(std::size(kNonLatin))];
    }
  }
  // Cut to exactly `size` units on a code point boundary (possibly inside an emoji sequence:
  // posts are cut anywhere).
  size_t units = 0, pos = 0;
  while (pos < text.size()) {
    size_t next = pos + 1;
    while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xC0) == 0x80) ++next;
    const size_t add = code_points ? 1 : next - pos;
    if (units + add > size) break;
    units += add;
    pos = next;
  }
  text.resize(pos);
  return text;
}

// Texts of one size: several different ones, cycled through.
const std::vector<std::string>& Texts(int64_t size) {
  static std::vector<std::string> cache[3];
  const int slot = size == 280 ? 0 : size == 3 * 1024 ? 1 : 2;
  if (cache[slot].empty()) {
    const int count = slot == 2 ? 8 : 64;
    for (int i = 0; i < count; ++i) {
      cache[slot].push_back(MakeText(0x5EED0000ULL + static_cast<uint64_t>(slot * 1000 + i),
                                     static_cast<size_t>(size),
                                     /*code_points=*/slot == 0));
      if (!guardpost::IsValidUtf8(cache[slot].back())) std::abort();
    }
  }
  return cache[slot];
}

double Percentile(std::vector<double> sorted_or_not, double p) {
  std::sort(sorted_or_not.begin(), sorted_or_not.end());
  if (sorted_or_not.empty()) return 0;
  const size_t index = std::min(sorted_or_not.size() - 1,
                                static_cast<size_t>(p * static_cast<double>(sorted_or_not.size())));
  return sorted_or_not[index];
}

// This thread's CPU time. On a shared machine wall-clock percentiles include time spent
// preempted by other processes; the CPU-time ones do not (each reading costs a system call,
// well under 1 µs, which they include).
double ThreadCpuMicros() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// Args: text size (280 = code points, else bytes), pack set.
void BM_Check(benchmark::State& state) {
  const int64_t size = state.range(0);
  const int set = static_cast<int>(state.range(1));
  const Engine& engine = EngineFor(set);
  const std::vector<std::string>& texts = Texts(size);
  guardpost::CheckOptions options;
  options.today = "2025-11-21";
  std::vector<double> micros, cpu_micros;
  micros.reserve(static_cast<size_t>(state.max_iterations));
  cpu_micros.reserve(static_cast<size_t>(state.max_iterations));
  size_t bytes = 0, findings = 0, i = 0;
  for (auto _ : state) {
    const std::string& text = texts[i++ % texts.size()];
    const double cpu_start = ThreadCpuMicros();
    const auto start = std::chrono::steady_clock::now();
    auto result = engine.Check(text, options);
    const auto stop = std::chrono::steady_clock::now();
    const double cpu_stop = ThreadCpuMicros();
    benchmark::DoNotOptimize(result);
    micros.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
    cpu_micros.push_back(cpu_stop - cpu_start);
    bytes += text.size();
    findings += result.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["p50_us"] = Percentile(micros, 0.50);
  state.counters["p99_us"] = Percentile(micros, 0.99);
  state.counters["p50_cpu_us"] = Percentile(cpu_micros, 0.50);
  state.counters["p99_cpu_us"] = Percentile(cpu_micros, 0.99);
  state.counters["findings"] =
      benchmark::Counter(static_cast<double>(findings), benchmark::Counter::kAvgIterations);
  state.SetLabel(kPackSetNames[set]);
}
BENCHMARK(BM_Check)
    ->ArgNames({"size", "packs"})
    ->ArgsProduct({{280, 3 * 1024, 100 * 1024}, {kDefaultOnly, kDefaultPlusTerms, kAll}})
    ->Unit(benchmark::kMicrosecond);

// Engine construction from parsed packs, then Prepare (compiling the RE2::Sets), separately:
// construction is what a host pays before its first reply, Prepare what it pays on a background
// thread after it (or a rules update before its first check).
void BM_EngineConstruct(benchmark::State& state) {
  const int set = static_cast<int>(state.range(0));
  const bool prepare = state.range(1) != 0;
  std::unique_ptr<Engine> engine;
  for (auto _ : state) {
    state.PauseTiming();  // copying the packs and destroying the last engine are not construction
    std::vector<Pack> packs = Packs(set);
    engine.reset();
    if (prepare) engine = std::make_unique<Engine>(std::move(packs));
    state.ResumeTiming();
    if (prepare) {
      engine->Prepare();
    } else {
      engine = std::make_unique<Engine>(std::move(packs));
    }
    benchmark::DoNotOptimize(engine->rule_count());
  }
  state.SetLabel(std::string(kPackSetNames[set]) + (prepare ? ", Prepare" : ", construct"));
}
BENCHMARK(BM_EngineConstruct)
    ->ArgNames({"packs", "prepare"})
    ->ArgsProduct({{kDefaultOnly, kAll}, {0, 1}})
    ->Unit(benchmark::kMillisecond);

// Reading and parsing rules/*.json (in parallel, as the host does) plus constructing the engine:
// a host's cold path to answering hello.
void BM_LoadRulesAndConstruct(benchmark::State& state) {
  for (auto _ : state) {
    guardpost::Layer layer = guardpost::LoadLayer("builtin", {GUARDPOST_BENCH_RULES_DIR},
                                                  guardpost::PatternCheck::kParse);
    Engine engine(std::move(layer.packs));
    benchmark::DoNotOptimize(engine.rule_count());
  }
  state.SetLabel("rules/");
}
BENCHMARK(BM_LoadRulesAndConstruct)->Unit(benchmark::kMillisecond);

}  // namespace

// `check_bench --write-packs DIR` writes the two generated packs as DIR/bench-terms.json and
// DIR/bench-hashed.json (for `guardpost check --rules` in bench/run) instead of benchmarking.
int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--write-packs") {
    const std::string dir = argv[2];
    for (const auto& [name, json] : {std::pair{"bench-terms.json", TermsPackJson()},
                                     std::pair{"bench-hashed.json", HashedPackJson()}}) {
      const std::string path = dir + "/" + name;
      std::FILE* out = std::fopen(path.c_str(), "wb");
      if (!out || std::fwrite(json.data(), 1, json.size(), out) != json.size() ||
          std::fclose(out)) {
        std::fprintf(stderr, "cannot write %s\n", path.c_str());
        return 1;
      }
    }
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
