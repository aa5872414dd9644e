#include "server/transport.h"

namespace weft::server {

std::shared_ptr<net::ssl::context> LoadTlsContext(const std::string& cert_file,
                                                  const std::string& key_file, std::string* error) {
  auto context = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  context->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                       net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  boost::system::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    *error = "--tls-cert " + cert_file + ": " + ec.message();
    return nullptr;
  }
  context->use_private_key_file(key_file, net::ssl::context::pem, ec);
  if (ec) {
    *error =
        "--tls-key " + key_file + ": " + ec.message() + " (or it does not match the certificate)";
    return nullptr;
  }
  return context;
}

}  // namespace weft::server
