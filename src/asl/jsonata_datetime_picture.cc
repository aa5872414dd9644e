// src/asl/jsonata_datetime_picture.cc: XPath picture strings for
// $fromMillis/$now (formatting) and $toMillis (parsing).
#include "asl/jsonata_internal.h"

namespace weft::asl::jsonata::detail {

std::string FormatDateTimePicture(double, const std::string&, const Value&) {
  ThrowArg("U2001", "Picture strings of $fromMillis and $now are not implemented in weft");
}

double ParseDateTimePicture(const std::string&, const std::string&) {
  ThrowArg("U2001", "Picture strings of $toMillis are not implemented in weft");
}

}  // namespace weft::asl::jsonata::detail
