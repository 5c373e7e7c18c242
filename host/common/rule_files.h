// Rule packs on disk, and the layers they form (docs/rules.md): built-in < system < managed.

#ifndef GUARDPOST_COMMON_RULE_FILES_H_
#define GUARDPOST_COMMON_RULE_FILES_H_

#include <string>
#include <vector>

#include "guardpost/rules.h"

namespace guardpost {

// The packs of one layer, or the reasons it was rejected. A layer is usable only when errors is
// empty; a front end then keeps the previous good layer instead.
struct Layer {
  std::string name;  // "builtin", "system", "managed", or "command line"
  std::vector<Pack> packs;
  std::vector<LoadError> errors;
};

// Reads the packs at `paths`: each path is a .json file, or a directory whose *.json files are
// read in name order (not recursively). A path that does not exist is an error.
Layer LoadLayer(std::string name, const std::vector<std::string>& paths,
                PatternCheck check = PatternCheck::kCompile);

// Where the built-in packs are: $GUARDPOST_BUILTIN_RULES, else the rules/ of the source tree the
// binary was built from while that tree exists (so on the build machine an installed binary
// follows the checkout too), else the installed share directory.
std::string BuiltinRulesDir();

// The built-in layer. Its packs were checked, patterns compiled and all, before they shipped (CI
// runs `guardpost rules test rules/`), so they are only parsed here: compiling every pattern
// would take longer than the rest of the host's start.
Layer LoadBuiltinLayer();

// Where the system layer is: $GUARDPOST_SYSTEM_RULES, else /etc/guardpost/rules.d.
std::string SystemRulesDir();

// The system layer. It is optional: a machine without its directory (most machines) has an
// empty layer, not an error.
Layer LoadSystemLayer();

// Packs of all good layers, in order, for constructing an Engine.
std::vector<Pack> PacksOf(const std::vector<const Layer*>& layers);

}  // namespace guardpost

#endif  // GUARDPOST_COMMON_RULE_FILES_H_
