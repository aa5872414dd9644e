// What the SWF operations share: faults, domain lookups, small shapes.
#include "swf/ops/ops.h"

namespace weft::swf {

Error Fault(Errc code, std::string_view type, std::string message) {
  return Error(code, std::string(type), std::move(message));
}

Error UnknownDomain(std::string_view name) {
  return Fault(Errc::kUnknownResource, "UnknownResourceFault",
               "Unknown domain: " + std::string(name));
}

Result<engine::RegistryEntry> GetDomain(engine::Engine& engine, std::string_view name) {
  auto entry = engine.registry().Get(engine::kDomainKind, "", name);
  if (!entry) return UnknownDomain(name);
  return std::move(*entry);
}

Status RequireActiveDomain(engine::Engine& engine, std::string_view name) {
  auto domain = GetDomain(engine, name);
  if (!domain.ok()) return std::move(domain).error();
  if (domain->record.status == "DEPRECATED") {
    return Fault(Errc::kUnknownResource, "UnknownResourceFault",
                 "Domain is deprecated: " + std::string(name));
  }
  return {};
}

std::string DomainArn(const OpContext& ctx, std::string_view name) {
  const std::string& region =
      ctx.request.region.empty() ? ctx.options.default_region : ctx.request.region;
  return "arn:aws:swf:" + region + ":" + ctx.options.account_id + ":/domain/" + std::string(name);
}

engine::WorkflowType ReadTypeRef(RequestReader& reader, std::string_view member) {
  RequestReader type = reader.Object(member);
  engine::WorkflowType out;
  out.name = type.String("name", kNameLen);
  out.version = type.String("version", kVersionLen);
  return out;
}

std::string ReadTaskList(RequestReader& reader, std::string_view member) {
  RequestReader list = reader.Object(member);
  return list.Name("name", kNameLen);
}

std::optional<std::string> ReadOptTaskList(RequestReader& reader, std::string_view member) {
  auto list = reader.OptObject(member);
  if (!list) return std::nullopt;
  std::string name = list->Name("name", kNameLen);
  if (name.empty()) return std::nullopt;
  return name;
}

Result<TaskListRequest> ReadTaskListRequest(OpContext& ctx, const json::object& request,
                                            bool with_identity) {
  RequestReader r(request);
  TaskListRequest out;
  out.domain = r.String("domain", kDomainNameLen);
  out.task_list = ReadTaskList(r, "taskList");
  if (with_identity) out.identity = r.OptString("identity", kIdentityLen).value_or("");
  if (auto s = r.Finish(); !s) return std::move(s).error();
  if (auto d = GetDomain(ctx.engine, out.domain); !d.ok()) return std::move(d).error();
  return out;
}

void SetIf(json::object& out, std::string_view key, const std::optional<std::string>& value) {
  if (value) out[key] = *value;
}

json::object ExecutionJson(std::string_view workflow_id, std::string_view run_id) {
  return json::object{{"workflowId", workflow_id}, {"runId", run_id}};
}

json::object TypeJson(std::string_view name, std::string_view version) {
  return json::object{{"name", name}, {"version", version}};
}

}  // namespace weft::swf
