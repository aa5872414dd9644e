"""SWF helpers shared by the integration tests: registration, polling with
history paging, history reading and the history invariants."""

import json
import subprocess
import sys
import time

from weftserver import uniq

NONE = "NONE"


def make_domain(swf, prefix="dom", retention="1"):
    name = uniq(prefix)
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays=retention)
    return name


def make_workflow_type(swf, domain, name=None, version="1", task_list=None,
                       exec_timeout="60", task_timeout="10", child_policy="TERMINATE",
                       **extra):
    """Registers a workflow type with full defaults unless told otherwise
    (pass None to leave a default out)."""
    args = dict(domain=domain, name=name or uniq("wf"), version=version)
    if task_list is not None:
        args["defaultTaskList"] = {"name": task_list}
    if exec_timeout is not None:
        args["defaultExecutionStartToCloseTimeout"] = exec_timeout
    if task_timeout is not None:
        args["defaultTaskStartToCloseTimeout"] = task_timeout
    if child_policy is not None:
        args["defaultChildPolicy"] = child_policy
    args.update(extra)
    swf.register_workflow_type(**args)
    return {"name": args["name"], "version": version}


def make_activity_type(swf, domain, name=None, version="1", task_list=None,
                       schedule_to_start="30", schedule_to_close="60",
                       start_to_close="30", heartbeat=NONE, **extra):
    args = dict(domain=domain, name=name or uniq("act"), version=version)
    if task_list is not None:
        args["defaultTaskList"] = {"name": task_list}
    for key, value in (("defaultTaskScheduleToStartTimeout", schedule_to_start),
                       ("defaultTaskScheduleToCloseTimeout", schedule_to_close),
                       ("defaultTaskStartToCloseTimeout", start_to_close),
                       ("defaultTaskHeartbeatTimeout", heartbeat)):
        if value is not None:
            args[key] = value
    args.update(extra)
    swf.register_activity_type(**args)
    return {"name": args["name"], "version": version}


def start(swf, domain, wf_type, task_list, workflow_id=None, **extra):
    wid = workflow_id or uniq("wid")
    args = dict(domain=domain, workflowId=wid, workflowType=wf_type,
                taskList={"name": task_list})
    args.update(extra)
    run_id = swf.start_workflow_execution(**args)["runId"]
    return {"workflowId": wid, "runId": run_id}


def poll_decision(swf, domain, task_list, timeout=20, **extra):
    """Polls until a decision task arrives (or `timeout` s pass: returns None).
    Follows nextPageToken so that the returned task holds the whole history in
    task["events"]; the first page's response is kept in task["first_page"]."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = swf.poll_for_decision_task(domain=domain, taskList={"name": task_list},
                                          identity="decider", **extra)
        if task.get("taskToken"):
            first = dict(task)
            events = list(task["events"])
            page = task
            while page.get("nextPageToken"):
                page = swf.poll_for_decision_task(
                    domain=domain, taskList={"name": task_list}, identity="decider",
                    nextPageToken=page["nextPageToken"], **extra)
                events.extend(page["events"])
            task["events"] = events
            task["first_page"] = first
            return task
    return None


def poll_activity(swf, domain, task_list, timeout=20, identity="worker"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = swf.poll_for_activity_task(domain=domain, taskList={"name": task_list},
                                          identity=identity)
        if task.get("taskToken"):
            return task
    return None


def history(swf, domain, execution, **extra):
    """The whole history, following nextPageToken."""
    events = []
    args = dict(domain=domain, execution=execution, **extra)
    while True:
        page = swf.get_workflow_execution_history(**args)
        events.extend(page["events"])
        if not page.get("nextPageToken"):
            return events
        args["nextPageToken"] = page["nextPageToken"]


def types(events):
    return [e["eventType"] for e in events]


def attrs(event):
    """The <lowerCamelType>EventAttributes of an event."""
    t = event["eventType"]
    return event[t[0].lower() + t[1:] + "EventAttributes"]


def find(events, event_type):
    return [e for e in events if e["eventType"] == event_type]


def last(events, event_type):
    found = find(events, event_type)
    return found[-1] if found else None


def wait_for_event(swf, domain, execution, event_type, timeout=20, count=1):
    """Reads the history until `count` events of the type exist; returns them."""
    deadline = time.monotonic() + timeout
    while True:
        found = find(history(swf, domain, execution), event_type)
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("no %d x %s in %s within %s s: %s" % (
                count, event_type, execution, timeout,
                types(history(swf, domain, execution))))
        time.sleep(0.2)


def wait_closed(swf, domain, execution, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        info = swf.describe_workflow_execution(domain=domain, execution=execution)
        if info["executionInfo"]["executionStatus"] == "CLOSED":
            return info
        if time.monotonic() > deadline:
            raise AssertionError("%s still open after %s s: %s" % (
                execution, timeout, types(history(swf, domain, execution))))
        time.sleep(0.2)


def decide(swf, task, *decisions, **extra):
    return swf.respond_decision_task_completed(taskToken=task["taskToken"],
                                               decisions=list(decisions), **extra)


def schedule(activity_type, activity_id, **attrs_):
    a = {"activityType": activity_type, "activityId": activity_id}
    a.update(attrs_)
    return {"decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": a}


def complete(result=None):
    a = {} if result is None else {"result": result}
    return {"decisionType": "CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes": a}


def fail(reason, details=None):
    a = {"reason": reason}
    if details is not None:
        a["details"] = details
    return {"decisionType": "FailWorkflowExecution",
            "failWorkflowExecutionDecisionAttributes": a}


def cancel_workflow(details=None):
    a = {} if details is None else {"details": details}
    return {"decisionType": "CancelWorkflowExecution",
            "cancelWorkflowExecutionDecisionAttributes": a}


def start_timer(timer_id, seconds, control=None):
    a = {"timerId": timer_id, "startToFireTimeout": str(seconds)}
    if control is not None:
        a["control"] = control
    return {"decisionType": "StartTimer", "startTimerDecisionAttributes": a}


def cancel_timer(timer_id):
    return {"decisionType": "CancelTimer",
            "cancelTimerDecisionAttributes": {"timerId": timer_id}}


def cancel_activity(activity_id):
    return {"decisionType": "RequestCancelActivityTask",
            "requestCancelActivityTaskDecisionAttributes": {"activityId": activity_id}}


def marker(name, details=None):
    a = {"markerName": name}
    if details is not None:
        a["details"] = details
    return {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": a}


def continue_as_new(**attrs):
    return {"decisionType": "ContinueAsNewWorkflowExecution",
            "continueAsNewWorkflowExecutionDecisionAttributes": attrs}


def start_child(workflow_type, workflow_id, **attrs):
    attrs.update(workflowType=workflow_type, workflowId=workflow_id)
    return {"decisionType": "StartChildWorkflowExecution",
            "startChildWorkflowExecutionDecisionAttributes": attrs}


def signal_external(workflow_id, name, **attrs):
    attrs.update(workflowId=workflow_id, signalName=name)
    return {"decisionType": "SignalExternalWorkflowExecution",
            "signalExternalWorkflowExecutionDecisionAttributes": attrs}


def cancel_external(workflow_id, **attrs):
    attrs.update(workflowId=workflow_id)
    return {"decisionType": "RequestCancelExternalWorkflowExecution",
            "requestCancelExternalWorkflowExecutionDecisionAttributes": attrs}


def schedule_lambda(function_id, name, **attrs):
    attrs.update(id=function_id, name=name)
    return {"decisionType": "ScheduleLambdaFunction",
            "scheduleLambdaFunctionDecisionAttributes": attrs}


def history_problems(events):
    """Checks the invariants every history must hold; returns a list of
    problems (empty when valid): event ids 1..n contiguous and ascending, no
    event twice, references to earlier events only, each activity closed at
    most once and started at most once per scheduling, at most one close
    event, and the close event last."""
    problems = []
    ids = [e["eventId"] for e in events]
    if ids != list(range(1, len(events) + 1)):
        problems.append("event ids are not 1..%d: %s" % (len(events), ids))
    by_id = {e["eventId"]: e for e in events}
    if events and events[0]["eventType"] != "WorkflowExecutionStarted":
        problems.append("first event is %s" % events[0]["eventType"])
    closes = [e for e in events if e["eventType"] in CLOSE_EVENTS]
    if len(closes) > 1:
        problems.append("several close events: %s" % types(closes))
    if closes and closes[0] is not events[-1]:
        problems.append("events after the close event %d" % closes[0]["eventId"])
    stamps = [e["eventTimestamp"] for e in events]
    if any(b < a for a, b in zip(stamps, stamps[1:])):
        problems.append("timestamps go backwards")
    started = {}
    closed = {}
    for e in events:
        t = e["eventType"]
        a = attrs(e)
        for key in ("scheduledEventId", "startedEventId", "decisionTaskCompletedEventId"):
            ref = a.get(key)
            if ref is not None and ref != 0 and (ref not in by_id or ref >= e["eventId"]):
                problems.append("%s %d refers to %s=%s" % (t, e["eventId"], key, ref))
        if t == "ActivityTaskStarted":
            sid = a["scheduledEventId"]
            if sid in started:
                problems.append("activity scheduled at %d started twice" % sid)
            started[sid] = e["eventId"]
        if t in ACTIVITY_CLOSE_EVENTS:
            sid = a["scheduledEventId"]
            if sid in closed:
                problems.append("activity scheduled at %d closed twice (%s, %s)"
                                % (sid, closed[sid], t))
            closed[sid] = t
    problems.extend(decision_task_problems(events))
    # Identical events (same type and attributes) twice are a replay bug,
    # except for those that legitimately repeat with equal attributes.
    seen = set()
    for e in events:
        if e["eventType"] in ("DecisionTaskScheduled", "WorkflowExecutionSignaled"):
            continue
        key = (e["eventType"], repr(sorted(attrs(e).items())))
        if key in seen:
            problems.append("event %d (%s) duplicates an earlier one" % (
                e["eventId"], e["eventType"]))
        seen.add(key)
    return problems


def decision_task_problems(events):
    """At most one decision task per execution: Scheduled -> Started ->
    Completed | TimedOut, with at most one more Scheduled waiting while one
    is started (SWF may write it at once or after DecisionTaskCompleted)."""
    problems = []
    scheduled = started = None  # event ids of the outstanding ones
    for e in events:
        t, eid = e["eventType"], e["eventId"]
        if not t.startswith("DecisionTask"):
            continue
        a = attrs(e)
        if t == "DecisionTaskScheduled":
            if scheduled is not None:
                problems.append("decision task %d scheduled while %d is pending" % (eid, scheduled))
            scheduled = eid
        elif t == "DecisionTaskStarted":
            if started is not None or a.get("scheduledEventId") != scheduled:
                problems.append("decision task started at %d out of turn (scheduled %s, "
                                "started %s)" % (eid, scheduled, started))
            started, scheduled = eid, None
        elif t == "DecisionTaskCompleted" or (t == "DecisionTaskTimedOut"
                                              and a.get("timeoutType") == "START_TO_CLOSE"):
            if started is None or a.get("startedEventId") != started:
                problems.append("%s %d does not close the started decision task %s"
                                % (t, eid, started))
            started = None
        elif t == "DecisionTaskTimedOut":  # SCHEDULE_TO_START
            if scheduled is None:
                problems.append("DecisionTaskTimedOut %d with no task scheduled" % eid)
            scheduled = None
    return problems


CLOSE_EVENTS = {"WorkflowExecutionCompleted", "WorkflowExecutionFailed",
                "WorkflowExecutionCanceled", "WorkflowExecutionTerminated",
                "WorkflowExecutionTimedOut", "WorkflowExecutionContinuedAsNew"}
ACTIVITY_CLOSE_EVENTS = {"ActivityTaskCompleted", "ActivityTaskFailed",
                         "ActivityTaskTimedOut", "ActivityTaskCanceled"}


class DomainAndType:
    """For a ServerTestCase: setUpClass registers a domain of its own
    (cls.domain, named from `domain_prefix`) and a workflow type with every
    default but a task list (cls.wf_type: 300 s executions, 30 s tasks)."""

    domain_prefix = "wf"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.domain = make_domain(cls.swf, cls.domain_prefix)
        cls.wf_type = make_workflow_type(cls.swf, cls.domain, exec_timeout="300",
                                         task_timeout="30")


def run_example(case, script, *args, timeout=180):
    """Runs an example's run.py (`script`) with `args`; asserts it exits 0 and
    prints one `RESULT {json}` line with "ok": true; returns that summary."""
    proc = subprocess.run([sys.executable, script, *args], capture_output=True, text=True,
                          timeout=timeout)
    output = "stdout:\n%s\nstderr:\n%s" % (proc.stdout[-4000:], proc.stderr[-4000:])
    case.assertEqual(proc.returncode, 0, output)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    case.assertEqual(len(lines), 1, output)
    summary = json.loads(lines[0][len("RESULT "):])
    case.assertTrue(summary["ok"], output)
    return summary
