#include "swf/paging.h"

#include <gtest/gtest.h>

namespace weft::swf {
namespace {

using engine::HistoryEvent;

std::vector<HistoryEvent> Events(int64_t first, int64_t last) {
  std::vector<HistoryEvent> out;
  for (int64_t id = first; id <= last; ++id) {
    out.push_back(HistoryEvent{id, engine::EventType::kMarkerRecorded, 0, {}});
  }
  return out;
}

// Walks every page and returns the ids in the order served.
std::vector<int64_t> WalkEvents(const std::vector<HistoryEvent>& events, bool reverse,
                                size_t page_size, int* pages) {
  std::vector<int64_t> ids;
  int64_t from = 0;
  *pages = 0;
  do {
    EventPage page = PageEvents(events, reverse, from, page_size);
    EXPECT_LE(page.indices.size(), page_size);
    for (size_t i : page.indices) ids.push_back(events[i].id);
    from = page.next_id;
    ++*pages;
  } while (from != 0 && *pages < 100);
  return ids;
}

TEST(PageEventsTest, ForwardAndReverseCoverEveryEventOnce) {
  struct Case {
    int64_t n;
    size_t page_size;
    int pages;
  };
  for (Case c : {Case{0, 4, 1}, Case{1, 4, 1}, Case{4, 4, 1}, Case{5, 4, 2}, Case{17, 4, 5},
                 Case{17, 1000, 1}}) {
    auto events = Events(1, c.n);
    std::vector<int64_t> expected;
    for (int64_t id = 1; id <= c.n; ++id) expected.push_back(id);
    int pages = 0;
    EXPECT_EQ(WalkEvents(events, false, c.page_size, &pages), expected) << c.n;
    EXPECT_EQ(pages, c.pages) << c.n;
    std::reverse(expected.begin(), expected.end());
    EXPECT_EQ(WalkEvents(events, true, c.page_size, &pages), expected) << c.n;
    EXPECT_EQ(pages, c.pages) << c.n;
  }
}

TEST(PageEventsTest, StartsAtTheGivenId) {
  auto events = Events(3, 10);  // a part of a history, as startAtPreviousStartedEvent shows
  EventPage fwd = PageEvents(events, false, 5, 2);
  ASSERT_EQ(fwd.indices.size(), 2u);
  EXPECT_EQ(events[fwd.indices[0]].id, 5);
  EXPECT_EQ(fwd.next_id, 7);
  EventPage rev = PageEvents(events, true, 5, 2);
  ASSERT_EQ(rev.indices.size(), 2u);
  EXPECT_EQ(events[rev.indices[0]].id, 5);
  EXPECT_EQ(events[rev.indices[1]].id, 4);
  EXPECT_EQ(rev.next_id, 3);
}

TEST(PageByKeyTest, PagesInBothDirectionsAfterTheLastKey) {
  std::vector<PageKey> keys = {{"a", "1"}, {"a", "2"}, {"b", "1"}, {"c", "1"}, {"d", "1"}};
  KeyPage first = PageByKey(keys, false, std::nullopt, 2);
  EXPECT_EQ(first.indices, (std::vector<size_t>{0, 1}));
  EXPECT_TRUE(first.more);
  KeyPage second = PageByKey(keys, false, keys[1], 2);
  EXPECT_EQ(second.indices, (std::vector<size_t>{2, 3}));
  KeyPage last = PageByKey(keys, false, keys[3], 2);
  EXPECT_EQ(last.indices, (std::vector<size_t>{4}));
  EXPECT_FALSE(last.more);

  KeyPage rfirst = PageByKey(keys, true, std::nullopt, 2);
  EXPECT_EQ(rfirst.indices, (std::vector<size_t>{4, 3}));
  EXPECT_TRUE(rfirst.more);
  KeyPage rlast = PageByKey(keys, true, keys[1], 2);
  EXPECT_EQ(rlast.indices, (std::vector<size_t>{0}));
  EXPECT_FALSE(rlast.more);
  // A key removed since the previous page: paging continues after its place.
  KeyPage gone = PageByKey(keys, false, PageKey{"bb", ""}, 10);
  EXPECT_EQ(gone.indices, (std::vector<size_t>{3, 4}));
  EXPECT_TRUE(PageByKey({}, false, std::nullopt, 10).indices.empty());
}

TEST(PageSizeTest, ZeroOrAbsentMeansTheDefault) {
  EXPECT_EQ(EffectivePageSize(std::nullopt), 1000u);
  EXPECT_EQ(EffectivePageSize(0), 1000u);
  EXPECT_EQ(EffectivePageSize(7), 7u);
  EXPECT_EQ(EffectivePageSize(5000), 1000u);
}

TEST(PageTokenTest, IsBoundToItsKind) {
  std::string token = EncodePageToken(json::object{{"k", "ListDomains"}, {"a", "x"}});
  auto state = DecodePageToken(token, "ListDomains");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*FindString(*state, "a"), "x");
  for (std::string_view bad : {std::string_view(token), std::string_view("garbage!"),
                               std::string_view("e30")}) {  // e30 = "{}"
    auto wrong = DecodePageToken(bad, "ListWorkflowTypes");
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().type(), "ValidationException");
  }
}

TEST(DecisionCursorTest, RoundTripsAndRejectsOtherTokens) {
  // The largest cursor the model allows: a 1024-character task token, a
  // 256-character workflowId, a 64-character runId.
  DecisionCursor c;
  c.workflow_id = std::string(256, 'w');
  c.run_id = std::string(64, 'r');
  c.task_token = std::string(1024, 'T');
  c.started_event_id = 25000;
  c.previous_started_event_id = 24990;
  c.next_event_id = 24000;
  c.reverse = true;
  c.start_at_previous = true;
  std::string token = EncodeDecisionCursor(c);
  EXPECT_LE(token.size(), 2048u) << "fits the model's PageToken";
  auto back = DecodeDecisionCursor(token);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->task_token, c.task_token);
  EXPECT_EQ(back->workflow_id, c.workflow_id);
  EXPECT_EQ(back->run_id, c.run_id);
  EXPECT_EQ(back->started_event_id, 25000);
  EXPECT_EQ(back->previous_started_event_id, 24990);
  EXPECT_EQ(back->next_event_id, 24000);
  EXPECT_TRUE(back->reverse);
  EXPECT_TRUE(back->start_at_previous);

  HistoryCursor h{"d", "w", "r", 5, false};
  EXPECT_FALSE(DecodeDecisionCursor(EncodeHistoryCursor(h)).ok());
  auto hb = DecodeHistoryCursor(EncodeHistoryCursor(h));
  ASSERT_TRUE(hb.ok());
  EXPECT_EQ(hb->next_event_id, 5);
  EXPECT_EQ(hb->run_id, "r");
  // A token of the right kind with a member missing is invalid too.
  EXPECT_FALSE(
      DecodeHistoryCursor(EncodePageToken(json::object{{"k", "GetWorkflowExecutionHistory"}}))
          .ok());
}

}  // namespace
}  // namespace weft::swf
