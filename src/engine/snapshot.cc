// MutableState::Save and Restore: the snapshot of an SWF execution that its
// row holds, so that loading it reads one row instead of its history.
//
// Fields are numbered, like a protocol buffer's: a number is never reused or
// given another meaning, and a field at its default value is left out (most
// executions are small: a waiting one is about 300 bytes). "v" is the
// format's version: a snapshot of an unknown version is refused, and the
// caller replays the history instead.
#include "engine/mutable_state.h"
#include "engine/snapshot_fields.h"

namespace weft::engine {
namespace {

using snapshot::Reader;
using snapshot::Writer;

constexpr int64_t kSnapshotVersion = 1;

json::object SaveDecision(const DecisionTaskInfo& d) {
  Writer w;
  w.Int("1", d.scheduled_event_id);
  w.Int("2", d.started_event_id);
  w.Int("3", d.scheduled_time);
  w.Int("4", d.started_time);
  w.Str("5", d.task_list);
  w.Int("6", d.priority);
  w.Int("7", d.start_to_close);
  w.Int("8", d.schedule_to_start);
  return std::move(w.out);
}

DecisionTaskInfo LoadDecision(const Reader& r) {
  DecisionTaskInfo d;
  d.scheduled_event_id = r.Int("1");
  d.started_event_id = r.Int("2");
  d.scheduled_time = r.Int("3");
  d.started_time = r.Int("4");
  d.task_list = r.Str("5");
  d.priority = static_cast<int32_t>(r.Int("6"));
  d.start_to_close = r.Int("7");
  d.schedule_to_start = r.Int("8");
  return d;
}

json::object SaveActivity(const ActivityInfo& a) {
  Writer w;
  w.Str("1", a.activity_id);
  w.Int("2", a.scheduled_event_id);
  w.Int("3", a.started_event_id);
  w.Str("4", a.task_list);
  w.Int("5", a.priority);
  w.Int("6", a.schedule_to_start);
  w.Int("7", a.schedule_to_close);
  w.Int("8", a.start_to_close);
  w.Int("9", a.heartbeat);
  w.Int("10", a.scheduled_time);
  w.Int("11", a.started_time);
  w.Obj("12", a.activity_type);
  w.Opt("13", a.input);
  w.Int("14", a.last_heartbeat);
  w.Opt("15", a.heartbeat_details);
  w.Bool("16", a.cancel_requested);
  w.Int("17", a.cancel_requested_event_id);
  return std::move(w.out);
}

ActivityInfo LoadActivity(const Reader& r) {
  ActivityInfo a;
  a.activity_id = r.Str("1");
  a.scheduled_event_id = r.Int("2");
  a.started_event_id = r.Int("3");
  a.task_list = r.Str("4");
  a.priority = static_cast<int32_t>(r.Int("5"));
  a.schedule_to_start = r.Int("6");
  a.schedule_to_close = r.Int("7");
  a.start_to_close = r.Int("8");
  a.heartbeat = r.Int("9");
  a.scheduled_time = r.Int("10");
  a.started_time = r.Int("11");
  a.activity_type = r.Obj("12");
  a.input = r.Opt("13");
  a.last_heartbeat = r.Int("14");
  a.heartbeat_details = r.Opt("15");
  a.cancel_requested = r.Bool("16");
  a.cancel_requested_event_id = r.Int("17");
  return a;
}

json::object SaveExternal(const ExternalRequest& x) {
  Writer w;
  w.Int("1", x.initiated_event_id);
  w.Bool("2", x.cancel);
  w.Str("3", x.workflow_id);
  w.Str("4", x.run_id);
  w.Str("5", x.signal_name);
  w.Opt("6", x.input);
  w.Opt("7", x.control);
  w.Int("8", x.decision_task_completed_event_id);
  return std::move(w.out);
}

ExternalRequest LoadExternal(const Reader& r) {
  ExternalRequest x;
  x.initiated_event_id = r.Int("1");
  x.cancel = r.Bool("2");
  x.workflow_id = r.Str("3");
  x.run_id = r.Str("4");
  x.signal_name = r.Str("5");
  x.input = r.Opt("6");
  x.control = r.Opt("7");
  x.decision_task_completed_event_id = r.Int("8");
  return x;
}

json::object SaveChild(const ChildInfo& c) {
  Writer w;
  w.Int("1", c.initiated_event_id);
  w.Str("2", c.workflow_id);
  w.Str("3", c.run_id);
  w.Int("4", c.started_event_id);
  w.Obj("5", c.workflow_type);
  w.Obj("6", c.initiated);
  return std::move(w.out);
}

ChildInfo LoadChild(const Reader& r) {
  ChildInfo c;
  c.initiated_event_id = r.Int("1");
  c.workflow_id = r.Str("2");
  c.run_id = r.Str("3");
  c.started_event_id = r.Int("4");
  c.workflow_type = r.Obj("5");
  c.initiated = r.Obj("6");
  return c;
}

json::object SaveLambda(const LambdaInfo& l) {
  Writer w;
  w.Int("1", l.scheduled_event_id);
  w.Str("2", l.id);
  w.Str("3", l.name);
  w.Opt("4", l.input);
  w.Int("5", l.start_to_close);
  w.Int("6", l.started_event_id);
  w.Int("7", l.started_time);
  return std::move(w.out);
}

LambdaInfo LoadLambda(const Reader& r) {
  LambdaInfo l;
  l.scheduled_event_id = r.Int("1");
  l.id = r.Str("2");
  l.name = r.Str("3");
  l.input = r.Opt("4");
  l.start_to_close = r.Int("5");
  l.started_event_id = r.Int("6");
  l.started_time = r.Int("7");
  return l;
}

template <class Map, class Fn>
json::array SaveAll(const Map& map, Fn save) {
  json::array out;
  out.reserve(map.size());
  for (const auto& [key, value] : map) out.push_back(save(value));
  return out;
}

}  // namespace

json::object MutableState::Save() const {
  Writer w;
  w.out["v"] = kSnapshotVersion;
  w.Int("1", last_event_id_);
  w.Int("2", static_cast<int64_t>(last_event_type_));
  w.Obj("3", started_);
  w.Str("4", task_list_);
  w.Int("5", task_priority_);
  w.Int("6", execution_start_to_close_);
  w.Int("7", task_start_to_close_);
  w.Int("8", start_time_);
  w.Int("9", close_time_);
  w.Str("10", close_status_);
  w.Bool("11", cancel_requested_);
  if (decision_) w.out["12"] = SaveDecision(*decision_);
  w.Bool("13", decision_pending_);
  w.Str("14", decision_list_override_);
  w.Int("15", override_schedule_to_start_);
  w.Int("16", previous_started_event_id_);
  w.Opt("17", latest_execution_context_);
  w.Int("18", latest_activity_scheduled_);
  if (!external_.empty()) w.out["19"] = SaveAll(external_, SaveExternal);
  if (!children_.empty()) w.out["20"] = SaveAll(children_, SaveChild);
  if (!lambdas_.empty()) w.out["21"] = SaveAll(lambdas_, SaveLambda);
  if (parent_) {
    w.out["22"] = json::object{
        {"1", parent_->workflow_id}, {"2", parent_->run_id}, {"3", parent_->initiated_event_id}};
  }
  w.Str("23", child_policy_);
  if (!received_.empty()) {
    json::array received;
    for (const auto& [run_id, id] : received_) {
      received.push_back(json::object{{"1", run_id}, {"2", id}});
    }
    w.out["24"] = std::move(received);
  }
  if (!activities_.empty()) w.out["25"] = SaveAll(activities_, SaveActivity);
  if (!timers_.empty()) {
    json::array timers;
    for (const auto& [id, t] : timers_) {
      timers.push_back(json::object{{"1", id}, {"2", t.started_event_id}, {"3", t.fire_time}});
    }
    w.out["26"] = std::move(timers);
  }
  return std::move(w.out);
}

Result<MutableState> MutableState::Restore(std::string domain, std::string workflow_id,
                                           std::string run_id, const json::object& snapshot) {
  MutableState s(std::move(domain), std::move(workflow_id), std::move(run_id));
  bool ok = FindInt(snapshot, "v") == kSnapshotVersion;
  Reader r{snapshot, ok};
  s.last_event_id_ = r.Int("1");
  auto type = EventTypeFromNumber(static_cast<uint16_t>(r.Int("2")));
  if (!type) ok = false;
  s.last_event_type_ = type.value_or(EventType{});
  s.started_ = r.Obj("3");
  s.task_list_ = r.Str("4");
  s.task_priority_ = static_cast<int32_t>(r.Int("5"));
  s.execution_start_to_close_ = r.Int("6");
  s.task_start_to_close_ = r.Int("7");
  s.start_time_ = r.Int("8");
  s.close_time_ = r.Int("9");
  s.close_status_ = r.Str("10");
  s.cancel_requested_ = r.Bool("11");
  if (Find(snapshot, "12")) s.decision_ = LoadDecision(Reader{r.Obj("12"), ok});
  s.decision_pending_ = r.Bool("13");
  s.decision_list_override_ = r.Str("14");
  s.override_schedule_to_start_ = r.Int("15");
  s.previous_started_event_id_ = r.Int("16");
  s.latest_execution_context_ = r.Opt("17");
  s.latest_activity_scheduled_ = r.Int("18");
  r.Each("19", [&s](const Reader& x) {
    ExternalRequest e = LoadExternal(x);
    s.external_[e.initiated_event_id] = std::move(e);
  });
  r.Each("20", [&s](const Reader& x) {
    ChildInfo c = LoadChild(x);
    s.children_[c.initiated_event_id] = std::move(c);
  });
  r.Each("21", [&s](const Reader& x) {
    LambdaInfo l = LoadLambda(x);
    s.lambdas_[l.scheduled_event_id] = std::move(l);
  });
  if (Find(snapshot, "22")) {
    json::object p = r.Obj("22");
    Reader pr{p, ok};
    s.parent_ = ParentInfo{pr.Str("1"), pr.Str("2"), pr.Int("3")};
  }
  s.child_policy_ = r.Str("23");
  r.Each("24", [&s](const Reader& x) { s.received_.insert({x.Str("1"), x.Int("2")}); });
  r.Each("25", [&s](const Reader& x) {
    ActivityInfo a = LoadActivity(x);
    s.activity_ids_[a.activity_id] = a.scheduled_event_id;
    s.activities_[a.scheduled_event_id] = std::move(a);
  });
  r.Each("26", [&s](const Reader& x) {
    s.timers_[x.Str("1")] = TimerInfo{x.Int("2"), x.Int("3")};
  });
  if (!ok) return Error::Internal("run " + s.run_id_ + ": its snapshot is not readable");
  return s;
}

}  // namespace weft::engine
