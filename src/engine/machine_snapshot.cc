// The snapshot of a Step Functions execution that its row holds: the
// interpreter's saved state (asl::Execution::Save) and what the engine keeps
// beside it (its tasks in flight with their commands, the interpreter's
// timers, its Map Runs in progress, the tokens of tasks that timed out).
// Loading an execution reads this one row instead of replaying its history.
//
// Numbered fields as in snapshot.cc: a number is never reused, defaults are
// left out, and "v" is the format's version (another one is refused, and
// the history is replayed instead).
#include "engine/machine_run.h"
#include "engine/snapshot_fields.h"

namespace weft::engine {
namespace {

using snapshot::Reader;
using snapshot::Writer;

constexpr int64_t kMachineSnapshotVersion = 1;

json::object SaveCommand(const asl::Command& c) {
  Writer w;
  w.Int("1", static_cast<int64_t>(c.kind));
  w.Str("2", c.id);
  w.Str("3", c.state_name);
  w.Str("4", c.resource);
  w.Str("5", c.input);
  w.Int("6", c.timeout_seconds);
  w.Int("7", c.heartbeat_seconds);
  w.Str("8", c.task_token);
  w.Str("9", c.map_run_arn);
  w.Int("10", c.item_index);
  w.Int("11", c.processor);
  return std::move(w.out);
}

asl::Command LoadCommand(const Reader& r) {
  asl::Command c;
  int64_t kind = r.Int("1");
  // Only the commands a task is made of are kept with it.
  if (kind != static_cast<int64_t>(asl::CommandKind::kScheduleTask) &&
      kind != static_cast<int64_t>(asl::CommandKind::kStartIteration)) {
    r.ok = false;
  }
  c.kind = static_cast<asl::CommandKind>(kind);
  c.id = r.Str("2");
  c.state_name = r.Str("3");
  c.resource = r.Str("4");
  c.input = r.Str("5");
  c.timeout_seconds = r.Int("6");
  c.heartbeat_seconds = r.Int("7");
  c.task_token = r.Str("8");
  c.map_run_arn = r.Str("9");
  c.item_index = r.Int("10");
  c.processor = static_cast<int>(r.Int("11"));
  return c;
}

json::object SaveTask(const std::string& id, const MachineTask& t) {
  Writer w;
  w.Str("1", id);
  w.out["2"] = SaveCommand(t.command);
  w.Int("3", static_cast<int64_t>(t.kind));
  w.Bool("4", t.callback);
  w.Int("5", t.scheduled_event_id);
  w.Int("6", t.scheduled_time);
  w.Bool("7", t.started);
  w.Str("8", t.child_arn);
  w.Int("9", t.last_heartbeat);  // not in the history (verify.cc leaves it out)
  return std::move(w.out);
}

std::pair<std::string, MachineTask> LoadTask(const Reader& r) {
  MachineTask t;
  std::string id = r.Str("1");
  t.command = LoadCommand(Reader{r.Obj("2"), r.ok});
  int64_t kind = r.Int("3");
  if (kind < 0 || kind > static_cast<int64_t>(MachineTaskKind::kMapIteration)) r.ok = false;
  t.kind = static_cast<MachineTaskKind>(kind);
  t.callback = r.Bool("4");
  t.scheduled_event_id = r.Int("5");
  t.scheduled_time = r.Int("6");
  t.started = r.Bool("7");
  t.child_arn = r.Str("8");
  t.last_heartbeat = r.Int("9");
  if (id.empty()) r.ok = false;
  return {std::move(id), std::move(t)};
}

}  // namespace

std::string MachineSnapshotOf(const MachineRun& run) {
  Writer w;
  json::array tasks;
  for (const auto& [id, t] : run.tasks) tasks.push_back(SaveTask(id, t));
  if (!tasks.empty()) w.out["2"] = std::move(tasks);
  json::array timers;
  for (const auto& [id, due] : run.timers) timers.push_back(json::object{{"1", id}, {"2", due}});
  if (!timers.empty()) w.out["3"] = std::move(timers);
  json::array map_runs;
  for (const auto& [arn, start] : run.map_run_starts) {
    map_runs.push_back(json::object{{"1", arn}, {"2", start}});
  }
  if (!map_runs.empty()) w.out["4"] = std::move(map_runs);
  json::array timed_out;
  for (const auto& token : run.timed_out_tokens) timed_out.push_back(json::object{{"1", token}});
  if (!timed_out.empty()) w.out["5"] = std::move(timed_out);
  // {"v":1,"1":<the interpreter's>,<the rest>}: the interpreter's state is
  // written in place, without its context (the host's to give back at
  // Restore: ContextOf).
  std::string out = "{\"v\":" + std::to_string(kMachineSnapshotVersion) + ",\"1\":";
  run.interpreter->SaveTo(out, /*with_context=*/false);
  for (const auto& member : w.out) {
    out += ',';
    AppendJsonString(out, member.key());
    out += ':';
    AppendJson(out, member.value());
  }
  out += '}';
  return out;
}

Status RestoreMachineSnapshot(MachineRun& run, const json::object& snapshot,
                              asl::ExecutionContext context) {
  const std::string& arn = run.start.execution_arn;
  auto unreadable = [&arn] {
    return Error::Internal("execution " + arn + ": its snapshot is not readable");
  };
  bool ok = FindInt(snapshot, "v") == kMachineSnapshotVersion;
  const json::value* saved = Find(snapshot, "1");
  if (!ok || !saved) return unreadable();
  auto interpreter = asl::Execution::Restore(run.machine, *saved, std::move(context));
  if (!interpreter.ok()) return unreadable();
  run.interpreter.emplace(std::move(*interpreter));
  Reader r{snapshot, ok};
  r.Each("2", [&run](const Reader& x) {
    auto [id, t] = LoadTask(x);
    if (!t.command.task_token.empty()) run.task_by_token[t.command.task_token] = id;
    run.tasks[std::move(id)] = std::move(t);
  });
  r.Each("3", [&run](const Reader& x) { run.timers[x.Str("1")] = x.Int("2"); });
  r.Each("4", [&run](const Reader& x) { run.map_run_starts[x.Str("1")] = x.Int("2"); });
  r.Each("5", [&run](const Reader& x) { run.timed_out_tokens.insert(x.Str("1")); });
  if (!ok) return unreadable();
  return {};
}

}  // namespace weft::engine
