"""SignalExternalWorkflowExecution and RequestCancelExternalWorkflowExecution
between two workflows with boto3: the target's WorkflowExecutionSignaled and
WorkflowExecutionCancelRequested name the initiator and its initiated event;
the initiator gets ExternalWorkflowExecution{Signaled,CancelRequested} and a
decision task, or *Failed with UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION."""

import unittest

import swfkit as k
from weftserver import ServerTestCase, uniq


class ExternalTest(k.DomainAndType, ServerTestCase):

    domain_prefix = "ext"

    def test_signal_and_cancel_another_workflow(self):
        tl_a, tl_b = uniq("a"), uniq("b")
        a = k.start(self.swf, self.domain, self.wf_type, tl_a)
        b = k.start(self.swf, self.domain, self.wf_type, tl_b)
        task = k.poll_decision(self.swf, self.domain, tl_a)
        k.decide(self.swf, task,
                 k.signal_external(b["workflowId"], "go", input="payload", control="c1"),
                 k.cancel_external(b["workflowId"], runId=b["runId"]),
                 k.signal_external(uniq("nobody"), "lost", control="c2"))

        k.wait_for_event(self.swf, self.domain, a, "DecisionTaskScheduled", count=2)
        k.wait_for_event(self.swf, self.domain, a, "ExternalWorkflowExecutionCancelRequested")
        a_events = k.history(self.swf, self.domain, a)
        initiated = k.find(a_events, "SignalExternalWorkflowExecutionInitiated")
        self.assertEqual(len(initiated), 2)
        signaled = k.find(a_events, "ExternalWorkflowExecutionSignaled")
        self.assertEqual([k.attrs(e)["initiatedEventId"] for e in signaled],
                         [initiated[0]["eventId"]])
        self.assertEqual(k.attrs(signaled[0])["workflowExecution"], b)
        failed = k.find(a_events, "SignalExternalWorkflowExecutionFailed")
        self.assertEqual(len(failed), 1)
        self.assertEqual((k.attrs(failed[0])["cause"], k.attrs(failed[0])["control"],
                          k.attrs(failed[0])["initiatedEventId"]),
                         ("UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION", "c2", initiated[1]["eventId"]))
        self.assertEqual(len(k.find(a_events, "ExternalWorkflowExecutionCancelRequested")), 1)

        b_events = k.history(self.swf, self.domain, b)
        self.assertEqual(k.history_problems(b_events), [], k.types(b_events))
        got = k.attrs(k.find(b_events, "WorkflowExecutionSignaled")[0])
        self.assertEqual((got["signalName"], got["input"], got["externalWorkflowExecution"],
                          got["externalInitiatedEventId"]),
                         ("go", "payload", a, initiated[0]["eventId"]))
        cancel = k.attrs(k.find(b_events, "WorkflowExecutionCancelRequested")[0])
        self.assertEqual(cancel["externalWorkflowExecution"], a)
        info = self.swf.describe_workflow_execution(domain=self.domain, execution=b)
        self.assertTrue(info["executionInfo"]["cancelRequested"])

        # Both deciders hear of it.
        task_b = k.poll_decision(self.swf, self.domain, tl_b)
        self.assertIn("WorkflowExecutionSignaled", k.types(task_b["events"]))
        k.decide(self.swf, task_b, k.cancel_workflow())
        task_a = k.poll_decision(self.swf, self.domain, tl_a)
        k.decide(self.swf, task_a, k.complete())
        for ex in (a, b):
            events = k.history(self.swf, self.domain, ex)
            self.assertEqual(k.history_problems(events), [], k.types(events))


if __name__ == "__main__":
    unittest.main()
