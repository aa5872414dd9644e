"""Runs examples/datacenter-migration (a decider and two worker pools on one
task list, as separate processes; the datacenter pool is drained while
workflows run and the cloud pool takes over) against a real weft server, and
checks the histories: every order scheduled once and completed once, work
done by both pools."""

import os
import unittest

import swfkit as k
from weftserver import ServerTestCase, uniq

RUN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                   "datacenter-migration", "run.py")


class DatacenterMigrationExampleTest(ServerTestCase):

    def test_load_moves_between_pools_and_no_task_is_lost_or_done_twice(self):
        domain = uniq("dcm")
        summary = k.run_example(self, RUN, "--endpoint", self.server.url, "--domain", domain,
                                "--workflows", "6", "--steps", "4", "--timeout", "60")
        identities = set()
        for ex in summary["executions"]:
            events = k.history(self.swf, domain, ex)
            self.assertEqual(k.history_problems(events), [], k.types(events))
            scheduled = [k.attrs(e)["activityId"] for e in k.find(events, "ActivityTaskScheduled")]
            self.assertEqual(scheduled, ["step-%d-1" % i for i in range(4)],
                             "no order scheduled again: none was lost")
            self.assertEqual(len(k.find(events, "ActivityTaskCompleted")), 4)
            identities |= {k.attrs(e)["identity"] for e in k.find(events, "ActivityTaskStarted")}
        self.assertTrue(any(i.startswith("datacenter-") for i in identities), identities)
        self.assertTrue(any(i.startswith("cloud-") for i in identities), identities)


if __name__ == "__main__":
    unittest.main()
