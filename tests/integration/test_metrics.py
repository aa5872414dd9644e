"""GET /metrics: Prometheus text that a Prometheus parser accepts, with the
counters moving as load goes through both front doors: executions started
and closed by kind and status, state transitions, tasks handed out, poll
waits, open executions, pending tasks, store commits, HTTP requests by
operation and status."""

import re
import unittest
import urllib.request

import sfnkit as sk
import swfkit as k
from weftserver import OwnServer, ServerTestCase, uniq

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')


def parse(text):
    """{(name, frozenset(labels)): value}; fails on any line that is not a
    comment (# HELP / # TYPE) or a sample of the exposition format."""
    samples, typed = {}, {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert kind in ("counter", "gauge", "histogram"), line
            typed[name] = kind
            continue
        m = SAMPLE.match(line)
        assert m, "not a Prometheus sample: %r" % line
        labels = {}
        if m.group(3):
            rest = m.group(3)
            for lm in LABEL.finditer(rest):
                labels[lm.group(1)] = lm.group(2)
            assert LABEL.sub("", rest) == "", "bad labels: %r" % line
        float(m.group(4))
        base = re.sub(r"_(bucket|sum|count)$", "", m.group(1))
        assert m.group(1) in typed or base in typed, "sample before its TYPE: %r" % line
        samples[(m.group(1), frozenset(labels.items()))] = float(m.group(4))
    return samples


class MetricsTest(k.DomainAndType, OwnServer, ServerTestCase):

    domain_prefix = "metrics"

    def scrape(self):
        with urllib.request.urlopen(self.server.url + "/metrics", timeout=10) as r:
            self.assertEqual(r.status, 200)
            self.assertTrue(r.headers["Content-Type"].startswith("text/plain; version=0.0.4"))
            return parse(r.read().decode())

    @staticmethod
    def value(samples, name, **labels):
        return samples.get((name, frozenset(labels.items())), 0.0)

    def test_counters_move_with_the_load(self):
        before = self.scrape()
        # SWF: three workflows, one activity each, completed.
        tl = uniq("tl")
        act = k.make_activity_type(self.swf, self.domain, task_list=tl)
        for _ in range(3):
            ex = k.start(self.swf, self.domain, self.wf_type, tl)
            k.decide(self.swf, k.poll_decision(self.swf, self.domain, tl),
                     k.schedule(act, "a1", taskList={"name": tl}))
            task = k.poll_activity(self.swf, self.domain, tl)
            self.swf.respond_activity_task_completed(taskToken=task["taskToken"])
            k.decide(self.swf, k.poll_decision(self.swf, self.domain, tl), k.complete())
            k.wait_closed(self.swf, self.domain, ex)
        # Step Functions: two runs of a three-state machine, one that fails.
        sfn = self.server.sfn_client()
        machine = sk.create_machine(sfn, {"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "C"},
            "C": {"Type": "Succeed"}}})
        failing = sk.create_machine(sfn, {"StartAt": "F", "States": {
            "F": {"Type": "Fail", "Error": "E"}}})
        for arn in (machine, failing):
            sk.wait_for_status(sfn, sk.start(sfn, arn))
        self.assertFault("UnknownResourceFault", self.swf.describe_domain, name=uniq("none"))

        after = self.scrape()

        def moved(name, **labels):
            return self.value(after, name, **labels) - self.value(before, name, **labels)

        self.assertEqual(moved("weft_executions_started_total", kind="swf"), 3)
        self.assertEqual(moved("weft_executions_closed_total", kind="swf", status="COMPLETED"), 3)
        self.assertEqual(moved("weft_executions_started_total", kind="sfn"), 2)
        self.assertEqual(moved("weft_executions_closed_total", kind="sfn", status="SUCCEEDED"), 1)
        self.assertEqual(moved("weft_executions_closed_total", kind="sfn", status="FAILED"), 1)
        self.assertEqual(moved("weft_state_transitions_total"), 4)
        self.assertEqual(moved("weft_tasks_handed_out_total", kind="decision"), 6)
        self.assertEqual(moved("weft_tasks_handed_out_total", kind="activity"), 3)
        self.assertGreaterEqual(
            moved("weft_poll_wait_seconds_count", kind="activity", outcome="task"), 3)
        self.assertEqual(self.value(after, "weft_open_executions", kind="swf"), 0)
        self.assertEqual(self.value(after, "weft_pending_tasks", kind="activity"), 0)
        self.assertGreater(moved("weft_store_commits_total"), 0)
        self.assertGreaterEqual(moved("weft_store_commit_batches_total"),
                                moved("weft_store_commits_total"))
        self.assertGreater(moved("weft_store_commit_seconds_count"), 0)
        self.assertEqual(moved("weft_http_requests_total",
                               operation="SimpleWorkflowService.StartWorkflowExecution",
                               status="200"), 3)
        self.assertEqual(moved("weft_http_requests_total",
                               operation="SimpleWorkflowService.DescribeDomain", status="400"), 1)
        self.assertEqual(moved("weft_http_requests_total",
                               operation="AWSStepFunctions.StartExecution", status="200"), 2)

    def test_open_executions_and_pending_tasks_are_gauges(self):
        tl = uniq("tl")
        before = self.scrape()
        runs = [k.start(self.swf, self.domain, self.wf_type, tl) for _ in range(2)]
        during = self.scrape()
        self.assertEqual(self.value(during, "weft_open_executions", kind="swf")
                         - self.value(before, "weft_open_executions", kind="swf"), 2)
        self.assertEqual(self.value(during, "weft_pending_tasks", kind="decision")
                         - self.value(before, "weft_pending_tasks", kind="decision"), 2)
        for ex in runs:
            self.swf.terminate_workflow_execution(domain=self.domain, **ex)
        after = self.scrape()
        self.assertEqual(self.value(after, "weft_open_executions", kind="swf"),
                         self.value(before, "weft_open_executions", kind="swf"))
        self.assertEqual(self.value(after, "weft_pending_tasks", kind="decision"),
                         self.value(before, "weft_pending_tasks", kind="decision"))
        # A restart counts the open executions it recovers.
        runs = [k.start(self.swf, self.domain, self.wf_type, tl) for _ in range(2)]
        self.restart()
        self.assertEqual(self.value(self.scrape(), "weft_open_executions", kind="swf"), 2)


if __name__ == "__main__":
    unittest.main()
