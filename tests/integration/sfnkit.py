"""Step Functions helpers for the integration tests (boto3 `stepfunctions`
clients on a WeftServer, see weftserver.py).

- SfnTestCase: ServerTestCase with self.sfn (a client) and self.sync (the same
  without botocore's `sync-` host prefix, for StartSyncExecution).
  RestartableSfnTestCase: the same on a server of its own, with restart().
- create_machine / create_activity with unique names, definition builders.
- wait_for_status: polls DescribeExecution with short sleeps and a deadline.
- history: GetExecutionHistory following nextToken; history_problems: the
  invariants every history must keep (ids contiguous from 1, previousEventId
  pointing back, one ExecutionStarted first, at most one close event, last).
- ActivityWorker: a thread running a GetActivityTask loop with its own client.
"""

import json
import threading
import time

from botocore.exceptions import ClientError

from weftserver import OwnServer, ServerTestCase, error_code, uniq

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = "arn:aws:iam::%s:role/weft-test" % ACCOUNT
SM_PREFIX = "arn:aws:states:%s:%s:stateMachine:" % (REGION, ACCOUNT)
ACTIVITY_PREFIX = "arn:aws:states:%s:%s:activity:" % (REGION, ACCOUNT)
EXECUTION_PREFIX = "arn:aws:states:%s:%s:execution:" % (REGION, ACCOUNT)
CLOSED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
CLOSE_EVENTS = ("ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted",
                "ExecutionTimedOut")


# -- definitions -----------------------------------------------------------

def dumps(definition):
    return definition if isinstance(definition, str) else json.dumps(definition)


def pass_definition(result=None):
    state = {"Type": "Pass", "End": True}
    if result is not None:
        state["Result"] = result
    return {"StartAt": "P", "States": {"P": state}}


def wait_definition(seconds):
    return {"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": seconds, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True}}}


def activity_definition(activity_arn, timeout=None, heartbeat=None, **extra):
    task = {"Type": "Task", "Resource": activity_arn, "End": True}
    if timeout is not None:
        task["TimeoutSeconds"] = timeout
    if heartbeat is not None:
        task["HeartbeatSeconds"] = heartbeat
    task.update(extra)
    return {"StartAt": "T", "States": {"T": task}}


# -- resources -------------------------------------------------------------

def create_machine(sfn, definition, type="STANDARD", prefix="sm", **kwargs):
    """Creates a state machine with a unique name; returns its ARN."""
    resp = sfn.create_state_machine(
        name=kwargs.pop("name", None) or uniq(prefix), definition=dumps(definition),
        roleArn=ROLE, type=type, **kwargs)
    return resp["stateMachineArn"]


def create_activity(sfn, prefix="act"):
    return sfn.create_activity(name=uniq(prefix))["activityArn"]


def start(sfn, machine_arn, input=None, name=None):
    kwargs = {"stateMachineArn": machine_arn}
    if input is not None:
        kwargs["input"] = input if isinstance(input, str) else json.dumps(input)
    if name is not None:
        kwargs["name"] = name
    return sfn.start_execution(**kwargs)["executionArn"]


# -- waiting and reading ---------------------------------------------------

def wait_for_status(sfn, execution_arn, statuses=CLOSED, timeout=15.0):
    """Polls DescribeExecution until its status is one of `statuses`;
    returns the description. AssertionError at the deadline."""
    if isinstance(statuses, str):
        statuses = (statuses,)
    deadline = time.monotonic() + timeout
    while True:
        d = sfn.describe_execution(executionArn=execution_arn)
        if d["status"] in statuses:
            return d
        if time.monotonic() > deadline:
            raise AssertionError("%s still %s after %.1f s (waiting for %s)"
                                 % (execution_arn, d["status"], timeout, statuses))
        time.sleep(0.05)


def history(sfn, execution_arn, **kwargs):
    """Every event, following nextToken."""
    events, token = [], None
    while True:
        args = dict(kwargs, executionArn=execution_arn)
        if token:
            args["nextToken"] = token
        page = sfn.get_execution_history(**args)
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return events


def wait_for_event(sfn, execution_arn, event_type, timeout=10.0, count=1):
    """Waits until the history holds `count` events of `event_type`."""
    deadline = time.monotonic() + timeout
    while True:
        events = history(sfn, execution_arn)
        if sum(1 for e in events if e["type"] == event_type) >= count:
            return events
        if time.monotonic() > deadline:
            raise AssertionError("no %dx %s in %s after %.1f s: %s" % (
                count, event_type, execution_arn, timeout, [e["type"] for e in events]))
        time.sleep(0.05)


def event_types(events):
    return [e["type"] for e in events]


def details(event):
    """The one *EventDetails member of an event ({} if none)."""
    for key, value in event.items():
        if key.endswith("EventDetails"):
            return value
    return {}


def entered_states(events):
    return [details(e)["name"] for e in events if e["type"].endswith("StateEntered")]


def history_problems(events):
    """The invariants of any history, as a list of problems (empty when fine)."""
    problems = []
    if not events:
        return ["empty history"]
    ids = [e["id"] for e in events]
    if ids != list(range(1, len(events) + 1)):
        problems.append("ids are not 1..%d: %s" % (len(events), ids))
    if events[0]["type"] != "ExecutionStarted":
        problems.append("first event is %s" % events[0]["type"])
    for e in events:
        # previousEventId points back; AWS leaves it 0 on events 1 and 2 (the
        # first state entered) and on EvaluationFailed, never elsewhere.
        prev = e.get("previousEventId", 0)
        zero_ok = e["id"] <= 2 or e["type"] == "EvaluationFailed"
        if not (0 <= prev < e["id"]) or (prev == 0 and not zero_ok):
            problems.append("event %d (%s) has previousEventId %r" % (e["id"], e["type"], prev))
    closes = [e for e in events if e["type"] in CLOSE_EVENTS]
    if len(closes) > 1:
        problems.append("%d close events" % len(closes))
    if closes and closes[0] is not events[-1]:
        problems.append("%s is not the last event" % closes[0]["type"])
    stamps = [e["timestamp"] for e in events]
    if stamps != sorted(stamps):
        problems.append("timestamps go backwards")
    return problems


# -- activity workers ------------------------------------------------------

class TaskFailed(Exception):
    def __init__(self, error, cause=""):
        super().__init__(error)
        self.error, self.cause = error, cause


class ActivityWorker(threading.Thread):
    """Polls one activity until stopped. `handler(input_dict)` returns the
    output (a JSON-able value) or raises TaskFailed; `None` from the handler
    leaves the task unanswered (the token is kept in `self.tokens`)."""

    def __init__(self, server, activity_arn, handler, name="worker"):
        super().__init__(daemon=True)
        self.client = server.sfn_client()
        self.activity_arn, self.handler, self.worker_name = activity_arn, handler, name
        self.stopping = threading.Event()
        self.inputs, self.tokens, self.errors = [], [], []
        self.lock = threading.Lock()

    def run(self):
        while not self.stopping.is_set():
            try:
                task = self.client.get_activity_task(activityArn=self.activity_arn,
                                                     workerName=self.worker_name)
            except Exception as e:  # the server went away: try again shortly
                self.errors.append(e)
                time.sleep(0.2)
                continue
            token = task.get("taskToken")
            if not token:
                continue
            data = json.loads(task["input"])
            with self.lock:
                self.inputs.append(data)
                self.tokens.append(token)
            try:
                out = self.handler(data)
                if out is not None:
                    self.client.send_task_success(taskToken=token, output=json.dumps(out))
            except TaskFailed as f:
                self.client.send_task_failure(taskToken=token, error=f.error, cause=f.cause)
            except Exception as e:
                self.errors.append(e)

    def stop(self, timeout=10):
        """Stops after the poll in flight (which ends within the server's
        poll timeout)."""
        self.stopping.set()
        self.join(timeout)


class SfnTestCase(ServerTestCase):
    """ServerTestCase with Step Functions clients and helpers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sfn = cls.server.sfn_client()
        cls.sync = cls.server.sfn_client(host_prefix=False)

    def workers(self, activity_arn, handler, count=1):
        """Starts `count` ActivityWorkers, stopped at the end of the test."""
        ws = []
        for i in range(count):
            w = ActivityWorker(self.server, activity_arn, handler, name="w%d" % i)
            w.start()
            ws.append(w)

        def stop_all():  # all at once: each may sit in a poll of up to poll_timeout
            for w in ws:
                w.stopping.set()
            for w in ws:
                w.join(10)
        self.addCleanup(stop_all)
        return ws

    def assertHistoryOk(self, events):
        self.assertEqual(history_problems(events), [], event_types(events))

    def run_to_end(self, machine_arn, input=None, timeout=15.0, status=None):
        arn = start(self.sfn, machine_arn, input)
        d = wait_for_status(self.sfn, arn, CLOSED, timeout)
        if status is not None:
            self.assertEqual(d["status"], status, d)
        return d


class RestartableSfnTestCase(OwnServer, SfnTestCase):
    """An SfnTestCase on a server of its own, which restart() kills (-9) and
    starts again on the same data dir. Skipped against moto."""

    @classmethod
    def reconnect(cls):
        super().reconnect()
        cls.sfn = cls.server.sfn_client()
        cls.sync = cls.server.sfn_client(host_prefix=False)


def poll_token(sfn, activity_arn, deadline_s=10.0):
    """Polls until a task comes (a poll may answer empty); returns the task."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        task = sfn.get_activity_task(activityArn=activity_arn, workerName="t")
        if task.get("taskToken"):
            return task
    raise AssertionError("no activity task on %s within %.0f s" % (activity_arn, deadline_s))


__all__ = [n for n in dir() if not n.startswith("_")] + ["ClientError", "error_code", "uniq"]
