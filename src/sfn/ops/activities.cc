// Activities: Create, Describe, List, Delete. An activity is a Registry entry
// (kActivityKind, scope = region, name = activity name; data in ops.h); its
// tasks are served by activity_tasks.cc.
#include "sfn/ops/resources.h"

namespace weft::sfn {
namespace {

constexpr size_t kMaxActivities = 10'000;  // AWS's default quota per account and region

Error ActivityDoesNotExist(std::string_view arn) {
  return Fault(Errc::kUnknownResource, "ActivityDoesNotExist",
               "Activity Does Not Exist: '" + std::string(arn) + "'");
}

// The activity name of an activity ARN. Errors: InvalidArn.
Result<Arn> ParseActivityArn(std::string_view text) {
  auto arn = ParseArn(text);
  if (!arn.ok()) return std::move(arn).error();
  if (arn->type != "activity" || arn->parts.size() != 1) return InvalidArn(text);
  return arn;
}

std::string ArnOf(const Entry& e);

// The activity a request's activityArn names (nullopt: none), and its ARN.
struct NamedActivity {
  Arn arn;
  std::optional<Entry> entry;
};
Result<NamedActivity> ReadActivityRequest(const OpContext& ctx, const json::object& request,
                                          std::string* arn_text) {
  RequestReader r(request);
  *arn_text = r.String("activityArn", kArnLen);
  if (auto s = r.Finish(); !s) return std::move(s).error();
  auto parsed = ParseActivityArn(*arn_text);
  if (!parsed.ok()) return std::move(parsed).error();
  NamedActivity out{
      *parsed, ctx.engine.registry().Get(engine::kActivityKind, parsed->region, parsed->parts[0])};
  if (out.entry && ArnOf(*out.entry) != *arn_text) out.entry.reset();
  return out;
}

std::string ArnOf(const Entry& e) {
  const json::string* arn = FindString(e.data, "activityArn");
  return arn ? std::string(*arn) : std::string();
}

}  // namespace

OpResult CreateActivity(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string name = r.String("name", kNameLen);
  json::object tags;
  if (const json::array* list = r.OptArray("tags", SIZE_MAX)) tags = ReadTags(r, *list);
  std::optional<json::object> encryption = ReadEncryption(r);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  if (auto s = CheckName(name, "an activity name"); !s) co_return std::move(s).error();
  std::string arn = ActivityArn(ctx, name);
  if (tags.size() > kMaxTags) co_return TooManyTags(arn);
  std::string region = ctx.region();
  bool full = ctx.engine.registry().Count(engine::kActivityKind, region) >= kMaxActivities;
  Millis now = ctx.engine.clock().Now();
  json::object data{
      {"activityArn", arn}, {"name", name}, {"creationDate", now}, {"tags", std::move(tags)}};
  if (encryption) data["encryptionConfiguration"] = std::move(*encryption);
  Entry fresh = NewEntry(engine::kActivityKind, region, name, "ACTIVE", now, std::move(data));
  // Idempotent by name: an activity that exists is answered as it is (AWS
  // ignores differing tags).
  auto mutation = [fresh = std::move(fresh), full](const std::optional<Entry>& old) -> MaybeEntry {
    if (old) return std::optional(*old);
    if (full) {
      return Fault(Errc::kLimitExceeded, "ActivityLimitExceeded",
                   "Activity limit exceeded: at most " + std::to_string(kMaxActivities) +
                       " activities per region");
    }
    return std::optional(fresh);
  };
  auto written =
      co_await UpdateEntry(ctx, engine::kActivityKind, region, name, std::move(mutation));
  if (!written.ok()) co_return std::move(written).error();
  co_return json::value(json::object{{"activityArn", ArnOf(*written)},
                                     {"creationDate", TimestampJson(written->record.created)}});
}

OpResult DescribeActivity(OpContext& ctx, const json::object& request) {
  std::string arn;
  auto named = ReadActivityRequest(ctx, request, &arn);
  if (!named.ok()) co_return std::move(named).error();
  const std::optional<Entry>& entry = named->entry;
  if (!entry) co_return ActivityDoesNotExist(arn);
  json::object out{{"activityArn", arn},
                   {"name", entry->record.name},
                   {"creationDate", TimestampJson(entry->record.created)}};
  if (const json::value* enc = Find(entry->data, "encryptionConfiguration")) {
    out["encryptionConfiguration"] = *enc;
  }
  co_return json::value(std::move(out));
}

OpResult ListActivities(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  PageRequest page = ReadPage(r);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  auto entries = ctx.engine.registry().List(engine::kActivityKind, ctx.region());
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.record.name);
  auto paged = PageNames(names, page, "ListActivities");
  if (!paged.ok()) co_return std::move(paged).error();
  json::array items;
  for (size_t i : paged->indices) {
    items.push_back(json::object{{"activityArn", ArnOf(entries[i])},
                                 {"name", entries[i].record.name},
                                 {"creationDate", TimestampJson(entries[i].record.created)}});
  }
  json::object out{{"activities", std::move(items)}};
  if (!paged->next_token.empty()) out["nextToken"] = paged->next_token;
  co_return json::value(std::move(out));
}

OpResult DeleteActivity(OpContext& ctx, const json::object& request) {
  std::string arn;
  auto named = ReadActivityRequest(ctx, request, &arn);
  if (!named.ok()) co_return std::move(named).error();
  // Deleting an activity that does not exist succeeds, as in AWS.
  if (!named->entry) co_return json::value(json::object{});
  const Arn* parsed = &named->arn;
  auto erase = [](const std::optional<Entry>&) -> MaybeEntry { return std::optional<Entry>(); };
  auto erased = co_await UpdateEntry(ctx, engine::kActivityKind, parsed->region, parsed->parts[0],
                                     std::move(erase));
  if (!erased.ok()) co_return std::move(erased).error();
  co_return json::value(json::object{});
}

}  // namespace weft::sfn
