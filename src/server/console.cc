#include "server/console.h"

#include "server/console_assets.h"

namespace weft::server {

HttpReply ServeConsole(std::string_view path) {
  const ConsoleAsset* index = nullptr;
  for (const auto& asset : ConsoleAssets()) {
    if (asset.path == path) {
      HttpReply reply;
      reply.content_type = std::string(asset.content_type);
      reply.body = std::string(asset.body);
      return reply;
    }
    if (asset.path == "/index.html") index = &asset;
  }
  // Hashed asset names that are gone (an old page after an upgrade) are 404;
  // everything else is the single-page app.
  if (index && path.substr(0, 8) != "/assets/") {
    HttpReply reply;
    reply.content_type = std::string(index->content_type);
    reply.body = std::string(index->body);
    return reply;
  }
  HttpReply reply;
  reply.status = http::status::not_found;
  reply.content_type = "text/plain";
  reply.body = "Not found: ";
  reply.body += path;
  reply.body += '\n';
  return reply;
}

}  // namespace weft::server
