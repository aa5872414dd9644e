// src/store/sqlite/visibility.h: List/CountExecutions for SQLite.
//
// Internal to store/sqlite. A query becomes one SELECT over executions with
// the filters as bound parameters (a tag filter is an indexed sub-select on
// execution_tags). Pages use keyset paging: the token holds the last row's
// sort key and run_id, so a page costs the same however deep it is, and rows
// inserted meanwhile do not shift later pages.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace weft::store::sqlite {

// Errors: ValidationException for a page size outside 1..1000, a type_version
// without type_name, or a page token that this query did not produce
// ("Invalid nextPageToken").
Result<ExecutionPage> ListVisible(Connection& conn, const ExecutionQuery& query);
Result<int64_t> CountVisible(Connection& conn, const ExecutionQuery& query);

// The page token format, exposed for tests: base64 of
// {"k":<sort key>,"r":"<run_id>","o":"start"|"close","a":<ascending>}.
struct PageToken {
  int64_t key = 0;
  std::string run_id;
  bool by_close_time = false;
  bool ascending = false;
};
std::string EncodePageToken(const PageToken& token);
Result<PageToken> DecodePageToken(const std::string& text);

}  // namespace weft::store::sqlite
