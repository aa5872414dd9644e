// The `weft` command: `weft server`, `weft keys`, `weft validate`, `weft run`.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "weft: a self-hosted workflow service, wire-compatible with Amazon SWF and AWS Step "
      "Functions."};
  app.require_subcommand(1);
  int exit_code = 0;
  weft::cli::AddServerCommand(app, &exit_code);
  weft::cli::AddKeysCommand(app, &exit_code);
  weft::cli::AddValidateCommand(app, &exit_code);
  weft::cli::AddRunCommand(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
