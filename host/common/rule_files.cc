#include "common/rule_files.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace guardpost {
namespace fs = std::filesystem;

namespace {

void LoadFile(const fs::path& path, Layer* layer) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    layer->errors.push_back({path.string(), 0, 0, "", "", "cannot be read"});
    return;
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  Pack pack;
  if (ParsePack(path.string(), bytes.str(), &pack, &layer->errors)) {
    layer->packs.push_back(std::move(pack));
  }
}

}  // namespace

Layer LoadLayer(std::string name, const std::vector<std::string>& paths) {
  Layer layer;
  layer.name = std::move(name);
  for (const std::string& p : paths) {
    std::error_code ec;
    const fs::path path(p);
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        if (entry.is_regular_file(ec) && entry.path().extension() == ".json") {
          files.push_back(entry.path());
        }
      }
      std::sort(files.begin(), files.end());
      for (const fs::path& file : files) LoadFile(file, &layer);
    } else if (fs::exists(path, ec)) {
      LoadFile(path, &layer);
    } else {
      layer.errors.push_back({p, 0, 0, "", "", "no such file or directory"});
    }
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
