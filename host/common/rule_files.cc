#include "common/rule_files.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <thread>

#include "common/parallel.h"

namespace guardpost {
namespace fs = std::filesystem;

namespace {

// One pack file's outcome: the pack, if it parsed, and its problems.
struct LoadedFile {
  std::optional<Pack> pack;
  std::vector<LoadError> errors;
};

LoadedFile LoadFile(const fs::path& path, PatternCheck check) {
  LoadedFile loaded;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    // Only a missing file is "no such file": a directory we may not enter, say, is named as such.
    const int error = errno;
    loaded.errors.push_back(
        {path.string(), 0, 0, "", "",
         error == ENOENT
             ? std::string("no such file or directory")
             : "cannot be read: " + std::error_code(error, std::generic_category()).message()});
    return loaded;
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  Pack pack;
  if (ParsePack(path.string(), bytes.str(), &pack, &loaded.errors, check)) {
    loaded.pack = std::move(pack);
  }
  return loaded;
}

// Parsing packs is most of the native host's start-up, and the browser waits for it, so
// independent files are parsed on all cores. Results keep the files' order.
std::vector<LoadedFile> LoadFiles(const std::vector<fs::path>& files, PatternCheck check) {
  std::vector<LoadedFile> loaded(files.size());
  std::atomic<size_t> next{0};
  const size_t threads = std::min<size_t>(files.size(), std::thread::hardware_concurrency());
  RunOnThreads(threads > 1 ? threads - 1 : 0, [&](size_t) {
    for (size_t i = next++; i < files.size(); i = next++) loaded[i] = LoadFile(files[i], check);
  });
  return loaded;
}

}  // namespace

Layer LoadLayer(std::string name, const std::vector<std::string>& paths, PatternCheck check) {
  Layer layer;
  layer.name = std::move(name);
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    const fs::path path(p);
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> in_dir;
      fs::directory_iterator entry(path, ec);
      for (; !ec && entry != fs::directory_iterator(); entry.increment(ec)) {
        std::error_code not_a_file;  // a dangling link, say: skipped like any other non-file
        if (entry->is_regular_file(not_a_file) && entry->path().extension() == ".json") {
          in_dir.push_back(entry->path());
        }
      }
      if (ec) {  // an unreadable directory must not pass for an empty layer
        layer.errors.push_back({p, 0, 0, "", "", "cannot be listed: " + ec.message()});
        continue;
      }
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else {
      files.push_back(path);  // LoadFile reports it if it does not exist
    }
  }
  for (LoadedFile& file : LoadFiles(files, check)) {
    if (file.pack) layer.packs.push_back(std::move(*file.pack));
    layer.errors.insert(layer.errors.end(), std::make_move_iterator(file.errors.begin()),
                        std::make_move_iterator(file.errors.end()));
  }
  return layer;
}

std::string BuiltinRulesDir() {
  if (const char* dir = std::getenv("GUARDPOST_BUILTIN_RULES"); dir && *dir) return dir;
  // A binary run from its build tree uses the rules beside its sources; an installed one, which
  // has no source tree beside it, uses the installed copy.
  std::error_code ec;
  if (fs::is_directory(GUARDPOST_SOURCE_RULES_DIR, ec)) return GUARDPOST_SOURCE_RULES_DIR;
  return GUARDPOST_INSTALLED_RULES_DIR;
}

Layer LoadBuiltinLayer() { return LoadLayer("builtin", {BuiltinRulesDir()}, PatternCheck::kParse); }

Layer LoadSystemLayer() {
  const std::string dir = SystemRulesDir();
  // Most machines have no system directory. Anything else that keeps us from looking (a parent
  // we may not enter, say) must not pass for that: the organization's rules would be dropped
  // without a word.
  std::error_code ec;
  const fs::file_status status = fs::status(dir, ec);
  if (status.type() == fs::file_type::not_found) return Layer{"system", {}, {}};
  if (ec) return Layer{"system", {}, {{dir, 0, 0, "", "", "cannot be read: " + ec.message()}}};
  return LoadLayer("system", {dir});
}

std::string SystemRulesDir() {
  if (const char* dir = std::getenv("GUARDPOST_SYSTEM_RULES"); dir && *dir) return dir;
  return "/etc/guardpost/rules.d";
}

std::vector<Pack> PacksOf(const std::vector<const Layer*>& layers) {
  std::vector<Pack> packs;
  for (const Layer* layer : layers) {
    if (layer->errors.empty()) packs.insert(packs.end(), layer->packs.begin(), layer->packs.end());
  }
  return packs;
}

}  // namespace guardpost
