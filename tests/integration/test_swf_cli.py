"""The AWS CLI v2 (/usr/bin/aws, Debian's awscli, not pip's v1 that may come
first on PATH) as decider and worker against a real weft server."""

import json
import time
import unittest

from weftserver import AwsCliMixin, ServerTestCase, uniq


class CliTest(AwsCliMixin, ServerTestCase):

    cli_service = "swf"

    def test_register_start_poll_respond_history(self):
        domain, wf, act = uniq("cli"), uniq("wf"), uniq("act")
        dtl, atl = uniq("dtl"), uniq("atl")
        self.aws("register-domain", "--name", domain,
                 "--workflow-execution-retention-period-in-days", "1",
                 "--description", "from the cli")
        d = self.aws("describe-domain", "--name", domain)
        self.assertEqual((d["domainInfo"]["name"], d["domainInfo"]["status"]),
                         (domain, "REGISTERED"))
        self.assertIn(domain, [i["name"] for i in self.aws(
            "list-domains", "--registration-status", "REGISTERED")["domainInfos"]])

        self.aws("register-workflow-type", "--domain", domain, "--name", wf,
                 "--workflow-version", "1", "--default-task-list", "name=" + dtl,
                 "--default-execution-start-to-close-timeout", "300",
                 "--default-task-start-to-close-timeout", "30",
                 "--default-child-policy", "TERMINATE")
        self.aws("register-activity-type", "--domain", domain, "--name", act,
                 "--activity-version", "1", "--default-task-list", "name=" + atl,
                 "--default-task-schedule-to-start-timeout", "60",
                 "--default-task-schedule-to-close-timeout", "120",
                 "--default-task-start-to-close-timeout", "60",
                 "--default-task-heartbeat-timeout", "NONE")
        t = self.aws("describe-workflow-type", "--domain", domain,
                     "--workflow-type", "name=%s,version=1" % wf)
        self.assertEqual(t["configuration"]["defaultTaskList"], {"name": dtl})
        types = self.aws("list-activity-types", "--domain", domain,
                         "--registration-status", "REGISTERED")["typeInfos"]
        self.assertEqual([i["activityType"] for i in types], [{"name": act, "version": "1"}])

        wid = uniq("wid")
        run_id = self.aws("start-workflow-execution", "--domain", domain, "--workflow-id", wid,
                          "--workflow-type", "name=%s,version=1" % wf,
                          "--input", "hello")["runId"]
        ex = {"workflowId": wid, "runId": run_id}
        self.assertEqual(self.aws("count-pending-decision-tasks", "--domain", domain,
                                  "--task-list", "name=" + dtl)["count"], 1)

        task = self.poll("poll-for-decision-task", domain, dtl)
        self.assertEqual(task["workflowExecution"], ex)
        self.assertEqual(task["events"][0]["eventType"], "WorkflowExecutionStarted")
        self.assertEqual(task["events"][0]["workflowExecutionStartedEventAttributes"]["input"],
                         "hello")
        decisions = [{"decisionType": "ScheduleActivityTask",
                      "scheduleActivityTaskDecisionAttributes": {
                          "activityType": {"name": act, "version": "1"},
                          "activityId": "a1", "input": "to-upper"}}]
        self.aws("respond-decision-task-completed", "--task-token", task["taskToken"],
                 "--decisions", json.dumps(decisions))

        atask = self.poll("poll-for-activity-task", domain, atl)
        self.assertEqual((atask["activityId"], atask["input"]), ("a1", "to-upper"))
        self.assertFalse(self.aws("record-activity-task-heartbeat", "--task-token",
                                  atask["taskToken"], "--details", "half")["cancelRequested"])
        self.aws("respond-activity-task-completed", "--task-token", atask["taskToken"],
                 "--result", "HELLO")

        task = self.poll("poll-for-decision-task", domain, dtl)
        done = [e for e in task["events"] if e["eventType"] == "ActivityTaskCompleted"]
        self.assertEqual(done[0]["activityTaskCompletedEventAttributes"]["result"], "HELLO")
        self.assertEqual(task["previousStartedEventId"], 3)
        self.aws("respond-decision-task-completed", "--task-token", task["taskToken"],
                 "--decisions", json.dumps([{
                     "decisionType": "CompleteWorkflowExecution",
                     "completeWorkflowExecutionDecisionAttributes": {"result": "HELLO"}}]))

        hist = self.aws("get-workflow-execution-history", "--domain", domain,
                        "--execution", "workflowId=%s,runId=%s" % (wid, run_id))["events"]
        self.assertEqual([e["eventId"] for e in hist], list(range(1, len(hist) + 1)))
        self.assertEqual([e["eventType"] for e in hist], [
            "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
            "DecisionTaskCompleted", "ActivityTaskScheduled", "ActivityTaskStarted",
            "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted",
            "DecisionTaskCompleted", "WorkflowExecutionCompleted"])
        # The CLI follows nextPageToken itself: small pages give the same list.
        paged = self.aws("get-workflow-execution-history", "--domain", domain,
                         "--execution", "workflowId=%s,runId=%s" % (wid, run_id),
                         "--page-size", "2")["events"]
        self.assertEqual(paged, hist)
        info = self.aws("describe-workflow-execution", "--domain", domain,
                        "--execution", "workflowId=%s,runId=%s" % (wid, run_id))
        self.assertEqual(info["executionInfo"]["closeStatus"], "COMPLETED")

    def poll(self, op, domain, task_list):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            task = self.aws(op, "--domain", domain, "--task-list", "name=" + task_list,
                            "--identity", "cli")
            if task.get("taskToken"):
                return task
        self.fail("%s on %s got no task" % (op, task_list))

    def test_fault_exit_status_and_message(self):
        proc = self.aws("describe-domain", "--name", uniq("missing"), check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("UnknownResourceFault", proc.stderr)

    def test_unsigned_request(self):
        domain = uniq("nosign")
        self.aws("register-domain", "--name", domain,
                 "--workflow-execution-retention-period-in-days", "0", "--no-sign-request")
        d = self.aws("describe-domain", "--name", domain, "--no-sign-request")
        self.assertEqual(d["configuration"]["workflowExecutionRetentionPeriodInDays"], "0")

    def test_list_open_executions(self):
        """Visibility is not part of issue 2: skipped if weft says so."""
        domain, wf, dtl = uniq("vis"), uniq("wf"), uniq("dtl")
        self.aws("register-domain", "--name", domain,
                 "--workflow-execution-retention-period-in-days", "1")
        self.aws("register-workflow-type", "--domain", domain, "--name", wf,
                 "--workflow-version", "1", "--default-task-list", "name=" + dtl,
                 "--default-execution-start-to-close-timeout", "300",
                 "--default-task-start-to-close-timeout", "30",
                 "--default-child-policy", "TERMINATE")
        wid = uniq("wid")
        self.aws("start-workflow-execution", "--domain", domain, "--workflow-id", wid,
                 "--workflow-type", "name=%s,version=1" % wf)
        proc = self.aws("list-open-workflow-executions", "--domain", domain,
                        "--start-time-filter", "oldestDate=0", check=False)
        if proc.returncode != 0 and any(s in proc.stderr for s in (
                "NotImplemented", "UnknownOperation", "not implemented", "Not implemented")):
            self.skipTest("ListOpenWorkflowExecutions not implemented yet: " + proc.stderr[-200:])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        infos = json.loads(proc.stdout)["executionInfos"]
        self.assertEqual([i["execution"]["workflowId"] for i in infos], [wid])
        self.assertEqual(infos[0]["executionStatus"], "OPEN")


if __name__ == "__main__":
    unittest.main()
