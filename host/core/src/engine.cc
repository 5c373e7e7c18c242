// The checking engine.
//
// A check runs in four steps:
//   1. Views: the raw text, and (only if some rule needs them) the folded and words views, each
//      with a map back to the original (normalize.h).
//   2. Candidates: the RE2::Sets of each view (up to 25 patterns each, with long counted
//      repetitions capped) find which pattern rules may match; rules whose keywords are absent,
//      or whose required context words occur nowhere in the post, are dropped. Term lists are
//      looked up word by word (terms.h). Measures look at the whole text.
//   3. Spans: only the candidate patterns are run again, one by one, to get their spans; each span
//      must pass the rule's whole-word check, allowlist and validators.
//   4. Findings: spans become UTF-16 offsets into the original, overlapping findings of one
//      category are reduced to the most serious, and the rest are sorted by position.
//
// Constructing an engine only picks the rules in effect. What matching needs (the RE2::Sets, the
// term tables, the normalized forms of keywords and context words) is built once by Prepare,
// which front ends run on a thread of their own; each rule's own RE2 is compiled the first time
// the rule is a candidate.
//
// Many texts can be checked at once (jsonl does): each step then runs over a group of texts
// before the next step starts (see Impl::Run).

#include "guardpost/engine.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>

#include "measures.h"
#include "normalize.h"
#include "pattern_syntax.h"
#include "terms.h"
#include "utf8.h"
#include "validators.h"

namespace guardpost {

using internal::ByteSpan;
using internal::TextView;

namespace {

constexpr size_t kMaxQuotedChars = 80;  // {match} is cut here so that replies stay small
constexpr int kViewCount = 3;

// A pattern rule's RE2, compiled the first time a check needs the rule's spans. Most rules are
// never candidates for most posts, and compiling every pattern up front was most of the time the
// host took to start.
class LazyRegex {
 public:
  LazyRegex(std::string pattern, bool case_sensitive)
      : pattern_(std::move(pattern)),
        case_sensitive_(case_sensitive),
        state_(std::make_unique<State>()) {}

  const RE2& Get() const {
    std::call_once(state_->once, [this] {
      state_->re = std::make_unique<const RE2>(pattern_, internal::RuleOptions(case_sensitive_));
    });
    return *state_->re;
  }
  const std::string& pattern() const { return pattern_; }

 private:
  struct State {
    std::once_flag once;
    std::unique_ptr<const RE2> re;
  };
  std::string pattern_;
  bool case_sensitive_;
  std::unique_ptr<State> state_;
};

// What Check needs of one rule, prepared once.
struct CompiledRule {
  const Rule* rule = nullptr;
  std::optional<LazyRegex> re;  // kPattern
  // kPattern with long counted repetitions: the pattern with them capped, which finds where a
  // match may start; `re` then runs anchored there (FindSpans).
  std::optional<LazyRegex> starts;
  std::vector<std::string> keywords;  // folded form
  std::vector<std::string> allow;     // folded form
  std::vector<size_t> context_list;   // per validator: its list in context_words (kContext)
  // kTerms: phrases that cancel a match, in words form; index 0 is the rule's own list, index
  // t + 1 term t's (which applies in addition to the rule's).
  std::vector<std::vector<std::string>> unless_followed_by;
  std::vector<std::vector<std::string>> unless_preceded_by;
};

// Where a context validator's word or phrase occurs in a words view (byte offsets).
struct ContextHit {
  size_t list = 0;
  size_t begin = 0;
  size_t end = 0;
  auto operator<=>(const ContextHit&) const = default;
};

// A span found for a rule, in original byte offsets, before it becomes a Finding.
struct Hit {
  size_t rule = 0;
  ByteSpan span;
  int term = -1;  // kTerms: which term, for per-term severity and suggestion
};

bool InWindow(const std::optional<DateWindow>& window, std::string_view today) {
  if (!window) return true;
  if (today.empty()) return false;
  return (window->from.empty() || today >= window->from) &&
         (window->until.empty() || today < window->until);
}

// `text` cut to at most `max_chars` code points, with an ellipsis when cut.
std::string Quote(std::string_view text, size_t max_chars) {
  size_t pos = 0;
  for (size_t chars = 0; pos < text.size() && chars < max_chars; ++chars) {
    internal::DecodeUtf8(text, &pos);
  }
  std::string quoted(text.substr(0, pos));
  if (pos < text.size()) quoted += "…";
  return quoted;
}

std::string ReplaceMatch(const std::string& templ, std::string_view match) {
  std::string out = templ;
  const std::string quoted = Quote(match, kMaxQuotedChars);
  for (size_t at = out.find("{match}"); at != std::string::npos;
       at = out.find("{match}", at + quoted.size())) {
    out.replace(at, 7, quoted);
  }
  return out;
}

// The slice of the words view that covers the original text within `chars` code points on
// either side of `span`, cut to whole words.
std::string_view WordsAround(const TextView& words, std::string_view text, ByteSpan span,
                             int chars) {
  size_t begin = span.begin;
  for (int i = 0; i < chars && begin > 0; ++i) begin = internal::PreviousCodePoint(text, begin);
  size_t end = span.end;
  for (int i = 0; i < chars && end < text.size(); ++i) internal::DecodeUtf8(text, &end);
  // Origins never decrease along a view, so the window's ends can be found by binary search.
  const auto& origin = words.origin;
  size_t from =
      static_cast<size_t>(std::lower_bound(origin.begin(), origin.end(), begin) - origin.begin());
  size_t to =
      static_cast<size_t>(std::lower_bound(origin.begin(), origin.end(), end) - origin.begin());
  const std::string_view view = words.text;
  if (from > 0 && view[from - 1] != ' ') from = std::min(view.find(' ', from), to);  // partial word
  while (to < view.size() && to > from && view[to] != ' ' && view[to - 1] != ' ') --to;
  return view.substr(from, to > from ? to - from : 0);
}

// A rule's counted repetitions are capped in its RE2::Set and in the first step of its span
// search (CompiledRule::starts). Keys and tokens are runs of 20 to 250 characters, and a set's DFA
// state tracks how far into each such run the text may be, for every pattern at once: on posts
// full of keys and URLs the raw view's sets kept filling their memory and starting over. With
// runs capped at 16 they took 40% less time on all corpus posts, and the same on generated posts
// (bench/README.md).
constexpr int kSetRepetitionCap = 16;

// A rule's pattern as a member of an RE2::Set, whose options all members share: with its case
// flag inside, and capped (a set only finds candidates, which the rule's own pattern then checks).
std::string SetPattern(const CompiledRule& cr) {
  return (cr.rule->case_sensitive ? "" : "(?i)") +
         (cr.starts ? cr.starts->pattern() : cr.rule->pattern);
}

// A rule with long counted repetitions searches for its spans in two steps: its capped pattern
// finds where a match may start, and its own pattern runs anchored there. Run unanchored, a
// pattern such as the default packs' service-token alternation (45 key formats) has RE2 build DFA
// states for every run of key characters that might be under way, most of which it then throws
// away: 93 µs each time it was a candidate, on all corpus posts. A text where the capped pattern
// starts many times and the rule's none (a long run of key characters) goes back to the plain
// search after this many.
constexpr int kMaxFalseStarts = 16;

std::vector<std::string> WordsForms(const std::vector<std::string>& phrases) {
  std::vector<std::string> forms;
  for (const std::string& phrase : phrases) forms.push_back(internal::WordsForm(phrase));
  return forms;
}

}  // namespace

struct Engine::Impl {
  // Set by the constructor: what a front end asks of the rules before any check.
  std::vector<Pack> packs;
  std::vector<PackInfo> pack_infos;
  std::vector<const Rule*> rules;  // in effect, in order

  // The rest is what matching needs. Building it (term tables, normalized phrases, and above all
  // the RE2::Sets) is most of the cost of an engine, so Prepare builds it once, on the first
  // check or on a front end's thread ahead of it, and it is read-only from then on.
  mutable std::once_flag prepared;
  mutable std::vector<CompiledRule> compiled;  // parallel to rules
  // Pattern rules by view, and RE2::Sets over them, each of up to kPatternsPerSet consecutive
  // patterns of its view.
  //
  // RE2 builds a set's DFA states as texts reach them, within a memory budget, and a set's states
  // multiply with its patterns. On varied text (posts made from the test corpus, full of keys and
  // addresses) the default packs' 50 raw patterns in one set kept exhausting the budget, so that
  // RE2 threw its states away over and over: 60 µs a post. As two sets of 25 they took 1 µs. The
  // generated posts of the benchmark, a few sentences repeated, never showed it. Each set has a
  // budget of its own (RE2's default, 8 MB), so the engine's worst case grows with its sets.
  static constexpr size_t kPatternsPerSet = 25;
  struct PatternSet {
    std::unique_ptr<RE2::Set> set;  // null if RE2 ran out of memory compiling it
    size_t first = 0;               // its patterns: patterns_of_view[first, first + count)
    size_t count = 0;
  };
  mutable std::vector<size_t> patterns_of_view[kViewCount];
  mutable std::vector<PatternSet> sets_of_view[kViewCount];
  mutable internal::TermIndex terms;
  // The words of every context validator, one list per validator, in one index: a check looks
  // them all up in a single walk over its words view, the first time a span needs them, and a
  // validator then only asks whether one of its list lies inside the span's window.
  mutable internal::TermIndex context_words;
  mutable size_t context_lists = 0;
  mutable std::vector<size_t> measures;
  mutable bool needs_folded = false;
  mutable bool needs_words = false;

  void SelectRules();
  void Prepare() const {
    std::call_once(prepared, [this] {
      CompileRules();
      CompileSets();
    });
  }
  void CompileRules() const;
  void CompileSets() const;
  // Runs the rules (all, or only `only_rule`) on each of `texts`; findings[i] receives the
  // findings for texts[i].
  //
  // Texts are checked in groups, one step at a time: a step (a view, one RE2::Set, the term
  // index) runs over every text of the group before the next step starts, so that its tables,
  // above all the RE2 DFAs, are still in cache for the next text. On short posts that made
  // checking about a fifth faster than running every step for one text before the next.
  void Run(std::span<const std::string_view> texts, const CheckOptions& options,
           std::optional<size_t> only_rule, std::vector<Finding>* findings) const;
  static constexpr size_t kGroup = 32;
  static constexpr size_t kLongText = 16 << 10;

  // One check: the text, its views, which rules apply, and the spans found so far. Run keeps
  // these per thread and resets them, so that their buffers are allocated once rather than for
  // every check.
  struct Subject {
    std::string_view text;
    std::string_view today;
    std::optional<size_t> only_rule;
    TextView folded;                             // empty unless some rule needs it
    TextView words;                              // likewise
    std::vector<internal::WordSpan> word_spans;  // the words of `words`
    std::vector<int> candidates;   // a view's patterns that can match, as indices into its list
    std::vector<int> set_matches;  // RE2::Set::Match's output
    std::vector<re2::StringPiece> match;       // a candidate's submatches
    std::vector<internal::TermHit> term_hits;  // TermIndex::Find's output
    std::vector<Hit> hits;
    std::vector<ByteSpan> measured;  // a measure's spans
    // Where context words occur in `words`, sorted by list, then position; found on first use.
    std::vector<ContextHit> context_found;
    bool context_searched = false;
  };
  static std::string_view ViewText(View view, const Subject& subject) {
    return view == View::kRaw      ? subject.text
           : view == View::kFolded ? subject.folded.text
                                   : subject.words.text;
  }
  bool Applies(const Subject& subject, size_t rule) const {
    return (!subject.only_rule || *subject.only_rule == rule) &&
           InWindow(rules[rule]->active, subject.today);
  }
  // Adds to subject->candidates the patterns of `set` that can match the subject's view (every
  // pattern of the set when RE2 could not compile it, or fails on this text).
  void MatchSet(const PatternSet& set, std::string_view target, Subject* subject) const;
  // The steps of a check, in order.
  void Begin(std::string_view text, const CheckOptions& options, std::optional<size_t> only_rule,
             Subject* subject) const;  // resets the subject and builds its views
  void FindPatterns(View view, std::span<Subject> group) const;
  void FindTerms(Subject* subject) const;
  void FindMeasures(Subject* subject) const;
  std::vector<Finding> Resolve(Subject* subject) const;  // hits -> findings

  void FindSpans(View view, Subject* subject) const;  // of the candidates
  bool AcceptsSpan(const CompiledRule& cr, Subject* subject, ByteSpan original,
                   std::string_view matched) const;
  // Where the context words occur in the subject's words view, found on first use.
  const std::vector<ContextHit>& ContextFound(Subject* subject) const;
  bool ContextNear(size_t list, std::string_view window, Subject* subject) const;
  bool RequiredContextAnywhere(const CompiledRule& cr, Subject* subject) const;
};

Engine::Engine(std::vector<Pack> packs) : impl_(std::make_unique<Impl>()) {
  impl_->packs = std::move(packs);
  impl_->SelectRules();
}

Engine::~Engine() = default;

size_t Engine::rule_count() const { return impl_->rules.size(); }
const std::vector<PackInfo>& Engine::packs() const { return impl_->pack_infos; }
const std::vector<const Rule*>& Engine::rules() const { return impl_->rules; }

std::vector<Finding> Engine::Check(std::string_view text, const CheckOptions& options) const {
  std::vector<Finding> findings;
  impl_->Run({&text, 1}, options, std::nullopt, &findings);
  return findings;
}

std::vector<std::vector<Finding>> Engine::CheckMany(std::span<const std::string_view> texts,
                                                    const CheckOptions& options) const {
  std::vector<std::vector<Finding>> findings(texts.size());
  impl_->Run(texts, options, std::nullopt, findings.data());
  return findings;
}

void Engine::Prepare() const { impl_->Prepare(); }

void Engine::Impl::SelectRules() {
  // A later rule with the same id takes the earlier one's place.
  std::unordered_map<std::string_view, size_t> slot_of_id;
  std::vector<std::pair<const Rule*, size_t>> chosen;  // rule, pack index
  for (size_t p = 0; p < packs.size(); ++p) {
    for (const Rule& rule : packs[p].rules) {
      const auto [it, inserted] = slot_of_id.emplace(rule.id, chosen.size());
      if (inserted) {
        chosen.push_back({&rule, p});
      } else {
        chosen[it->second] = {&rule, p};
      }
    }
  }
  for (const Pack& pack : packs) pack_infos.push_back({pack.name, pack.version, pack.source, 0});
  for (const auto& [rule, pack] : chosen) {
    ++pack_infos[pack].rules;
    rules.push_back(rule);
  }
}

void Engine::Impl::CompileRules() const {
  compiled.resize(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    const Rule& rule = *rules[i];
    CompiledRule& cr = compiled[i];
    cr.rule = &rule;
    switch (rule.kind) {
      case RuleKind::kPattern: {
        cr.re.emplace(rule.pattern, rule.case_sensitive);
        if (std::string capped = internal::WithRepetitionsCapped(rule.pattern, kSetRepetitionCap);
            capped != rule.pattern) {
          cr.starts.emplace(std::move(capped), rule.case_sensitive);
        }
        patterns_of_view[static_cast<int>(rule.view)].push_back(i);
        needs_folded |= rule.view != View::kRaw || !rule.keywords.empty();
        needs_words |= rule.view == View::kWords;
        for (const std::string& k : rule.keywords) cr.keywords.push_back(internal::FoldedForm(k));
        for (const std::string& a : rule.allow) cr.allow.push_back(internal::FoldedForm(a));
        for (const Validator& validator : rule.validators) {
          const size_t list = context_lists++;
          for (const std::string& word : validator.words) {
            context_words.AddTerm(internal::WordsForm(word), list, -1);
          }
          if (validator.kind == Validator::Kind::kContext) needs_folded = needs_words = true;
          cr.context_list.push_back(list);
        }
        break;
      }
      case RuleKind::kTerms:
        needs_folded = needs_words = true;
        for (size_t t = 0; t < rule.terms.size(); ++t) {
          terms.AddTerm(internal::WordsForm(rule.terms[t].phrase), i, static_cast<int>(t));
        }
        if (rule.hashed) {
          terms.AddHashed(rule.hashed->salt, rule.hashed->sha256_hex, rule.hashed->max_words, i);
        }
        cr.unless_followed_by.push_back(WordsForms(rule.unless_followed_by));
        cr.unless_preceded_by.push_back(WordsForms(rule.unless_preceded_by));
        for (const Term& term : rule.terms) {
          cr.unless_followed_by.push_back(WordsForms(term.unless_followed_by));
          cr.unless_preceded_by.push_back(WordsForms(term.unless_preceded_by));
        }
        break;
      case RuleKind::kMeasure:
        measures.push_back(i);
        break;
    }
  }
}

void Engine::Impl::CompileSets() const {
  RE2::Options options;
  options.set_log_errors(false);
  for (int v = 0; v < kViewCount; ++v) {
    const std::vector<size_t>& patterns = patterns_of_view[v];
    // As many sets as the cap requires, balanced: their sizes differ by one at most.
    const size_t set_count = (patterns.size() + kPatternsPerSet - 1) / kPatternsPerSet;
    for (size_t i = 0; i < set_count; ++i) {
      PatternSet& ps = sets_of_view[v].emplace_back();
      ps.first = patterns.size() * i / set_count;
      ps.count = patterns.size() * (i + 1) / set_count - ps.first;
      auto set = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
      for (size_t k = ps.first; k < ps.first + ps.count; ++k) {
        set->Add(SetPattern(compiled[patterns[k]]), nullptr);  // parses: ParsePack checked it
      }
      // Compile can only fail on memory limits; the set's rules then run one by one.
      if (set->Compile()) ps.set = std::move(set);
    }
  }
}

void Engine::Impl::Run(std::span<const std::string_view> texts, const CheckOptions& options,
                       std::optional<size_t> only_rule, std::vector<Finding>* findings) const {
  Prepare();
  thread_local std::vector<Subject> subjects;
  if (subjects.size() < std::min(texts.size(), kGroup)) {
    subjects.resize(std::min(texts.size(), kGroup));
  }
  for (size_t first = 0; first < texts.size(); first += kGroup) {
    const std::span<Subject> group(subjects.data(), std::min(kGroup, texts.size() - first));
    for (size_t i = 0; i < group.size(); ++i) {
      Begin(texts[first + i], options, only_rule, &group[i]);
    }
    for (const View view : {View::kRaw, View::kFolded, View::kWords}) FindPatterns(view, group);
    if (needs_words) {
      for (Subject& subject : group) FindTerms(&subject);
    }
    for (Subject& subject : group) FindMeasures(&subject);
    for (size_t i = 0; i < group.size(); ++i) {
      findings[first + i] = Resolve(&group[i]);
      // Buffers are kept for the next group, but not those a long text grew: views take about ten
      // bytes per byte of text, and a thread keeps kGroup subjects.
      if (group[i].text.size() > kLongText) group[i] = Subject();
    }
  }
}

void Engine::Impl::Begin(std::string_view text, const CheckOptions& options,
                         std::optional<size_t> only_rule, Subject* subject) const {
  subject->text = text;
  subject->today = options.today;
  subject->only_rule = only_rule;
  subject->folded.text.clear();
  subject->folded.origin.clear();
  subject->words.text.clear();
  subject->words.origin.clear();
  subject->word_spans.clear();
  subject->hits.clear();
  subject->context_searched = false;
  if (needs_folded) internal::FoldedView(text, &subject->folded);
  if (needs_words) internal::WordsView(subject->folded, &subject->words, &subject->word_spans);
}

std::vector<Finding> Engine::Impl::Resolve(Subject* subject) const {
  const std::string_view text = subject->text;
  std::vector<Hit>& hits = subject->hits;
  if (hits.empty()) return {};

  // Within a category, keep the most serious finding of any overlapping group: order by severity,
  // then length, then rule order, and accept each hit that overlaps nothing accepted so far.
  auto severity_of = [&](const Hit& h) {
    const Rule& rule = *rules[h.rule];
    return h.term >= 0 && rule.terms[static_cast<size_t>(h.term)].severity
               ? *rule.terms[static_cast<size_t>(h.term)].severity
               : rule.severity;
  };
  std::sort(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) {
    const Severity sa = severity_of(a), sb = severity_of(b);
    if (sa != sb) return sa > sb;
    const size_t la = a.span.end - a.span.begin, lb = b.span.end - b.span.begin;
    if (la != lb) return la > lb;
    if (a.rule != b.rule) return a.rule < b.rule;
    return a.span.begin < b.span.begin;
  });
  std::map<size_t, size_t> accepted[std::size(kAllCategories)];  // begin -> end, per category
  const internal::Utf16Map utf16(text);
  std::vector<Finding> findings;
  for (const Hit& hit : hits) {
    const Rule& rule = *rules[hit.rule];
    auto& taken = accepted[static_cast<size_t>(rule.category)];
    auto next = taken.lower_bound(hit.span.begin);
    if (next != taken.end() && next->first < hit.span.end) continue;
    if (next != taken.begin() && std::prev(next)->second > hit.span.begin) continue;
    taken.emplace(hit.span.begin, hit.span.end);

    const std::string_view matched = text.substr(hit.span.begin, hit.span.end - hit.span.begin);
    Finding finding;
    finding.rule = rule.id;
    finding.category = rule.category;
    finding.severity = severity_of(hit);
    finding.start = utf16.At(hit.span.begin);
    finding.end = utf16.At(hit.span.end);
    finding.message = ReplaceMatch(rule.message, matched);
    const Term* term = hit.term >= 0 ? &rule.terms[static_cast<size_t>(hit.term)] : nullptr;
    const std::string& suggestion = term && term->suggestion ? *term->suggestion : rule.suggestion;
    finding.suggestion = ReplaceMatch(suggestion, matched);
    finding.replacement = term && term->replacement ? *term->replacement : rule.replacement;
    finding.policy_url = rule.policy_url;
    findings.push_back(std::move(finding));
  }
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.start != b.start) return a.start < b.start;
    if (a.end != b.end) return a.end > b.end;
    return a.severity > b.severity;
  });
  return findings;
}

void Engine::Impl::MatchSet(const PatternSet& set, std::string_view target,
                            Subject* subject) const {
  std::vector<int>& matches = subject->set_matches;
  RE2::Set::ErrorInfo error{RE2::Set::kNoError};
  if (set.set && !set.set->Match(target, &matches, &error) && error.kind == RE2::Set::kNoError) {
    return;  // none of its patterns can match
  }
  if (!set.set || error.kind != RE2::Set::kNoError) {
    // No set (RE2 ran out of memory building it), or its DFA ran out of memory on this text: every
    // pattern is a candidate, rather than the post passing unchecked.
    matches.clear();
    for (size_t k = 0; k < set.count; ++k) matches.push_back(static_cast<int>(k));
  }
  for (const int k : matches) subject->candidates.push_back(static_cast<int>(set.first) + k);
}

void Engine::Impl::FindPatterns(View view, std::span<Subject> group) const {
  const auto v = static_cast<size_t>(view);
  if (patterns_of_view[v].empty()) return;
  for (Subject& subject : group) subject.candidates.clear();
  // Set by set, so that each set's DFA serves the whole group while it is in cache.
  for (const PatternSet& set : sets_of_view[v]) {
    for (Subject& subject : group) MatchSet(set, ViewText(view, subject), &subject);
  }
  for (Subject& subject : group) FindSpans(view, &subject);
}

void Engine::Impl::FindSpans(View view, Subject* subject) const {
  const auto v = static_cast<size_t>(view);
  const std::string_view text = subject->text;
  const TextView* tv = view == View::kRaw      ? nullptr
                       : view == View::kFolded ? &subject->folded
                                               : &subject->words;
  const std::string_view target = ViewText(view, *subject);
  std::vector<re2::StringPiece>& match = subject->match;
  for (const int k : subject->candidates) {
    const size_t index = patterns_of_view[v][static_cast<size_t>(k)];
    if (!Applies(*subject, index)) continue;
    const CompiledRule& cr = compiled[index];
    const std::string_view folded = subject->folded.text;
    if (!cr.keywords.empty() &&
        std::none_of(cr.keywords.begin(), cr.keywords.end(), [&](const std::string& keyword) {
          return folded.find(keyword) != std::string::npos;
        })) {
      continue;
    }
    // A rule that requires context words cannot report a span when none occurs in the whole post,
    // and finding that out costs less than running its pattern.
    if (!RequiredContextAnywhere(cr, subject)) continue;
    const RE2& re = cr.re->Get();
    if (!re.ok()) continue;  // too large for RE2's memory budget: the rule cannot match
    // Only the groups up to the reported one: fewer submatches let RE2 use its faster engines.
    const int groups = cr.rule->group + 1;
    match.assign(static_cast<size_t>(groups), re2::StringPiece());
    const RE2* starts = cr.starts ? &cr.starts->Get() : nullptr;
    int false_starts = 0;
    size_t pos = 0;
    while (pos <= target.size()) {
      if (starts && starts->ok() && false_starts < kMaxFalseStarts) {
        // Every match of the pattern starts where its capped form matches, so the leftmost start
        // of the capped form that the pattern matches at is where its leftmost match starts.
        re2::StringPiece start;
        if (!starts->Match(target, pos, target.size(), RE2::UNANCHORED, &start, 1)) break;
        const size_t at = static_cast<size_t>(start.data() - target.data());
        if (!re.Match(target, at, target.size(), RE2::ANCHOR_START, match.data(), groups)) {
          ++false_starts;
          pos = internal::NextCodePoint(target, at);
          continue;
        }
      } else if (!re.Match(target, pos, target.size(), RE2::UNANCHORED, match.data(), groups)) {
        break;
      }
      const re2::StringPiece whole = match[0];
      const re2::StringPiece reported = match[static_cast<size_t>(cr.rule->group)];
      const size_t whole_begin = static_cast<size_t>(whole.data() - target.data());
      pos =
          whole.empty() ? internal::NextCodePoint(target, whole_begin) : whole_begin + whole.size();
      if (reported.data() == nullptr || reported.empty()) continue;
      const size_t begin = static_cast<size_t>(reported.data() - target.data());
      const size_t end = begin + reported.size();
      if (cr.rule->whole_word &&
          (internal::IsWordCharBefore(target, begin) || internal::IsWordCharAt(target, end))) {
        continue;
      }
      const ByteSpan original =
          tv ? internal::ToOriginal(*tv, text, begin, end) : ByteSpan{begin, end};
      if (!AcceptsSpan(cr, subject, original, std::string_view(reported.data(), reported.size()))) {
        continue;
      }
      subject->hits.push_back({index, original, -1});
    }
  }
}

bool Engine::Impl::AcceptsSpan(const CompiledRule& cr, Subject* subject, ByteSpan original,
                               std::string_view matched) const {
  if (!cr.allow.empty()) {
    const std::string folded = internal::FoldedForm(matched);
    if (std::find(cr.allow.begin(), cr.allow.end(), folded) != cr.allow.end()) return false;
  }
  const std::vector<Validator>& validators = cr.rule->validators;
  for (size_t i = 0; i < validators.size(); ++i) {
    const Validator& validator = validators[i];
    switch (validator.kind) {
      case Validator::Kind::kLuhn:
        if (!internal::PassesLuhn(matched)) return false;
        break;
      case Validator::Kind::kIban:
        if (!internal::IsValidIban(matched)) return false;
        break;
      case Validator::Kind::kEntropy:
        if (internal::ShannonEntropy(matched) < validator.min_bits) return false;
        break;
      case Validator::Kind::kContext: {
        // Compile() builds the words view whenever a rule has a context validator.
        const std::string_view window =
            WordsAround(subject->words, subject->text, original, validator.window);
        if (ContextNear(cr.context_list[i], window, subject) != validator.require) return false;
        break;
      }
    }
  }
  return true;
}

const std::vector<ContextHit>& Engine::Impl::ContextFound(Subject* subject) const {
  std::vector<ContextHit>& hits = subject->context_found;
  if (!subject->context_searched) {
    subject->context_searched = true;
    std::vector<internal::TermHit>& found = subject->term_hits;
    found.clear();
    context_words.Find(subject->words.text, subject->word_spans, &found);
    hits.clear();
    for (const internal::TermHit& hit : found) {
      hits.push_back({hit.rule, subject->word_spans[hit.first_word].begin,
                      subject->word_spans[hit.last_word].end});
    }
    std::sort(hits.begin(), hits.end());
  }
  return hits;
}

bool Engine::Impl::RequiredContextAnywhere(const CompiledRule& cr, Subject* subject) const {
  const std::vector<Validator>& validators = cr.rule->validators;
  for (size_t i = 0; i < validators.size(); ++i) {
    if (validators[i].kind != Validator::Kind::kContext || !validators[i].require) continue;
    const std::vector<ContextHit>& hits = ContextFound(subject);
    const size_t list = cr.context_list[i];
    const auto it = std::lower_bound(hits.begin(), hits.end(), ContextHit{list, 0, 0});
    if (it == hits.end() || it->list != list) return false;
  }
  return true;
}

bool Engine::Impl::ContextNear(size_t list, std::string_view window, Subject* subject) const {
  // `window` is a slice of the words view cut to whole words; a phrase counts when it lies inside.
  const size_t from = static_cast<size_t>(window.data() - subject->words.text.data());
  const size_t to = from + window.size();
  const std::vector<ContextHit>& hits = ContextFound(subject);
  for (auto it = std::lower_bound(hits.begin(), hits.end(), ContextHit{list, from, 0});
       it != hits.end() && it->list == list && it->begin < to; ++it) {
    if (it->end <= to) return true;
  }
  return false;
}

void Engine::Impl::FindTerms(Subject* subject) const {
  if (terms.empty()) return;
  const TextView& words = subject->words;
  const std::vector<internal::WordSpan>& spans = subject->word_spans;
  std::vector<internal::TermHit>& found = subject->term_hits;
  found.clear();
  terms.Find(words.text, spans, &found);
  const std::string_view view = words.text;
  for (const internal::TermHit& hit : found) {
    if (!Applies(*subject, hit.rule)) continue;
    const CompiledRule& cr = compiled[hit.rule];
    const size_t begin = spans[hit.first_word].begin;
    const size_t end = spans[hit.last_word].end;
    const std::string_view after = view.substr(std::min(end + 1, view.size()));
    const std::string_view before = view.substr(0, begin > 0 ? begin - 1 : 0);
    auto followed = [&](const std::string& s) {
      return after.starts_with(s) && (after.size() == s.size() || after[s.size()] == ' ');
    };
    auto preceded = [&](const std::string& s) {
      return before.ends_with(s) &&
             (before.size() == s.size() || before[before.size() - s.size() - 1] == ' ');
    };
    auto cancels = [&](size_t list) {
      return std::any_of(cr.unless_followed_by[list].begin(), cr.unless_followed_by[list].end(),
                         followed) ||
             std::any_of(cr.unless_preceded_by[list].begin(), cr.unless_preceded_by[list].end(),
                         preceded);
    };
    const size_t own =
        static_cast<size_t>(hit.term + 1);  // 0 for a hashed term: no list of its own
    const bool cancelled = cancels(0) || (own != 0 && cancels(own));
    if (cancelled) continue;
    subject->hits.push_back(
        {hit.rule, internal::ToOriginal(words, subject->text, begin, end), hit.term});
  }
}

void Engine::Impl::FindMeasures(Subject* subject) const {
  std::vector<ByteSpan>& spans = subject->measured;
  for (size_t index : measures) {
    if (!Applies(*subject, index)) continue;
    const Rule& rule = *rules[index];
    spans.clear();
    if (rule.measure == MeasureKind::kPunctuation) {
      internal::FindPunctuationRuns(subject->text, rule.min_run, &spans);
    } else if (const auto shouting =
                   internal::FindShouting(subject->text, rule.min_letters, rule.min_ratio)) {
      spans.push_back(*shouting);
    }
    for (const ByteSpan& span : spans) subject->hits.push_back({index, span, -1});
  }
}

std::vector<ExampleFailure> TestExamples(const Engine& engine, const std::string& today) {
  std::vector<ExampleFailure> failures;
  const auto& rules = engine.rules();
  for (size_t i = 0; i < rules.size(); ++i) {
    const Rule& rule = *rules[i];
    CheckOptions options{today};
    if (options.today.empty() && rule.active) {
      options.today = rule.active->from.empty() ? "1970-01-01" : rule.active->from;
    }
    auto flags = [&](const std::string& example) {
      const std::string_view text = example;
      std::vector<Finding> findings;
      engine.impl_->Run({&text, 1}, options, i, &findings);
      return !findings.empty();
    };
    for (const std::string& example : rule.examples.flag) {
      if (!flags(example)) failures.push_back({rule.id, true, example});
    }
    for (const std::string& example : rule.examples.pass) {
      if (flags(example)) failures.push_back({rule.id, false, example});
    }
  }
  return failures;
}

}  // namespace guardpost
