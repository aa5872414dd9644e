"""The web console in a real browser: Debian's chromium driven by npm's
playwright-core (web/e2e/console.mjs) against a real weft server. A state
machine with Choice, Parallel, Map and Catch renders every state and edge
label; an execution that failed in a caught state shows the right colours and
the state's error on click; the time slider shows an earlier moment; a
running execution changes colour live (server-sent events) without a reload;
the designer builds a three-state machine by drag and drop, shows a
validation problem on its state, fixes it and saves it (checked through the
API); an SWF workflow's timeline after a decider/worker run; a history of
10,000 events is listed whole with only the rows in view in the page.
Screenshots are kept in build/console-shots (and docs/console/ holds current
ones). Skips when node or chromium is missing."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

import sfnkit as sk
import swfkit as k
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


LIVE = {"StartAt": "W1", "States": {
    "W1": {"Type": "Wait", "Seconds": 2, "Next": "W2"},
    "W2": {"Type": "Wait", "Seconds": 2, "Next": "Finish"},
    "Finish": {"Type": "Succeed"}}}


def browser_prerequisites():
    if not shutil.which("node") or not shutil.which("npm"):
        raise unittest.SkipTest("node/npm not found: the console tests need Node.js")
    if not os.path.exists(CHROMIUM):
        raise unittest.SkipTest("%s not found: install Debian's chromium" % CHROMIUM)
    if not os.path.isdir(os.path.join(WEB, "node_modules", "playwright-core")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True,
                       capture_output=True, timeout=300)


def shots_dir():
    shots = os.path.join(os.environ.get("WEFT_BUILD_DIR", os.path.join(ROOT, "build")),
                         "console-shots")
    os.makedirs(shots, exist_ok=True)
    return shots


def run_script(case, script, env):
    proc = subprocess.run(["node", os.path.join(WEB, "e2e", script)], cwd=WEB,
                          env=dict(os.environ, CHROMIUM=CHROMIUM, SHOTS_DIR=shots_dir(), **env),
                          capture_output=True, text=True, timeout=180)
    case.assertEqual(proc.returncode, 0, "stdout: %s\nstderr: %s" % (
        proc.stdout[-3000:], proc.stderr[-3000:]))
    case.assertIn("ok", proc.stdout)


class ConsoleTest(OwnServer, ServerTestCase):

    @classmethod
    def setUpClass(cls):
        browser_prerequisites()
        super().setUpClass()

    def run_swf_workflow(self):
        """A decider and a worker: one activity, one timer, then complete."""
        domain = k.make_domain(self.swf, "console")
        tl = uniq("tl")
        wf = k.make_workflow_type(self.swf, domain, task_list=tl, exec_timeout="300",
                                  task_timeout="30")
        act = k.make_activity_type(self.swf, domain, task_list=tl)
        ex = k.start(self.swf, domain, wf, tl)
        k.decide(self.swf, k.poll_decision(self.swf, domain, tl),
                 k.schedule(act, "encode", taskList={"name": tl}), k.start_timer("pause", "1"))
        task = k.poll_activity(self.swf, domain, tl)
        self.swf.respond_activity_task_completed(taskToken=task["taskToken"], result="done")
        k.wait_for_event(self.swf, domain, ex, "TimerFired")
        while k.last(k.history(self.swf, domain, ex), "WorkflowExecutionCompleted") is None:
            task = k.poll_decision(self.swf, domain, tl)
            if "TimerFired" in k.types(task["events"]):
                k.decide(self.swf, task, k.complete("ok"))
            else:
                k.decide(self.swf, task)
        return domain, ex

    def test_pages_in_a_browser(self):
        sfn = self.server.sfn_client()
        name = uniq("console")
        machine = sk.create_machine(sfn, DEFINITION, name=name)
        execution = sk.start(sfn, machine, input={"n": 5, "items": [1, 2]})
        described = sk.wait_for_status(sfn, execution)
        self.assertEqual(described["status"], "SUCCEEDED", described)
        domain, workflow = self.run_swf_workflow()
        designed = uniq("designed")
        live = sk.create_machine(sfn, LIVE)  # the browser side starts it when it looks
        big = sk.start(sfn, sk.create_machine(sfn, {"StartAt": "Each", "States": {"Each": {
            "Type": "Map", "End": True, "ItemProcessor": {"StartAt": "One", "States": {
                "One": {"Type": "Pass", "End": True}}}}}}), input=list(range(2500)))
        self.assertEqual(sk.wait_for_status(sfn, big, timeout=60)["status"], "SUCCEEDED")
        big_events = len(sk.history(sfn, big))
        env = dict(WEFT_URL=self.server.url, MACHINE_ARN=machine,
                   MACHINE_NAME=name, EXECUTION_ARN=execution,
                   LIVE_MACHINE_ARN=live, DESIGNED_NAME=designed,
                   SWF_DOMAIN=domain, SWF_WORKFLOW_ID=workflow["workflowId"],
                   SWF_RUN_ID=workflow["runId"], BIG_EXECUTION_ARN=big,
                   BIG_EVENTS=str(big_events))
        run_script(self, "console.mjs", env)
        # What the designer saved exists through the API, as drawn.
        made = [m for m in sfn.list_state_machines()["stateMachines"] if m["name"] == designed]
        self.assertEqual(len(made), 1)
        definition = json.loads(sfn.describe_state_machine(
            stateMachineArn=made[0]["stateMachineArn"])["definition"])
        self.assertEqual(definition["StartAt"], "Pass1")
        self.assertEqual(definition["States"]["Wait1"], {"Type": "Wait", "Seconds": 1,
                                                          "Next": "Succeed1"})
        self.assertEqual(definition["States"]["Succeed1"], {"Type": "Succeed"})


KEY = ("AKIAWEFTCONSOLE00001", "console-secret-console-secret-console-01")


class ConsoleWithKeysTest(OwnServer, ServerTestCase):
    """The console against a server that checks signatures: it asks for a
    key, signs its calls, and follows an execution through a presigned
    live-update stream."""

    @classmethod
    def server_args(cls):
        cls.keys = os.path.join(tempfile.mkdtemp(prefix="weft-console-keys-"), "keys.json")
        with open(cls.keys, "w") as f:
            json.dump({"keys": [{"accessKeyId": KEY[0], "secretAccessKey": KEY[1],
                                 "name": "console", "policy": {"Statement": [
                                     {"Effect": "Allow", "Action": ["states:*", "swf:*"],
                                      "Resource": "*"}]}}]}, f)
        return ["--credentials", cls.keys]

    @classmethod
    def setUpClass(cls):
        browser_prerequisites()
        super().setUpClass()

    def test_signed_console(self):
        import boto3
        sfn = boto3.client("stepfunctions", endpoint_url=self.server.url,
                           region_name="us-east-1", aws_access_key_id=KEY[0],
                           aws_secret_access_key=KEY[1])
        name = uniq("signed")
        machine = sk.create_machine(sfn, LIVE, name=name)
        run_script(self, "console_keys.mjs", dict(
            WEFT_URL=self.server.url, ACCESS_KEY_ID=KEY[0], SECRET_ACCESS_KEY=KEY[1],
            MACHINE_ARN=machine, MACHINE_NAME=name))
        self.assertIn('"audit":"allowed","action":"states:StartExecution","key":"console"',
                      self.server.stderr_tail(100000))


if __name__ == "__main__":
    unittest.main()
