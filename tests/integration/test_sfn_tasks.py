"""Step Functions tasks through boto3: activity workers (GetActivityTask long
poll, SendTaskSuccess/Failure/Heartbeat), Retry and Catch on activity
failures, TimeoutSeconds and HeartbeatSeconds, a callback
(.waitForTaskToken) approved from another process, forged and stale tokens,
Map and Parallel states whose tasks are served by activity workers."""

import json
import os
import subprocess
import sys
import textwrap
import time
import unittest

from sfnkit import (SfnTestCase, TaskFailed, activity_definition, create_activity,
                    create_machine, details, event_types, history, poll_token, start,
                    wait_for_status)


class ActivityWorkerTest(SfnTestCase):

    def test_empty_poll_answers_without_token(self):
        act = create_activity(self.sfn)
        t0 = time.monotonic()
        resp = self.sfn.get_activity_task(activityArn=act, workerName="idle")
        took = time.monotonic() - t0
        self.assertNotIn("taskToken", resp)
        self.assertNotIn("input", resp)
        # Held for the server's poll timeout (2 s in these tests), not forever.
        self.assertGreater(took, self.server.poll_timeout * 0.5)
        self.assertLess(took, self.server.poll_timeout + 5)

    def test_worker_loop(self):
        act = create_activity(self.sfn)
        machine = create_machine(self.sfn, activity_definition(
            act, Parameters={"n.$": "$.n", "fixed": "yes"}, ResultPath="$.result"))
        self.workers(act, lambda data: {"double": data["n"] * 2}, count=2)
        arns = [start(self.sfn, machine, {"n": i}) for i in range(5)]
        for i, arn in enumerate(arns):
            d = wait_for_status(self.sfn, arn)
            self.assertEqual(d["status"], "SUCCEEDED", d)
            self.assertEqual(json.loads(d["output"]), {"n": i, "result": {"double": 2 * i}})
        events = history(self.sfn, arns[0])
        self.assertHistoryOk(events)
        self.assertEqual(event_types(events), [
            "ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted",
            "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"])
        scheduled = details(events[2])
        self.assertEqual(scheduled["resource"], act)
        self.assertEqual(json.loads(scheduled["input"]), {"n": 0, "fixed": "yes"})
        self.assertIn(details(events[3])["workerName"], ("w0", "w1"))
        self.assertEqual(json.loads(details(events[4])["output"]), {"double": 0})

    def test_jsonata_task_arguments_output_assign_and_catch(self):
        act = create_activity(self.sfn)
        machine = create_machine(self.sfn, {"QueryLanguage": "JSONata", "StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": act, "Next": "Done",
                  "Arguments": {"n": "{% $states.input.n %}",
                                "has_token": "{% $length($states.context.Task.Token) > 0 %}"},
                  "Output": {"doubled": "{% $states.result.double %}", "n": "{% $states.input.n %}"},
                  "Assign": {"seen": "{% $states.result.double %}"},
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done",
                             "Output": {"caught": "{% $states.errorOutput.Error %}"}}]},
            "Done": {"Type": "Pass", "End": True,
                     "Output": "{% $merge([$states.input, {'seen': $exists($seen) ? $seen : null}]) %}"}}})

        def work(data):
            if data["n"] < 0:
                raise TaskFailed("Negative", "n < 0")
            return {"double": data["n"] * 2}
        self.workers(act, work)
        ok, bad = start(self.sfn, machine, {"n": 3}), start(self.sfn, machine, {"n": -1})
        d = wait_for_status(self.sfn, ok)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), {"doubled": 6, "n": 3, "seen": 6})
        events = history(self.sfn, ok)
        self.assertHistoryOk(events)
        scheduled = [e for e in events if e["type"] == "ActivityScheduled"][0]
        self.assertEqual(json.loads(details(scheduled)["input"]), {"n": 3, "has_token": True})
        exited = [e for e in events if e["type"] == "TaskStateExited"][0]
        self.assertEqual(details(exited)["assignedVariables"], {"seen": "6"})
        d = wait_for_status(self.sfn, bad)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), {"caught": "Negative", "seen": None})

    def test_failure_retry_and_catch(self):
        act = create_activity(self.sfn)
        definition = {"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": act, "Next": "Done",
                  "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1,
                             "MaxAttempts": 2, "BackoffRate": 1.0}],
                  "Catch": [{"ErrorEquals": ["Fatal"], "ResultPath": "$.err",
                             "Next": "Handled"}]},
            "Handled": {"Type": "Pass", "End": True},
            "Done": {"Type": "Pass", "End": True}}}
        machine = create_machine(self.sfn, definition)
        attempts = {}

        def handler(data):
            key = data["case"]
            attempts[key] = attempts.get(key, 0) + 1
            if key == "flaky-then-ok" and attempts[key] < 3:
                raise TaskFailed("Flaky", "attempt %d" % attempts[key])
            if key == "always-flaky":
                raise TaskFailed("Flaky", "again")
            if key == "fatal":
                raise TaskFailed("Fatal", "it broke")
            if key == "other":
                raise TaskFailed("Other.Error", "nobody catches this")
            return {"ok": key}
        self.workers(act, handler, count=2)
        cases = {c: start(self.sfn, machine, {"case": c})
                 for c in ("flaky-then-ok", "always-flaky", "fatal", "other")}

        ok = wait_for_status(self.sfn, cases["flaky-then-ok"], timeout=20)
        self.assertEqual((ok["status"], json.loads(ok["output"])),
                         ("SUCCEEDED", {"ok": "flaky-then-ok"}))
        events = history(self.sfn, cases["flaky-then-ok"])
        self.assertHistoryOk(events)
        self.assertEqual(event_types(events).count("ActivityScheduled"), 3)
        self.assertEqual(event_types(events).count("ActivityFailed"), 2)
        self.assertEqual(details([e for e in events if e["type"] == "ActivityFailed"][0]),
                         {"error": "Flaky", "cause": "attempt 1"})

        flaky = wait_for_status(self.sfn, cases["always-flaky"], timeout=20)
        self.assertEqual((flaky["status"], flaky["error"], flaky["cause"]),
                         ("FAILED", "Flaky", "again"))
        self.assertEqual(event_types(history(self.sfn, cases["always-flaky"]))
                         .count("ActivityScheduled"), 3)

        fatal = wait_for_status(self.sfn, cases["fatal"])
        self.assertEqual(fatal["status"], "SUCCEEDED")
        self.assertEqual(json.loads(fatal["output"]),
                         {"case": "fatal", "err": {"Error": "Fatal", "Cause": "it broke"}})
        self.assertEqual(attempts["fatal"], 1)

        other = wait_for_status(self.sfn, cases["other"])
        self.assertEqual((other["status"], other["error"], other["cause"]),
                         ("FAILED", "Other.Error", "nobody catches this"))
        events = history(self.sfn, cases["other"])
        self.assertHistoryOk(events)
        self.assertEqual(event_types(events)[-2:], ["ActivityFailed", "ExecutionFailed"])
        self.assertNotIn("TaskStateExited", event_types(events))

    def test_task_timeout(self):
        act = create_activity(self.sfn)
        machine = create_machine(self.sfn, activity_definition(act, timeout=1))
        arn = start(self.sfn, machine)
        task = poll_token(self.sfn, act)
        d = wait_for_status(self.sfn, arn, timeout=10)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.Timeout"))
        events = history(self.sfn, arn)
        self.assertHistoryOk(events)
        self.assertIn("ActivityTimedOut", event_types(events))
        self.assertEqual(details([e for e in events if e["type"] == "ActivityTimedOut"][0])
                         ["error"], "States.Timeout")
        # The worker answering after the timeout: AWS says TaskTimedOut.
        self.assertFault("TaskTimedOut", self.sfn.send_task_success,
                         taskToken=task["taskToken"], output="{}")

    def test_timeout_counts_while_nobody_polls(self):
        act = create_activity(self.sfn)
        machine = create_machine(self.sfn, activity_definition(act, timeout=1))
        arn = start(self.sfn, machine)
        d = wait_for_status(self.sfn, arn, timeout=10)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.Timeout"))
        # The timed-out task is not handed out afterwards.
        self.assertNotIn("taskToken", self.sfn.get_activity_task(activityArn=act))

    def test_heartbeats(self):
        act = create_activity(self.sfn)
        machine = create_machine(self.sfn, activity_definition(act, timeout=20, heartbeat=1))
        kept = start(self.sfn, machine, {"which": "kept"})
        task = poll_token(self.sfn, act)
        # Heartbeats every 0.4 s keep the task alive well past HeartbeatSeconds.
        until = time.monotonic() + 2.5
        while time.monotonic() < until:
            self.sfn.send_task_heartbeat(taskToken=task["taskToken"])
            time.sleep(0.4)
        self.assertEqual(self.sfn.describe_execution(executionArn=kept)["status"], "RUNNING")
        self.sfn.send_task_success(taskToken=task["taskToken"], output='{"beat": true}')
        d = wait_for_status(self.sfn, kept)
        self.assertEqual((d["status"], json.loads(d["output"])), ("SUCCEEDED", {"beat": True}))

        silent = start(self.sfn, machine, {"which": "silent"})
        task = poll_token(self.sfn, act)
        d = wait_for_status(self.sfn, silent, timeout=10)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.HeartbeatTimeout"))
        events = history(self.sfn, silent)
        self.assertHistoryOk(events)
        self.assertEqual(details([e for e in events if e["type"] == "ActivityTimedOut"][0])
                         ["error"], "States.HeartbeatTimeout")
        self.assertFault("TaskTimedOut", self.sfn.send_task_heartbeat,
                         taskToken=task["taskToken"])

    def test_tokens_forged_and_stale(self):
        act = create_activity(self.sfn)
        machine = create_machine(self.sfn, activity_definition(act))
        arn = start(self.sfn, machine)
        token = poll_token(self.sfn, act)["taskToken"]
        # Altered in its last character (the signature) or in its first.
        for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"),
                       ("x" if token[0] != "x" else "y") + token[1:],
                       "not-a-token"):
            for op, kw in ((self.sfn.send_task_success, {"output": "{}"}),
                           (self.sfn.send_task_failure, {}),
                           (self.sfn.send_task_heartbeat, {})):
                self.assertFault("InvalidToken", op, taskToken=forged, **kw)
        self.assertFault("InvalidOutput", self.sfn.send_task_success, taskToken=token,
                         output="{not json")
        self.assertEqual(self.sfn.describe_execution(executionArn=arn)["status"], "RUNNING")
        self.sfn.send_task_success(taskToken=token, output='{"first": 1}')
        d = wait_for_status(self.sfn, arn)
        self.assertEqual(json.loads(d["output"]), {"first": 1})
        # Completed once; the second answer is refused and changes nothing.
        self.assertFault("TaskTimedOut", self.sfn.send_task_success, taskToken=token,
                         output='{"second": 2}')
        self.assertFault("TaskTimedOut", self.sfn.send_task_failure, taskToken=token)
        self.assertEqual(json.loads(self.sfn.describe_execution(executionArn=arn)["output"]),
                         {"first": 1})


APPROVER = textwrap.dedent("""
    import json, sys, time
    import boto3
    from botocore.config import Config
    endpoint, child = sys.argv[1], sys.argv[2]
    sfn = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x",
                       config=Config(retries={"max_attempts": 1}))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        listed = sfn.list_executions(stateMachineArn=child)["executions"]
        if listed:
            break
        time.sleep(0.1)
    else:
        sys.exit("no child execution")
    request = json.loads(sfn.describe_execution(
        executionArn=listed[0]["executionArn"])["input"])
    sfn.send_task_heartbeat(taskToken=request["token"])
    sfn.send_task_success(taskToken=request["token"],
                          output=json.dumps({"approved": True, "order": request["order"]}))
    print("approved", request["order"])
""")


class CallbackTest(SfnTestCase):

    def test_callback_approved_by_another_process(self):
        child = create_machine(self.sfn, {"StartAt": "Ask", "States": {
            "Ask": {"Type": "Pass", "End": True}}}, prefix="approval")
        parent = create_machine(self.sfn, {"StartAt": "WaitForApproval", "States": {
            "WaitForApproval": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.waitForTaskToken",
                "Parameters": {"StateMachineArn": child,
                               "Input": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
                "TimeoutSeconds": 30, "End": True}}}, prefix="order")
        arn = start(self.sfn, parent, {"order": 42})
        proc = subprocess.run([sys.executable, "-c", APPROVER, self.server.url, child],
                              capture_output=True, text=True, timeout=60,
                              env=dict(os.environ, PYTHONPATH=""))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("approved 42", proc.stdout)
        d = wait_for_status(self.sfn, arn)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), {"approved": True, "order": 42})
        events = history(self.sfn, arn)
        self.assertHistoryOk(events)
        types = event_types(events)
        for t in ("TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"):
            self.assertIn(t, types)
        scheduled = details(events[types.index("TaskScheduled")])
        self.assertEqual((scheduled["resourceType"], scheduled["resource"]),
                         ("states", "startExecution.waitForTaskToken"))


class MapParallelTest(SfnTestCase):

    def test_map_items_served_by_workers(self):
        act = create_activity(self.sfn)
        machine = create_machine(self.sfn, {"StartAt": "Each", "States": {
            "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
                     "ItemSelector": {"n.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                     "ItemProcessor": {"StartAt": "Work", "States": {
                         "Work": {"Type": "Task", "Resource": act, "End": True}}},
                     "End": True}}})
        self.workers(act, lambda d: {"sq": d["n"] * d["n"], "i": d["i"]}, count=2)
        arn = start(self.sfn, machine, {"items": [1, 2, 3, 4, 5]})
        d = wait_for_status(self.sfn, arn, timeout=20)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]),
                         [{"sq": n * n, "i": n - 1} for n in range(1, 6)])
        events = history(self.sfn, arn)
        self.assertHistoryOk(events)
        types = event_types(events)
        self.assertEqual(types.count("MapIterationStarted"), 5)
        self.assertEqual(types.count("MapIterationSucceeded"), 5)
        self.assertEqual(types.count("ActivitySucceeded"), 5)
        for t in ("MapStateEntered", "MapStateStarted", "MapStateSucceeded", "MapStateExited"):
            self.assertEqual(types.count(t), 1, t)
        self.assertEqual(details(events[types.index("MapStateStarted")]).get("length"), 5)

    def test_map_item_failure_fails_the_map(self):
        act = create_activity(self.sfn)
        machine = create_machine(self.sfn, {"StartAt": "Each", "States": {
            "Each": {"Type": "Map", "ItemsPath": "$.items",
                     "ItemProcessor": {"StartAt": "Work", "States": {
                         "Work": {"Type": "Task", "Resource": act, "End": True}}},
                     "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                     "End": True},
            "Caught": {"Type": "Pass", "End": True}}})

        def handler(d):
            if d == 3:
                raise TaskFailed("Bad.Item", "three")
            return d
        self.workers(act, handler)
        arn = start(self.sfn, machine, {"items": [1, 2, 3]})
        d = wait_for_status(self.sfn, arn, timeout=20)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), {"Error": "Bad.Item", "Cause": "three"})
        types = event_types(history(self.sfn, arn))
        self.assertIn("MapIterationFailed", types)
        self.assertIn("MapStateFailed", types)

    def test_parallel_branches_with_activities(self):
        a, b = create_activity(self.sfn, "left"), create_activity(self.sfn, "right")
        machine = create_machine(self.sfn, {"StartAt": "Both", "States": {
            "Both": {"Type": "Parallel", "ResultPath": "$.results", "End": True, "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": a, "End": True}}},
                {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": b,
                                                  "End": True}}}]}}})
        self.workers(a, lambda d: {"from": "a", "x": d["x"]})
        self.workers(b, lambda d: {"from": "b", "x": d["x"] + 1})
        arn = start(self.sfn, machine, {"x": 10})
        d = wait_for_status(self.sfn, arn, timeout=20)
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]),
                         {"x": 10, "results": [{"from": "a", "x": 10}, {"from": "b", "x": 11}]})
        events = history(self.sfn, arn)
        self.assertHistoryOk(events)
        types = event_types(events)
        for t in ("ParallelStateEntered", "ParallelStateStarted", "ParallelStateSucceeded",
                  "ParallelStateExited"):
            self.assertEqual(types.count(t), 1, t)
        self.assertEqual(types.count("ActivitySucceeded"), 2)

    def test_parallel_branch_failure(self):
        a, b = create_activity(self.sfn, "left"), create_activity(self.sfn, "right")
        machine = create_machine(self.sfn, {"StartAt": "Both", "States": {
            "Both": {"Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": a, "End": True}}},
                {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": b,
                                                  "End": True}}}]}}})

        def fail(d):
            raise TaskFailed("Branch.Broke", "b failed")
        self.workers(b, fail)
        arn = start(self.sfn, machine, {})
        d = wait_for_status(self.sfn, arn, timeout=20)
        self.assertEqual((d["status"], d["error"], d["cause"]),
                         ("FAILED", "Branch.Broke", "b failed"))
        events = history(self.sfn, arn)
        self.assertHistoryOk(events)
        self.assertIn("ParallelStateFailed", event_types(events))
        # Branch A's activity task, never taken, is not handed out afterwards.
        self.assertNotIn("taskToken", self.sfn.get_activity_task(activityArn=a))


if __name__ == "__main__":
    unittest.main()
