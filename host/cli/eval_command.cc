// guardpost eval: precision, recall and F1 of the rules on labeled posts (to be written).

#include <cstdio>

#include "cli/cli_support.h"

namespace guardpost {

int RunEval(const Args&) { return UsageError("eval", "not implemented yet"); }

}  // namespace guardpost
