"""Runs examples/video-encoding (a boto3 decider and three workers, as
separate processes) against a real weft server and checks the history."""

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

        events = k.history(self.swf, domain, summary["execution"])
        self.assertEqual(k.history_problems(events), [], k.types(events))
        sched = {e["eventId"]: k.attrs(e)["activityId"]
                 for e in k.find(events, "ActivityTaskScheduled")}
        failed = [sched[k.attrs(e)["scheduledEventId"]]
                  for e in k.find(events, "ActivityTaskFailed")]
        completed = sorted(sched[k.attrs(e)["scheduledEventId"]]
                           for e in k.find(events, "ActivityTaskCompleted"))
        self.assertEqual(failed, ["encode-3-attempt-1"])
        self.assertEqual(completed, sorted(
            ["split-attempt-1", "combine-attempt-1", "encode-3-attempt-2"]
            + ["encode-%d-attempt-1" % i for i in range(6) if i != 3]))
        self.assertEqual([k.attrs(e)["details"] for e in k.find(events, "MarkerRecorded")],
                         ["encode-3 attempt 2"])
        # The encodes ran in parallel: all six were scheduled by one decision.
        first_encodes = [e for e in k.find(events, "ActivityTaskScheduled")
                         if k.attrs(e)["activityId"].endswith("-attempt-1")
                         and k.attrs(e)["activityId"].startswith("encode-")]
        self.assertEqual(len({k.attrs(e)["decisionTaskCompletedEventId"]
                              for e in first_encodes}), 1)
        self.assertEqual(len(first_encodes), 6)
        workers = {k.attrs(e)["identity"] for e in k.find(events, "ActivityTaskStarted")}
        self.assertTrue(workers <= {"worker-0", "worker-1", "worker-2"}, workers)


if __name__ == "__main__":
    unittest.main()
