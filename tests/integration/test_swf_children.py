"""Child workflows with boto3: a parent starts three children; one completes,
one fails, one is terminated by the child policy when the parent is
terminated. The children's WorkflowExecutionStarted name their parent; the
parent records ChildWorkflowExecution{Started,Completed,Failed} and gets a
decision task for each; StartChildWorkflowExecutionFailed carries the
documented causes."""

import unittest

import swfkit as k
from weftserver import ServerTestCase, uniq


class ChildWorkflowTest(k.DomainAndType, ServerTestCase):

    domain_prefix = "child"

    def test_three_children_completed_failed_and_terminated_by_policy(self):
        tl_p, tl_c = uniq("parent"), uniq("children")
        parent = k.start(self.swf, self.domain, self.wf_type, tl_p)
        ids = [uniq("c1"), uniq("c2"), uniq("c3")]
        task = k.poll_decision(self.swf, self.domain, tl_p)
        k.decide(self.swf, task, *[
            k.start_child(self.wf_type, wid, input="in-%d" % i, taskList={"name": tl_c},
                        control="ctl-%d" % i)
            for i, wid in enumerate(ids)])
        k.wait_for_event(self.swf, self.domain, parent, "ChildWorkflowExecutionStarted", count=3)
        events = k.history(self.swf, self.domain, parent)
        initiated = k.find(events, "StartChildWorkflowExecutionInitiated")
        self.assertEqual([k.attrs(e)["workflowId"] for e in initiated], ids)
        self.assertEqual(k.attrs(initiated[0])["control"], "ctl-0")
        started = {k.attrs(e)["workflowExecution"]["workflowId"]: e
                   for e in k.find(events, "ChildWorkflowExecutionStarted")}
        self.assertEqual(set(started), set(ids))
        runs = {wid: k.attrs(started[wid])["workflowExecution"]["runId"] for wid in ids}

        child0 = {"workflowId": ids[0], "runId": runs[ids[0]]}
        first = k.attrs(k.history(self.swf, self.domain, child0)[0])
        self.assertEqual(first["parentWorkflowExecution"], parent)
        self.assertEqual(first["parentInitiatedEventId"], initiated[0]["eventId"])
        self.assertEqual(first["input"], "in-0")

        # The children's decider: the first completes, the second fails.
        seen = set()
        while len(seen) < 3:
            t = k.poll_decision(self.swf, self.domain, tl_c)
            self.assertIsNotNone(t)
            wid = t["workflowExecution"]["workflowId"]
            seen.add(wid)
            if wid == ids[0]:
                k.decide(self.swf, t, k.complete("r0"))
            elif wid == ids[1]:
                k.decide(self.swf, t, k.fail("bad", "details-1"))
            else:
                k.decide(self.swf, t)  # the third runs on

        k.wait_for_event(self.swf, self.domain, parent, "ChildWorkflowExecutionFailed")

        events = k.history(self.swf, self.domain, parent)
        completed = k.attrs(k.find(events, "ChildWorkflowExecutionCompleted")[0])
        self.assertEqual((completed["result"], completed["initiatedEventId"],
                          completed["startedEventId"], completed["workflowType"]),
                         ("r0", initiated[0]["eventId"], started[ids[0]]["eventId"],
                          self.wf_type))
        failed = k.attrs(k.find(events, "ChildWorkflowExecutionFailed")[0])
        self.assertEqual((failed["reason"], failed["details"]), ("bad", "details-1"))
        self.assertEqual(k.history_problems(events), [], k.types(events))

        # Terminating the parent terminates the open child (childPolicy TERMINATE).
        self.swf.terminate_workflow_execution(domain=self.domain, workflowId=parent["workflowId"],
                                              runId=parent["runId"], childPolicy="TERMINATE")
        child2 = {"workflowId": ids[2], "runId": runs[ids[2]]}
        k.wait_for_event(self.swf, self.domain, child2, "WorkflowExecutionTerminated")
        events = k.history(self.swf, self.domain, child2)
        terminated = k.find(events, "WorkflowExecutionTerminated")
        self.assertEqual(len(terminated), 1, k.types(events))
        self.assertEqual(k.attrs(terminated[0])["cause"], "CHILD_POLICY_APPLIED")

    def test_start_failures(self):
        tl_p = uniq("parent")
        running = k.start(self.swf, self.domain, self.wf_type, uniq("other"))
        parent = k.start(self.swf, self.domain, self.wf_type, tl_p)
        task = k.poll_decision(self.swf, self.domain, tl_p)
        nosuch = {"name": uniq("nosuch"), "version": "1"}
        no_list = k.make_workflow_type(self.swf, self.domain, version=uniq("v"))
        k.decide(self.swf, task,
                 k.start_child(self.wf_type, running["workflowId"], control="dup",
                             taskList={"name": tl_p}),
                 k.start_child(nosuch, uniq("c")),
                 k.start_child(no_list, uniq("c")))
        k.wait_for_event(self.swf, self.domain, parent, "StartChildWorkflowExecutionFailed",
                         count=3)
        events = k.history(self.swf, self.domain, parent)
        causes = [(k.attrs(e)["cause"], k.attrs(e).get("control", ""))
                  for e in k.find(events, "StartChildWorkflowExecutionFailed")]
        self.assertEqual(sorted(causes), sorted([
            ("WORKFLOW_ALREADY_RUNNING", "dup"), ("WORKFLOW_TYPE_DOES_NOT_EXIST", ""),
            ("DEFAULT_TASK_LIST_UNDEFINED", "")]))
        dup = [e for e in k.find(events, "StartChildWorkflowExecutionFailed")
               if k.attrs(e)["cause"] == "WORKFLOW_ALREADY_RUNNING"][0]
        self.assertEqual(k.attrs(dup)["initiatedEventId"],
                         k.find(events, "StartChildWorkflowExecutionInitiated")[0]["eventId"])
        self.assertEqual(k.history_problems(events), [], k.types(events))


if __name__ == "__main__":
    unittest.main()
