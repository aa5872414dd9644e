// Compiles Boost.Asio once for the whole program (BOOST_ASIO_SEPARATE_COMPILATION
// is set in CMakeLists.txt), instead of in every file that includes it.
#include <boost/asio/impl/src.hpp>
