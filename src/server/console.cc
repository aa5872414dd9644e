#include "server/console.h"

namespace weft::server {

HttpReply ServeConsole(std::string_view path) {
  HttpReply reply;
  reply.status = http::status::not_found;
  reply.content_type = "text/plain";
  reply.body = "Not found: ";
  reply.body += path;
  reply.body += '\n';
  return reply;
}

}  // namespace weft::server
