"""The web console in a real browser: Debian's chromium driven by npm's
playwright-core (web/e2e/console.mjs) against a real weft server. A state
machine with Choice, Parallel, Map and Catch renders every state and edge
label; an execution that failed in a caught state shows the right colours and
the state's error on click; the time slider shows an earlier moment.
Screenshots are kept in build/console-shots (and docs/console/ holds current
ones). Skips when node or chromium is missing."""

import json
import os
import shutil
import subprocess
import unittest

import sfnkit as sk
from weftserver import OwnServer, ServerTestCase, uniq

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
WEB = os.path.join(ROOT, "web")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

DEFINITION = {
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Choice", "Default": "Skip",
                  "Choices": [{"Variable": "$.n", "NumericGreaterThan": 3, "Next": "Fan"}]},
        "Skip": {"Type": "Pass", "End": True},
        "Fan": {"Type": "Parallel", "Next": "Each", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]},
        "Each": {"Type": "Map", "ItemsPath": "$[0].items", "Next": "Risky",
                 "ItemProcessor": {"StartAt": "Work",
                                   "States": {"Work": {"Type": "Pass", "End": True}}}},
        "Risky": {"Type": "Parallel", "Next": "Done",
                  "Branches": [{"StartAt": "Boom", "States": {
                      "Boom": {"Type": "Fail", "Error": "Boom", "Cause": "it blew up"}}}],
                  "Retry": [{"ErrorEquals": ["Nope"]}],
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]},
        "Handler": {"Type": "Pass", "Result": "Boom", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


class ConsoleTest(OwnServer, ServerTestCase):

    @classmethod
    def setUpClass(cls):
        if not shutil.which("node") or not shutil.which("npm"):
            raise unittest.SkipTest("node/npm not found: the console tests need Node.js")
        if not os.path.exists(CHROMIUM):
            raise unittest.SkipTest("%s not found: install Debian's chromium" % CHROMIUM)
        if not os.path.isdir(os.path.join(WEB, "node_modules", "playwright-core")):
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True,
                           capture_output=True, timeout=300)
        super().setUpClass()

    def test_graph_colours_detail_and_replay(self):
        sfn = self.server.sfn_client()
        name = uniq("console")
        machine = sk.create_machine(sfn, DEFINITION, name=name)
        execution = sk.start(sfn, machine, input={"n": 5, "items": [1, 2]})
        described = sk.wait_for_status(sfn, execution)
        self.assertEqual(described["status"], "SUCCEEDED", described)
        shots = os.path.join(os.environ.get("WEFT_BUILD_DIR", os.path.join(ROOT, "build")),
                             "console-shots")
        os.makedirs(shots, exist_ok=True)
        env = dict(os.environ, WEFT_URL=self.server.url, MACHINE_ARN=machine,
                   MACHINE_NAME=name, EXECUTION_ARN=execution, SHOTS_DIR=shots,
                   CHROMIUM=CHROMIUM)
        proc = subprocess.run(["node", os.path.join(WEB, "e2e", "console.mjs")], cwd=WEB,
                              env=env, capture_output=True, text=True, timeout=180)
        self.assertEqual(proc.returncode, 0, "stdout: %s\nstderr: %s" % (
            proc.stdout[-3000:], proc.stderr[-3000:]))
        self.assertIn("ok", proc.stdout)


if __name__ == "__main__":
    unittest.main()
