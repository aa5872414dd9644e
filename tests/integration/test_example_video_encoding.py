"""Runs examples/video-encoding (a boto3 decider and three workers, as
separate processes) against a real weft server and checks the histories of
the job and of its child workflow per chunk."""

import os
import unittest

import swfkit as k
from weftserver import ServerTestCase, uniq

RUN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                   "video-encoding", "run.py")


class VideoEncodingExampleTest(ServerTestCase):

    def test_example_completes_with_one_retried_chunk(self):
        domain = uniq("video")
        summary = k.run_example(self, RUN, "--endpoint", self.server.url, "--domain", domain,
                                "--chunks", "6", "--fail-chunk", "3", "--timeout", "60")
        self.assertEqual(summary["closeStatus"], "COMPLETED")
        parent = summary["execution"]

        events = k.history(self.swf, domain, parent)
        self.assertEqual(k.history_problems(events), [], k.types(events))
        self.assertEqual(self.activities(events, "ActivityTaskCompleted"),
                         ["combine-attempt-1", "split-attempt-1"])
        # Every chunk ran as a child workflow, all started by one decision.
        initiated = k.find(events, "StartChildWorkflowExecutionInitiated")
        chunk_ids = ["%s-chunk-%d" % (parent["workflowId"], i) for i in range(6)]
        self.assertEqual(sorted(k.attrs(e)["workflowId"] for e in initiated), chunk_ids)
        self.assertEqual(len({k.attrs(e)["decisionTaskCompletedEventId"]
                              for e in initiated}), 1)
        completed = {k.attrs(e)["workflowExecution"]["workflowId"]: k.attrs(e)
                     for e in k.find(events, "ChildWorkflowExecutionCompleted")}
        self.assertEqual(sorted(completed), chunk_ids)

        for i, child_id in enumerate(chunk_ids):
            child = completed[child_id]["workflowExecution"]
            child_events = k.history(self.swf, domain, child)
            self.assertEqual(k.history_problems(child_events), [], k.types(child_events))
            started = k.attrs(child_events[0])
            self.assertEqual(started["parentWorkflowExecution"], parent)
            self.assertEqual(started["parentInitiatedEventId"], next(
                e["eventId"] for e in initiated if k.attrs(e)["workflowId"] == child_id))
            self.assertEqual(child_events[-1]["eventType"], "WorkflowExecutionCompleted")
            self.assertEqual(k.attrs(child_events[-1])["result"], completed[child_id]["result"])
            retried = i == 3
            self.assertEqual(self.activities(child_events, "ActivityTaskFailed"),
                             ["encode-3-attempt-1"] if retried else [])
            self.assertEqual(self.activities(child_events, "ActivityTaskCompleted"),
                             ["encode-%d-attempt-%d" % (i, 2 if retried else 1)])
            self.assertEqual([k.attrs(e)["details"]
                              for e in k.find(child_events, "MarkerRecorded")],
                             ["encode-3 attempt 2"] if retried else [])
            workers = {k.attrs(e)["identity"]
                       for e in k.find(child_events, "ActivityTaskStarted")}
            self.assertTrue(workers <= {"worker-0", "worker-1", "worker-2"}, workers)

    def test_a_chunk_that_keeps_failing_fails_the_job(self):
        domain = uniq("video")
        summary = k.run_example(self, RUN, "--endpoint", self.server.url, "--domain", domain,
                                "--chunks", "3", "--fail-chunk", "1", "--fail-attempts", "3",
                                "--expect", "FAILED", "--timeout", "60")
        self.assertEqual(summary["closeStatus"], "FAILED")
        events = k.history(self.swf, domain, summary["execution"])
        failed = k.find(events, "ChildWorkflowExecutionFailed")
        self.assertEqual([k.attrs(e)["workflowExecution"]["workflowId"] for e in failed],
                         ["%s-chunk-1" % summary["execution"]["workflowId"]])
        self.assertEqual(k.attrs(failed[0])["reason"], "encoder gave up")
        self.assertIn("chunk-1 failed", k.attrs(events[-1])["details"])
        self.assertEqual(self.activities(events, "ActivityTaskScheduled"),
                         ["split-attempt-1"])

    @staticmethod
    def activities(events, event_type):
        """The activityIds of the activities with an event of `event_type`."""
        scheduled = {e["eventId"]: k.attrs(e)["activityId"]
                     for e in k.find(events, "ActivityTaskScheduled")}
        if event_type == "ActivityTaskScheduled":
            return sorted(scheduled.values())
        return sorted(scheduled[k.attrs(e)["scheduledEventId"]]
                      for e in k.find(events, event_type))


if __name__ == "__main__":
    unittest.main()
