// src/server/console_assets.h (internal): the web console's files (web/dist),
// embedded in the binary at build time by scripts/embed_console.py.
#pragma once

#include <string_view>
#include <vector>

namespace weft::server {

struct ConsoleAsset {
  std::string_view path;          // "/index.html", "/assets/index-abc.js"
  std::string_view content_type;  // "text/javascript", ...
  std::string_view body;
};

const std::vector<ConsoleAsset>& ConsoleAssets();

}  // namespace weft::server
