"""ContinueAsNewWorkflowExecution with boto3: a workflow continued as new
three times in a row (each old run closed CONTINUED_AS_NEW with
WorkflowExecutionContinuedAsNew naming the new run; each new run keeps the
workflowId, its WorkflowExecutionStarted carries continuedExecutionRunId and
the new settings), the documented failure causes, and a continuation that
survives kill -9 of the server."""

import unittest

import swfkit as k
from weftserver import OwnServer, ServerTestCase, uniq


class ContinueAsNewTest(k.DomainAndType, ServerTestCase):

    domain_prefix = "can"

    def decision(self, task_list, workflow_id):
        task = k.poll_decision(self.swf, self.domain, task_list)
        self.assertIsNotNone(task, "no decision task")
        self.assertEqual(task["workflowExecution"]["workflowId"], workflow_id)
        return task

    def test_three_continuations_in_a_row(self):
        tl = uniq("tl")
        first = k.start(self.swf, self.domain, self.wf_type, tl, input="0")
        wid = first["workflowId"]
        runs = [first["runId"]]
        for n in range(1, 4):
            task = self.decision(tl, wid)
            self.assertEqual(task["workflowExecution"]["runId"], runs[-1])
            k.decide(self.swf, task, k.continue_as_new(
                input=str(n), tagList=["round-%d" % n], executionStartToCloseTimeout="200",
                taskList={"name": tl}, taskPriority=str(n)))
            old = {"workflowId": wid, "runId": runs[-1]}
            events = k.history(self.swf, self.domain, old)
            self.assertEqual(k.history_problems(events), [], k.types(events))
            closed = k.last(events, "WorkflowExecutionContinuedAsNew")
            a = k.attrs(closed)
            self.assertEqual(k.types(events)[-1], "WorkflowExecutionContinuedAsNew")
            self.assertEqual((a["input"], a["tagList"], a["executionStartToCloseTimeout"],
                              a["taskList"], a["taskPriority"], a["workflowType"],
                              a["childPolicy"], a["taskStartToCloseTimeout"]),
                             (str(n), ["round-%d" % n], "200", {"name": tl}, str(n),
                              self.wf_type, "TERMINATE", "30"))
            self.assertEqual(a["decisionTaskCompletedEventId"],
                             k.last(events, "DecisionTaskCompleted")["eventId"])
            info = self.swf.describe_workflow_execution(domain=self.domain, execution=old)
            self.assertEqual(info["executionInfo"]["closeStatus"], "CONTINUED_AS_NEW")
            runs.append(a["newExecutionRunId"])

            new = {"workflowId": wid, "runId": runs[-1]}
            started = k.attrs(k.history(self.swf, self.domain, new)[0])
            self.assertEqual(started["continuedExecutionRunId"], runs[-2])
            self.assertEqual(started["input"], str(n))
            self.assertEqual(started["tagList"], ["round-%d" % n])
            info = self.swf.describe_workflow_execution(domain=self.domain, execution=new)
            self.assertEqual(info["executionInfo"]["executionStatus"], "OPEN")
            self.assertEqual(info["executionInfo"]["tagList"], ["round-%d" % n])

        task = self.decision(tl, wid)
        self.assertEqual(task["workflowExecution"]["runId"], runs[-1])
        k.decide(self.swf, task, k.complete("done"))
        closed = self.swf.list_closed_workflow_executions(
            domain=self.domain, startTimeFilter={"oldestDate": 0},
            executionFilter={"workflowId": wid})["executionInfos"]
        by_run = {e["execution"]["runId"]: e["closeStatus"] for e in closed}
        self.assertEqual(by_run, {runs[0]: "CONTINUED_AS_NEW", runs[1]: "CONTINUED_AS_NEW",
                                  runs[2]: "CONTINUED_AS_NEW", runs[3]: "COMPLETED"})
        # The workflowId is free again only once the last run closed: one open
        # execution per workflowId throughout.
        self.assertEqual(len(set(runs)), 4)

    def test_failure_causes(self):
        tl = uniq("tl")
        no_task_list = k.make_workflow_type(self.swf, self.domain, version="nolist")
        ex = k.start(self.swf, self.domain, no_task_list, tl)
        task = self.decision(tl, ex["workflowId"])
        k.decide(self.swf, task, k.continue_as_new(workflowTypeVersion="nosuch"))
        task = self.decision(tl, ex["workflowId"])
        k.decide(self.swf, task, k.continue_as_new())  # the type has no default task list
        self.swf.signal_workflow_execution(domain=self.domain, workflowId=ex["workflowId"],
                                           signalName="late", input="-")
        task = self.decision(tl, ex["workflowId"])
        self.swf.signal_workflow_execution(domain=self.domain, workflowId=ex["workflowId"],
                                           signalName="while deciding", input="-")
        k.decide(self.swf, task, k.continue_as_new(taskList={"name": tl}))
        events = k.history(self.swf, self.domain, ex)
        causes = [k.attrs(e)["cause"]
                  for e in k.find(events, "ContinueAsNewWorkflowExecutionFailed")]
        self.assertEqual(causes, ["WORKFLOW_TYPE_DOES_NOT_EXIST", "DEFAULT_TASK_LIST_UNDEFINED",
                                  "UNHANDLED_DECISION"])
        info = self.swf.describe_workflow_execution(domain=self.domain, execution=ex)
        self.assertEqual(info["executionInfo"]["executionStatus"], "OPEN")
        self.assertFault("ValidationException", k.decide, self.swf,
                         self.decision(tl, ex["workflowId"]),
                         k.continue_as_new(childPolicy="SOMETIMES"))


class ContinueAsNewDurabilityTest(OwnServer, ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.domain = k.make_domain(cls.swf, "cand")
        cls.wf_type = k.make_workflow_type(cls.swf, cls.domain)

    def test_the_new_run_survives_kill_9(self):
        tl = uniq("tl")
        ex = k.start(self.swf, self.domain, self.wf_type, tl)
        task = k.poll_decision(self.swf, self.domain, tl)
        k.decide(self.swf, task, k.continue_as_new(input="after", taskList={"name": tl}))
        self.restart()
        swf = self.swf
        task = k.poll_decision(swf, self.domain, tl)
        self.assertIsNotNone(task, "the new run's decision task is offered after the restart")
        self.assertNotEqual(task["workflowExecution"]["runId"], ex["runId"])
        self.assertEqual(k.attrs(task["events"][0])["input"], "after")
        k.decide(swf, task, k.complete())
        info = swf.describe_workflow_execution(domain=self.domain, execution=ex)
        self.assertEqual(info["executionInfo"]["closeStatus"], "CONTINUED_AS_NEW")


if __name__ == "__main__":
    unittest.main()
