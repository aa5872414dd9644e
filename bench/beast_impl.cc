// Compiles Boost.Beast once for the load generator (BOOST_BEAST_SEPARATE_COMPILATION
// is set for the whole project; Asio comes compiled in weft_common).
#include <boost/beast/src.hpp>
