"""The history invariants the integration tests rely on (swfkit.history_problems)
must catch what they claim to: checked on synthetic histories, no server."""

import unittest

from swfkit import history_problems


def ev(eid, t, **a):
    return {"eventId": eid, "eventTimestamp": float(eid), "eventType": t,
            t[0].lower() + t[1:] + "EventAttributes": a}


def valid():
    return [
        ev(1, "WorkflowExecutionStarted", childPolicy="TERMINATE"),
        ev(2, "DecisionTaskScheduled"),
        ev(3, "DecisionTaskStarted", scheduledEventId=2),
        ev(4, "DecisionTaskCompleted", scheduledEventId=2, startedEventId=3),
        ev(5, "ActivityTaskScheduled", activityId="a", decisionTaskCompletedEventId=4),
        ev(6, "ActivityTaskStarted", scheduledEventId=5),
        ev(7, "ActivityTaskCompleted", scheduledEventId=5, startedEventId=6),
        ev(8, "DecisionTaskScheduled"),
        ev(9, "DecisionTaskStarted", scheduledEventId=8),
        ev(10, "DecisionTaskCompleted", scheduledEventId=8, startedEventId=9),
        ev(11, "WorkflowExecutionCompleted", decisionTaskCompletedEventId=10),
    ]


class HistoryInvariantsTest(unittest.TestCase):

    def test_a_valid_history_has_no_problems(self):
        self.assertEqual(history_problems(valid()), [])

    def test_each_violation_is_reported(self):
        def gap(h):
            del h[5]
            return h

        def renumber(h):
            for i, e in enumerate(h):
                e["eventId"] = i + 1
            return h

        cases = {
            "id gap": gap(valid()),
            "activity closed twice": renumber(valid()[:7] + [
                ev(0, "ActivityTaskCompleted", scheduledEventId=5, startedEventId=6)]),
            "activity started twice": renumber(valid()[:6] + [
                ev(0, "ActivityTaskStarted", scheduledEventId=5)]),
            "event after close": renumber(valid() + [ev(0, "DecisionTaskScheduled")]),
            "two decision tasks started": renumber(valid()[:3] + [
                ev(0, "DecisionTaskScheduled"),
                ev(0, "DecisionTaskStarted", scheduledEventId=4)]),
            "two decision tasks scheduled": renumber(valid()[:2] + [
                ev(0, "DecisionTaskScheduled")]),
            "reference to a later event": renumber(valid()[:5] + [
                ev(0, "ActivityTaskStarted", scheduledEventId=9)]),
            "duplicate event": renumber(valid()[:7] + [
                ev(0, "MarkerRecorded", markerName="m", decisionTaskCompletedEventId=4),
                ev(0, "MarkerRecorded", markerName="m", decisionTaskCompletedEventId=4)]),
            "first event": valid()[1:],
        }
        for what, events in cases.items():
            with self.subTest(what):
                self.assertNotEqual(history_problems(events), [], what)


if __name__ == "__main__":
    unittest.main()
