// src/sfn/ops/tags.cc: not offered yet; see ops.h for what belongs here.
#include "sfn/ops/ops.h"

namespace weft::sfn {

OpResult TagResource(OpContext&, const json::object&) { co_return NotImplemented("TagResource"); }

OpResult UntagResource(OpContext&, const json::object&) { co_return NotImplemented("UntagResource"); }

OpResult ListTagsForResource(OpContext&, const json::object&) { co_return NotImplemented("ListTagsForResource"); }

}  // namespace weft::sfn
