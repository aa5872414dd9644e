// `weft server`: wired up in the foundation issue (engine + swf + server).
#include <iostream>

#include "cli/commands.h"

namespace weft::cli {

void AddServerCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("server", "Run the weft server.");
  cmd->callback([exit_code] {
    std::cerr << "weft server: not available in this build yet\n";
    *exit_code = 2;
  });
}

}  // namespace weft::cli
