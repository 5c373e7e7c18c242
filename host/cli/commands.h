// The subcommands of the `guardpost` program. Each takes the arguments after its own name and
// returns the process exit status: 0 nothing found / success, 1 something found / a test failed,
// 2 usage or rules error.

#ifndef GUARDPOST_CLI_COMMANDS_H_
#define GUARDPOST_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace guardpost {

using Args = std::vector<std::string>;

int RunCheck(const Args& args);  // guardpost check
int RunRules(const Args& args);  // guardpost rules test|lint|hash
int RunEval(const Args& args);   // guardpost eval

}  // namespace guardpost

#endif  // GUARDPOST_CLI_COMMANDS_H_
