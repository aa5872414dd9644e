"""Step Functions executions across kill -9 of the server: executions sitting
in a Task (activity task taken by a worker, and not yet taken), a Wait, a Map
and a Parallel state all continue after the restart on the same data dir and
finish with the expected outputs; histories stay contiguous from 1 with no
state entered twice; a token handed out before the crash still completes its
task after the restart and the task is not handed out again."""

import collections
import json
import time
import unittest

from sfnkit import (RestartableSfnTestCase, activity_definition, create_activity, create_machine,
                    details, entered_states, event_types, history, poll_token, start,
                    wait_definition, wait_for_event, wait_for_status)


class DurabilityTest(RestartableSfnTestCase):

    def assertNoStateTwice(self, events, allowed=()):
        counts = collections.Counter(entered_states(events))
        twice = {n: c for n, c in counts.items() if c > 1 and n not in allowed}
        self.assertEqual(twice, {}, event_types(events))

    def test_everything_continues_after_kill_9(self):
        sfn = self.sfn
        not_taken, taken = create_activity(sfn, "nottaken"), create_activity(sfn, "taken")
        map_act, left, right = (create_activity(sfn, "map"), create_activity(sfn, "left"),
                                create_activity(sfn, "right"))
        m_not_taken = create_machine(sfn, activity_definition(not_taken, ResultPath="$.r"))
        m_taken = create_machine(sfn, activity_definition(taken, ResultPath="$.r"))
        m_wait = create_machine(sfn, wait_definition(3))
        m_map = create_machine(sfn, {"StartAt": "Each", "States": {
            "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1,
                     "ItemProcessor": {"StartAt": "Work", "States": {
                         "Work": {"Type": "Task", "Resource": map_act, "End": True}}},
                     "Next": "After"},
            "After": {"Type": "Pass", "End": True}}})
        m_par = create_machine(sfn, {"StartAt": "Both", "States": {
            "Both": {"Type": "Parallel", "Next": "After", "Branches": [
                {"StartAt": "L", "States": {"L": {"Type": "Task", "Resource": left,
                                                  "End": True}}},
                {"StartAt": "R", "States": {"R": {"Type": "Task", "Resource": right,
                                                  "End": True}}}]},
            "After": {"Type": "Pass", "End": True}}})

        e_not_taken = start(sfn, m_not_taken, {"k": "not-taken"})
        e_taken = start(sfn, m_taken, {"k": "taken"})
        e_wait = start(sfn, m_wait, {"k": "wait"})
        e_map = start(sfn, m_map, {"items": [1, 2, 3]})
        e_par = start(sfn, m_par, {"k": "par"})

        token_taken = poll_token(sfn, taken)["taskToken"]
        first_item = poll_token(sfn, map_act)          # item 1 done before the crash
        sfn.send_task_success(taskToken=first_item["taskToken"],
                              output=json.dumps(json.loads(first_item["input"]) * 10))
        wait_for_event(sfn, e_map, "MapIterationSucceeded")
        left_task = poll_token(sfn, left)              # branch L done before the crash
        sfn.send_task_success(taskToken=left_task["taskToken"], output='"L"')
        wait_for_event(sfn, e_par, "ActivitySucceeded")
        wait_for_event(sfn, e_wait, "WaitStateEntered")

        self.restart()
        sfn = self.sfn
        for arn in (e_not_taken, e_taken, e_wait, e_map, e_par):
            self.assertEqual(sfn.describe_execution(executionArn=arn)["status"], "RUNNING", arn)

        # The task handed out before the crash is not handed out again, and
        # its token still completes it.
        self.assertNotIn("taskToken", sfn.get_activity_task(activityArn=taken))
        sfn.send_task_success(taskToken=token_taken, output='"done after restart"')

        task = poll_token(sfn, not_taken)
        self.assertEqual(json.loads(task["input"]), {"k": "not-taken"})
        sfn.send_task_success(taskToken=task["taskToken"], output='"late worker"')
        for _ in range(2):
            item = poll_token(sfn, map_act)
            sfn.send_task_success(taskToken=item["taskToken"],
                                  output=json.dumps(json.loads(item["input"]) * 10))
        right_task = poll_token(sfn, right)
        sfn.send_task_success(taskToken=right_task["taskToken"], output='"R"')

        expected = {
            e_not_taken: {"k": "not-taken", "r": "late worker"},
            e_taken: {"k": "taken", "r": "done after restart"},
            e_wait: {"k": "wait"},
            e_map: [10, 20, 30],
            e_par: ["L", "R"],
        }
        for arn, output in expected.items():
            d = wait_for_status(sfn, arn, timeout=15)
            self.assertEqual(d["status"], "SUCCEEDED", (arn, d))
            self.assertEqual(json.loads(d["output"]), output, arn)
            events = history(sfn, arn)
            self.assertHistoryOk(events)
            self.assertNoStateTwice(events, allowed=("Work",))
        waited = sfn.describe_execution(executionArn=e_wait)
        self.assertGreaterEqual((waited["stopDate"] - waited["startDate"]).total_seconds(), 2.9)

        map_events = history(sfn, e_map)
        self.assertEqual(event_types(map_events).count("MapIterationStarted"), 3)
        self.assertEqual(event_types(map_events).count("ActivityScheduled"), 3)
        self.assertEqual(entered_states(map_events).count("Work"), 3)
        par_events = history(sfn, e_par)
        self.assertEqual(event_types(par_events).count("ActivityScheduled"), 2)
        taken_events = history(sfn, e_taken)
        self.assertEqual(event_types(taken_events).count("ActivityStarted"), 1)

    def test_wait_due_during_the_crash_fires_after_restart(self):
        sfn = self.sfn
        machine = create_machine(sfn, wait_definition(1))
        arns = [start(sfn, machine, {"i": i}) for i in range(3)]
        for arn in arns:
            wait_for_event(sfn, arn, "WaitStateEntered")
        self.server.kill()
        time.sleep(1.5)           # the timers fall due while the server is down
        self.server.start()
        type(self).sfn = sfn = self.server.sfn_client()
        for i, arn in enumerate(arns):
            d = wait_for_status(sfn, arn, timeout=10)
            self.assertEqual((d["status"], json.loads(d["output"])), ("SUCCEEDED", {"i": i}))
            events = history(sfn, arn)
            self.assertHistoryOk(events)
            self.assertEqual(event_types(events).count("WaitStateExited"), 1)

    def test_started_execution_survives_immediate_kill(self):
        # StartExecution answered = durable: the execution exists after kill -9.
        sfn = self.sfn
        act = create_activity(sfn)
        machine = create_machine(sfn, activity_definition(act))
        arns = [start(sfn, machine, {"i": i}) for i in range(5)]
        self.restart()
        sfn = self.sfn
        seen = set()
        for _ in arns:
            task = poll_token(sfn, act)
            i = json.loads(task["input"])["i"]
            seen.add(i)
            sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"i": i}))
        self.assertEqual(seen, set(range(5)))
        for i, arn in enumerate(arns):
            d = wait_for_status(sfn, arn)
            self.assertEqual(json.loads(d["output"]), {"i": i})
            self.assertHistoryOk(history(sfn, arn))


if __name__ == "__main__":
    unittest.main()
