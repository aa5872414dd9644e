// src/cli/commands.h: the sub-commands of the `weft` binary. Each Add*
// function registers one sub-command (its flags and help) on the app and
// sets *exit_code from its callback.
#pragma once

#include <CLI/CLI.hpp>

namespace weft::cli {

void AddServerCommand(CLI::App& app, int* exit_code);    // cli/server_command.cc
void AddKeysCommand(CLI::App& app, int* exit_code);      // cli/server_command.cc
void AddValidateCommand(CLI::App& app, int* exit_code);  // cli/asl_commands.cc
void AddRunCommand(CLI::App& app, int* exit_code);       // cli/asl_commands.cc

}  // namespace weft::cli
