"""Runs examples/catalog-review (review app and scripted reviewer as separate
processes, the state machine on weft's Step Functions API) against a real
`weft server` started with the example's --config, and checks the summary
and the execution's history.

24 items in batches of 6, at most 3 rounds, reviews time out after 2 s; the
reviewer's rules (reviewer.decide): sku-005 and sku-017 have no description
(rejected every round), sku-003/009/015/021 need retouching (rejected in
round 1), sku-012 and sku-024 are left unanswered in round 1 (time out); the
review app answers 503 to its first 2 requests (retried by the task).
"""

import collections
import json
import os
import subprocess
import sys
import unittest

import sfnkit as k
from weftserver import ServerTestCase, WeftServer, is_moto

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                       "catalog-review")
RUN = os.path.join(EXAMPLE, "run.py")
CONFIG = os.path.join(EXAMPLE, "weft.config.json")
API_KEY = "catalog-review-demo-key"  # weft.config.json's connection
HARD_DEADLINE_SECONDS = 60  # the run takes about 5 s


class CatalogReviewExampleTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        if is_moto():
            raise unittest.SkipTest("moto: no HTTP Task")
        cls.server = WeftServer(extra_args=["--config", CONFIG])
        cls.addClassCleanup(cls.server.cleanup)
        cls.server.start()
        super().setUpClass()
        cls.sfn = cls.server.sfn_client()

    def run_example(self, *args):
        proc = subprocess.run(
            [sys.executable, RUN, "--endpoint", self.server.url, "--items", "24",
             "--batch-size", "6", "--max-rounds", "3", "--review-timeout", "5",
             "--busy-first", "2", "--timeout", "40", *args],
            capture_output=True, text=True, timeout=HARD_DEADLINE_SECONDS)
        output = "stdout:\n%s\nstderr:\n%s" % (proc.stdout[-4000:], proc.stderr[-4000:])
        lines = [l for l in proc.stdout.splitlines() if l.startswith("RESULT ")]
        self.assertEqual(len(lines), 1, output)
        result = json.loads(lines[0][len("RESULT "):])
        self.assertEqual(proc.returncode, 0, output)
        self.assertTrue(result["ok"], output)
        return result

    def test_rounds_summary_and_history(self):
        result = self.run_example()
        summary = result["summary"]
        self.assertEqual(summary["items"], 24)
        self.assertEqual(summary["rounds"], 3)
        self.assertEqual(summary["approved"]["count"], 22)
        self.assertEqual(len(summary["approved"]["ids"]), 22)
        self.assertEqual(summary["rejected"]["count"], 2)
        self.assertEqual([(r["id"], r["status"], r["round"], r["reason"])
                          for r in sorted(summary["rejected"]["items"], key=lambda r: r["id"])],
                         [("sku-005", "REJECTED", 3, "sku-005 has no description"),
                          ("sku-017", "REJECTED", 3, "sku-017 has no description")])
        self.assertEqual(summary["requeued"]["count"], 8)
        self.assertEqual(sorted(summary["requeued"]["ids"]),
                         ["sku-003", "sku-005", "sku-009", "sku-012", "sku-015", "sku-017",
                          "sku-021", "sku-024"])
        # 24 reviews in round 1, 8 in round 2, 2 in round 3; 2 requests refused.
        self.assertEqual(result["reviewApp"], {"received": 34, "busy": 2, "unauthorized": 0,
                                               "taken": 34, "queued": 0})

        events = k.history(self.sfn, result["executionArn"])
        # (Not k.history_problems: as in AWS, event 2 has previousEventId 0.)
        self.assertEqual([e["id"] for e in events], list(range(1, len(events) + 1)))
        self.assertEqual(events[-1]["type"], "ExecutionSucceeded")
        types = collections.Counter(k.event_types(events))
        entered = collections.Counter(k.entered_states(events))
        self.assertEqual(entered["RequestReview"], 34)
        self.assertEqual(entered["ReviewBatches"], 3)  # one Map state per round
        self.assertEqual(entered["ReviewBatch"], 7)    # batches: 4, then 2, then 1
        self.assertEqual(entered["AnotherRound"], 3)
        self.assertEqual((entered["Approved"], entered["Rejected"], entered["TimedOut"],
                          entered["ReviewFailed"]), (22, 10, 2, 0))
        self.assertEqual(types["ExecutionSucceeded"], 1)
        self.assertEqual(types["ExecutionFailed"], 0)
        # One callback per review: the request went out (scheduled twice for
        # the two refused with 503), then the task waited for its token.
        self.assertEqual(types["TaskScheduled"], 36)
        # A reviewer may answer before the review app's HTTP response is
        # back: the answer is taken and the late submission leaves no
        # TaskSubmitted (docs/compatibility.md), so some reviews may lack one.
        self.assertLessEqual(types["TaskSubmitted"], 34)
        self.assertGreaterEqual(types["TaskSubmitted"], 24)
        self.assertEqual(types["TaskSucceeded"], 22)
        self.assertEqual(types["TaskTimedOut"], 2)
        self.assertEqual(collections.Counter(k.details(e)["error"] for e in events
                                             if e["type"] == "TaskFailed"),
                         {"Review.Rejected": 10, "States.Http.StatusCode.503": 2})
        for e in events:
            if e["type"] == "TaskSubmitted":
                self.assertEqual(json.loads(k.details(e)["output"])["StatusCode"], 202, e)
            if e["type"] == "TaskTimedOut":
                self.assertEqual(k.details(e)["error"], "States.Timeout", e)
        # 7 batch iterations and 34 item iterations, none failed.
        self.assertEqual(types["MapIterationSucceeded"], 41)
        self.assertEqual(types["MapIterationFailed"], 0)
        self.assertEqual(types["MapStateSucceeded"], 10)
        # The connection's API key reached the review app, not the history.
        self.assertNotIn(API_KEY, json.dumps(events, default=str))


if __name__ == "__main__":
    unittest.main()
