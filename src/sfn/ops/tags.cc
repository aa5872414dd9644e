// Tags of state machines and activities: TagResource, UntagResource,
// ListTagsForResource. Tags live in the resource's entry, as {key: value}
// under "tags".
#include "sfn/ops/resources.h"

namespace weft::sfn {
namespace {

constexpr Length kTagKeyLen{1, 128};

// Where a taggable resource lives in the Registry.
struct Taggable {
  std::string_view kind;
  std::string scope, name;
  std::string arn;
};

Error ResourceNotFound(std::string_view arn) {
  return Fault(Errc::kUnknownResource, "ResourceNotFound",
               "Resource not found: '" + std::string(arn) + "'");
}

// An existing state machine (unqualified ARN) or activity. Errors:
// InvalidArn, ResourceNotFound.
Result<Taggable> FindTaggable(const OpContext& ctx, std::string_view text) {
  auto arn = ParseArn(text);
  if (!arn.ok()) return std::move(arn).error();
  Taggable t;
  t.arn = std::string(text);
  if (arn->type == "stateMachine" && arn->parts.size() == 1) {
    t.kind = engine::kStateMachineKind;
  } else if (arn->type == "activity" && arn->parts.size() == 1) {
    t.kind = engine::kActivityKind;
  } else {
    return ResourceNotFound(text);
  }
  t.scope = arn->region;
  t.name = arn->parts[0];
  auto entry = ctx.engine.registry().Get(t.kind, t.scope, t.name);
  std::string_view arn_member = t.kind == engine::kActivityKind ? "activityArn" : "stateMachineArn";
  const json::string* stored = entry ? FindString(entry->data, arn_member) : nullptr;
  if (stored == nullptr || *stored != text) return ResourceNotFound(text);
  return t;
}

json::object TagsOf(const Entry& e) {
  const json::object* tags = FindObject(e.data, "tags");
  return tags ? *tags : json::object{};
}

using TagChange = std::function<Status(json::object& tags)>;

net::awaitable<Result<json::value>> ChangeTags(OpContext& ctx, const Taggable& t,
                                               TagChange change) {
  auto mutation = [arn = t.arn,
                   change = std::move(change)](const std::optional<Entry>& old) -> MaybeEntry {
    if (!old) return ResourceNotFound(arn);
    json::object data = old->data;
    json::object tags = TagsOf(*old);
    if (auto s = change(tags); !s) return std::move(s).error();
    data["tags"] = std::move(tags);
    return std::optional(WithData(*old, std::move(data)));
  };
  auto written = co_await UpdateEntry(ctx, t.kind, t.scope, t.name, std::move(mutation));
  if (!written.ok()) co_return std::move(written).error();
  co_return json::value(json::object{});
}

}  // namespace

OpResult TagResource(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("resourceArn", kArnLen);
  json::object tags;
  if (const json::array* list = r.Array("tags", SIZE_MAX)) tags = ReadTags(r, *list);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  auto target = FindTaggable(ctx, arn);
  if (!target.ok()) co_return std::move(target).error();
  auto change = [arn, tags = std::move(tags)](json::object& current) -> Status {
    for (const auto& kv : tags) current[kv.key()] = kv.value();
    if (current.size() > kMaxTags) return TooManyTags(arn);
    return {};
  };
  co_return co_await ChangeTags(ctx, *target, std::move(change));
}

OpResult UntagResource(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("resourceArn", kArnLen);
  std::vector<std::string> keys;
  if (const json::array* list = r.Array("tagKeys", SIZE_MAX)) {
    for (size_t i = 0; i < list->size(); ++i) {
      if (auto k = r.StringAt("tagKeys", *list, i, kTagKeyLen)) keys.push_back(*k);
    }
  }
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  auto target = FindTaggable(ctx, arn);
  if (!target.ok()) co_return std::move(target).error();
  auto change = [keys = std::move(keys)](json::object& current) -> Status {
    for (const auto& k : keys) current.erase(k);
    return {};
  };
  co_return co_await ChangeTags(ctx, *target, std::move(change));
}

OpResult ListTagsForResource(OpContext& ctx, const json::object& request) {
  RequestReader r(request);
  std::string arn = r.String("resourceArn", kArnLen);
  if (auto s = r.Finish(); !s) co_return std::move(s).error();
  auto target = FindTaggable(ctx, arn);
  if (!target.ok()) co_return std::move(target).error();
  auto entry = ctx.engine.registry().Get(target->kind, target->scope, target->name);
  if (!entry) co_return ResourceNotFound(arn);
  co_return json::value(json::object{{"tags", TagListJson(TagsOf(*entry))}});
}

}  // namespace weft::sfn
