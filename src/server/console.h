// src/server/console.h (internal): GET requests other than /health and
// /metrics: the web console's static files, embedded in the binary.
#pragma once

#include <string_view>

#include "server/api_handler.h"

namespace weft::server {

// `path` is the request target without its query string. "/" and any path
// that is not a file (the console routes in the URL's hash) get index.html.
HttpReply ServeConsole(std::string_view path);

}  // namespace weft::server
