// src/swf/filters.h (internal): the filters of List/Count Open/Closed
// WorkflowExecutions, read into a store::ExecutionQuery, with the model's
// rules on which filters may be combined:
//  - open executions: startTimeFilter is required; at most one of
//    executionFilter, typeFilter, tagFilter;
//  - closed executions: exactly one of startTimeFilter and closeTimeFilter;
//    at most one of executionFilter, typeFilter, tagFilter, closeStatusFilter.
// A broken rule is a problem reported on the reader (ValidationException).
#pragma once

#include "store/store.h"
#include "swf/request.h"

namespace weft::swf {

// Fills query.domain and the filter fields; leaves paging alone.
void ReadExecutionFilters(RequestReader& reader, bool open, store::ExecutionQuery& query);

}  // namespace weft::swf
