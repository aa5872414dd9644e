"""Every SWF timeout type with short (1-2 s) timeouts, each producing its
documented TimedOut event (and a new decision task where due), plus timeouts
that fire across a kill -9 and restart of the server."""

import time
import unittest

import swfkit as k
from weftserver import ServerTestCase, WeftServer, is_moto, uniq

WAIT = 15  # generous upper bound for a 1-2 s timeout to show in the history


class TimeoutFlow:
    def __init__(self, case, **start_extra):
        self.case, self.swf, self.domain = case, case.swf, case.domain
        self.dtl, self.atl = uniq("dtl"), uniq("atl")
        self.ex = k.start(self.swf, self.domain, case.wf_type, self.dtl, **start_extra)

    def decision(self, timeout=WAIT):
        task = k.poll_decision(self.swf, self.domain, self.dtl, timeout)
        self.case.assertIsNotNone(task, "no decision task: %s" % k.types(self.history()))
        return task

    def schedule(self, activity_id, **timeouts):
        task = self.decision()
        k.decide(self.swf, task, k.schedule(self.case.act_type, activity_id,
                                            taskList={"name": self.atl}, **timeouts))

    def activity(self):
        task = k.poll_activity(self.swf, self.domain, self.atl, WAIT)
        self.case.assertIsNotNone(task, "no activity task: %s" % k.types(self.history()))
        return task

    def history(self):
        return k.history(self.swf, self.domain, self.ex)

    def wait_for(self, event_type, timeout=WAIT, count=1):
        return k.wait_for_event(self.swf, self.domain, self.ex, event_type, timeout, count)

    def assert_activity_timed_out(self, timeout_type, details=None):
        event = self.wait_for("ActivityTaskTimedOut")[0]
        a = k.attrs(event)
        self.case.assertEqual(a["timeoutType"], timeout_type)
        events = self.history()
        self.case.assertEqual(a["scheduledEventId"],
                              k.last(events, "ActivityTaskScheduled")["eventId"])
        started = k.last(events, "ActivityTaskStarted")
        if started is None:
            self.case.assertEqual(a.get("startedEventId", 0), 0)
        else:
            self.case.assertEqual(a["startedEventId"], started["eventId"])
        self.case.assertEqual(a.get("details"), details)
        # A timed-out activity schedules a decision task that shows it.
        task = self.decision()
        self.case.assertIsNotNone(k.last(task["events"], "ActivityTaskTimedOut"))
        k.decide(self.swf, task, k.complete())
        self.case.assertEqual(k.history_problems(self.history()), [])
        return event


ACT_DEFAULTS = dict(scheduleToStartTimeout="30", scheduleToCloseTimeout="60",
                    startToCloseTimeout="30", heartbeatTimeout="NONE")


class TimeoutTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.domain = k.make_domain(cls.swf, "to")
        cls.wf_type = k.make_workflow_type(cls.swf, cls.domain, exec_timeout="60",
                                           task_timeout="30")
        cls.act_type = k.make_activity_type(cls.swf, cls.domain)

    def test_workflow_execution_start_to_close(self):
        flow = TimeoutFlow(self, executionStartToCloseTimeout="2")
        task = flow.decision()
        k.decide(self.swf, task, k.start_timer("later", 60))
        event = flow.wait_for("WorkflowExecutionTimedOut")[0]
        self.assertEqual(k.attrs(event)["timeoutType"], "START_TO_CLOSE")
        self.assertEqual(k.attrs(event)["childPolicy"], "TERMINATE")
        events = flow.history()
        self.assertEqual(events[-1]["eventType"], "WorkflowExecutionTimedOut")
        self.assertEqual(k.history_problems(events), [])
        info = self.swf.describe_workflow_execution(domain=self.domain, execution=flow.ex)
        self.assertEqual(info["executionInfo"]["closeStatus"], "TIMED_OUT")
        self.assertIsNone(k.poll_decision(self.swf, self.domain, flow.dtl, timeout=0.1))

    def test_decision_task_start_to_close(self):
        flow = TimeoutFlow(self, taskStartToCloseTimeout="2")
        task = flow.decision()
        event = flow.wait_for("DecisionTaskTimedOut")[0]
        a = k.attrs(event)
        self.assertEqual(a["timeoutType"], "START_TO_CLOSE")
        self.assertEqual(a["startedEventId"], task["startedEventId"])
        self.assertEqual(a["scheduledEventId"],
                         k.last(task["events"], "DecisionTaskScheduled")["eventId"])
        self.assertFault("UnknownResourceFault", k.decide, self.swf, task, k.complete())
        # ... then a new decision task.
        task2 = flow.decision()
        self.assertNotEqual(task2["startedEventId"], task["startedEventId"])
        self.assertEqual(k.types(task2["events"])[-3:], [
            "DecisionTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted"])
        self.assertEqual(task2.get("previousStartedEventId", 0), 0,
                         "no decision task was processed yet (the first one timed out)")
        k.decide(self.swf, task2, k.marker("m"), k.start_timer("t", 1))
        # previousStartedEventId names the last decision task the decider
        # processed, not one that timed out in between.
        task3 = flow.decision()
        flow.wait_for("DecisionTaskTimedOut", count=2)
        task4 = flow.decision()
        self.assertEqual(task4["previousStartedEventId"], task2["startedEventId"])
        self.assertNotEqual(task3["startedEventId"], task2["startedEventId"])
        k.decide(self.swf, task4, k.complete())
        self.assertEqual(k.history_problems(flow.history()), [])

    def test_activity_schedule_to_start(self):
        flow = TimeoutFlow(self)
        flow.schedule("a", **dict(ACT_DEFAULTS, scheduleToStartTimeout="1"))
        flow.assert_activity_timed_out("SCHEDULE_TO_START")
        self.assertIsNone(k.poll_activity(self.swf, self.domain, flow.atl, timeout=0.1),
                          "a timed-out activity is no longer handed out")

    def test_activity_schedule_to_close(self):
        flow = TimeoutFlow(self)
        flow.schedule("a", **dict(ACT_DEFAULTS, scheduleToCloseTimeout="2"))
        task = flow.activity()
        flow.assert_activity_timed_out("SCHEDULE_TO_CLOSE")
        self.assertFault("UnknownResourceFault", self.swf.respond_activity_task_completed,
                         taskToken=task["taskToken"])

    def test_activity_start_to_close(self):
        flow = TimeoutFlow(self)
        flow.schedule("a", **dict(ACT_DEFAULTS, startToCloseTimeout="2"))
        task = flow.activity()
        self.swf.record_activity_task_heartbeat(taskToken=task["taskToken"], details="half")
        flow.assert_activity_timed_out("START_TO_CLOSE", details="half")
        self.assertFault("UnknownResourceFault", self.swf.respond_activity_task_completed,
                         taskToken=task["taskToken"])

    def test_activity_heartbeat(self):
        flow = TimeoutFlow(self)
        flow.schedule("a", **dict(ACT_DEFAULTS, heartbeatTimeout="1"))
        task = flow.activity()
        self.swf.record_activity_task_heartbeat(taskToken=task["taskToken"], details="hb-1")
        flow.assert_activity_timed_out("HEARTBEAT", details="hb-1")
        self.assertFault("UnknownResourceFault", self.swf.record_activity_task_heartbeat,
                         taskToken=task["taskToken"])

    def test_heartbeats_keep_an_activity_alive(self):
        flow = TimeoutFlow(self)
        flow.schedule("a", **dict(ACT_DEFAULTS, heartbeatTimeout="2"))
        task = flow.activity()
        for i in range(8):  # 4 s in all: twice the heartbeat timeout
            time.sleep(0.5)
            beat = self.swf.record_activity_task_heartbeat(taskToken=task["taskToken"],
                                                           details=str(i))
            self.assertFalse(beat["cancelRequested"])
        self.swf.respond_activity_task_completed(taskToken=task["taskToken"], result="ok")
        events = flow.history()
        self.assertEqual(k.find(events, "ActivityTaskTimedOut"), [])
        self.assertEqual(k.attrs(k.last(events, "ActivityTaskCompleted"))["result"], "ok")


class TimeoutAfterRestartTest(ServerTestCase):
    """Timeouts are durable: pending ones fire after kill -9 and restart,
    including those that fell due while the server was down."""

    @classmethod
    def setUpClass(cls):
        if is_moto():
            raise unittest.SkipTest("moto cannot restart on the same data")
        cls.server = WeftServer()
        cls.addClassCleanup(cls.server.cleanup)
        cls.server.start()
        super().setUpClass()
        cls.domain = k.make_domain(cls.swf, "tor")
        cls.wf_type = k.make_workflow_type(cls.swf, cls.domain, exec_timeout="120",
                                           task_timeout="30")
        cls.act_type = k.make_activity_type(cls.swf, cls.domain)

    def test_timeouts_fire_after_kill_and_restart(self):
        flow = TimeoutFlow(self)
        # A second execution whose own start-to-close timeout, and a third
        # whose started activity's start-to-close timeout, fall after the restart.
        short = TimeoutFlow(self, executionStartToCloseTimeout="4")
        started = TimeoutFlow(self)
        started.schedule("running", **dict(ACT_DEFAULTS, startToCloseTimeout="4"))
        started.activity()
        task = flow.decision()
        k.decide(self.swf, task,
                 k.schedule(self.act_type, "due-while-down", taskList={"name": flow.atl},
                            **dict(ACT_DEFAULTS, scheduleToStartTimeout="1")),
                 k.schedule(self.act_type, "due-after-restart", taskList={"name": flow.atl},
                            **dict(ACT_DEFAULTS, scheduleToStartTimeout="5")),
                 k.start_timer("timer", 4))
        self.server.kill()
        time.sleep(2)
        self.server.start()
        self.swf = self.server.client()
        flow.swf = short.swf = started.swf = self.swf
        timed_out = flow.wait_for("ActivityTaskTimedOut", timeout=20, count=2)
        self.assertEqual({k.attrs(e)["timeoutType"] for e in timed_out}, {"SCHEDULE_TO_START"})
        events = flow.history()
        sched = {e["eventId"]: k.attrs(e)["activityId"]
                 for e in k.find(events, "ActivityTaskScheduled")}
        self.assertEqual(sorted(sched[k.attrs(e)["scheduledEventId"]] for e in timed_out),
                         ["due-after-restart", "due-while-down"])
        flow.wait_for("TimerFired", timeout=20)
        task = flow.decision()
        self.assertEqual(len(k.find(task["events"], "ActivityTaskTimedOut")), 2)
        k.decide(self.swf, task, k.complete())
        self.assertEqual(k.history_problems(flow.history()), [])

        event = short.wait_for("WorkflowExecutionTimedOut", timeout=20)[0]
        self.assertEqual(k.attrs(event)["timeoutType"], "START_TO_CLOSE")
        self.assertEqual(k.history_problems(short.history()), [])
        started.assert_activity_timed_out("START_TO_CLOSE")


if __name__ == "__main__":
    unittest.main()
