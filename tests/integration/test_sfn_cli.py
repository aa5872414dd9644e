"""The AWS CLI v2 (/usr/bin/aws, Debian's awscli, not pip's v1 that may come
first on PATH) against weft's Step Functions API: a state machine, an
execution served by an activity worker made of CLI calls, its description,
history and listing, and faults as the CLI reports them."""

import json
import unittest

from sfnkit import ROLE, SM_PREFIX, SfnTestCase, uniq
from weftserver import AwsCliMixin


class SfnCliTest(AwsCliMixin, SfnTestCase):

    cli_service = "stepfunctions"

    def test_machine_execution_activity_history(self):
        act_name = uniq("cliact")
        act = self.aws("create-activity", "--name", act_name)["activityArn"]
        self.assertTrue(act.endswith(":activity:" + act_name))
        name = uniq("cli")
        definition = {"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": act, "ResultPath": "$.result", "Next": "Done"},
            "Done": {"Type": "Succeed"}}}
        created = self.aws("create-state-machine", "--name", name, "--role-arn", ROLE,
                           "--definition", json.dumps(definition))
        machine = created["stateMachineArn"]
        self.assertEqual(machine, SM_PREFIX + name)
        d = self.aws("describe-state-machine", "--state-machine-arn", machine)
        self.assertEqual((d["name"], d["status"], d["type"]), (name, "ACTIVE", "STANDARD"))
        self.assertEqual(json.loads(d["definition"]), definition)

        started = self.aws("start-execution", "--state-machine-arn", machine,
                           "--name", "run-1", "--input", '{"order": 7}')
        execution = started["executionArn"]
        self.assertTrue(execution.endswith(":execution:%s:run-1" % name), execution)
        self.assertEqual(self.aws("describe-execution", "--execution-arn",
                                  execution)["status"], "RUNNING")

        task = self.aws("get-activity-task", "--activity-arn", act, "--worker-name", "cli")
        self.assertEqual(json.loads(task["input"]), {"order": 7})
        self.aws("send-task-heartbeat", "--task-token", task["taskToken"])
        self.aws("send-task-success", "--task-token", task["taskToken"],
                 "--task-output", '{"shipped": true}')

        for _ in range(100):
            d = self.aws("describe-execution", "--execution-arn", execution)
            if d["status"] != "RUNNING":
                break
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(json.loads(d["output"]), {"order": 7, "result": {"shipped": True}})
        self.assertEqual(d["name"], "run-1")

        events = self.aws("get-execution-history", "--execution-arn", execution)["events"]
        self.assertEqual([e["id"] for e in events], list(range(1, len(events) + 1)))
        self.assertEqual([e["type"] for e in events], [
            "ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted",
            "ActivitySucceeded", "TaskStateExited", "SucceedStateEntered",
            "SucceedStateExited", "ExecutionSucceeded"])
        self.assertEqual(events[3]["activityStartedEventDetails"]["workerName"], "cli")
        # The CLI pages by itself (--max-items is client-side, --page-size per request).
        paged = self.aws("get-execution-history", "--execution-arn", execution,
                         "--page-size", "2", "--reverse-order")["events"]
        self.assertEqual([e["id"] for e in paged], list(range(len(events), 0, -1)))

        listed = self.aws("list-executions", "--state-machine-arn", machine)["executions"]
        self.assertEqual([(e["executionArn"], e["status"]) for e in listed],
                         [(execution, "SUCCEEDED")])
        self.assertEqual(self.aws("list-executions", "--state-machine-arn", machine,
                                  "--status-filter", "RUNNING")["executions"], [])
        self.assertIn(machine, [m["stateMachineArn"] for m in
                                self.aws("list-state-machines")["stateMachines"]])

    def test_jsonata_machine(self):
        name = uniq("clijsonata")
        definition = {"QueryLanguage": "JSONata", "StartAt": "Each", "States": {
            "Each": {"Type": "Map", "Items": "{% $states.input.orders %}", "Next": "Sum",
                     "ItemSelector": {"n": "{% $states.context.Map.Item.Value %}"},
                     "ItemProcessor": {"StartAt": "Big", "States": {
                         "Big": {"Type": "Choice", "Default": "Keep",
                                 "Choices": [{"Condition": "{% $states.input.n > 2 %}",
                                              "Next": "Double"}]},
                         "Double": {"Type": "Pass", "Output": "{% $states.input.n * 2 %}",
                                    "End": True},
                         "Keep": {"Type": "Pass", "Output": "{% $states.input.n %}",
                                  "End": True}}},
                     "Assign": {"count": "{% $count($states.result) %}"}},
            "Sum": {"Type": "Pass", "End": True,
                    "Output": {"total": "{% $sum($states.input) %}", "count": "{% $count %}"}}}}
        machine = self.aws("create-state-machine", "--name", name, "--role-arn", ROLE,
                           "--definition", json.dumps(definition))["stateMachineArn"]
        execution = self.aws("start-execution", "--state-machine-arn", machine,
                             "--input", '{"orders": [1, 2, 3, 4]}')["executionArn"]
        for _ in range(100):
            d = self.aws("describe-execution", "--execution-arn", execution)
            if d["status"] != "RUNNING":
                break
        self.assertEqual(d["status"], "SUCCEEDED", d)
        self.assertEqual(json.loads(d["output"]), {"total": 17, "count": 4})

        # An expression that does not compile is named at its place.
        bad = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Output": {"x": "{% $states.input. %}"}, "End": True}}}
        proc = self.aws("create-state-machine", "--name", uniq("clibad"), "--role-arn", ROLE,
                        "--definition", json.dumps(bad), check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("InvalidDefinition", proc.stderr)
        self.assertIn("/States/A/Output/x", proc.stderr)

    def test_faults(self):
        proc = self.aws("describe-state-machine", "--state-machine-arn",
                        SM_PREFIX + uniq("ghost"), check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("StateMachineDoesNotExist", proc.stderr)
        proc = self.aws("create-state-machine", "--name", uniq("bad"), "--role-arn", ROLE,
                        "--definition", '{"StartAt": "Nowhere", "States": {}}', check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("InvalidDefinition", proc.stderr)


if __name__ == "__main__":
    unittest.main()
