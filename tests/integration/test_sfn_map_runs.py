"""Distributed Map: each item a child execution of a Map Run. With boto3
and the AWS CLI v2: ListMapRuns, DescribeMapRun (counts by status),
ListExecutions by mapRunArn, DescribeExecution and GetExecutionHistory of a
child, UpdateMapRun raising MaxConcurrency, the errors of these operations,
and a Map Run carried across kill -9 of the server with no child started
twice."""

import json
import unittest

from sfnkit import (RestartableSfnTestCase, SfnTestCase, create_activity, create_machine,
                    event_types, history, poll_token, start, wait_for_status)
from weftserver import AwsCliMixin, is_moto, uniq


def distributed(activity_arn, max_concurrency=1, label="items"):
    return {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": max_concurrency,
        "Label": label, "End": True,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work", "States": {"Work": {
                "Type": "Task", "Resource": activity_arn, "End": True}}}}}}


def finish(sfn, activity_arn, count):
    """Answers `count` tasks of the activity with ten times their input."""
    for _ in range(count):
        task = poll_token(sfn, activity_arn)
        sfn.send_task_success(taskToken=task["taskToken"],
                              output=json.dumps(json.loads(task["input"]) * 10))


class MapRunApiTest(AwsCliMixin, SfnTestCase):
    cli_service = "stepfunctions"

    @classmethod
    def setUpClass(cls):
        if is_moto():
            raise unittest.SkipTest("moto has no Map Runs")
        super().setUpClass()

    def test_a_map_run_and_its_child_executions(self):
        sfn = self.sfn
        act = create_activity(sfn, "maprun")
        machine = create_machine(sfn, distributed(act))
        parent = start(sfn, machine, {"items": [1, 2, 3]})
        first = poll_token(sfn, act)  # one at a time: MaxConcurrency 1

        runs = sfn.list_map_runs(executionArn=parent)["mapRuns"]
        self.assertEqual(len(runs), 1)
        run_arn = runs[0]["mapRunArn"]
        self.assertTrue(run_arn.startswith(machine.replace(":stateMachine:", ":mapRun:")
                                           + "/items:"), run_arn)
        self.assertEqual(runs[0]["executionArn"], parent)
        self.assertEqual(runs[0]["stateMachineArn"], machine)

        d = self.aws("describe-map-run", "--map-run-arn", run_arn)  # the CLI, unchanged
        self.assertEqual(d["status"], "RUNNING")
        self.assertEqual(d["maxConcurrency"], 1)
        self.assertEqual(d["itemCounts"]["total"], 3)
        self.assertEqual(d["itemCounts"]["running"], 1)
        self.assertEqual(d["itemCounts"]["pending"], 2)
        self.assertEqual(d["executionCounts"]["running"], 1)

        children = sfn.list_executions(mapRunArn=run_arn)["executions"]
        self.assertEqual(len(children), 1)
        self.assertEqual(children[0]["mapRunArn"], run_arn)
        self.assertEqual(children[0]["itemCount"], 1)
        self.assertEqual(children[0]["stateMachineArn"], machine + "/items")
        child = sfn.describe_execution(executionArn=children[0]["executionArn"])
        self.assertEqual(child["mapRunArn"], run_arn)
        self.assertEqual(json.loads(child["input"]), json.loads(first["input"]))
        sm = sfn.describe_state_machine_for_execution(executionArn=child["executionArn"])
        self.assertEqual((sm["stateMachineArn"], sm["mapRunArn"], sm["label"]),
                         (machine, run_arn, "items"))
        self.assertIn("ItemProcessor", sm["definition"])

        sfn.update_map_run(mapRunArn=run_arn, maxConcurrency=3)
        self.assertEqual(sfn.describe_map_run(mapRunArn=run_arn)["maxConcurrency"], 3)
        sfn.send_task_success(taskToken=first["taskToken"],
                              output=json.dumps(json.loads(first["input"]) * 10))
        finish(sfn, act, 2)  # both left start at once now

        done = wait_for_status(sfn, parent)
        self.assertEqual(done["status"], "SUCCEEDED", done)
        self.assertEqual(json.loads(done["output"]), [10, 20, 30])
        self.assertEqual(event_types(history(sfn, parent)), [
            "ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
            "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"])
        d = sfn.describe_map_run(mapRunArn=run_arn)
        self.assertEqual(d["status"], "SUCCEEDED")
        self.assertEqual(d["itemCounts"]["succeeded"], 3)
        self.assertIn("stopDate", d)
        children = sfn.list_executions(mapRunArn=run_arn, statusFilter="SUCCEEDED")["executions"]
        self.assertEqual(len(children), 3)
        child_events = history(sfn, children[0]["executionArn"])
        self.assertHistoryOk(child_events)
        self.assertIn("ActivitySucceeded", event_types(child_events))

    def test_errors(self):
        sfn = self.sfn
        act = create_activity(sfn, "maprunerr")
        machine = create_machine(sfn, distributed(act))
        parent = start(sfn, machine, {"items": [1]})
        run_arn = sfn.list_map_runs(executionArn=parent)["mapRuns"][0]["mapRunArn"]
        self.assertFault("InvalidArn", sfn.describe_map_run, mapRunArn="arn:aws:states:nope")
        self.assertFault("ResourceNotFound", sfn.describe_map_run, mapRunArn=run_arn + "x")
        self.assertFault("ValidationException", sfn.update_map_run, mapRunArn=run_arn)
        self.assertFault("ValidationException", sfn.update_map_run, mapRunArn=run_arn,
                         toleratedFailurePercentage=101)
        self.assertFault("ExecutionDoesNotExist", sfn.list_map_runs,
                         executionArn=parent + "x")
        self.assertFault("ValidationException", sfn.list_executions,
                         stateMachineArn=machine, mapRunArn=run_arn)
        child = sfn.list_executions(mapRunArn=run_arn)["executions"]
        finish(sfn, act, 1)
        self.assertEqual(wait_for_status(sfn, parent)["status"], "SUCCEEDED")
        self.assertFault("ValidationException", sfn.update_map_run, mapRunArn=run_arn,
                         maxConcurrency=5)
        self.assertEqual(len(child), 1)


class MapRunDurabilityTest(RestartableSfnTestCase):

    def test_a_map_run_continues_after_kill_9(self):
        sfn = self.sfn
        act = create_activity(sfn, uniq("dur"))
        machine = create_machine(sfn, distributed(act, max_concurrency=2))
        parent = start(sfn, machine, {"items": [1, 2, 3, 4]})
        finish(sfn, act, 1)  # item done before the crash
        taken = poll_token(sfn, act)  # taken by a worker, answered after the restart

        self.restart()
        sfn = self.sfn
        sfn.send_task_success(taskToken=taken["taskToken"],
                              output=json.dumps(json.loads(taken["input"]) * 10))
        finish(sfn, act, 2)

        done = wait_for_status(sfn, parent)
        self.assertEqual(done["status"], "SUCCEEDED", done)
        self.assertEqual(json.loads(done["output"]), [10, 20, 30, 40])
        events = history(sfn, parent)
        self.assertHistoryOk(events)
        self.assertEqual(event_types(events).count("MapRunStarted"), 1)
        run_arn = sfn.list_map_runs(executionArn=parent)["mapRuns"][0]["mapRunArn"]
        children = sfn.list_executions(mapRunArn=run_arn)["executions"]
        self.assertEqual(sorted(c["status"] for c in children), ["SUCCEEDED"] * 4,
                         "every item ran in one child execution, none twice")
        counts = sfn.describe_map_run(mapRunArn=run_arn)["itemCounts"]
        self.assertEqual((counts["succeeded"], counts["total"]), (4, 4))


if __name__ == "__main__":
    unittest.main()
