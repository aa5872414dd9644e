// `weft validate` and `weft run`: see asl/asl.h.
#include <iostream>

#include "cli/commands.h"

namespace weft::cli {

void AddValidateCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("validate", "Validate state machine definitions.");
  cmd->callback([exit_code] {
    std::cerr << "weft validate: not available in this build yet\n";
    *exit_code = 2;
  });
}

void AddRunCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("run", "Run a state machine locally.");
  cmd->callback([exit_code] {
    std::cerr << "weft run: not available in this build yet\n";
    *exit_code = 2;
  });
}

}  // namespace weft::cli
