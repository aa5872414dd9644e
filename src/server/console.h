// src/server/console.h (internal): GET requests other than /health. The web
// console's static files (web/ build output) will be served from here; until
// then every path is 404.
#pragma once

#include <string_view>

#include "server/api_handler.h"

namespace weft::server {

// `path` is the request target without its query string.
HttpReply ServeConsole(std::string_view path);

}  // namespace weft::server
