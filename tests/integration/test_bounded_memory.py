"""Issue 13: far more open executions than the server keeps in memory.

A server with --cache-size 50 runs 1,000 SWF workflows (an activity, a
one-second timer and a signal each) and 300 Step Functions executions (a
one-second Wait, then an activity Task) to completion, driven by real boto3
deciders and workers, while the SWF executions are evicted and loaded again
from their snapshots all the time, and the server is killed with SIGKILL in
the middle. Every workflow must close COMPLETED with one completed activity,
one fired timer and a signal, and every execution must succeed."""

import json
import threading
import time
import unittest
import urllib.request

from botocore.exceptions import BotoCoreError, ClientError

import sfnkit
import swfkit as k
from weftserver import ServerTestCase, WeftServer, error_code, is_moto, uniq

WORKFLOWS = 1000
MACHINES = 300
THREADS = 4  # of each kind: starters, deciders, workers
CACHE_SIZE = 50
DEADLINE_SECONDS = 240


def retrying(stop, fn, **kwargs):
    """Calls fn until the server answers; the server is down for a moment
    around the kill. Raises the ClientError it answers otherwise."""
    while not stop.is_set():
        try:
            return fn(**kwargs)
        except ClientError as e:
            if error_code(e) in ("500", "502", "503", "InternalFailure"):
                time.sleep(0.1)
                continue
            raise
        except BotoCoreError:
            time.sleep(0.1)
    return None


def answered_or_gone(stop, codes, fn, **kwargs):
    """retrying(), where an answer with one of `codes` means the task is gone
    (it timed out, or its answer was lost in the kill and it was retried)."""
    try:
        retrying(stop, fn, **kwargs)
    except ClientError as e:
        if error_code(e) not in codes:
            raise
        return False
    return True


def metric(url, name):
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return 0.0


@unittest.skipIf(is_moto(), "weft's own cache and restart")
class BoundedMemoryTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = WeftServer(poll_timeout=2, extra_args=[
            "--cache-size", str(CACHE_SIZE), "--heartbeat-flush", "0.2"])
        cls.addClassCleanup(cls.server.cleanup)
        cls.server.start()
        super().setUpClass()

    def setUp(self):
        self.stop = threading.Event()
        self.errors = []
        self.lock = threading.Lock()
        self.closed = 0

    def spawn(self, fn, *args):
        def run():
            try:
                fn(*args)
            except Exception as e:  # noqa: BLE001 (reported by the test)
                with self.lock:
                    self.errors.append(repr(e))
                self.stop.set()
        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t

    # -- SWF ---------------------------------------------------------------

    def swf_starter(self, ids, domain, wf_type):
        swf = self.server.client()
        for wid in ids:
            try:
                retrying(self.stop, swf.start_workflow_execution, domain=domain, workflowId=wid,
                         workflowType=wf_type, taskList={"name": "deciders"})
            except ClientError as e:  # started before a kill that lost the answer
                if error_code(e) != "WorkflowExecutionAlreadyStartedFault":
                    raise
            # By workflowId alone: the open run is looked up in the store.
            retrying(self.stop, swf.signal_workflow_execution, domain=domain, workflowId=wid,
                     signalName="go", input="s")

    def swf_decider(self, domain, act_type):
        swf = self.server.client()
        while not self.stop.is_set():
            task = retrying(self.stop, swf.poll_for_decision_task, domain=domain,
                            taskList={"name": "deciders"}, identity="decider")
            if not task or not task.get("taskToken"):
                continue
            events = list(task["events"])
            page = task
            while page.get("nextPageToken"):
                page = retrying(self.stop, swf.poll_for_decision_task, domain=domain,
                                taskList={"name": "deciders"}, nextPageToken=page["nextPageToken"])
                events.extend(page["events"])
            seen = k.types(events)
            decisions = []
            if "ActivityTaskScheduled" not in seen:
                decisions = [k.schedule(act_type, "a"), k.start_timer("t", 1)]
            elif ("ActivityTaskCompleted" not in seen
                  and seen.count("ActivityTaskScheduled") == seen.count("ActivityTaskTimedOut")):
                decisions = [k.schedule(act_type, "a")]  # lost in the kill: again
            elif {"ActivityTaskCompleted", "TimerFired", "WorkflowExecutionSignaled"} <= set(seen):
                decisions = [k.complete("done")]
            if not answered_or_gone(self.stop, ("UnknownResourceFault",),
                                    swf.respond_decision_task_completed,
                                    taskToken=task["taskToken"], decisions=decisions):
                continue  # a task of before the kill, timed out since
            if decisions and decisions[0]["decisionType"] == "CompleteWorkflowExecution":
                with self.lock:
                    self.closed += 1

    def swf_worker(self, domain):
        swf = self.server.client()
        while not self.stop.is_set():
            task = retrying(self.stop, swf.poll_for_activity_task, domain=domain,
                            taskList={"name": "workers"}, identity="worker")
            if not task or not task.get("taskToken"):
                continue
            retrying(self.stop, swf.record_activity_task_heartbeat, taskToken=task["taskToken"])
            answered_or_gone(self.stop, ("UnknownResourceFault",),
                             swf.respond_activity_task_completed, taskToken=task["taskToken"],
                             result="r")

    # -- Step Functions ----------------------------------------------------

    def sfn_starter(self, names, machine):
        sfn = self.server.sfn_client()
        for name in names:
            # The same name again after a lost answer is the same execution.
            retrying(self.stop, sfn.start_execution, stateMachineArn=machine, name=name,
                     input=json.dumps({"name": name}))

    def sfn_worker(self, activity):
        sfn = self.server.sfn_client()
        while not self.stop.is_set():
            task = retrying(self.stop, sfn.get_activity_task, activityArn=activity,
                            workerName="worker")
            if not task or not task.get("taskToken"):
                continue
            answered_or_gone(self.stop, ("TaskTimedOut", "TaskDoesNotExist"),
                             sfn.send_task_success, taskToken=task["taskToken"],
                             output=task["input"])

    # -- the test ----------------------------------------------------------

    def test_many_more_executions_than_the_cache_holds_run_through_a_kill(self):
        swf = self.server.client()
        sfn = self.server.sfn_client()
        domain = k.make_domain(swf)
        # Short task timeouts: a task whose answer the kill lost comes back soon.
        wf_type = k.make_workflow_type(swf, domain, task_list="deciders", exec_timeout="600",
                                       task_timeout="5")
        act_type = k.make_activity_type(swf, domain, task_list="workers", start_to_close="5",
                                        schedule_to_start="120", schedule_to_close="180")
        activity = sfnkit.create_activity(sfn)
        machine = sfnkit.create_machine(sfn, {
            "StartAt": "W", "States": {
                "W": {"Type": "Wait", "Seconds": 1, "Next": "T"},
                "T": {"Type": "Task", "Resource": activity, "TimeoutSeconds": 10,
                      "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 3,
                                 "IntervalSeconds": 1}],
                      "End": True}}})
        loads_before = metric(self.server.url, "weft_execution_cache_loads_total")

        ids = [uniq("wf") for _ in range(WORKFLOWS)]
        names = [uniq("ex") for _ in range(MACHINES)]
        threads = []
        for i in range(THREADS):
            threads.append(self.spawn(self.swf_starter, ids[i::THREADS], domain, wf_type))
            threads.append(self.spawn(self.sfn_starter, names[i::THREADS], machine))
            threads.append(self.spawn(self.swf_decider, domain, act_type))
            threads.append(self.spawn(self.swf_worker, domain))
            threads.append(self.spawn(self.sfn_worker, activity))

        deadline = time.monotonic() + DEADLINE_SECONDS
        killed = False
        while not self.stop.is_set() and self.closed < WORKFLOWS:
            if time.monotonic() > deadline:
                break
            if not killed and self.closed >= WORKFLOWS // 3:
                # Evicted and loaded again many times by now; then the kill.
                loads = metric(self.server.url, "weft_execution_cache_loads_total")
                self.assertGreater(loads - loads_before, WORKFLOWS)
                self.server.restart()
                killed = True
            time.sleep(0.2)
        self.assertTrue(killed)
        self.assertEqual(self.errors, [])

        # Every Step Functions execution succeeds.
        for name in names:
            arn = machine.replace(":stateMachine:", ":execution:") + ":" + name
            left = max(5.0, deadline - time.monotonic())
            d = sfnkit.wait_for_status(sfn, arn, timeout=left)
            self.assertEqual(d["status"], "SUCCEEDED", name)
        self.stop.set()
        for t in threads:
            t.join(10)

        # Every workflow completed once, with what its decider waited for.
        for wid in ids:
            page = swf.list_closed_workflow_executions(
                domain=domain, startTimeFilter={"oldestDate": 0},
                executionFilter={"workflowId": wid})["executionInfos"]
            self.assertEqual([i["closeStatus"] for i in page], ["COMPLETED"], wid)
            events = k.history(swf, domain, page[0]["execution"])
            seen = k.types(events)
            self.assertEqual(seen.count("ActivityTaskCompleted"), 1, wid)
            self.assertEqual(seen.count("TimerFired"), 1, wid)
            self.assertGreaterEqual(seen.count("WorkflowExecutionSignaled"), 1, wid)
            self.assertEqual(k.history_problems(events), [], wid)
        self.assertEqual(self.errors, [])


if __name__ == "__main__":
    unittest.main()
