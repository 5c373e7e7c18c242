// Measure, then choose: ICU or utf8proc for the folded view (bench/README.md, "Unicode library
// choice"). Every benchmark reports time per code point of the same mixed text ("per_cp").
//
// The folded view needs, per code point: compatibility mapping, case folding, marks stripped,
// and confusable skeletons. utf8proc does the first three; only ICU has the confusable data.
// The last benchmark shows what the cache in normalize.cc makes of all this on a whole post.

#include <benchmark/benchmark.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>
#include <utf8proc.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "normalize.h"
#include "utf8.h"

namespace {

namespace gi = guardpost::internal;

// Mixed post: ASCII, accents (precomposed and combining), fullwidth, Cyrillic and Greek
// look-alikes, Cyrillic and Greek words, CJK, Hangul, Arabic, Hebrew, emoji with modifiers and
// ZWJ, zero-width space, soft hyphen, ligature.
constexpr std::string_view kMixed =
    "Just shipped 🚀 the new C\u043Entoso release! Café crème at 4pm, ＳＨＩＴ happens. "
    "e\u0301te\u0301 東京チーム 한국어 👍🏽👨\u200D👩\u200D👧 \u0455h1t f.u.c.k "
    "Привет "
    "мир, "
    "Σοφία ελα مرحبا שלום sh\u200Bi\u00ADt ﬁnance Straße İstanbul \u0397ello ok";

std::vector<char32_t> CodePoints(std::string_view text) {
  std::vector<char32_t> cps;
  for (size_t pos = 0; pos < text.size();) cps.push_back(gi::DecodeUtf8(text, &pos));
  return cps;
}

std::vector<std::string> CodePointStrings(std::string_view text) {
  std::vector<std::string> out;
  for (size_t pos = 0; pos < text.size();) {
    const size_t start = pos;
    gi::DecodeUtf8(text, &pos);
    out.emplace_back(text.substr(start, pos - start));
  }
  return out;
}

void PerCodePoint(benchmark::State& state, size_t code_points) {
  state.counters["per_cp"] = benchmark::Counter(
      static_cast<double>(code_points),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * code_points));
}

constexpr utf8proc_option_t kUtf8procFold =
    static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                   UTF8PROC_CASEFOLD | UTF8PROC_IGNORE | UTF8PROC_STRIPMARK);

// utf8proc_map on each code point alone (mallocs the result, as the API does).
void BM_Utf8procMapPerCodePoint(benchmark::State& state) {
  const auto cps = CodePointStrings(kMixed);
  for (auto _ : state) {
    for (const std::string& cp : cps) {
      utf8proc_uint8_t* out = nullptr;
      const utf8proc_ssize_t n =
          utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(cp.data()),
                       static_cast<utf8proc_ssize_t>(cp.size()), &out, kUtf8procFold);
      benchmark::DoNotOptimize(n);
      std::free(out);
    }
  }
  PerCodePoint(state, cps.size());
}
BENCHMARK(BM_Utf8procMapPerCodePoint);

// utf8proc_decompose_char: the allocation-free per-code-point entry point (no recomposition).
void BM_Utf8procDecomposeChar(benchmark::State& state) {
  const auto cps = CodePoints(kMixed);
  utf8proc_int32_t buffer[32];
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                                      UTF8PROC_IGNORE | UTF8PROC_STRIPMARK);
  for (auto _ : state) {
    for (const char32_t cp : cps) {
      int boundclass = 0;
      benchmark::DoNotOptimize(utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buffer,
                                                       32, options, &boundclass));
    }
  }
  PerCodePoint(state, cps.size());
}
BENCHMARK(BM_Utf8procDecomposeChar);

// utf8proc_NFKC_Casefold on the whole text (does not strip marks).
void BM_Utf8procNfkcCasefoldText(benchmark::State& state) {
  const std::string text(kMixed);
  for (auto _ : state) {
    utf8proc_uint8_t* out =
        utf8proc_NFKC_Casefold(reinterpret_cast<const utf8proc_uint8_t*>(text.c_str()));
    benchmark::DoNotOptimize(out);
    std::free(out);
  }
  PerCodePoint(state, CodePoints(kMixed).size());
}
BENCHMARK(BM_Utf8procNfkcCasefoldText);

// ICU nfkc_cf on each code point alone, UTF-16 in and out.
void BM_IcuNfkcCfPerCodePoint(benchmark::State& state) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  const auto cps = CodePoints(kMixed);
  std::vector<icu::UnicodeString> inputs;
  for (const char32_t cp : cps) inputs.emplace_back(static_cast<UChar32>(cp));
  icu::UnicodeString out;
  for (auto _ : state) {
    for (const auto& input : inputs) {
      out.remove();
      nfkc_cf->normalize(input, out, status);
      benchmark::DoNotOptimize(out.length());
    }
  }
  if (U_FAILURE(status)) state.SkipWithError(u_errorName(status));
  PerCodePoint(state, cps.size());
}
BENCHMARK(BM_IcuNfkcCfPerCodePoint);

// ICU nfkc_cf on the whole text, UTF-8 in and out.
void BM_IcuNfkcCfText(benchmark::State& state) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  std::string out;
  for (auto _ : state) {
    out.clear();
    icu::StringByteSink<std::string> sink(&out);
    nfkc_cf->normalizeUTF8(0, kMixed, sink, nullptr, status);
    benchmark::DoNotOptimize(out.data());
  }
  if (U_FAILURE(status)) state.SkipWithError(u_errorName(status));
  PerCodePoint(state, CodePoints(kMixed).size());
}
BENCHMARK(BM_IcuNfkcCfText);

// ICU's full per-code-point folding as normalize.cc computes it on a cache miss:
// nfkc_cf, NFKD, marks dropped, NFC.
void BM_IcuFoldingPipelinePerCodePoint(benchmark::State& state) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  const auto cps = CodePoints(kMixed);
  for (auto _ : state) {
    for (const char32_t cp : cps) {
      const icu::UnicodeString decomposed = nfkd->normalize(
          nfkc_cf->normalize(icu::UnicodeString(static_cast<UChar32>(cp)), status), status);
      icu::UnicodeString kept;
      for (int32_t i = 0; i < decomposed.length();) {
        const UChar32 c = decomposed.char32At(i);
        i += U16_LENGTH(c);
        if ((U_GET_GC_MASK(c) & U_GC_M_MASK) == 0) kept.append(c);
      }
      benchmark::DoNotOptimize(nfc->normalize(kept, status).length());
    }
  }
  if (U_FAILURE(status)) state.SkipWithError(u_errorName(status));
  PerCodePoint(state, cps.size());
}
BENCHMARK(BM_IcuFoldingPipelinePerCodePoint);

// ICU confusable skeleton of each code point alone (what a cache miss adds for a letter).
void BM_IcuSpoofSkeletonPerCodePoint(benchmark::State& state) {
  UErrorCode status = U_ZERO_ERROR;
  USpoofChecker* checker = uspoof_open(&status);
  const auto cps = CodePointStrings(kMixed);
  char out[64];
  for (auto _ : state) {
    for (const std::string& cp : cps) {
      UErrorCode error = U_ZERO_ERROR;
      benchmark::DoNotOptimize(uspoof_getSkeletonUTF8(
          checker, 0, cp.data(), static_cast<int32_t>(cp.size()), out, sizeof out, &error));
    }
  }
  uspoof_close(checker);
  if (U_FAILURE(status)) state.SkipWithError(u_errorName(status));
  PerCodePoint(state, cps.size());
}
BENCHMARK(BM_IcuSpoofSkeletonPerCodePoint);

// What the engine pays for a post before any rule runs: both views and the UTF-16 map.
void BuildViews(benchmark::State& state, const std::string& post) {
  gi::TextView folded, words;
  for (auto _ : state) {
    gi::FoldedView(post, &folded);
    gi::WordsView(folded, &words);
    const gi::Utf16Map map(post);
    benchmark::DoNotOptimize(words.text.data());
    benchmark::DoNotOptimize(map.At(post.size()));
  }
}

// The views of a mixed-script post, per-code-point results cached.
void BM_GuardpostViewsCached(benchmark::State& state) {
  const std::string post(kMixed);
  BuildViews(state, post);
  PerCodePoint(state, CodePoints(kMixed).size());
  state.counters["bytes"] = static_cast<double>(post.size());
}
BENCHMARK(BM_GuardpostViewsCached);

// The same for a 280-character ASCII post (the fast path: no ICU calls).
void BM_GuardpostViewsAscii280(benchmark::State& state) {
  std::string post;
  while (post.size() < 280) {
    post += "Just shipped the new Contoso release! Coffee at 4pm, sh1t happens, f.u.c.k it. ";
  }
  post.resize(280);
  BuildViews(state, post);
  PerCodePoint(state, post.size());
}
BENCHMARK(BM_GuardpostViewsAscii280);

}  // namespace

BENCHMARK_MAIN();
