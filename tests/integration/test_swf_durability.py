"""The kill -9 test of issue 2: workflows driven by a real decider and real
activity workers (threads) while the server is killed with SIGKILL several
times and restarted on the same data dir. Every workflow must complete with a
valid history, and every request answered 200 before a kill must be
reflected in the histories."""

import sys
import threading
import time
import unittest

from botocore.exceptions import BotoCoreError, ClientError

import swfkit as k
from weftserver import ServerTestCase, WeftServer, error_code, is_moto, uniq

WORKFLOWS = 8
STEPS = 3
WORKERS = 2
KILLS = 3
WORK_SECONDS = 0.4


class Answered:
    """What the server answered 200, recorded by the threads (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.starts = []          # execution
        self.signals = []         # (execution, input)
        self.decisions = []       # (execution, startedEventId, [activityIds], closed)
        self.activity_polls = []  # (execution, startedEventId, activityId)
        self.completions = []     # (execution, startedEventId, result)
        self.stale = []           # (execution, startedEventId) answered UnknownResourceFault

    def add(self, name, item):
        with self.lock:
            getattr(self, name).append(item)


def retrying(stop, fn, **kwargs):
    """Calls fn until the server answers (the server may be down for a
    moment). Returns the response, or raises the ClientError it answered."""
    while not stop.is_set():
        try:
            return fn(**kwargs)
        except ClientError as e:
            if error_code(e) in ("500", "502", "503", "ServiceUnavailable",
                                 "InternalFailure", "InternalServerError"):
                time.sleep(0.2)
                continue
            raise
        except BotoCoreError:
            time.sleep(0.2)
    return None


class DurabilityTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = WeftServer()
        cls.addClassCleanup(cls.server.cleanup)
        cls.server.start()
        super().setUpClass()

    def decider(self, stop, answered, errors, domain, dtl, atl, act_type):
        swf = self.server.client()
        while not stop.is_set():
            try:
                task = swf.poll_for_decision_task(domain=domain, taskList={"name": dtl},
                                                  identity="decider")
                if not task.get("taskToken"):
                    continue
                events = list(task["events"])
                page = task
                while page.get("nextPageToken"):
                    page = swf.poll_for_decision_task(domain=domain, taskList={"name": dtl},
                                                      nextPageToken=page["nextPageToken"])
                    events.extend(page["events"])
                decisions, ids, closed = self.decide(events, atl, act_type)
                ex = task["workflowExecution"]
                try:
                    swf.respond_decision_task_completed(taskToken=task["taskToken"],
                                                        decisions=decisions)
                    answered.add("decisions", (ex, task["startedEventId"], ids, closed))
                except ClientError as e:
                    if error_code(e) != "UnknownResourceFault":
                        raise
            except (BotoCoreError, ClientError) as e:
                if isinstance(e, ClientError) and error_code(e) not in ("500", "503"):
                    errors.append("decider: %r" % e)
                time.sleep(0.2)
            except Exception as e:
                errors.append("decider: %r" % e)
                time.sleep(0.2)

    @staticmethod
    def decide(events, atl, act_type):
        """Stateless decider: STEPS activities in parallel, each retried under a
        new activityId if it timed out or failed; complete when all are done."""
        sched = {e["eventId"]: k.attrs(e)["activityId"]
                 for e in k.find(events, "ActivityTaskScheduled")}
        outcome = {}
        for e in events:
            if e["eventType"] in k.ACTIVITY_CLOSE_EVENTS:
                outcome[sched[k.attrs(e)["scheduledEventId"]]] = e
        results, decisions, ids = {}, [], []
        for step in range(STEPS):
            attempts = [a for a in sched.values() if a.split("~")[0] == "step-%d" % step]
            done = [a for a in attempts if a in outcome
                    and outcome[a]["eventType"] == "ActivityTaskCompleted"]
            if done:
                results[step] = k.attrs(outcome[done[0]])["result"]
            elif all(a in outcome for a in attempts):
                new_id = "step-%d~%d" % (step, len(attempts))
                ids.append(new_id)
                decisions.append(k.schedule(
                    act_type, new_id, taskList={"name": atl}, input=str(step),
                    scheduleToStartTimeout="60", scheduleToCloseTimeout="120",
                    startToCloseTimeout="8", heartbeatTimeout="NONE"))
        if len(results) == STEPS:
            return [k.complete(",".join(results[s] for s in range(STEPS)))], [], True
        return decisions, ids, False

    def worker(self, n, stop, answered, errors, domain, atl, work_seconds):
        swf = self.server.client()
        while not stop.is_set():
            try:
                task = swf.poll_for_activity_task(domain=domain, taskList={"name": atl},
                                                  identity="worker-%d" % n)
            except (BotoCoreError, ClientError):
                time.sleep(0.2)
                continue
            if not task.get("taskToken"):
                continue
            ex, started = task["workflowExecution"], task["startedEventId"]
            answered.add("activity_polls", (ex, started, task["activityId"]))
            time.sleep(work_seconds)
            result = "r%s@%s" % (task["input"], ex["workflowId"])
            try:
                if retrying(stop, swf.respond_activity_task_completed,
                            taskToken=task["taskToken"], result=result) is not None:
                    answered.add("completions", (ex, started, result))
            except ClientError as e:
                if error_code(e) == "UnknownResourceFault":
                    answered.add("stale", (ex, started))
                else:
                    errors.append("worker-%d: %r" % (n, e))

    def test_kill_minus_nine_loses_nothing_answered(self):
        self.run_scenario(workflows=WORKFLOWS, work_seconds=WORK_SECONDS)

    def test_kill_minus_nine_under_fast_traffic(self):
        """Short activities: more requests are in flight (committed but not
        yet answered) when the server dies."""
        self.run_scenario(workflows=16, work_seconds=0.02)

    def run_scenario(self, workflows, work_seconds):
        """Kills the server when 1/4, 2/4 and 3/4 of the activities are done."""
        swf = self.swf
        domain = k.make_domain(swf, "dur")
        wf_type = k.make_workflow_type(swf, domain, exec_timeout="300", task_timeout="5")
        act_type = k.make_activity_type(swf, domain)
        dtl, atl = uniq("dtl"), uniq("atl")
        stop, answered, errors = threading.Event(), Answered(), []

        threads = [threading.Thread(target=self.decider, daemon=True,
                                    args=(stop, answered, errors, domain, dtl, atl, act_type))]
        threads += [threading.Thread(target=self.worker, daemon=True,
                                     args=(n, stop, answered, errors, domain, atl,
                                           work_seconds))
                    for n in range(WORKERS)]
        for t in threads:
            t.start()

        driver = self.server.client()
        for i in range(workflows):
            ex = retrying(stop, k.start, swf=driver, domain=domain, wf_type=wf_type,
                          task_list=dtl, workflow_id="wf-%d-%s" % (i, uniq("d")))
            answered.add("starts", ex)
        kills = 0 if is_moto() else KILLS
        starts_before = self.server.starts
        progress = []  # activities completed when each kill came
        try:
            for n in range(kills):
                target = workflows * STEPS * (n + 1) // (kills + 1)
                deadline = time.monotonic() + 30
                while len(answered.completions) < target and time.monotonic() < deadline:
                    time.sleep(0.005)
                for ex in answered.starts[n::kills]:
                    payload = "signal-%d-%s" % (n, ex["workflowId"])
                    try:
                        driver.signal_workflow_execution(
                            domain=domain, workflowId=ex["workflowId"], runId=ex["runId"],
                            signalName="poke", input=payload)
                        answered.add("signals", (ex, payload))
                    except ClientError as e:
                        if error_code(e) != "UnknownResourceFault":  # already closed
                            raise
                with answered.lock:
                    progress.append(len(answered.completions))
                self.server.kill()
                time.sleep(0.5)
                self.server.start()
            closed = self.wait_all_closed(driver, domain, answered.starts, timeout=60)
        finally:
            stop.set()
            for t in threads:
                t.join(15)
        self.assertEqual(errors, [])
        self.assertEqual(self.server.starts, starts_before + kills)
        sys.stderr.write("\nactivities completed at each kill: %s of %d; answered: %s\n" % (
            progress, workflows * STEPS, {n: len(getattr(answered, n)) for n in (
                "starts", "signals", "decisions", "activity_polls", "completions", "stale")}))
        if kills:
            self.assertLess(progress[0], workflows * STEPS,
                            "the first kill must come while work is in flight")

        swf = self.server.client()
        for ex in answered.starts:
            with self.subTest(workflowId=ex["workflowId"]):
                self.assertEqual(closed[ex["workflowId"]], "COMPLETED")
                events = k.history(swf, domain, ex)
                self.check_history(ex, events, answered)

    def test_pending_tasks_survive_a_restart(self):
        """Scheduled tasks are handed out after kill -9 and restart, and a
        decision task that was started when the server died times out."""
        self.skip_on_moto("no restart")
        swf = self.swf
        domain = k.make_domain(swf, "pend")
        wf_type = k.make_workflow_type(swf, domain, exec_timeout="300", task_timeout="2")
        act_type = k.make_activity_type(swf, domain)
        waiting_dtl = uniq("dtl-a")
        waiting = k.start(swf, domain, wf_type, waiting_dtl)
        atl, dtl_b = uniq("atl"), uniq("dtl-b")
        with_activity = k.start(swf, domain, wf_type, dtl_b)
        k.decide(swf, k.poll_decision(swf, domain, dtl_b),
                 k.schedule(act_type, "a1", taskList={"name": atl}, input="kept"))
        dtl_c = uniq("dtl-c")
        started = k.start(swf, domain, wf_type, dtl_c)
        orphan = k.poll_decision(swf, domain, dtl_c)

        self.server.restart()
        swf = self.server.client()

        task = k.poll_decision(swf, domain, waiting_dtl)
        self.assertIsNotNone(task, "a scheduled decision task was lost in the restart")
        self.assertEqual(task["workflowExecution"], waiting)
        k.decide(swf, task, k.complete())

        act = k.poll_activity(swf, domain, atl)
        self.assertIsNotNone(act, "a scheduled activity task was lost in the restart")
        self.assertEqual((act["workflowExecution"], act["input"]), (with_activity, "kept"))
        swf.respond_activity_task_completed(taskToken=act["taskToken"], result="done")
        task = k.poll_decision(swf, domain, dtl_b)
        self.assertIsNotNone(k.last(task["events"], "ActivityTaskCompleted"))
        k.decide(swf, task, k.complete())

        timed_out = k.wait_for_event(swf, domain, started, "DecisionTaskTimedOut")[0]
        self.assertEqual(k.attrs(timed_out)["startedEventId"], orphan["startedEventId"])
        task = k.poll_decision(swf, domain, dtl_c)
        self.assertIsNotNone(task, "no new decision task after the timeout")
        self.assertFault("UnknownResourceFault", k.decide, swf, orphan, k.complete())
        k.decide(swf, task, k.complete())
        for ex in (waiting, with_activity, started):
            events = k.history(swf, domain, ex)
            self.assertEqual(k.history_problems(events), [], k.types(events))
            self.assertEqual(events[-1]["eventType"], "WorkflowExecutionCompleted")

    def test_clean_shutdown_on_sigterm(self):
        self.skip_on_moto("no restart")
        swf = self.swf
        domain = k.make_domain(swf, "term")
        wf_type = k.make_workflow_type(swf, domain)
        dtl = uniq("dtl")
        ex = k.start(swf, domain, wf_type, dtl)
        before = k.history(swf, domain, ex)
        outcome = []

        def poll():
            try:
                outcome.append(self.server.client().poll_for_activity_task(
                    domain=domain, taskList={"name": uniq("empty")}))
            except (BotoCoreError, ClientError) as e:
                outcome.append(e)

        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(0.3)
        self.assertEqual(self.server.stop(timeout=10), 0,
                         "SIGTERM: a clean exit with status 0 within 10 s")
        poller.join(15)
        self.assertFalse(poller.is_alive(), "a waiting long poll was left hanging")
        self.server.start()
        swf = self.server.client()
        self.assertEqual(swf.describe_domain(name=domain)["domainInfo"]["status"], "REGISTERED")
        self.assertEqual(k.history(swf, domain, ex), before)
        task = k.poll_decision(swf, domain, dtl)
        self.assertEqual(task["workflowExecution"], ex)
        k.decide(swf, task, k.complete())

    def wait_all_closed(self, swf, domain, executions, timeout):
        deadline = time.monotonic() + timeout
        status = {}
        while time.monotonic() < deadline:
            for ex in executions:
                if ex["workflowId"] in status:
                    continue
                try:
                    info = swf.describe_workflow_execution(domain=domain, execution=ex)
                except BotoCoreError:
                    continue
                if info["executionInfo"]["executionStatus"] == "CLOSED":
                    status[ex["workflowId"]] = info["executionInfo"]["closeStatus"]
            if len(status) == len(executions):
                return status
            time.sleep(0.3)
        open_ = [ex for ex in executions if ex["workflowId"] not in status]
        self.fail("%d workflows still open after %s s; first: %s" % (
            len(open_), timeout, k.types(k.history(swf, domain, open_[0]))))

    def check_history(self, ex, events, answered):
        self.assertEqual(k.history_problems(events), [], k.types(events))
        by_id = {e["eventId"]: e for e in events}
        sched = {e["eventId"]: k.attrs(e)["activityId"]
                 for e in k.find(events, "ActivityTaskScheduled")}
        # Each logical activity completed exactly once.
        completed = [sched[k.attrs(e)["scheduledEventId"]].split("~")[0]
                     for e in k.find(events, "ActivityTaskCompleted")]
        self.assertEqual(sorted(completed), ["step-%d" % s for s in range(STEPS)],
                         k.types(events))
        self.assertEqual(events[-1]["eventType"], "WorkflowExecutionCompleted")

        def mine(items):
            return [i[1:] for i in items if i[0] == ex]

        for started, activity_id in mine(answered.activity_polls):
            e = by_id.get(started)
            self.assertIsNotNone(e, "activity poll answered 200 (started %d) is lost" % started)
            self.assertEqual(e["eventType"], "ActivityTaskStarted")
            self.assertEqual(sched[k.attrs(e)["scheduledEventId"]], activity_id)
        for started, result in mine(answered.completions):
            done = [e for e in k.find(events, "ActivityTaskCompleted")
                    if k.attrs(e)["startedEventId"] == started]
            self.assertEqual(len(done), 1, "completion answered 200 (started %d) lost" % started)
            self.assertEqual(k.attrs(done[0])["result"], result)
        for (started,) in mine(answered.stale):
            closes = [e for e in events if e["eventType"] in k.ACTIVITY_CLOSE_EVENTS
                      and k.attrs(e).get("startedEventId") == started]
            self.assertEqual(len(closes), 1, "a stale token's activity was closed otherwise")
        for started, ids, closed_it in mine(answered.decisions):
            dtc = [e for e in k.find(events, "DecisionTaskCompleted")
                   if k.attrs(e)["startedEventId"] == started]
            self.assertEqual(len(dtc), 1, "decision answered 200 (started %d) lost" % started)
            for activity_id in ids:
                self.assertIn(activity_id, sched.values())
        for (payload,) in mine(answered.signals):
            self.assertIn(payload, [k.attrs(e).get("input")
                                    for e in k.find(events, "WorkflowExecutionSignaled")])


if __name__ == "__main__":
    unittest.main()
