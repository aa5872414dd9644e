"""Cross-shard work survives kill -9 of the server, carried out exactly once.

A child start, an external signal, an external cancel request and a child's
close reported to its parent each cross from one execution to another,
usually on another shard. The server is killed while deciders answer such
decisions from several threads, and again while children complete; after
each restart every piece of work that was initiated (always: when the answer
came back) is done once, and none is done twice: one child run per
initiation, one signal and one cancel request per initiation, one close
notice per child."""

import sys
import threading
import unittest

import swfkit as k
from weftserver import OwnServer, ServerTestCase, uniq

PAIRS = 24
THREADS = 4


class CrossShardDurabilityTest(k.DomainAndType, OwnServer, ServerTestCase):

    domain_prefix = "xshard"

    def respond_all_and_kill(self, tasks, decisions_of):
        """Answers `tasks` from THREADS threads and kills the server once half
        are answered. Returns the indexes of the tasks answered 200."""
        answered, lock, half = set(), threading.Lock(), threading.Event()

        def respond(part):
            swf = self.server.client(read_timeout=10)
            for i in part:
                try:
                    k.decide(swf, tasks[i], *decisions_of(i))
                except Exception:  # the server died under this request
                    return
                with lock:
                    answered.add(i)
                    if len(answered) >= len(tasks) // 2:
                        half.set()

        threads = [threading.Thread(target=respond, args=(range(n, len(tasks), THREADS),))
                   for n in range(THREADS)]
        for t in threads:
            t.start()
        half.wait(60)
        self.server.kill()
        for t in threads:
            t.join(60)
        self.restart()
        return answered

    def poll_all(self, task_list, count):
        tasks = {}
        while len(tasks) < count:
            task = k.poll_decision(self.swf, self.domain, task_list)
            self.assertIsNotNone(task, "a decision task is missing")
            tasks[task["workflowExecution"]["workflowId"]] = task
        return tasks

    def test_kill_9_between_the_two_sides(self):
        tl_parent, tl_target, tl_child = uniq("p"), uniq("t"), uniq("c")
        parents = [k.start(self.swf, self.domain, self.wf_type, tl_parent)
                   for _ in range(PAIRS)]
        targets = [k.start(self.swf, self.domain, self.wf_type, tl_target)
                   for _ in range(PAIRS)]
        child_ids = [uniq("child") for _ in range(PAIRS)]
        by_id = self.poll_all(tl_parent, PAIRS)
        tasks = [by_id[p["workflowId"]] for p in parents]

        answered = self.respond_all_and_kill(tasks, lambda i: [
            k.start_child(self.wf_type, child_ids[i], taskList={"name": tl_child}),
            k.signal_external(targets[i]["workflowId"], "go", input=str(i)),
            k.cancel_external(targets[i]["workflowId"], runId=targets[i]["runId"])])
        self.assertGreaterEqual(len(answered), PAIRS // 2)

        initiated = []
        for i, parent in enumerate(parents):
            events = k.history(self.swf, self.domain, parent)
            n = len(k.find(events, "StartChildWorkflowExecutionInitiated"))
            self.assertIn(n, (0, 1))
            if i in answered:
                self.assertEqual(n, 1, "an answered decision was lost: %s" % k.types(events))
            if n:
                initiated.append(i)
            else:
                self.assertNotIn("SignalExternalWorkflowExecutionInitiated", k.types(events))
        sys.stderr.write("\ndecisions answered before the kill: %d of %d; initiated: %d\n"
                         % (len(answered), PAIRS, len(initiated)))
        children = {}
        for i in range(PAIRS):
            self.check_first_side(i, i in initiated, parents[i], targets[i], child_ids[i],
                                  children)

        # A child's close crosses back to its parent: kill while they close.
        child_tasks = self.poll_all(tl_child, len(initiated))
        order = sorted(child_tasks)
        closed = self.respond_all_and_kill([child_tasks[c] for c in order],
                                           lambda n: [k.complete(result=order[n])])
        sys.stderr.write("children answered closed before the kill: %d of %d\n"
                         % (len(closed), len(order)))
        closed = {order[n] for n in closed}
        self.assertGreaterEqual(len(closed), len(order) // 2)
        for i in initiated:
            info = self.swf.describe_workflow_execution(
                domain=self.domain, execution=children[i])["executionInfo"]
            if child_ids[i] in closed:
                self.assertEqual(info["executionStatus"], "CLOSED")
            if info["executionStatus"] == "CLOSED":
                done = k.wait_for_event(self.swf, self.domain, parents[i],
                                        "ChildWorkflowExecutionCompleted")
                self.assertEqual(k.attrs(done[0])["result"], child_ids[i])
            events = k.history(self.swf, self.domain, parents[i])
            self.assertLessEqual(len(k.find(events, "ChildWorkflowExecutionCompleted")), 1)
            self.assertEqual(k.history_problems(events), [], k.types(events))

    def check_first_side(self, i, was_initiated, parent, target, child_id, children):
        """Everything `parent` initiated happened once on the other side."""
        if was_initiated:
            started = k.wait_for_event(self.swf, self.domain, parent,
                                       "ChildWorkflowExecutionStarted")
            k.wait_for_event(self.swf, self.domain, parent, "ExternalWorkflowExecutionSignaled")
            k.wait_for_event(self.swf, self.domain, parent,
                             "ExternalWorkflowExecutionCancelRequested")
            children[i] = k.attrs(started[0])["workflowExecution"]
        events = k.history(self.swf, self.domain, parent)
        self.assertEqual(k.history_problems(events), [], k.types(events))
        for once in ("ChildWorkflowExecutionStarted", "ExternalWorkflowExecutionSignaled",
                     "ExternalWorkflowExecutionCancelRequested"):
            self.assertEqual(len(k.find(events, once)), int(was_initiated), k.types(events))
        for never in ("StartChildWorkflowExecutionFailed",
                      "SignalExternalWorkflowExecutionFailed",
                      "RequestCancelExternalWorkflowExecutionFailed"):
            self.assertEqual(k.find(events, never), [], k.types(events))

        runs = self.swf.list_open_workflow_executions(
            domain=self.domain, startTimeFilter={"oldestDate": 0},
            executionFilter={"workflowId": child_id})["executionInfos"]
        self.assertEqual(len(runs), int(was_initiated), "child runs of %s" % child_id)
        if was_initiated:
            child_events = k.history(self.swf, self.domain, children[i])
            self.assertEqual(k.types(child_events).count("WorkflowExecutionStarted"), 1)
            self.assertEqual(k.attrs(child_events[0])["parentWorkflowExecution"], parent)

        target_events = k.history(self.swf, self.domain, target)
        signals = k.find(target_events, "WorkflowExecutionSignaled")
        self.assertEqual([k.attrs(e)["input"] for e in signals],
                         [str(i)] if was_initiated else [])
        self.assertEqual(len(k.find(target_events, "WorkflowExecutionCancelRequested")),
                         int(was_initiated))


if __name__ == "__main__":
    unittest.main()
