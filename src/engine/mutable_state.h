// src/engine/mutable_state.h: what an open SWF execution looks like now,
// derived from its history.
//
// Apply() is the only way the state changes, and it reads nothing but the
// event: replaying a stored history rebuilds the same state (a property the
// tests check). Deciding what to append (validation, defaults, causes) is the
// engine's job (execution.h); this class only folds events.
//
// The state does not keep the history itself: only what later commands
// need. Save() writes it as a snapshot (stored in the execution's row with
// every step) and Restore() reads it back, so that loading an execution reads
// one row, not its history; replaying the history gives the same snapshot
// (tests/unit/engine: every execution of the engine tests is checked).
//
// Not thread-safe: an execution's state is touched only on its shard's strand.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "engine/history_event.h"

namespace weft::engine {

// Durations in SWF are strings of seconds or "NONE"; 0 here means NONE.
int64_t ParseDurationSeconds(const json::object& attrs, std::string_view key);

struct ActivityInfo {
  std::string activity_id;
  int64_t scheduled_event_id = 0;
  int64_t started_event_id = 0;  // 0 while not started
  std::string task_list;
  int32_t priority = 0;
  int64_t schedule_to_start = 0, schedule_to_close = 0, start_to_close = 0, heartbeat = 0;
  Millis scheduled_time = 0;
  Millis started_time = 0;
  json::object activity_type;        // {name, version}: handed to the worker
  std::optional<std::string> input;  // handed to the worker
  // Heartbeats write no event: replay takes the start to be the last one;
  // the snapshot holds the last one written (Engine::Impl::WriteRowOnly).
  Millis last_heartbeat = 0;
  std::optional<std::string> heartbeat_details;
  bool cancel_requested = false;
  int64_t cancel_requested_event_id = 0;  // the latest ActivityTaskCancelRequested
};

// A signal or cancel request this run sent to another execution that has not
// been answered yet (no ExternalWorkflowExecution{Signaled,CancelRequested}
// or *Failed event). Its initiated event id names it to the target, which
// records it once (MutableState::HasReceived).
struct ExternalRequest {
  int64_t initiated_event_id = 0;
  bool cancel = false;              // RequestCancelExternal; else SignalExternal
  std::string workflow_id, run_id;  // run_id "" = the open run
  std::string signal_name;
  std::optional<std::string> input, control;
  int64_t decision_task_completed_event_id = 0;
};

// A child workflow this run started (StartChildWorkflowExecutionInitiated)
// that has not closed yet, as the parent knows it.
struct ChildInfo {
  int64_t initiated_event_id = 0;
  std::string workflow_id;
  std::string run_id;            // "" until ChildWorkflowExecutionStarted
  int64_t started_event_id = 0;  // ChildWorkflowExecutionStarted
  json::object workflow_type;    // {name, version}
  json::object initiated;        // the Initiated event's attributes (what to start)
};

// A Lambda function scheduled by ScheduleLambdaFunction that has not ended.
struct LambdaInfo {
  int64_t scheduled_event_id = 0;
  std::string id, name;
  std::optional<std::string> input;
  int64_t start_to_close = 300;  // seconds
  int64_t started_event_id = 0;  // 0 until LambdaFunctionStarted
  Millis started_time = 0;
};

// The parent of a child workflow run, from its WorkflowExecutionStarted.
struct ParentInfo {
  std::string workflow_id, run_id;
  int64_t initiated_event_id = 0;
};

struct TimerInfo {
  int64_t started_event_id = 0;
  Millis fire_time = 0;
};

struct DecisionTaskInfo {
  int64_t scheduled_event_id = 0;
  int64_t started_event_id = 0;  // 0 while not started
  Millis scheduled_time = 0;
  Millis started_time = 0;
  std::string task_list;
  int32_t priority = 0;
  int64_t start_to_close = 0;
  int64_t schedule_to_start = 0;  // 0: none
};

class MutableState {
 public:
  // The identity is not in the history (WorkflowExecutionStarted does not
  // carry it): it comes from the execution's stored record.
  MutableState(std::string domain, std::string workflow_id, std::string run_id)
      : domain_(std::move(domain)),
        workflow_id_(std::move(workflow_id)),
        run_id_(std::move(run_id)) {}

  // Folds one event into the state. Events must come in id order.
  void Apply(const HistoryEvent& event);

  // The snapshot: a versioned JSON object of numbered fields ("1", "2", ...;
  // a field is never renumbered, a new one takes the next number).
  json::object Save() const;
  // The state a snapshot holds; kInternal if it is not one.
  static Result<MutableState> Restore(std::string domain, std::string workflow_id,
                                      std::string run_id, const json::object& snapshot);

  int64_t last_event_id() const { return last_event_id_; }
  // The type of the last event: the close event of a closed run.
  EventType last_event_type() const { return last_event_type_; }

  // WorkflowExecutionStarted's configuration: its timeouts, taskList,
  // taskPriority, childPolicy and lambdaRole (not its input).
  const json::object& started() const { return started_; }
  const std::string& domain() const { return domain_; }
  const std::string& workflow_id() const { return workflow_id_; }
  const std::string& run_id() const { return run_id_; }
  const std::string& task_list() const { return task_list_; }
  // Where the next decision task goes: the task list a decider chose with
  // RespondDecisionTaskCompleted's taskList, else the execution's; and how
  // long it may wait there before it times out (SCHEDULE_TO_START) and goes
  // back to the execution's task list (0: no limit).
  const std::string& decision_task_list() const {
    return decision_list_override_.empty() ? task_list_ : decision_list_override_;
  }
  int64_t decision_schedule_to_start() const { return override_schedule_to_start_; }
  int32_t task_priority() const { return task_priority_; }
  int64_t execution_start_to_close() const { return execution_start_to_close_; }
  int64_t task_start_to_close() const { return task_start_to_close_; }
  Millis start_time() const { return start_time_; }

  bool open() const { return close_status_.empty(); }
  const std::string& close_status() const { return close_status_; }
  Millis close_time() const { return close_time_; }
  bool cancel_requested() const { return cancel_requested_; }

  const std::optional<DecisionTaskInfo>& decision_task() const { return decision_; }
  // Events that need a decider arrived and no decision task covers them yet.
  bool decision_pending() const { return decision_pending_; }
  int64_t previous_started_event_id() const { return previous_started_event_id_; }

  std::map<int64_t, ActivityInfo>& activities() { return activities_; }
  const std::map<int64_t, ActivityInfo>& activities() const { return activities_; }
  ActivityInfo* FindActivity(int64_t scheduled_event_id);
  ActivityInfo* FindActivityById(const std::string& activity_id);
  const std::map<std::string, TimerInfo>& timers() const { return timers_; }
  const std::map<int64_t, ExternalRequest>& external_requests() const { return external_; }
  const std::map<int64_t, ChildInfo>& children() const { return children_; }
  const std::map<int64_t, LambdaInfo>& lambdas() const { return lambdas_; }
  const std::optional<ParentInfo>& parent() const { return parent_; }
  // The child policy of this run: its close event's, else its start's.
  const std::string& child_policy() const { return child_policy_; }
  // Whether this run has recorded the signal or cancel request that run
  // `initiator_run_id` initiated at event `initiated_event_id`.
  bool HasReceived(const std::string& initiator_run_id, int64_t initiated_event_id) const {
    return received_.contains({initiator_run_id, initiated_event_id});
  }

  Millis latest_activity_task_timestamp() const { return latest_activity_scheduled_; }
  const std::optional<std::string>& latest_execution_context() const {
    return latest_execution_context_;
  }

 private:
  void ApplyStarted(const HistoryEvent& e);
  void ApplyActivityScheduled(const HistoryEvent& e);
  void NoteDecisionTrigger();
  void NoteReceived(const json::object& attributes);
  void Close(const HistoryEvent& e, std::string status);

  int64_t last_event_id_ = 0;
  EventType last_event_type_{};
  json::object started_;
  std::string domain_, workflow_id_, run_id_, task_list_;
  int32_t task_priority_ = 0;
  int64_t execution_start_to_close_ = 0, task_start_to_close_ = 0;
  Millis start_time_ = 0, close_time_ = 0;
  std::string close_status_;
  bool cancel_requested_ = false;

  std::optional<DecisionTaskInfo> decision_;
  bool decision_pending_ = false;
  std::string decision_list_override_;
  int64_t override_schedule_to_start_ = 0;
  int64_t previous_started_event_id_ = 0;
  std::optional<std::string> latest_execution_context_;
  Millis latest_activity_scheduled_ = 0;

  std::map<int64_t, ExternalRequest> external_;  // by initiated event id
  std::map<int64_t, ChildInfo> children_;        // open children, by initiated id
  std::map<int64_t, LambdaInfo> lambdas_;        // open ones, by scheduled event id
  std::optional<ParentInfo> parent_;
  std::string child_policy_;
  std::set<std::pair<std::string, int64_t>> received_;     // (initiator runId, initiated event id)
  std::map<int64_t, ActivityInfo> activities_;             // by scheduled event id
  std::unordered_map<std::string, int64_t> activity_ids_;  // activityId -> scheduled id
  std::map<std::string, TimerInfo> timers_;                // by timerId
};

}  // namespace weft::engine
