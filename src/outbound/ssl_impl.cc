// Compiles Boost.Asio's SSL support once (BOOST_ASIO_SEPARATE_COMPILATION):
// common/asio_impl.cc compiles the rest of Asio but not SSL, which only this
// module needs.
#include <boost/asio/ssl/impl/src.hpp>
