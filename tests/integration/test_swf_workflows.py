"""Executions, decisions and activity tasks through boto3 against a real weft
server, checked against the Amazon SWF semantics (swf-notes.md and the model)."""

import json
import socket
import threading
import time
import unittest

from botocore.exceptions import ClientError

import swfkit as k
from weftserver import ServerTestCase, WeftServer, error_code, uniq


def read_http_json(sock):
    """Reads one HTTP/1.1 response with a Content-Length from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("connection closed before a response: %r" % data)
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(l.split(":", 1)[1]) for l in lines[1:]
                  if l.lower().startswith("content-length:"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, json.loads(rest[:length] or b"{}")


class Flow:
    """One execution driven step by step by the test (decider and worker are
    the test itself), on task lists of its own."""

    def __init__(self, case, wf_type=None, **start_extra):
        self.case, self.swf, self.domain = case, case.swf, case.domain
        self.dtl, self.atl = uniq("dtl"), uniq("atl")
        self.wf_type = wf_type or case.wf_type
        self.ex = k.start(self.swf, self.domain, self.wf_type, self.dtl, **start_extra)

    def decision(self, timeout=20, **extra):
        task = k.poll_decision(self.swf, self.domain, self.dtl, timeout, **extra)
        self.case.assertIsNotNone(task, "no decision task within %s s; history: %s" % (
            timeout, k.types(self.history())))
        self.case.assertEqual(task["workflowExecution"], self.ex)
        self.case.assertEqual(task["workflowType"], self.wf_type)
        return task

    def activity(self, timeout=20):
        task = k.poll_activity(self.swf, self.domain, self.atl, timeout)
        self.case.assertIsNotNone(task, "no activity task within %s s; history: %s" % (
            timeout, k.types(self.history())))
        return task

    def decide(self, task, *decisions, **extra):
        return k.decide(self.swf, task, *decisions, **extra)

    def schedule(self, activity_id, act_type=None, **extra):
        return k.schedule(act_type or self.case.act_type, activity_id,
                          taskList={"name": self.atl}, **extra)

    def history(self, **extra):
        return k.history(self.swf, self.domain, self.ex, **extra)

    def signal(self, name="sig", **extra):
        extra.setdefault("input", "-")  # (optional in SWF; moto needs it)
        self.swf.signal_workflow_execution(domain=self.domain, workflowId=self.ex["workflowId"],
                                           signalName=name, **extra)

    def describe(self):
        return self.swf.describe_workflow_execution(domain=self.domain, execution=self.ex)

    def pending_decisions(self):
        return self.swf.count_pending_decision_tasks(domain=self.domain,
                                                     taskList={"name": self.dtl})["count"]

    def assert_valid(self):
        events = self.history()
        self.case.assertEqual(k.history_problems(events), [], k.types(events))
        return events


class WorkflowTestBase(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.domain = k.make_domain(cls.swf, "wf")
        cls.wf_type = k.make_workflow_type(cls.swf, cls.domain, exec_timeout="300",
                                           task_timeout="30")
        cls.act_type = k.make_activity_type(cls.swf, cls.domain)


class DeciderWorkerLoopTest(WorkflowTestBase):
    """A decider and three activity workers in threads, as real programs
    would run: fan out three activities, then one that sums their results."""

    def test_full_loop_with_several_activities(self):
        flow = Flow(self, input="3")
        stop = threading.Event()
        errors = []
        seen_previous = []

        def decider():
            try:
                while not stop.is_set():
                    task = k.poll_decision(self.swf, self.domain, flow.dtl, timeout=3)
                    if not task:
                        continue
                    seen_previous.append((task.get("previousStartedEventId", 0),
                                          task["startedEventId"]))
                    events = task["events"]
                    done = {k.attrs(e)["scheduledEventId"]: k.attrs(e)["result"]
                            for e in k.find(events, "ActivityTaskCompleted")}
                    sched = {e["eventId"]: k.attrs(e)["activityId"]
                             for e in k.find(events, "ActivityTaskScheduled")}
                    results = {sched[s]: r for s, r in done.items()}
                    decisions = []
                    if not sched:
                        n = int(k.attrs(events[0])["input"])
                        decisions = [flow.schedule("part-%d" % i, input=str(i + 1))
                                     for i in range(n)]
                    elif "sum" in results:
                        decisions = [k.complete("total=" + results["sum"])]
                    elif len(results) == 3 and "sum" not in sched.values():
                        total = sum(int(v) for v in results.values())
                        decisions = [flow.schedule("sum", input=str(total))]
                    k.decide(self.swf, task, *decisions)
            except Exception as e:  # reported by the main thread
                errors.append(("decider", repr(e)))

        def worker(n):
            client = self.server.client()
            try:
                while not stop.is_set():
                    task = k.poll_activity(client, self.domain, flow.atl, timeout=3,
                                           identity="worker-%d" % n)
                    if not task:
                        continue
                    value = int(task["input"])
                    result = str(value if task["activityId"] == "sum" else value * 10)
                    client.record_activity_task_heartbeat(taskToken=task["taskToken"])
                    client.respond_activity_task_completed(taskToken=task["taskToken"],
                                                           result=result)
            except Exception as e:
                errors.append(("worker-%d" % n, repr(e)))

        threads = [threading.Thread(target=decider, daemon=True)]
        threads += [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(3)]
        for t in threads:
            t.start()
        try:
            info = k.wait_closed(self.swf, self.domain, flow.ex, timeout=45)
        finally:
            stop.set()
            for t in threads:
                t.join(15)
        self.assertEqual(errors, [])
        self.assertEqual(info["executionInfo"]["closeStatus"], "COMPLETED")
        events = flow.assert_valid()
        self.assertEqual(k.attrs(k.last(events, "WorkflowExecutionCompleted"))["result"],
                         "total=60")
        self.assertEqual(len(k.find(events, "ActivityTaskCompleted")), 4)
        self.assertEqual(len(k.find(events, "ActivityTaskScheduled")), 4)
        started = [e["eventId"] for e in k.find(events, "DecisionTaskStarted")]
        # previousStartedEventId: 0 (or absent) first, then the previous
        # decision task's startedEventId.
        self.assertEqual(seen_previous[0][0], 0)
        for (prev, cur), (_, before) in zip(seen_previous[1:], seen_previous):
            self.assertEqual(prev, before)
        self.assertEqual([s for _, s in seen_previous], started)


class StartTest(WorkflowTestBase):

    def test_start_takes_defaults_from_the_type(self):
        dtl = uniq("deftl")
        wf = k.make_workflow_type(self.swf, self.domain, task_list=dtl, exec_timeout="120",
                                  task_timeout="15", child_policy="ABANDON",
                                  defaultTaskPriority="3")
        ex = {"workflowId": uniq("wid")}
        ex["runId"] = self.swf.start_workflow_execution(
            domain=self.domain, workflowId=ex["workflowId"], workflowType=wf)["runId"]
        started = k.attrs(k.history(self.swf, self.domain, ex)[0])
        self.assertEqual(started["taskList"], {"name": dtl})
        self.assertEqual(started["executionStartToCloseTimeout"], "120")
        self.assertEqual(started["taskStartToCloseTimeout"], "15")
        self.assertEqual(started["childPolicy"], "ABANDON")
        self.assertEqual(started["taskPriority"], "3")
        self.assertEqual(started["workflowType"], wf)
        conf = self.swf.describe_workflow_execution(
            domain=self.domain, execution=ex)["executionConfiguration"]
        self.assertEqual((conf["taskList"], conf["executionStartToCloseTimeout"],
                          conf["taskStartToCloseTimeout"], conf["childPolicy"]),
                         ({"name": dtl}, "120", "15", "ABANDON"))
        sched = k.attrs(k.history(self.swf, self.domain, ex)[1])
        self.assertEqual(sched["taskList"], {"name": dtl})
        self.assertEqual(sched["startToCloseTimeout"], "15")
        self.assertEqual(k.poll_decision(self.swf, self.domain, dtl)["workflowExecution"], ex)

        # The request overrides the type's defaults.
        dtl2 = uniq("ovtl")
        ex2 = k.start(self.swf, self.domain, wf, dtl2, executionStartToCloseTimeout="90",
                      taskStartToCloseTimeout="7", childPolicy="TERMINATE", taskPriority="-2",
                      input="in", tagList=["t1", "t2"])
        started = k.attrs(k.history(self.swf, self.domain, ex2)[0])
        self.assertEqual((started["taskList"], started["executionStartToCloseTimeout"],
                          started["taskStartToCloseTimeout"], started["childPolicy"],
                          started["taskPriority"], started["input"], started["tagList"]),
                         ({"name": dtl2}, "90", "7", "TERMINATE", "-2", "in", ["t1", "t2"]))

    def test_default_undefined_fault(self):
        full = dict(task_list=uniq("tl"), exec_timeout="60", task_timeout="10",
                    child_policy="TERMINATE")
        request = {"task_list": ("taskList", {"name": uniq("tl")}),
                   "exec_timeout": ("executionStartToCloseTimeout", "60"),
                   "task_timeout": ("taskStartToCloseTimeout", "10"),
                   "child_policy": ("childPolicy", "TERMINATE")}
        for missing in full:
            with self.subTest(missing=missing):
                wf = k.make_workflow_type(self.swf, self.domain, **dict(full, **{missing: None}))
                self.assertFault("DefaultUndefinedFault", self.swf.start_workflow_execution,
                                 domain=self.domain, workflowId=uniq("wid"), workflowType=wf)
                field, value = request[missing]
                self.swf.start_workflow_execution(domain=self.domain, workflowId=uniq("wid"),
                                                  workflowType=wf, **{field: value})

    def test_workflow_id_unique_among_open_executions(self):
        flow = Flow(self)
        self.assertFault("WorkflowExecutionAlreadyStartedFault", k.start, self.swf,
                         self.domain, self.wf_type, flow.dtl,
                         workflow_id=flow.ex["workflowId"])
        self.swf.terminate_workflow_execution(domain=self.domain,
                                              workflowId=flow.ex["workflowId"])
        again = k.start(self.swf, self.domain, self.wf_type, flow.dtl,
                        workflow_id=flow.ex["workflowId"])
        self.assertNotEqual(again["runId"], flow.ex["runId"])

    def test_start_faults(self):
        wf = k.make_workflow_type(self.swf, self.domain)
        self.swf.deprecate_workflow_type(domain=self.domain, workflowType=wf)
        self.assertFault("TypeDeprecatedFault", k.start, self.swf, self.domain, wf, uniq("tl"))
        self.assertFault("UnknownResourceFault", k.start, self.swf, self.domain,
                         {"name": uniq("nope"), "version": "1"}, uniq("tl"))
        self.assertFault("UnknownResourceFault", k.start, self.swf, uniq("nodomain"),
                         self.wf_type, uniq("tl"))


    def test_oversized_or_invalid_start_requests_are_rejected(self):
        raw = self.server.client(validate=False)
        base = dict(domain=self.domain, workflowType=self.wf_type,
                    taskList={"name": uniq("tl")})
        cases = {
            "input over 32768": dict(input="x" * 32769),
            "six tags": dict(tagList=["t1", "t2", "t3", "t4", "t5", "t6"]),
            "workflowId over 256": dict(workflowId="w" * 257),
            "empty workflowId": dict(workflowId=""),
            "no workflowType": dict(workflowType=None),
        }
        for what, change in cases.items():
            with self.subTest(what):
                args = dict(base, workflowId=uniq("big"))
                args.update(change)
                args = {key: v for key, v in args.items() if v is not None}
                self.assertFault("ValidationException", raw.start_workflow_execution, **args)
                if 0 < len(args["workflowId"]) <= 256:
                    self.assertFault("UnknownResourceFault",
                                     self.swf.describe_workflow_execution,
                                     domain=self.domain,
                                     execution={"workflowId": args["workflowId"],
                                                "runId": "0" * 32})

    def test_execution_timeout_must_be_bounded(self):
        """NONE and more than a year are refused for executionStartToCloseTimeout
        (the modeled fault is not documented: any 400 fault will do)."""
        for value in ("NONE", "31536001"):
            with self.subTest(value=value):
                wid = uniq("unbounded")
                try:
                    k.start(self.swf, self.domain, self.wf_type, uniq("tl"), workflow_id=wid,
                            executionStartToCloseTimeout=value)
                except ClientError as e:
                    self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
                    continue
                self.fail("executionStartToCloseTimeout=%s was accepted" % value)

    def test_unknown_execution_faults(self):
        missing = {"workflowId": uniq("nobody"), "runId": "0" * 32}
        cases = [
            (self.swf.describe_workflow_execution, dict(domain=self.domain, execution=missing)),
            (self.swf.get_workflow_execution_history,
             dict(domain=self.domain, execution=missing)),
            (self.swf.terminate_workflow_execution,
             dict(domain=self.domain, workflowId=missing["workflowId"])),
            (self.swf.request_cancel_workflow_execution,
             dict(domain=self.domain, workflowId=missing["workflowId"])),
            (self.swf.poll_for_activity_task,
             dict(domain=uniq("nodomain"), taskList={"name": "x"})),
            (self.swf.count_pending_decision_tasks,
             dict(domain=uniq("nodomain"), taskList={"name": "x"})),
            (self.swf.count_pending_activity_tasks,
             dict(domain=uniq("nodomain"), taskList={"name": "x"})),
        ]
        for fn, kwargs in cases:
            with self.subTest(op=fn.__name__):
                self.assertFault("UnknownResourceFault", fn, **kwargs)

    def test_deprecated_domain_runs_old_executions_but_starts_none(self):
        dom = k.make_domain(self.swf, "depr")
        wf = k.make_workflow_type(self.swf, dom)
        dtl = uniq("dtl")
        ex = k.start(self.swf, dom, wf, dtl)
        self.swf.deprecate_domain(name=dom)
        with self.assertRaises(ClientError, msg="start in a deprecated domain") as cm:
            k.start(self.swf, dom, wf, dtl)
        self.assertIn(error_code(cm.exception), ("UnknownResourceFault", "TypeDeprecatedFault",
                                                 "DomainDeprecatedFault"))
        with self.assertRaises(ClientError, msg="register in a deprecated domain") as cm:
            k.make_workflow_type(self.swf, dom)
        self.assertIn(error_code(cm.exception), ("UnknownResourceFault",
                                                 "DomainDeprecatedFault"))
        # The execution started before keeps running to its end.
        task = k.poll_decision(self.swf, dom, dtl)
        self.assertEqual(task["workflowExecution"], ex)
        k.decide(self.swf, task, k.complete("done"))
        self.assertEqual(self.swf.describe_workflow_execution(
            domain=dom, execution=ex)["executionInfo"]["closeStatus"], "COMPLETED")

class DecisionTest(WorkflowTestBase):

    def test_signal(self):
        flow = Flow(self)
        flow.decide(flow.decision())
        self.assertEqual(flow.pending_decisions(), 0)
        flow.signal("go", input="payload")
        task = flow.decision()
        sig = k.last(task["events"], "WorkflowExecutionSignaled")
        self.assertEqual((k.attrs(sig)["signalName"], k.attrs(sig)["input"]), ("go", "payload"))
        self.swf.signal_workflow_execution(domain=self.domain, workflowId=flow.ex["workflowId"],
                                           runId=flow.ex["runId"], signalName="second")
        self.assertFault("UnknownResourceFault", self.swf.signal_workflow_execution,
                         domain=self.domain, workflowId=uniq("nobody"), signalName="x")
        self.assertFault("UnknownResourceFault", self.swf.signal_workflow_execution,
                         domain=self.domain, workflowId=flow.ex["workflowId"],
                         runId="00000000000000000000000000000000", signalName="x")
        flow.decide(task)
        task = flow.decision()
        self.assertEqual(k.attrs(k.last(task["events"], "WorkflowExecutionSignaled"))
                         ["signalName"], "second")
        flow.decide(task, k.complete())
        self.assertFault("UnknownResourceFault", self.swf.signal_workflow_execution,
                         domain=self.domain, workflowId=flow.ex["workflowId"], signalName="late")
        flow.assert_valid()

    def test_timer_fires_and_timer_cancel(self):
        flow = Flow(self)
        task = flow.decision()
        flow.decide(task, k.start_timer("short", 1, control="c1"), k.start_timer("long", 60))
        started = {k.attrs(e)["timerId"]: e for e in k.find(flow.history(), "TimerStarted")}
        self.assertEqual(set(started), {"short", "long"})
        self.assertEqual(k.attrs(started["short"])["startToFireTimeout"], "1")
        self.assertEqual(k.attrs(started["short"])["control"], "c1")
        self.assertEqual(flow.describe()["openCounts"]["openTimers"], 2)

        task = flow.decision()
        fired = k.find(task["events"], "TimerFired")
        self.assertEqual(len(fired), 1)
        self.assertEqual(k.attrs(fired[0])["timerId"], "short")
        self.assertEqual(k.attrs(fired[0])["startedEventId"], started["short"]["eventId"])

        # A fired timer is no longer open: cancelling it fails, and its id
        # can be used again.
        flow.decide(task, k.cancel_timer("short"), k.start_timer("short", 0))
        failed = k.last(flow.history(), "CancelTimerFailed")
        self.assertIsNotNone(failed, k.types(flow.history()))
        self.assertEqual((k.attrs(failed)["timerId"], k.attrs(failed)["cause"]),
                         ("short", "TIMER_ID_UNKNOWN"))
        task = flow.decision()  # CancelTimerFailed and the 0 s timer both schedule one
        fired = k.find(flow.history(), "TimerFired")
        if len(fired) < 2:
            flow.decide(task)
            task = flow.decision()
            fired = k.find(flow.history(), "TimerFired")
        self.assertEqual([k.attrs(e)["timerId"] for e in fired], ["short", "short"])
        flow.decide(task, k.cancel_timer("long"), k.complete())
        events = flow.assert_valid()
        canceled = k.last(events, "TimerCanceled")
        self.assertIsNotNone(canceled, k.types(events))
        self.assertEqual(k.attrs(canceled)["timerId"], "long")
        self.assertEqual(k.attrs(canceled)["startedEventId"], started["long"]["eventId"])
        self.assertEqual(events[-1]["eventType"], "WorkflowExecutionCompleted")
        self.assertEqual(len(k.find(events, "TimerFired")), 2)

    def test_record_marker_schedules_no_decision_task(self):
        flow = Flow(self)
        task = flow.decision()
        flow.decide(task, k.marker("checkpoint", "step 1"), k.marker("other"))
        events = flow.history()
        markers = k.find(events, "MarkerRecorded")
        self.assertEqual([(k.attrs(m)["markerName"], k.attrs(m).get("details")) for m in markers],
                         [("checkpoint", "step 1"), ("other", None)])
        completed = k.last(events, "DecisionTaskCompleted")["eventId"]
        for m in markers:
            self.assertEqual(k.attrs(m)["decisionTaskCompletedEventId"], completed)
        self.assertEqual(flow.pending_decisions(), 0)
        self.assertEqual(flow.describe()["openCounts"]["openDecisionTasks"], 0)

    def test_cancel_a_scheduled_activity(self):
        flow = Flow(self)
        flow.decide(flow.decision(), flow.schedule("a1"))
        flow.signal()
        flow.decide(flow.decision(), k.cancel_activity("a1"))
        events = flow.history()
        req = k.last(events, "ActivityTaskCancelRequested")
        self.assertIsNotNone(req, k.types(events))
        self.assertEqual(k.attrs(req)["activityId"], "a1")
        canceled = k.last(events, "ActivityTaskCanceled")
        self.assertIsNotNone(canceled, "a scheduled activity is canceled at once: %s"
                             % k.types(events))
        sched = k.last(events, "ActivityTaskScheduled")["eventId"]
        self.assertEqual(k.attrs(canceled)["scheduledEventId"], sched)
        self.assertEqual(k.attrs(canceled).get("latestCancelRequestedEventId"), req["eventId"])
        # ActivityTaskCanceled schedules a decision task; the task is gone
        # from the task list.
        task = flow.decision()
        self.assertEqual(task["events"][-1]["eventType"], "DecisionTaskStarted")
        self.assertIsNone(k.poll_activity(self.swf, self.domain, flow.atl, timeout=0.1))
        flow.decide(task, k.complete())
        flow.assert_valid()

    def test_cancel_a_started_activity(self):
        flow = Flow(self)
        flow.decide(flow.decision(), flow.schedule("a1", heartbeatTimeout="60"))
        act = flow.activity()
        self.assertEqual(act["activityId"], "a1")
        beat = self.swf.record_activity_task_heartbeat(taskToken=act["taskToken"], details="10%")
        self.assertFalse(beat["cancelRequested"])
        flow.signal()
        flow.decide(flow.decision(), k.cancel_activity("a1"))
        events = flow.history()
        self.assertIsNotNone(k.last(events, "ActivityTaskCancelRequested"))
        self.assertIsNone(k.last(events, "ActivityTaskCanceled"),
                          "a started activity stays open until the worker answers")
        self.assertEqual(flow.describe()["openCounts"]["openActivityTasks"], 1)
        beat = self.swf.record_activity_task_heartbeat(taskToken=act["taskToken"])
        self.assertTrue(beat["cancelRequested"])
        self.swf.respond_activity_task_canceled(taskToken=act["taskToken"], details="stopped")
        task = flow.decision()
        canceled = k.last(task["events"], "ActivityTaskCanceled")
        self.assertEqual(k.attrs(canceled)["details"], "stopped")
        self.assertEqual(k.attrs(canceled).get("latestCancelRequestedEventId"),
                         k.last(task["events"], "ActivityTaskCancelRequested")["eventId"],
                         "ActivityTaskCanceled names the cancel request: %r" % canceled)
        self.assertFault("UnknownResourceFault", self.swf.respond_activity_task_completed,
                         taskToken=act["taskToken"])
        flow.decide(task, k.complete())
        flow.assert_valid()

    def test_request_cancel_workflow_then_cancel_decision(self):
        self.skip_on_moto("no RequestCancelWorkflowExecution")
        flow = Flow(self)
        flow.decide(flow.decision())
        self.swf.request_cancel_workflow_execution(domain=self.domain,
                                                   workflowId=flow.ex["workflowId"])
        task = flow.decision()
        self.assertIsNotNone(k.last(task["events"], "WorkflowExecutionCancelRequested"))
        self.assertTrue(flow.describe()["executionInfo"]["cancelRequested"])
        flow.decide(task, k.cancel_workflow("bye"))
        events = flow.assert_valid()
        self.assertEqual(events[-1]["eventType"], "WorkflowExecutionCanceled")
        self.assertEqual(k.attrs(events[-1])["details"], "bye")
        info = flow.describe()["executionInfo"]
        self.assertEqual((info["executionStatus"], info["closeStatus"]), ("CLOSED", "CANCELED"))
        self.assertFault("UnknownResourceFault", self.swf.request_cancel_workflow_execution,
                         domain=self.domain, workflowId=flow.ex["workflowId"])

    def test_terminate(self):
        flow = Flow(self)
        flow.decide(flow.decision(), flow.schedule("a1"))
        act = flow.activity()
        flow.signal()
        dtask = flow.decision()
        self.swf.terminate_workflow_execution(domain=self.domain,
                                              workflowId=flow.ex["workflowId"],
                                              runId=flow.ex["runId"], reason="ops",
                                              details="manual")
        events = flow.assert_valid()
        term = events[-1]
        self.assertEqual(term["eventType"], "WorkflowExecutionTerminated")
        self.assertEqual((k.attrs(term)["reason"], k.attrs(term)["details"],
                          k.attrs(term)["childPolicy"]), ("ops", "manual", "TERMINATE"))
        info = flow.describe()["executionInfo"]
        self.assertEqual((info["executionStatus"], info["closeStatus"]),
                         ("CLOSED", "TERMINATED"))
        # The open tasks died with the execution.
        self.assertFault("UnknownResourceFault", flow.decide, dtask, k.complete())
        self.assertFault("UnknownResourceFault", self.swf.respond_activity_task_completed,
                         taskToken=act["taskToken"])
        self.assertFault("UnknownResourceFault", self.swf.terminate_workflow_execution,
                         domain=self.domain, workflowId=flow.ex["workflowId"])
        self.assertEqual(flow.history(), events, "nothing after the close event")

    def test_fail_workflow(self):
        flow = Flow(self)
        flow.decide(flow.decision(), k.fail("broken", "it broke"))
        events = flow.assert_valid()
        self.assertEqual(events[-1]["eventType"], "WorkflowExecutionFailed")
        self.assertEqual((k.attrs(events[-1])["reason"], k.attrs(events[-1])["details"]),
                         ("broken", "it broke"))
        self.assertEqual(flow.describe()["executionInfo"]["closeStatus"], "FAILED")

    def test_activity_failed_then_retried(self):
        flow = Flow(self)
        flow.decide(flow.decision(), flow.schedule("a1", input="x"))
        act = flow.activity()
        self.assertEqual((act["activityId"], act["input"], act["activityType"]),
                         ("a1", "x", self.act_type))
        self.assertEqual(act["workflowExecution"], flow.ex)
        started = k.last(flow.history(), "ActivityTaskStarted")
        self.assertEqual(act["startedEventId"], started["eventId"])
        self.assertEqual(k.attrs(started)["identity"], "worker")
        self.assertEqual(flow.pending_decisions(), 0, "ActivityTaskStarted schedules nothing")
        self.swf.respond_activity_task_failed(taskToken=act["taskToken"], reason="oops",
                                              details="trace")
        task = flow.decision()
        failed = k.last(task["events"], "ActivityTaskFailed")
        self.assertEqual((k.attrs(failed)["reason"], k.attrs(failed)["details"]),
                         ("oops", "trace"))
        self.assertEqual(k.attrs(failed)["startedEventId"],
                         k.last(task["events"], "ActivityTaskStarted")["eventId"])
        flow.decide(task, flow.schedule("a1-retry", input="y"))
        act = flow.activity()
        self.assertEqual(act["input"], "y")
        self.swf.respond_activity_task_completed(taskToken=act["taskToken"], result="ok")
        task = flow.decision()
        self.assertEqual(k.attrs(k.last(task["events"], "ActivityTaskCompleted"))["result"], "ok")
        flow.decide(task, k.complete("done"))
        flow.assert_valid()

    def test_unhandled_decision(self):
        flow = Flow(self)
        task = flow.decision()
        flow.signal("late", input="news")
        flow.decide(task, k.complete("too early"))
        events = flow.history()
        failed = k.last(events, "CompleteWorkflowExecutionFailed")
        self.assertIsNotNone(failed, k.types(events))
        self.assertEqual(k.attrs(failed)["cause"], "UNHANDLED_DECISION")
        self.assertEqual(k.attrs(failed)["decisionTaskCompletedEventId"],
                         k.last(events, "DecisionTaskCompleted")["eventId"])
        self.assertEqual(flow.describe()["executionInfo"]["executionStatus"], "OPEN")
        # The signal was written before DecisionTaskCompleted.
        ts = k.types(events)
        self.assertLess(ts.index("WorkflowExecutionSignaled"), ts.index("DecisionTaskCompleted"))
        task = flow.decision()
        self.assertIsNotNone(k.last(task["events"], "WorkflowExecutionSignaled"))
        flow.decide(task, k.complete("now"))
        events = flow.assert_valid()
        self.assertEqual(events[-1]["eventType"], "WorkflowExecutionCompleted")

    def test_invalid_decisions_are_rejected_and_nothing_applied(self):
        flow = Flow(self)
        task = flow.decision()
        before = flow.history()
        bad = {
            "missing activityId": [k.start_timer("t", 5),
                                   {"decisionType": "ScheduleActivityTask",
                                    "scheduleActivityTaskDecisionAttributes": {
                                        "activityType": self.act_type}}],
            "missing attributes": [{"decisionType": "StartTimer"}],
            "unknown decisionType": [{"decisionType": "DoSomethingElse"}],
            "close decision not last": [k.complete(), k.start_timer("t", 5)],
        }
        raw = self.server.client(validate=False)
        for what, decisions in bad.items():
            with self.subTest(what):
                self.assertFault("ValidationException", raw.respond_decision_task_completed,
                                 taskToken=task["taskToken"], decisions=decisions)
                self.assertEqual(flow.history(), before, "nothing applied")
        # The decision task is still open and can be completed.
        flow.decide(task, k.complete())
        self.assertEqual(flow.assert_valid()[-1]["eventType"], "WorkflowExecutionCompleted")

    def test_decision_failures_have_documented_causes(self):
        deprecated = k.make_activity_type(self.swf, self.domain)
        self.swf.deprecate_activity_type(domain=self.domain, activityType=deprecated)
        no_s2c = k.make_activity_type(self.swf, self.domain, schedule_to_close=None)
        nosuch = {"name": uniq("nosuch"), "version": "1"}
        flow = Flow(self)
        flow.decide(flow.decision(), flow.schedule("busy"), k.start_timer("t1", 60))
        flow.signal()
        task = flow.decision()
        flow.decide(
            task,
            flow.schedule("x1", act_type=nosuch),
            flow.schedule("x2", act_type=deprecated),
            flow.schedule("busy"),
            flow.schedule("x3", act_type=no_s2c),
            k.start_timer("t1", 30),
            k.cancel_timer("never-started"),
            k.cancel_activity("no-such-activity"))
        events = flow.history()
        completed = k.last(events, "DecisionTaskCompleted")["eventId"]
        after = [e for e in events if e["eventId"] > completed]

        def causes(event_type, key):
            return [(k.attrs(e)[key], k.attrs(e)["cause"]) for e in k.find(after, event_type)]

        self.assertEqual(causes("ScheduleActivityTaskFailed", "activityId"), [
            ("x1", "ACTIVITY_TYPE_DOES_NOT_EXIST"), ("x2", "ACTIVITY_TYPE_DEPRECATED"),
            ("busy", "ACTIVITY_ID_ALREADY_IN_USE"),
            ("x3", "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED")])
        self.assertEqual(causes("StartTimerFailed", "timerId"),
                         [("t1", "TIMER_ID_ALREADY_IN_USE")])
        self.assertEqual(causes("CancelTimerFailed", "timerId"),
                         [("never-started", "TIMER_ID_UNKNOWN")])
        self.assertEqual(causes("RequestCancelActivityTaskFailed", "activityId"),
                         [("no-such-activity", "ACTIVITY_ID_UNKNOWN")])
        for e in after:
            if e["eventType"].endswith("Failed"):
                self.assertEqual(k.attrs(e)["decisionTaskCompletedEventId"], completed)
        self.assertEqual(k.attrs(k.find(after, "ScheduleActivityTaskFailed")[0])["activityType"],
                         nosuch)
        self.assertEqual(len(k.find(after, "ActivityTaskScheduled")), 0)
        # A failed decision schedules a new decision task.
        task = flow.decision()
        flow.decide(task, k.complete())
        flow.assert_valid()


    def test_at_most_one_decision_task_per_execution(self):
        flow = Flow(self)
        flow.signal("one")
        flow.signal("two")
        events = flow.history()
        self.assertEqual(k.types(events), [
            "WorkflowExecutionStarted", "DecisionTaskScheduled",
            "WorkflowExecutionSignaled", "WorkflowExecutionSignaled"])
        self.assertEqual(flow.pending_decisions(), 1)
        task = flow.decision()
        self.assertEqual(len(k.find(task["events"], "WorkflowExecutionSignaled")), 2)
        # Signals while the task is started schedule one next task (written
        # at once or after DecisionTaskCompleted: both are allowed).
        flow.signal("three")
        flow.signal("four")
        self.assertLessEqual(len(k.find(flow.history(), "DecisionTaskScheduled")), 2)
        flow.decide(task)
        self.assertEqual(len(k.find(flow.history(), "DecisionTaskScheduled")), 2)
        task = flow.decision()
        flow.decide(task, k.complete())
        flow.assert_valid()

    def test_higher_task_priority_is_handed_out_first(self):
        flow = Flow(self)
        flow.decide(flow.decision(), flow.schedule("low", taskPriority="0"),
                    flow.schedule("high", taskPriority="5"),
                    flow.schedule("mid", taskPriority="1"))
        order = [flow.activity()["activityId"] for _ in range(3)]
        self.assertEqual(order, ["high", "mid", "low"])
        sched = {k.attrs(e)["activityId"]: k.attrs(e).get("taskPriority")
                 for e in k.find(flow.history(), "ActivityTaskScheduled")}
        self.assertEqual(sched, {"low": "0", "high": "5", "mid": "1"})


    def test_equal_priority_tasks_are_handed_out_in_order(self):
        flow = Flow(self)
        ids = ["a%d" % i for i in range(6)]
        flow.decide(flow.decision(), *[flow.schedule(i) for i in ids])
        self.assertEqual([flow.activity()["activityId"] for _ in ids], ids)

    def test_schedule_activity_resolves_the_type_defaults(self):
        flow = Flow(self)
        act = k.make_activity_type(self.swf, self.domain, task_list=flow.atl,
                                   schedule_to_start="31", schedule_to_close="62",
                                   start_to_close="33", heartbeat="14",
                                   defaultTaskPriority="7")
        flow.decide(flow.decision(), k.schedule(act, "defaults"),
                    k.schedule(act, "overrides", taskList={"name": flow.atl},
                               scheduleToStartTimeout="5", scheduleToCloseTimeout="6",
                               startToCloseTimeout="NONE", heartbeatTimeout="NONE",
                               taskPriority="-1"))
        sched = {k.attrs(e)["activityId"]: k.attrs(e)
                 for e in k.find(flow.history(), "ActivityTaskScheduled")}
        fields = ("taskList", "scheduleToStartTimeout", "scheduleToCloseTimeout",
                  "startToCloseTimeout", "heartbeatTimeout", "taskPriority")
        self.assertEqual([sched["defaults"].get(f) for f in fields],
                         [{"name": flow.atl}, "31", "62", "33", "14", "7"])
        self.assertEqual([sched["overrides"].get(f) for f in fields],
                         [{"name": flow.atl}, "5", "6", "NONE", "NONE", "-1"])
        self.assertEqual(flow.activity()["activityId"], "defaults",
                         "the type's default priority 7 is higher than -1")

    def test_schedule_activity_without_a_resolvable_default(self):
        flow = Flow(self)
        table = {
            "task_list": "DEFAULT_TASK_LIST_UNDEFINED",
            "schedule_to_start": "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED",
            "schedule_to_close": "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED",
            "start_to_close": "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED",
        }
        decisions = []
        for missing in table:
            defaults = dict(task_list=flow.atl, schedule_to_start="30",
                            schedule_to_close="60", start_to_close="30", heartbeat="NONE")
            defaults[missing] = None
            act = k.make_activity_type(self.swf, self.domain, **defaults)
            decisions.append(k.schedule(act, missing.replace("_", "-")))
        flow.decide(flow.decision(), *decisions)
        failed = {k.attrs(e)["activityId"]: k.attrs(e)["cause"]
                  for e in k.find(flow.history(), "ScheduleActivityTaskFailed")}
        self.assertEqual(failed, {m.replace("_", "-"): c for m, c in table.items()})
        self.assertEqual(k.find(flow.history(), "ActivityTaskScheduled"), [])
        flow.decide(flow.decision(), k.complete())


    def test_closing_an_execution_closes_its_tasks(self):
        flow = Flow(self)
        flow.decide(flow.decision(), flow.schedule("started"), flow.schedule("waiting"))
        act = flow.activity()
        flow.signal()
        task = flow.decision()
        self.assertEqual(k.attrs(k.last(task["events"], "DecisionTaskStarted"))["identity"],
                         "decider")
        flow.decide(task, k.complete())
        self.assertEqual(flow.history()[-1]["eventType"], "WorkflowExecutionCompleted")
        self.assertEqual(self.swf.count_pending_activity_tasks(
            domain=self.domain, taskList={"name": flow.atl})["count"], 0)
        self.assertIsNone(k.poll_activity(self.swf, self.domain, flow.atl, timeout=0.1),
                          "no task of a closed execution is handed out")
        self.assertFault("UnknownResourceFault", self.swf.respond_activity_task_completed,
                         taskToken=act["taskToken"])
        self.assertFault("UnknownResourceFault", self.swf.record_activity_task_heartbeat,
                         taskToken=act["taskToken"])
        flow.assert_valid()

    def test_oversized_worker_answers_are_rejected_and_nothing_applied(self):
        flow = Flow(self)
        flow.decide(flow.decision(), flow.schedule("a1"))
        act = flow.activity()
        raw = self.server.client(validate=False)
        before = flow.history()
        cases = [
            (raw.respond_activity_task_completed, dict(result="r" * 32769)),
            (raw.respond_activity_task_failed, dict(reason="r" * 257)),
            (raw.respond_activity_task_failed, dict(details="d" * 32769)),
            (raw.respond_activity_task_canceled, dict(details="d" * 32769)),
            (raw.record_activity_task_heartbeat, dict(details="h" * 2049)),
        ]
        for fn, extra in cases:
            with self.subTest(op=fn.__name__, field=list(extra)[0]):
                self.assertFault("ValidationException", fn, taskToken=act["taskToken"], **extra)
        self.assertEqual(flow.history(), before, "nothing applied")
        self.swf.respond_activity_task_completed(taskToken=act["taskToken"], result="r" * 32768)
        task = flow.decision()
        self.assertEqual(len(k.attrs(k.last(task["events"], "ActivityTaskCompleted"))["result"]),
                         32768)
        flow.decide(task, k.complete())

    def test_count_pending_decision_tasks_counts_executions(self):
        dtl = uniq("shared")
        for _ in range(3):
            k.start(self.swf, self.domain, self.wf_type, dtl)
        count = self.swf.count_pending_decision_tasks(domain=self.domain,
                                                      taskList={"name": dtl})
        self.assertEqual((count["count"], count.get("truncated", False)), (3, False))

    def test_concurrent_deciders_never_share_an_execution(self):
        """Two deciders on one task list and a stream of signals: each
        execution has at most one decision task at a time."""
        dtl = uniq("dtl")
        executions = [k.start(self.swf, self.domain, self.wf_type, dtl) for _ in range(4)]
        stop, errors, lock = threading.Event(), [], threading.Lock()
        active = set()

        def decider():
            swf = self.server.client()
            try:
                while not stop.is_set():
                    task = k.poll_decision(swf, self.domain, dtl, timeout=2)
                    if not task:
                        continue
                    wid = task["workflowExecution"]["workflowId"]
                    with lock:
                        if wid in active:
                            errors.append("two decision tasks at once for " + wid)
                        active.add(wid)
                    time.sleep(0.05)
                    signals = len(k.find(task["events"], "WorkflowExecutionSignaled"))
                    with lock:
                        active.discard(wid)
                    k.decide(swf, task, *([k.complete()] if signals >= 5 else []))
            except Exception as e:
                errors.append(repr(e))

        threads = [threading.Thread(target=decider, daemon=True) for _ in range(2)]
        for t in threads:
            t.start()
        try:
            for i in range(5):
                for ex in executions:
                    self.swf.signal_workflow_execution(
                        domain=self.domain, workflowId=ex["workflowId"], signalName="s%d" % i,
                        input=str(i))
                time.sleep(0.03)
            for ex in executions:
                k.wait_closed(self.swf, self.domain, ex, timeout=30)
        finally:
            stop.set()
            for t in threads:
                t.join(10)
        self.assertEqual(errors, [])
        for ex in executions:
            events = k.history(self.swf, self.domain, ex)
            self.assertEqual(k.history_problems(events), [], k.types(events))
            self.assertEqual(events[-1]["eventType"], "WorkflowExecutionCompleted")

class TokenAndPollTest(WorkflowTestBase):

    def test_stale_and_malformed_task_tokens(self):
        flow = Flow(self)
        dtask = flow.decision()
        flow.decide(dtask, flow.schedule("a1"))
        act = flow.activity()
        self.swf.respond_activity_task_completed(taskToken=act["taskToken"], result="r")
        stale = [
            (self.swf.respond_activity_task_completed, dict(taskToken=act["taskToken"])),
            (self.swf.respond_activity_task_failed, dict(taskToken=act["taskToken"])),
            (self.swf.respond_activity_task_canceled, dict(taskToken=act["taskToken"])),
            (self.swf.record_activity_task_heartbeat, dict(taskToken=act["taskToken"])),
            (self.swf.respond_decision_task_completed, dict(taskToken=dtask["taskToken"],
                                                            decisions=[])),
        ]
        for fn, kwargs in stale:
            with self.subTest(stale=fn.__name__):
                self.assertFault("UnknownResourceFault", fn, **kwargs)
        raw = self.server.client(validate=False)
        for token in ("%%% not a token %%%", "", "A" * 1025):
            for name in ("respond_activity_task_completed", "respond_activity_task_failed",
                         "respond_activity_task_canceled", "record_activity_task_heartbeat",
                         "respond_decision_task_completed"):
                with self.subTest(malformed=token[:20], op=name):
                    self.assertFault("ValidationException", getattr(raw, name), taskToken=token)
        flow.decide(flow.decision(), k.complete())

    def test_empty_polls_omit_task_token(self):
        tl = uniq("empty")
        for op, extra in (("PollForDecisionTask", {"identity": "d"}),
                          ("PollForActivityTask", {"identity": "w"})):
            with self.subTest(op=op):
                status, _, body, raw = self.server.raw(op, dict(
                    domain=self.domain, taskList={"name": tl}, **extra), timeout=75)
                self.assertEqual(status, 200, raw)
                self.assertNotIn("taskToken", body, "an empty poll has no taskToken key")
                self.assertEqual(body.get("startedEventId", 0), 0)
                if op == "PollForDecisionTask":
                    self.assertEqual(body.get("previousStartedEventId", 0), 0)
                    self.assertEqual(body.get("events", []), [])
        self.assertFault("UnknownResourceFault", self.swf.poll_for_decision_task,
                         domain=uniq("nodomain"), taskList={"name": tl})

    def test_many_waiting_pollers(self):
        """500 long polls held at once (raw sockets): the server still
        answers other requests, and a task goes to exactly one of them."""
        dtl, n = uniq("crowd"), 500
        body = json.dumps({"domain": self.domain, "taskList": {"name": dtl}}).encode()
        request = (b"POST / HTTP/1.1\r\nHost: x\r\n"
                   b"X-Amz-Target: SimpleWorkflowService.PollForDecisionTask\r\n"
                   b"Content-Type: application/x-amz-json-1.0\r\n"
                   b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        socks = []
        try:
            for _ in range(n):
                sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
                sock.sendall(request)
                socks.append(sock)
            time.sleep(0.3)
            self.assertEqual(self.swf.describe_domain(name=self.domain)["domainInfo"]["name"],
                             self.domain, "the server answers while the polls wait")
            ex = k.start(self.swf, self.domain, self.wf_type, dtl)
            answers = [read_http_json(sock) for sock in socks]
        finally:
            for sock in socks:
                sock.close()
        self.assertEqual([a[0] for a in answers], [200] * n)
        tasks = [a[1] for a in answers if "taskToken" in a[1]]
        self.assertEqual(len(tasks), 1, "one task, one poller")
        self.assertEqual(tasks[0]["workflowExecution"], ex)

    def test_history_paging(self):
        flow = Flow(self)
        task = flow.decision()
        self.assertEqual(task.get("previousStartedEventId", 0), 0)
        first_started = task["startedEventId"]
        flow.decide(task, *[k.marker("m%d" % i) for i in range(10)])
        flow.signal()
        full = flow.history()
        n = len(full)  # 3 + 1 completed + 10 markers + signal + scheduled
        self.assertGreaterEqual(n, 16)
        self.assertEqual([e["eventId"] for e in full], list(range(1, n + 1)))

        def pages(**extra):
            out, args = [], dict(domain=self.domain, execution=flow.ex, maximumPageSize=4,
                                 **extra)
            while True:
                page = self.swf.get_workflow_execution_history(**args)
                self.assertLessEqual(len(page["events"]), 4)
                out.append(page["events"])
                if not page.get("nextPageToken"):
                    return out
                args["nextPageToken"] = page["nextPageToken"]
                self.assertLess(len(out), 100)

        fwd = pages()
        self.assertGreaterEqual(len(fwd), -(-n // 4))
        self.assertEqual([e for p in fwd for e in p], full)
        rev = pages(reverseOrder=True)
        self.assertEqual([e["eventId"] for p in rev for e in p], list(range(n, 0, -1)))

        # The decision task pages the same way: Poll again with nextPageToken.
        task = k.poll_decision(self.swf, self.domain, flow.dtl, maximumPageSize=4)
        self.assertIsNotNone(task)
        first = task["first_page"]
        self.assertLessEqual(len(first["events"]), 4)
        self.assertIn("nextPageToken", first)
        self.assertEqual([e["eventId"] for e in task["events"]],
                         list(range(1, task["startedEventId"] + 1)))
        self.assertEqual(task["events"][-1]["eventType"], "DecisionTaskStarted")
        self.assertEqual(task["previousStartedEventId"], first_started)
        flow.decide(task)

        flow.signal()
        task = k.poll_decision(self.swf, self.domain, flow.dtl, reverseOrder=True)
        ids = [e["eventId"] for e in task["events"]]
        self.assertEqual(ids, sorted(ids, reverse=True))
        self.assertEqual(task["events"][0]["eventType"], "DecisionTaskStarted")
        self.assertEqual(ids[0], task["startedEventId"])
        flow.decide(task, k.complete())
        flow.assert_valid()

    def test_describe_open_counts_and_pending_counts(self):
        flow = Flow(self)
        self.assertEqual(flow.pending_decisions(), 1)
        info = flow.describe()
        self.assertEqual(info["openCounts"]["openDecisionTasks"], 1)
        self.assertEqual(info["executionInfo"]["execution"], flow.ex)
        self.assertEqual(info["executionInfo"]["workflowType"], self.wf_type)
        self.assertEqual(info["executionInfo"]["executionStatus"], "OPEN")
        self.assertFalse(info["executionInfo"]["cancelRequested"])
        self.assertNotIn("closeStatus", info["executionInfo"])

        task = flow.decision()
        self.assertEqual(flow.pending_decisions(), 0)
        self.assertEqual(flow.describe()["openCounts"]["openDecisionTasks"], 1,
                         "a started decision task is open")
        flow.decide(task, flow.schedule("a1"), flow.schedule("a2"), k.start_timer("t", 60),
                    executionContext="ctx-1")
        info = flow.describe()
        counts = info["openCounts"]
        self.assertEqual((counts["openActivityTasks"], counts["openTimers"],
                          counts["openDecisionTasks"], counts["openChildWorkflowExecutions"]),
                         (2, 1, 0, 0))
        self.assertEqual(info["latestExecutionContext"], "ctx-1")
        self.assertEqual(k.attrs(k.last(flow.history(), "DecisionTaskCompleted"))
                         .get("executionContext"), "ctx-1")
        self.assertIn("latestActivityTaskTimestamp", info)
        pending = self.swf.count_pending_activity_tasks(domain=self.domain,
                                                        taskList={"name": flow.atl})
        self.assertEqual((pending["count"], pending.get("truncated", False)), (2, False))
        act = flow.activity()
        self.assertEqual(self.swf.count_pending_activity_tasks(
            domain=self.domain, taskList={"name": flow.atl})["count"], 1)
        self.swf.respond_activity_task_completed(taskToken=act["taskToken"])
        self.assertEqual(flow.describe()["openCounts"]["openActivityTasks"], 1)
        self.assertEqual(flow.pending_decisions(), 1)
        self.swf.terminate_workflow_execution(domain=self.domain,
                                              workflowId=flow.ex["workflowId"])
        info = flow.describe()
        self.assertEqual(info["executionInfo"]["closeStatus"], "TERMINATED")
        self.assertIn("closeTimestamp", info["executionInfo"])
        self.assertEqual(self.swf.count_pending_activity_tasks(
            domain=self.domain, taskList={"name": flow.atl})["count"], 0)
        self.assertEqual(flow.pending_decisions(), 0)


    def test_task_lists_belong_to_their_domain(self):
        other = k.make_domain(self.swf, "other")
        flow = Flow(self)
        self.assertIsNone(k.poll_decision(self.swf, other, flow.dtl, timeout=0.1),
                          "a task list of the same name in another domain is another one")
        flow.decide(flow.decision(), k.complete())

class LongPollTest(ServerTestCase):
    """Long polls held by a server with a 15 s hold: a waiting poller gets a
    task the moment it is scheduled, each task goes to exactly one poller, and
    a poller that has gone away gets none."""

    @classmethod
    def setUpClass(cls):
        cls.server = WeftServer(poll_timeout=15)
        cls.addClassCleanup(cls.server.cleanup)
        cls.server.start()
        super().setUpClass()
        cls.domain = k.make_domain(cls.swf, "lp")
        cls.wf_type = k.make_workflow_type(cls.swf, cls.domain)
        cls.act_type = k.make_activity_type(cls.swf, cls.domain)

    def test_waiting_poller_gets_the_task(self):
        dtl = uniq("dtl")
        got = []
        poller = threading.Thread(target=lambda: got.append(self.server.client(
        ).poll_for_decision_task(domain=self.domain, taskList={"name": dtl})))
        poller.start()
        time.sleep(0.5)  # the poll is waiting by now
        ex = k.start(self.swf, self.domain, self.wf_type, dtl)
        poller.join(30)
        self.assertEqual(len(got), 1)
        self.assertIn("taskToken", got[0], "one poll call, held until the task came")
        self.assertEqual(got[0]["workflowExecution"], ex)

    def test_each_task_goes_to_exactly_one_poller(self):
        flow = Flow(self)
        n = 12
        results, lock = [], threading.Lock()

        def poll(i):
            task = self.server.client().poll_for_activity_task(
                domain=self.domain, taskList={"name": flow.atl}, identity="p%d" % i)
            with lock:
                results.append(task)

        pollers = [threading.Thread(target=poll, args=(i,)) for i in range(n)]
        for t in pollers:
            t.start()
        time.sleep(0.5)
        flow.decide(flow.decision(), *[flow.schedule("a%d" % i) for i in range(n)])
        for t in pollers:
            t.join(30)
        tasks = [r for r in results if r.get("taskToken")]
        self.assertEqual(sorted(t["activityId"] for t in tasks),
                         sorted("a%d" % i for i in range(n)))
        self.assertEqual(len({t["taskToken"] for t in tasks}), n)
        started = k.find(flow.history(), "ActivityTaskStarted")
        self.assertEqual(len(started), n)
        self.assertEqual(len({k.attrs(e)["identity"] for e in started}), n)

    def test_disconnected_poller_gets_no_task(self):
        flow = Flow(self)
        sock = socket.create_connection(("127.0.0.1", self.server.port))
        body = json.dumps({"domain": self.domain, "taskList": {"name": flow.atl},
                           "identity": "gone"}).encode()
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n"
                     b"X-Amz-Target: SimpleWorkflowService.PollForActivityTask\r\n"
                     b"Content-Type: application/x-amz-json-1.0\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        time.sleep(0.5)
        sock.close()
        time.sleep(0.5)
        flow.decide(flow.decision(), flow.schedule("a1"))
        task = self.swf.poll_for_activity_task(domain=self.domain,
                                               taskList={"name": flow.atl}, identity="here")
        self.assertEqual(task.get("activityId"), "a1",
                         "the task went to the poller that had disconnected")
        started = k.find(flow.history(), "ActivityTaskStarted")
        self.assertEqual([k.attrs(e)["identity"] for e in started], ["here"])


if __name__ == "__main__":
    unittest.main()
