// The calls a Task state makes through the engine itself: HTTP Tasks
// (arn:aws:states:::http:invoke), Lambda functions mapped to HTTP endpoints
// (weft server --config), and nested executions
// (arn:aws:states:::states:startExecution[.sync|.sync:2|.waitForTaskToken]).
//
// A call runs as its own coroutine, never on a shard's strand while it
// waits; its answer comes back to the execution as feedback (Impl::Feed), on
// the execution's strand. A call whose answer was not recorded before a
// crash is made again after the restart (at least once; a nested execution
// is started under a name fixed by the parent's task, so it is not started
// twice).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "asl/interpreter.h"
#include "common/log.h"
#include "engine/engine_impl.h"

namespace weft::engine {
namespace {

using net::use_awaitable;

asl::Feedback Failed(const std::string& task_id, std::string error, std::string cause) {
  return asl::Feedback{asl::Feedback::Kind::kTaskFailed, task_id, "", std::move(error),
                       std::move(cause)};
}

asl::Feedback Succeeded(const std::string& task_id, std::string output) {
  return asl::Feedback{asl::Feedback::Kind::kTaskSucceeded, task_id, std::move(output),
                       std::nullopt, std::nullopt};
}

asl::Feedback FromOutcome(const std::string& task_id, const outbound::TaskOutcome& o) {
  if (o.ok) return Succeeded(task_id, ToJson(o.output));
  return Failed(task_id, o.error, o.cause);
}

// Feeds `fb` to the execution on its own strand; a feed that finds the task
// gone (stopped, timed out meanwhile) is dropped.
net::awaitable<void> FeedBack(Engine::Impl* impl, Shard* shard, std::string arn, asl::Feedback fb) {
  Status s =
      co_await net::co_spawn(shard->strand, impl->Feed(shard, arn, std::move(fb)), use_awaitable);
  if (!s.ok() && s.error().code() != Errc::kUnknownResource) {
    log::Info("answer of a task of " + arn + " dropped: " + s.error().message());
  }
}

struct CallContext {
  Engine::Impl* impl;
  Shard* shard;
  std::string execution_arn;
  std::string task_id;
  asl::Command command;
};

// What a Map Run's child execution takes from its parent.
struct ParentDefinition {
  asl::StateMachinePtr machine;
  std::string definition_arn, revision_id, role_arn;
};

// ---------------------------------------------------------------- HTTP, Lambda

net::awaitable<void> CallHttp(CallContext c) {
  auto args = ParseJson(c.command.input);
  std::string id = c.task_id;
  if (!args.ok() || !args->is_object()) {
    co_return co_await FeedBack(
        c.impl, c.shard, c.execution_arn,
        Failed(id, "States.Runtime", "The HTTP Task's arguments are not an object"));
  }
  auto request = outbound::BuildHttpTaskRequest(args->as_object(), c.impl->options.outbound);
  if (!request.ok()) {
    co_return co_await FeedBack(c.impl, c.shard, c.execution_arn,
                                Failed(id, "States.Runtime", request.error().message()));
  }
  if (!c.impl->http) {
    co_return co_await FeedBack(c.impl, c.shard, c.execution_arn,
                                Failed(id, "States.Runtime", "HTTP calls are not available"));
  }
  auto response = co_await c.impl->http->Send(std::move(*request));
  outbound::TaskOutcome outcome = response.ok() ? outbound::HttpTaskResult(*response)
                                                : outbound::HttpTaskFailure(response.error());
  bool callback = c.command.resource.ends_with(".waitForTaskToken");
  if (callback && outcome.ok) {
    // The request went out; the execution now waits for SendTask*.
    asl::Feedback submitted{asl::Feedback::Kind::kTaskSubmitted, id, ToJson(outcome.output),
                            std::nullopt, std::nullopt};
    co_return co_await FeedBack(c.impl, c.shard, c.execution_arn, std::move(submitted));
  }
  co_return co_await FeedBack(c.impl, c.shard, c.execution_arn, FromOutcome(id, outcome));
}

net::awaitable<void> CallLambda(CallContext c) {
  std::string id = c.task_id;
  const std::string& resource = c.command.resource;
  bool invoke = resource.starts_with("arn:aws:states:::lambda:invoke");
  std::string function;
  std::string payload = c.command.input;
  if (invoke) {
    auto args = ParseJson(c.command.input);
    const json::string* name =
        args.ok() && args->is_object() ? FindString(args->as_object(), "FunctionName") : nullptr;
    if (!name) {
      co_return co_await FeedBack(c.impl, c.shard, c.execution_arn,
                                  Failed(id, "States.Runtime", "lambda:invoke needs FunctionName"));
    }
    function = std::string(*name);
    const json::value* p = Find(args->as_object(), "Payload");
    payload = p ? ToJson(*p) : "{}";
  } else {
    function = resource;
  }
  auto request = outbound::BuildLambdaRequest(function, payload, c.impl->options.outbound);
  if (!request.ok() || !c.impl->http) {
    std::string why = request.ok() ? "HTTP calls are not available" : request.error().message();
    co_return co_await FeedBack(c.impl, c.shard, c.execution_arn,
                                Failed(id, "States.Runtime", why));
  }
  auto response = co_await c.impl->http->Send(std::move(*request));
  auto shape =
      invoke ? outbound::LambdaResultShape::kInvokeOutput : outbound::LambdaResultShape::kPayload;
  outbound::TaskOutcome outcome = response.ok() ? outbound::LambdaTaskResult(*response, shape)
                                                : outbound::LambdaTaskFailure(response.error());
  co_return co_await FeedBack(c.impl, c.shard, c.execution_arn, FromOutcome(id, outcome));
}

// ---------------------------------------------------------------- nested executions

// DescribeExecution's answer as the service integration returns it
// (PascalCase; with .sync:2 Input and Output as JSON, not text).
json::object DescribeForParent(const MachineExecution& d, bool as_json) {
  auto payload = [as_json](const std::string& text) -> json::value {
    if (!as_json) return json::value(text);
    auto v = ParseJson(text);
    return v.ok() ? std::move(*v) : json::value(text);
  };
  json::object o{{"ExecutionArn", d.execution_arn},
                 {"Input", payload(d.input)},
                 {"InputDetails", json::object{{"Included", true}}},
                 {"Name", d.name},
                 {"StartDate", d.start_time},
                 {"StateMachineArn", d.state_machine_arn},
                 {"Status", d.status},
                 {"StopDate", d.stop_time}};
  if (d.output) {
    o["Output"] = payload(*d.output);
    o["OutputDetails"] = json::object{{"Included", true}};
  }
  if (d.error) o["Error"] = *d.error;
  if (d.cause) o["Cause"] = *d.cause;
  return o;
}

// A name for a child the parent did not name: fixed by the parent's task, so
// that starting it again after a crash finds the same child.
std::string ChildName(const std::string& parent_arn, const std::string& task_id) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx",
                static_cast<unsigned long long>(asl::Fnv1a(parent_arn + "#" + task_id)),
                static_cast<unsigned long long>(asl::Fnv1a(task_id + "#" + parent_arn)));
  return buf;
}

std::string ServiceError(std::string_view fault) {
  return "StepFunctions." + std::string(fault) + "Exception";
}

net::awaitable<void> CallStartExecution(CallContext c) {
  std::string id = c.task_id;
  const std::string& resource = c.command.resource;
  bool sync = resource.find(".sync") != std::string::npos;
  bool sync2 = resource.ends_with(".sync:2");
  auto args = ParseJson(c.command.input);
  const json::object empty;
  const json::object& a = args.ok() && args->is_object() ? args->as_object() : empty;
  const json::string* machine_arn = FindString(a, "StateMachineArn");
  if (!machine_arn || !c.impl->resolver) {
    co_return co_await FeedBack(
        c.impl, c.shard, c.execution_arn,
        Failed(id, "States.Runtime", "states:startExecution needs StateMachineArn"));
  }
  auto target = c.impl->resolver(*machine_arn);
  if (!target.ok()) {
    co_return co_await FeedBack(
        c.impl, c.shard, c.execution_arn,
        Failed(id,
               ServiceError(target.error().type().empty() ? "StateMachineDoesNotExist"
                                                          : target.error().type()),
               target.error().message()));
  }
  MachineStart child = std::move(*target);
  const json::string* name = FindString(a, "Name");
  child.name = name ? std::string(*name) : ChildName(c.execution_arn, id);
  std::string prefix = child.state_machine_arn;
  prefix.replace(prefix.find(":stateMachine:"), 14, ":execution:");
  child.execution_arn = prefix + ":" + child.name;
  const json::value* input = Find(a, "Input");
  child.input = !input               ? "{}"
                : input->is_string() ? std::string(input->as_string())
                                     : ToJson(*input);
  child.parent_execution_arn = c.execution_arn;
  std::string child_arn = child.execution_arn;
  auto started = co_await c.impl->StartMachine(std::move(child));
  Millis start_date = 0;
  if (started.ok()) {
    start_date = started->start_time;
  } else if (started.error().code() == Errc::kAlreadyExists) {
    // Started before a crash by this same task: carry on with it.
    auto d = co_await c.impl->DescribeMachine(child_arn);
    if (!d.ok() || d->parent_execution_arn != c.execution_arn) {
      co_return co_await FeedBack(
          c.impl, c.shard, c.execution_arn,
          Failed(id, ServiceError("ExecutionAlreadyExists"), started.error().message()));
    }
    start_date = d->start_time;
  } else {
    co_return co_await FeedBack(c.impl, c.shard, c.execution_arn,
                                Failed(id, "States.Runtime", started.error().message()));
  }
  std::string response =
      ToJson(json::object{{"ExecutionArn", child_arn}, {"StartDate", start_date}});
  if (!sync) {
    bool callback = resource.ends_with(".waitForTaskToken");
    asl::Feedback fb = callback ? asl::Feedback{asl::Feedback::Kind::kTaskSubmitted, id, response,
                                                std::nullopt, std::nullopt}
                                : Succeeded(id, response);
    co_return co_await FeedBack(c.impl, c.shard, c.execution_arn, std::move(fb));
  }
  asl::Feedback submitted{asl::Feedback::Kind::kTaskSubmitted, id, response, std::nullopt,
                          std::nullopt};
  co_await FeedBack(c.impl, c.shard, c.execution_arn, std::move(submitted));
  Engine::Impl* impl = c.impl;
  Shard* shard = c.shard;
  std::string parent = c.execution_arn;
  std::function<void(MachineExecution)> on_child_close = [impl, shard, parent, id,
                                                          sync2](MachineExecution d) {
    json::object described = DescribeForParent(d, sync2);
    asl::Feedback fb = d.status == "SUCCEEDED" ? Succeeded(id, ToJson(described))
                                               : Failed(id, "States.TaskFailed", ToJson(described));
    net::co_spawn(shard->strand, FeedBack(impl, shard, parent, std::move(fb)), net::detached);
  };
  co_await c.impl->WatchMachine(child_arn, std::move(on_child_close));
}

// ---------------------------------------------------------------- Map Run iterations

// Starts (or, after a restart, finds) the child execution of a Distributed
// Map iteration and reports its close back to the parent.
net::awaitable<void> CallIteration(CallContext c, ParentDefinition parent) {
  const asl::Command& cmd = c.command;
  MapRunChild names = MapRunChildOf(cmd.map_run_arn, cmd.item_index);
  MachineStart child;
  child.execution_arn = names.execution_arn;
  child.name = names.name;
  child.state_machine_arn = names.state_machine_arn;
  child.state_machine_name = names.state_machine_arn.substr(names.state_machine_arn.rfind(':') + 1);
  child.revision_id = parent.revision_id;
  child.role_arn = parent.role_arn;
  child.input = cmd.input;
  child.parent_execution_arn = c.execution_arn;
  child.map_run_arn = cmd.map_run_arn;
  child.root_block = cmd.processor;
  child.definition_arn = parent.definition_arn;
  std::string id = c.task_id;
  auto started = co_await c.impl->StartCompiled(std::move(child), parent.machine);
  // kAlreadyExists: started before a restart (its name is this item's).
  if (!started.ok() && started.error().code() != Errc::kAlreadyExists) {
    co_return co_await FeedBack(c.impl, c.shard, c.execution_arn,
                                Failed(id, "States.Runtime", started.error().message()));
  }
  Engine::Impl* impl = c.impl;
  Shard* shard = c.shard;
  std::string parent_arn = c.execution_arn;
  std::function<void(MachineExecution)> on_child_close = [impl, shard, parent_arn,
                                                          id](MachineExecution d) {
    asl::Feedback fb = IterationOutcome(d, id);
    net::co_spawn(shard->strand, FeedBack(impl, shard, parent_arn, std::move(fb)), net::detached);
  };
  co_await c.impl->WatchMachine(names.execution_arn, std::move(on_child_close));
}

}  // namespace

void Engine::Impl::StartCall(Shard& shard, MachineRun& run, const std::string& task_id) {
  auto it = run.tasks.find(task_id);
  if (it == run.tasks.end()) return;
  const MachineTask& t = it->second;
  CallContext c{this, &shard, run.start.execution_arn, task_id, t.command};
  switch (t.kind) {
    case MachineTaskKind::kHttp:
      net::co_spawn(io, CallHttp(std::move(c)), net::detached);
      return;
    case MachineTaskKind::kLambda:
      net::co_spawn(io, CallLambda(std::move(c)), net::detached);
      return;
    case MachineTaskKind::kStartExecution:
      net::co_spawn(io, CallStartExecution(std::move(c)), net::detached);
      return;
    case MachineTaskKind::kMapIteration: {
      const MachineStart& s = run.start;
      ParentDefinition parent{run.machine,
                              s.definition_arn.empty() ? s.state_machine_arn : s.definition_arn,
                              s.revision_id, s.role_arn};
      net::co_spawn(io, CallIteration(std::move(c), std::move(parent)), net::detached);
      return;
    }
    case MachineTaskKind::kActivity:
    case MachineTaskKind::kUnsupported:
      break;
  }
  asl::Feedback fb = Failed(task_id, "States.Runtime",
                            "weft cannot call the resource '" + t.command.resource + "'");
  net::co_spawn(shard.strand, Feed(&shard, run.start.execution_arn, std::move(fb)), net::detached);
}

void Engine::SetMachineResolver(MachineResolver resolver) { impl_->resolver = std::move(resolver); }

}  // namespace weft::engine
