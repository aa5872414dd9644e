#!/usr/bin/env python3
"""`weft validate` and `weft run` as people and tools use them: output
formats, exit statuses, mock files (AWS Step Functions Local format)."""
import json
import os
import subprocess
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WEFT_BIN = os.environ.get("WEFT_BIN", os.path.join(REPO, "build", "weft"))

ORDER = {
    "StartAt": "Charge",
    "States": {
        "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 3600, "MaxAttempts": 2}],
                   "ResultSelector": {"id.$": "$.Payload.id"}, "ResultPath": "$.charge",
                   "Catch": [{"ErrorEquals": ["Declined"], "Next": "Refuse"}], "Next": "Ship"},
        "Ship": {"Type": "Wait", "Seconds": 86400, "Next": "Done"},
        "Done": {"Type": "Succeed"},
        "Refuse": {"Type": "Fail", "Error": "OrderRefused", "Cause": "card declined"},
    },
}
MOCKS = {
    "StateMachines": {"order": {"TestCases": {
        "Happy": {"Charge": "ChargeOk"},
        "BusyThenOk": {"Charge": "ChargeBusy"},
        "Declined": {"Charge": "ChargeDeclined"}}}},
    "MockedResponses": {
        "ChargeOk": {"0": {"Return": {"Payload": {"id": "c-1"}}}},
        "ChargeBusy": {"0-1": {"Throw": {"Error": "Busy", "Cause": "later"}},
                       "2": {"Return": {"Payload": {"id": "c-2"}}}},
        "ChargeDeclined": {"0": {"Throw": {"Error": "Declined", "Cause": "no"}}}},
}


class AslCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(WEFT_BIN):
            raise unittest.SkipTest("no weft binary at %s (set WEFT_BIN)" % WEFT_BIN)
        cls.dir = tempfile.TemporaryDirectory()
        cls.order = os.path.join(cls.dir.name, "order.json")
        cls.mocks = os.path.join(cls.dir.name, "mocks.json")
        cls.bad = os.path.join(cls.dir.name, "bad.json")
        with open(cls.order, "w") as f:
            json.dump(ORDER, f)
        with open(cls.mocks, "w") as f:
            json.dump(MOCKS, f)
        with open(cls.bad, "w") as f:
            json.dump({"StartAt": "Foo", "States": {"Foo": {"Type": "Pass", "Next": "Bar"}}}, f)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def weft(self, *args):
        return subprocess.run([WEFT_BIN, *args], capture_output=True, text=True, timeout=30)

    def test_validate_reports_location_and_exit_status(self):
        p = self.weft("validate", self.order, self.bad)
        self.assertEqual(p.returncode, 1)
        self.assertIn("%s: OK" % self.order, p.stdout)
        self.assertIn('%s: /States/Foo/Next: state "Bar" does not exist' % self.bad, p.stdout)
        self.assertEqual(self.weft("validate", self.order).returncode, 0)

    def test_validate_json(self):
        p = self.weft("validate", "--json", self.bad)
        self.assertEqual(p.returncode, 1)
        doc = json.loads(p.stdout)
        self.assertFalse(doc["files"][0]["valid"])
        locations = [d["location"] for d in doc["files"][0]["diagnostics"]]
        self.assertIn("/States/Foo/Next", locations)
        self.assertIn("/States", locations)  # no terminal state either: all problems at once

    def test_run_with_mocks_fast_forwards_retries_and_waits(self):
        p = self.weft("run", self.order, "--input", '{"order": 7}', "--mocks", self.mocks,
                      "--test-case", "BusyThenOk", "--json", "--history")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["status"], "SUCCEEDED")
        self.assertEqual(doc["output"], {"order": 7, "charge": {"id": "c-2"}})
        types = [e["type"] for e in doc["history"]]
        self.assertEqual(types.count("TaskFailed"), 2)
        self.assertEqual(types[-1], "ExecutionSucceeded")
        # The clock jumped over two retry intervals and a day of waiting.
        elapsed = doc["history"][-1]["timestamp"] - doc["history"][0]["timestamp"]
        self.assertGreaterEqual(elapsed, 3600 + 7200 + 86400)

    def test_run_failure_exit_status_and_text_output(self):
        p = self.weft("run", self.order, "--mocks", self.mocks, "--test-case", "Declined")
        self.assertEqual(p.returncode, 1)
        self.assertIn("FAILED: OrderRefused: card declined", p.stderr)
        p = self.weft("run", self.order, "--mocks", self.mocks, "--test-case", "Happy")
        self.assertEqual(p.returncode, 0)
        self.assertEqual(json.loads(p.stdout), {"charge": {"id": "c-1"}})

    def test_run_without_mock_names_the_task(self):
        p = self.weft("run", self.order)
        self.assertEqual(p.returncode, 2)
        self.assertIn('Task state "Charge"', p.stderr)

    def test_run_input_from_file(self):
        path = os.path.join(self.dir.name, "input.json")
        with open(path, "w") as f:
            f.write('{"order": 9}')
        p = self.weft("run", self.order, "--input", "@" + path, "--mocks", self.mocks,
                      "--test-case", "Happy", "--json")
        self.assertEqual(json.loads(p.stdout)["output"]["order"], 9)


if __name__ == "__main__":
    unittest.main()
