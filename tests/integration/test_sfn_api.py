"""The Step Functions API through boto3: state machines, versions, aliases,
activities, tags, definition validation, executions (start, describe, list,
history, stop, sync), and the faults for what does not exist or is malformed.

Follows the AWS semantics (the API model and the Developer Guide), not
weft's current behaviour."""

import json
import time
import unittest

from sfnkit import (ClientError, error_code, ACCOUNT, ACTIVITY_PREFIX, CLOSED, EXECUTION_PREFIX, REGION, ROLE,
                    SM_PREFIX, SfnTestCase, activity_definition, create_activity,
                    create_machine, details, dumps, event_types, history, pass_definition,
                    poll_token, start, uniq, wait_definition, wait_for_event,
                    wait_for_status)

# Choice on $.mode: "fail" -> Fail, "wait" -> a long Wait, else Pass.
MODE_DEFINITION = {
    "StartAt": "Route",
    "States": {
        "Route": {"Type": "Choice", "Default": "Ok", "Choices": [
            {"Variable": "$.mode", "StringEquals": "fail", "Next": "Boom"},
            {"Variable": "$.mode", "StringEquals": "wait", "Next": "Sleep"}]},
        "Sleep": {"Type": "Wait", "Seconds": 60, "Next": "Ok"},
        "Ok": {"Type": "Pass", "Parameters": {"got.$": "$.mode"}, "End": True},
        "Boom": {"Type": "Fail", "Error": "Custom.Boom", "Cause": "asked to fail"},
    },
}


class StateMachineTest(SfnTestCase):

    def test_create_describe_standard_and_express(self):
        for kind in ("STANDARD", "EXPRESS"):
            name = uniq("m")
            resp = self.sfn.create_state_machine(
                name=name, definition=dumps(pass_definition()), roleArn=ROLE, type=kind)
            arn = resp["stateMachineArn"]
            self.assertEqual(arn, SM_PREFIX + name)
            self.assertIn("creationDate", resp)
            d = self.sfn.describe_state_machine(stateMachineArn=arn)
            self.assertEqual((d["name"], d["type"], d["status"], d["roleArn"]),
                             (name, kind, "ACTIVE", ROLE))
            self.assertEqual(json.loads(d["definition"]), pass_definition())
            self.assertEqual(d["creationDate"], resp["creationDate"])

    def test_default_type_is_standard(self):
        name = uniq("m")
        arn = self.sfn.create_state_machine(name=name, definition=dumps(pass_definition()),
                                            roleArn=ROLE)["stateMachineArn"]
        self.assertEqual(self.sfn.describe_state_machine(stateMachineArn=arn)["type"],
                         "STANDARD")

    def test_create_is_idempotent_and_conflicts(self):
        name = uniq("m")
        args = dict(name=name, definition=dumps(pass_definition()), roleArn=ROLE)
        first = self.sfn.create_state_machine(**args)
        again = self.sfn.create_state_machine(**args)
        self.assertEqual(again["stateMachineArn"], first["stateMachineArn"])
        self.assertEqual(again["creationDate"], first["creationDate"])
        self.assertFault("StateMachineAlreadyExists", self.sfn.create_state_machine,
                         **dict(args, definition=dumps(pass_definition({"other": 1}))))

    def test_invalid_definition_lists_every_problem(self):
        bad = {"StartAt": "Ghost", "States": {
            "A": {"Type": "Pass", "Next": "Phantom"},
            "B": {"Type": "Bogus", "End": True}}}
        e = self.assertFault("InvalidDefinition", self.sfn.create_state_machine,
                             name=uniq("m"), definition=json.dumps(bad), roleArn=ROLE)
        message = e.response["Error"]["Message"]
        for word in ("Ghost", "Phantom", "Bogus"):
            self.assertIn(word, message)
        self.assertFault("InvalidDefinition", self.sfn.create_state_machine,
                         name=uniq("m"), definition="{not json", roleArn=ROLE)

    def test_express_refuses_activities(self):
        act = create_activity(self.sfn)
        self.assertFault("InvalidDefinition", self.sfn.create_state_machine,
                         name=uniq("m"), definition=dumps(activity_definition(act)),
                         roleArn=ROLE, type="EXPRESS")

    def test_invalid_name_and_arn(self):
        for name in ("has space", "a/b", "q?", "semi;colon"):
            self.assertFault("InvalidName", self.sfn.create_state_machine, name=name,
                             definition=dumps(pass_definition()), roleArn=ROLE)
            self.assertFault("InvalidName", self.sfn.create_activity, name=name)
        self.assertFault("InvalidArn", self.sfn.describe_state_machine,
                         stateMachineArn="not-an-arn")
        self.assertFault("InvalidArn", self.sfn.describe_execution,
                         executionArn=SM_PREFIX + "x")
        self.assertFault("InvalidArn", self.sfn.describe_activity,
                         activityArn="arn:aws:states:us-east-1:123456789012:stateMachine:x")
        machine = create_machine(self.sfn, pass_definition())
        self.assertFault("InvalidName", self.sfn.start_execution,
                         stateMachineArn=machine, name="bad name")

    def test_does_not_exist(self):
        ghost = uniq("ghost")
        self.assertFault("StateMachineDoesNotExist", self.sfn.describe_state_machine,
                         stateMachineArn=SM_PREFIX + ghost)
        self.assertFault("StateMachineDoesNotExist", self.sfn.start_execution,
                         stateMachineArn=SM_PREFIX + ghost)
        self.assertFault("StateMachineDoesNotExist", self.sfn.update_state_machine,
                         stateMachineArn=SM_PREFIX + ghost, definition=dumps(pass_definition()))
        exe = EXECUTION_PREFIX + ghost + ":e"
        for op in (self.sfn.describe_execution, self.sfn.get_execution_history,
                   self.sfn.stop_execution, self.sfn.describe_state_machine_for_execution):
            self.assertFault("ExecutionDoesNotExist", op, executionArn=exe)
        act = ACTIVITY_PREFIX + ghost
        self.assertFault("ActivityDoesNotExist", self.sfn.describe_activity, activityArn=act)
        self.assertFault("ActivityDoesNotExist", self.sfn.get_activity_task, activityArn=act)
        self.assertFault("ResourceNotFound", self.sfn.list_tags_for_resource, resourceArn=act)

    def test_list_state_machines_pages(self):
        arns = {create_machine(self.sfn, pass_definition(), prefix="page") for _ in range(3)}
        seen, token = [], None
        while True:
            kw = {"maxResults": 1}
            if token:
                kw["nextToken"] = token
            page = self.sfn.list_state_machines(**kw)
            self.assertLessEqual(len(page["stateMachines"]), 1)
            for m in page["stateMachines"]:
                self.assertEqual(set(m) >= {"stateMachineArn", "name", "type", "creationDate"},
                                 True, m)
            seen += [m["stateMachineArn"] for m in page["stateMachines"]]
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(len(seen), len(set(seen)), "a state machine listed twice")
        self.assertTrue(arns <= set(seen))
        self.assertFault("InvalidToken", self.sfn.list_state_machines, nextToken="garbage")

    def test_update_gives_new_revision_and_old_executions_keep_theirs(self):
        act = create_activity(self.sfn)
        machine = create_machine(self.sfn, activity_definition(act))
        before = self.sfn.describe_state_machine(stateMachineArn=machine)
        old = start(self.sfn, machine, {"v": 1})
        resp = self.sfn.update_state_machine(stateMachineArn=machine,
                                             definition=dumps(pass_definition({"new": True})))
        self.assertIn("updateDate", resp)
        self.assertTrue(resp.get("revisionId"))
        self.assertNotEqual(resp["revisionId"], before.get("revisionId"))
        after = self.sfn.describe_state_machine(stateMachineArn=machine)
        self.assertEqual(after["revisionId"], resp["revisionId"])
        self.assertEqual(json.loads(after["definition"]), pass_definition({"new": True}))
        # The execution started before runs (and describes) the old definition.
        for_old = self.sfn.describe_state_machine_for_execution(executionArn=old)
        self.assertEqual(json.loads(for_old["definition"]), activity_definition(act))
        self.assertEqual(for_old["stateMachineArn"], machine)
        self.assertEqual(for_old["roleArn"], ROLE)
        self.assertIn("updateDate", for_old)
        task = poll_token(self.sfn, act)
        self.sfn.send_task_success(taskToken=task["taskToken"], output='{"old":true}')
        self.assertEqual(wait_for_status(self.sfn, old)["output"], '{"old":true}')
        new = self.run_to_end(machine, status="SUCCEEDED")
        self.assertEqual(json.loads(new["output"]), {"new": True})

    def test_delete_lets_running_executions_finish(self):
        act = create_activity(self.sfn)
        machine = create_machine(self.sfn, activity_definition(act))
        running = start(self.sfn, machine)
        self.sfn.delete_state_machine(stateMachineArn=machine)
        try:
            self.assertEqual(
                self.sfn.describe_state_machine(stateMachineArn=machine)["status"], "DELETING")
        except self.sfn.exceptions.StateMachineDoesNotExist:
            pass
        try:
            self.sfn.start_execution(stateMachineArn=machine)
            self.fail("StartExecution on a deleted state machine")
        except (self.sfn.exceptions.StateMachineDeleting,
                self.sfn.exceptions.StateMachineDoesNotExist):
            pass
        self.assertEqual(self.sfn.describe_execution(executionArn=running)["status"], "RUNNING")
        task = poll_token(self.sfn, act)
        self.sfn.send_task_success(taskToken=task["taskToken"], output='{"done":1}')
        d = wait_for_status(self.sfn, running)
        self.assertEqual((d["status"], d["output"]), ("SUCCEEDED", '{"done":1}'))
        deadline = time.monotonic() + 10
        while True:
            try:
                self.sfn.describe_state_machine(stateMachineArn=machine)
            except self.sfn.exceptions.StateMachineDoesNotExist:
                break
            self.assertLess(time.monotonic(), deadline, "still there after its executions ended")
            time.sleep(0.1)
        listed = [m["stateMachineArn"] for m in
                  self.sfn.list_state_machines(maxResults=1000)["stateMachines"]]
        self.assertNotIn(machine, listed)

    def test_validate_definition(self):
        ok = self.sfn.validate_state_machine_definition(definition=dumps(pass_definition()))
        self.assertEqual((ok["result"], ok["diagnostics"]), ("OK", []))
        bad = self.sfn.validate_state_machine_definition(definition=json.dumps(
            {"StartAt": "Ghost", "States": {"A": {"Type": "Pass", "Next": "Phantom"}}}))
        self.assertEqual(bad["result"], "FAIL")
        errors = [d for d in bad["diagnostics"] if d["severity"] == "ERROR"]
        self.assertGreaterEqual(len(errors), 2, bad["diagnostics"])
        for d in errors:
            self.assertTrue(d["code"] and d["message"], d)
        text = json.dumps(bad["diagnostics"])
        self.assertIn("Ghost", text)
        self.assertIn("Phantom", text)


class VersionAliasTest(SfnTestCase):

    def test_versions_aliases_and_routing(self):
        name = uniq("ver")
        created = self.sfn.create_state_machine(
            name=name, definition=dumps(pass_definition({"v": 1})), roleArn=ROLE, publish=True,
            versionDescription="first")
        machine = created["stateMachineArn"]
        v1 = created["stateMachineVersionArn"]
        self.assertEqual(v1, machine + ":1")
        up = self.sfn.update_state_machine(stateMachineArn=machine,
                                           definition=dumps(pass_definition({"v": 2})),
                                           publish=True, versionDescription="second")
        v2 = up["stateMachineVersionArn"]
        self.assertEqual(v2, machine + ":2")
        # Publishing the same revision again is idempotent.
        again = self.sfn.publish_state_machine_version(stateMachineArn=machine)
        self.assertEqual(again["stateMachineVersionArn"], v2)
        self.assertFault("ConflictException", self.sfn.publish_state_machine_version,
                         stateMachineArn=machine, revisionId="not-the-current-revision")

        versions = self.sfn.list_state_machine_versions(stateMachineArn=machine)
        self.assertEqual([v["stateMachineVersionArn"]
                          for v in versions["stateMachineVersions"]], [v2, v1])
        page = self.sfn.list_state_machine_versions(stateMachineArn=machine, maxResults=1)
        self.assertEqual(len(page["stateMachineVersions"]), 1)
        self.assertIn("nextToken", page)

        d1 = self.sfn.describe_state_machine(stateMachineArn=v1)
        self.assertEqual(json.loads(d1["definition"]), pass_definition({"v": 1}))
        self.assertEqual(d1.get("description"), "first")

        alias = self.sfn.create_state_machine_alias(
            name="PROD", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}],
            description="production")["stateMachineAliasArn"]
        self.assertEqual(alias, machine + ":PROD")
        da = self.sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
        self.assertEqual((da["name"], da["description"]), ("PROD", "production"))
        self.assertEqual(da["routingConfiguration"],
                         [{"stateMachineVersionArn": v1, "weight": 100}])
        aliases = self.sfn.list_state_machine_aliases(stateMachineArn=machine)
        self.assertEqual([a["stateMachineAliasArn"] for a in aliases["stateMachineAliases"]],
                         [alias])

        by_alias = start(self.sfn, alias)
        by_v2 = start(self.sfn, v2)
        plain = start(self.sfn, machine)
        da_ex = wait_for_status(self.sfn, by_alias)
        self.assertEqual(json.loads(da_ex["output"]), {"v": 1})
        self.assertEqual(da_ex.get("stateMachineAliasArn"), alias)
        self.assertEqual(da_ex.get("stateMachineVersionArn"), v1)
        self.assertEqual(da_ex["stateMachineArn"], machine)
        self.assertTrue(by_alias.startswith(EXECUTION_PREFIX + name + ":"), by_alias)
        dv_ex = wait_for_status(self.sfn, by_v2)
        self.assertEqual(json.loads(dv_ex["output"]), {"v": 2})
        self.assertEqual(dv_ex.get("stateMachineVersionArn"), v2)
        self.assertNotIn("stateMachineAliasArn", dv_ex)
        dp = wait_for_status(self.sfn, plain)
        self.assertNotIn("stateMachineVersionArn", dp)

        def listed(arn):
            return {e["executionArn"] for e in
                    self.sfn.list_executions(stateMachineArn=arn)["executions"]}
        self.assertEqual(listed(machine), {by_alias, by_v2, plain})
        self.assertEqual(listed(alias), {by_alias})
        self.assertEqual(listed(v2), {by_v2})
        # An execution started through an alias belongs to the alias and to
        # the version it resolved to.
        self.assertEqual(listed(v1), {by_alias})

        # Re-routing the alias: new executions follow it.
        self.sfn.update_state_machine_alias(
            stateMachineAliasArn=alias,
            routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 100}])
        d = wait_for_status(self.sfn, start(self.sfn, alias))
        self.assertEqual(json.loads(d["output"]), {"v": 2})

        # A version an alias routes to cannot be deleted.
        self.assertFault("ConflictException", self.sfn.delete_state_machine_version,
                         stateMachineVersionArn=v2)
        self.sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
        self.assertFault("ResourceNotFound", self.sfn.describe_state_machine_alias,
                         stateMachineAliasArn=alias)
        self.sfn.delete_state_machine_version(stateMachineVersionArn=v1)
        versions = self.sfn.list_state_machine_versions(stateMachineArn=machine)
        self.assertEqual([v["stateMachineVersionArn"]
                          for v in versions["stateMachineVersions"]], [v2])

    # StartExecution of a version that was never published: AWS answers
    # StateMachineDoesNotExist (ResourceNotFound is not among its faults).
    def test_start_unknown_version(self):
        created = self.sfn.create_state_machine(
            name=uniq("ver"), definition=dumps(pass_definition()), roleArn=ROLE, publish=True)
        self.assertFault("StateMachineDoesNotExist", self.sfn.start_execution,
                         stateMachineArn=created["stateMachineArn"] + ":7")


class ActivityAndTagTest(SfnTestCase):

    def test_activity_crud(self):
        name = uniq("act")
        created = self.sfn.create_activity(name=name)
        arn = created["activityArn"]
        self.assertEqual(arn, ACTIVITY_PREFIX + name)
        self.assertEqual(self.sfn.create_activity(name=name)["activityArn"], arn)
        d = self.sfn.describe_activity(activityArn=arn)
        self.assertEqual((d["activityArn"], d["name"]), (arn, name))
        self.assertEqual(d["creationDate"], created["creationDate"])
        seen, token = [], None
        while True:
            kw = {"maxResults": 2}
            if token:
                kw["nextToken"] = token
            page = self.sfn.list_activities(**kw)
            seen += [a["activityArn"] for a in page["activities"]]
            token = page.get("nextToken")
            if not token:
                break
        self.assertIn(arn, seen)
        self.sfn.delete_activity(activityArn=arn)
        self.assertFault("ActivityDoesNotExist", self.sfn.describe_activity, activityArn=arn)

    def test_tags(self):
        machine = create_machine(self.sfn, pass_definition(),
                                 tags=[{"key": "team", "value": "a"}])
        act = self.sfn.create_activity(name=uniq("act"),
                                       tags=[{"key": "k", "value": "1"}])["activityArn"]

        def tags(arn):
            return {t["key"]: t["value"]
                    for t in self.sfn.list_tags_for_resource(resourceArn=arn)["tags"]}
        self.assertEqual(tags(machine), {"team": "a"})
        self.assertEqual(tags(act), {"k": "1"})
        self.sfn.tag_resource(resourceArn=machine, tags=[{"key": "team", "value": "b"},
                                                         {"key": "env", "value": "test"}])
        self.assertEqual(tags(machine), {"team": "b", "env": "test"})
        self.sfn.untag_resource(resourceArn=machine, tagKeys=["team"])
        self.assertEqual(tags(machine), {"env": "test"})
        self.sfn.untag_resource(resourceArn=act, tagKeys=["k"])
        self.assertEqual(tags(act), {})
        self.assertFault("ResourceNotFound", self.sfn.tag_resource,
                         resourceArn=SM_PREFIX + uniq("ghost"), tags=[{"key": "a", "value": "b"}])


class ExecutionTest(SfnTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mode_machine = create_machine(cls.sfn, MODE_DEFINITION, prefix="mode")

    def test_describe_succeeded_and_failed(self):
        name = uniq("ex")
        resp = self.sfn.start_execution(stateMachineArn=self.mode_machine, name=name,
                                        input='{"mode": "ok"}')
        arn = resp["executionArn"]
        machine_name = self.mode_machine.split(":")[-1]
        self.assertEqual(arn, EXECUTION_PREFIX + machine_name + ":" + name)
        d = wait_for_status(self.sfn, arn)
        self.assertEqual(d["executionArn"], arn)
        self.assertEqual(d["stateMachineArn"], self.mode_machine)
        self.assertEqual((d["name"], d["status"]), (name, "SUCCEEDED"))
        self.assertEqual(d["startDate"], resp["startDate"])
        self.assertGreaterEqual(d["stopDate"], d["startDate"])
        self.assertEqual(json.loads(d["input"]), {"mode": "ok"})
        self.assertEqual(d["inputDetails"], {"included": True})
        self.assertEqual(json.loads(d["output"]), {"got": "ok"})
        self.assertEqual(d["outputDetails"], {"included": True})
        self.assertNotIn("error", d)

        f = self.run_to_end(self.mode_machine, {"mode": "fail"}, status="FAILED")
        self.assertEqual((f["error"], f["cause"]), ("Custom.Boom", "asked to fail"))
        self.assertNotIn("output", f)
        self.assertIn("stopDate", f)

        # No name given: a UUID.
        generated = start(self.sfn, self.mode_machine)
        self.assertRegex(generated.split(":")[-1], r"^[0-9a-f-]{36}$")

    def test_start_idempotency(self):
        act = create_activity(self.sfn)
        machine = create_machine(self.sfn, activity_definition(act))
        name = uniq("same")
        first = self.sfn.start_execution(stateMachineArn=machine, name=name, input='{"a":1}')
        again = self.sfn.start_execution(stateMachineArn=machine, name=name, input='{"a":1}')
        self.assertEqual(again["executionArn"], first["executionArn"])
        self.assertEqual(again["startDate"], first["startDate"])
        self.assertFault("ExecutionAlreadyExists", self.sfn.start_execution,
                         stateMachineArn=machine, name=name, input='{"a":2}')
        task = poll_token(self.sfn, act)
        self.sfn.send_task_success(taskToken=task["taskToken"], output="{}")
        wait_for_status(self.sfn, first["executionArn"])
        # Closed: the same name is refused even with the same input.
        self.assertFault("ExecutionAlreadyExists", self.sfn.start_execution,
                         stateMachineArn=machine, name=name, input='{"a":1}')
        # One execution, listed once.
        listed = self.sfn.list_executions(stateMachineArn=machine)["executions"]
        self.assertEqual([e["executionArn"] for e in listed], [first["executionArn"]])

    def test_invalid_input(self):
        self.assertFault("InvalidExecutionInput", self.sfn.start_execution,
                         stateMachineArn=self.mode_machine, input="{not json")
        big = json.dumps({"pad": "x" * 262144})
        try:
            self.sfn.start_execution(stateMachineArn=self.mode_machine, input=big)
            self.fail("an input over 256 KiB was accepted")
        except ClientError as e:
            # The model lists both for StartExecution; which one AWS sends
            # for an oversized input is not documented.
            self.assertIn(error_code(e), ("InvalidExecutionInput", "ValidationException"))
            self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        # Exactly at the limit is fine.
        at_limit = json.dumps({"mode": "ok", "pad": ""})
        at_limit = at_limit[:-2] + "x" * (262144 - len(at_limit)) + '"}'
        self.assertEqual(len(at_limit), 262144)
        d = wait_for_status(self.sfn, start(self.sfn, self.mode_machine, at_limit))
        self.assertEqual(d["status"], "SUCCEEDED")

    def test_list_executions_filters_and_pages(self):
        machine = create_machine(self.sfn, MODE_DEFINITION, prefix="list")
        ok = [start(self.sfn, machine, {"mode": "ok"}) for _ in range(2)]
        failed = [start(self.sfn, machine, {"mode": "fail"})]
        waiting = [start(self.sfn, machine, {"mode": "wait"}) for _ in range(2)]
        for arn in ok + failed:
            wait_for_status(self.sfn, arn)

        def listed(**kw):
            out, token = [], None
            while True:
                args = dict(kw, stateMachineArn=machine, maxResults=2)
                if token:
                    args["nextToken"] = token
                page = self.sfn.list_executions(**args)
                self.assertLessEqual(len(page["executions"]), 2)
                out += page["executions"]
                token = page.get("nextToken")
                if not token:
                    return out
        every = listed()
        self.assertEqual([e["executionArn"] for e in every],
                         list(reversed(ok + failed + waiting)), "newest first, each once")
        for e in every:
            self.assertEqual(e["stateMachineArn"], machine)
            self.assertEqual(e["name"], e["executionArn"].split(":")[-1])
        self.assertEqual({e["executionArn"] for e in listed(statusFilter="SUCCEEDED")}, set(ok))
        self.assertEqual({e["executionArn"] for e in listed(statusFilter="FAILED")},
                         set(failed))
        running = listed(statusFilter="RUNNING")
        self.assertEqual({e["executionArn"] for e in running}, set(waiting))
        self.assertTrue(all("stopDate" not in e for e in running))
        for arn in waiting:
            self.sfn.stop_execution(executionArn=arn)
        self.assertEqual({e["executionArn"] for e in listed(statusFilter="ABORTED")},
                         set(waiting))
        self.assertFault("InvalidToken", self.sfn.list_executions,
                         stateMachineArn=machine, nextToken="garbage")

    def test_history_order_paging_and_data(self):
        arn = start(self.sfn, self.mode_machine, {"mode": "ok"})
        wait_for_status(self.sfn, arn)
        events = history(self.sfn, arn)
        self.assertHistoryOk(events)
        self.assertEqual(event_types(events), [
            "ExecutionStarted", "ChoiceStateEntered", "ChoiceStateExited",
            "PassStateEntered", "PassStateExited", "ExecutionSucceeded"])
        # As AWS records them: the first state entered points nowhere (0).
        self.assertEqual([e["previousEventId"] for e in events], [0, 0, 2, 3, 4, 5])
        self.assertEqual(json.loads(details(events[0])["input"]), {"mode": "ok"})
        self.assertEqual(details(events[0])["roleArn"], ROLE)
        self.assertEqual(json.loads(details(events[-1])["output"]), {"got": "ok"})
        self.assertEqual(details(events[1])["name"], "Route")

        rev = history(self.sfn, arn, reverseOrder=True)
        self.assertEqual([e["id"] for e in rev], [e["id"] for e in reversed(events)])
        paged = history(self.sfn, arn, maxResults=2)
        self.assertEqual([e["id"] for e in paged], [e["id"] for e in events])
        first = self.sfn.get_execution_history(executionArn=arn, maxResults=2)
        self.assertEqual(len(first["events"]), 2)
        self.assertIn("nextToken", first)
        rev_paged = history(self.sfn, arn, maxResults=4, reverseOrder=True)
        self.assertEqual([e["id"] for e in rev_paged], [e["id"] for e in rev])

        bare = history(self.sfn, arn, includeExecutionData=False)
        self.assertEqual(len(bare), len(events))
        for e in bare:
            d = details(e)
            for key in ("input", "output"):
                self.assertNotIn(key, d, e)
        self.assertEqual(details(bare[1])["name"], "Route")
        self.assertFault("InvalidToken", self.sfn.get_execution_history,
                         executionArn=arn, nextToken="garbage")

    def test_history_of_failure(self):
        arn = start(self.sfn, self.mode_machine, {"mode": "fail"})
        wait_for_status(self.sfn, arn)
        events = history(self.sfn, arn)
        self.assertHistoryOk(events)
        self.assertEqual(event_types(events)[-2:], ["FailStateEntered", "ExecutionFailed"])
        self.assertEqual(details(events[-1]), {"error": "Custom.Boom", "cause": "asked to fail"})

    def test_stop_aborts_activity_task_and_wait(self):
        act = create_activity(self.sfn)
        machine = create_machine(self.sfn, activity_definition(act))
        task_exec = start(self.sfn, machine, {"job": 1})
        task = poll_token(self.sfn, act)
        wait_exec = start(self.sfn, self.mode_machine, {"mode": "wait"})
        wait_for_event(self.sfn, wait_exec, "WaitStateEntered")
        for arn in (task_exec, wait_exec):
            stopped = self.sfn.stop_execution(executionArn=arn, error="Ops.Stop",
                                              cause="by the test")
            self.assertIn("stopDate", stopped)
            d = self.sfn.describe_execution(executionArn=arn)
            self.assertEqual((d["status"], d.get("error"), d.get("cause")),
                             ("ABORTED", "Ops.Stop", "by the test"))
            events = history(self.sfn, arn)
            self.assertHistoryOk(events)
            self.assertEqual(events[-1]["type"], "ExecutionAborted")
            self.assertEqual(details(events[-1]), {"error": "Ops.Stop", "cause": "by the test"})
        # The worker answering late: the task is gone (AWS: TaskTimedOut).
        self.assertFault("TaskTimedOut", self.sfn.send_task_success,
                         taskToken=task["taskToken"], output="{}")
        self.assertFault("TaskTimedOut", self.sfn.send_task_heartbeat,
                         taskToken=task["taskToken"])
        # The aborted activity task is not handed out again.
        self.assertNotIn("taskToken", self.sfn.get_activity_task(activityArn=act))
        self.assertEqual(self.sfn.describe_execution(executionArn=task_exec)["status"],
                         "ABORTED")

    def test_describe_state_machine_for_execution(self):
        arn = start(self.sfn, self.mode_machine, {"mode": "ok"})
        d = self.sfn.describe_state_machine_for_execution(executionArn=arn)
        self.assertEqual(d["stateMachineArn"], self.mode_machine)
        self.assertEqual(d["name"], self.mode_machine.split(":")[-1])
        self.assertEqual(json.loads(d["definition"]), MODE_DEFINITION)
        self.assertEqual(d["roleArn"], ROLE)
        self.assertIn("updateDate", d)


class ExpressTest(SfnTestCase):

    def test_start_sync_execution(self):
        machine = create_machine(self.sfn, {"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"},
                  "End": True}}}, type="EXPRESS")
        name = uniq("sync")
        r = self.sync.start_sync_execution(stateMachineArn=machine, name=name,
                                           input='{"a": 2, "b": 3}')
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(json.loads(r["output"]), {"sum": 5})
        self.assertEqual(r["name"], name)
        self.assertEqual(r["stateMachineArn"], machine)
        self.assertTrue(r["executionArn"].startswith(
            "arn:aws:states:%s:%s:express:%s:%s:" % (REGION, ACCOUNT, machine.split(":")[-1],
                                                     name)), r["executionArn"])
        self.assertGreaterEqual(r["stopDate"], r["startDate"])
        self.assertEqual(json.loads(r["input"]), {"a": 2, "b": 3})
        billing = r["billingDetails"]
        self.assertGreaterEqual(billing["billedDurationInMilliseconds"], 100)
        self.assertEqual(billing["billedDurationInMilliseconds"] % 100, 0)
        self.assertGreater(billing["billedMemoryUsedInMB"], 0)
        self.assertNotIn("error", r)
        # Express names need not be unique.
        r2 = self.sync.start_sync_execution(stateMachineArn=machine, name=name,
                                            input='{"a": 1, "b": 1}')
        self.assertEqual(json.loads(r2["output"]), {"sum": 2})
        self.assertNotEqual(r2["executionArn"], r["executionArn"])

    def test_start_sync_failure_and_standard(self):
        machine = create_machine(self.sfn, {"StartAt": "F", "States": {
            "F": {"Type": "Fail", "Error": "My.Error", "Cause": "because"}}}, type="EXPRESS")
        r = self.sync.start_sync_execution(stateMachineArn=machine)
        self.assertEqual((r["status"], r["error"], r["cause"]), ("FAILED", "My.Error", "because"))
        self.assertNotIn("output", r)
        standard = create_machine(self.sfn, pass_definition())
        self.assertFault("StateMachineTypeNotSupported", self.sync.start_sync_execution,
                         stateMachineArn=standard)
        self.assertFault("InvalidExecutionInput", self.sync.start_sync_execution,
                         stateMachineArn=machine, input="[")
        self.assertFault("StateMachineTypeNotSupported", self.sfn.list_executions,
                         stateMachineArn=machine)

    def test_start_execution_on_express(self):
        machine = create_machine(self.sfn, pass_definition({"x": 1}), type="EXPRESS")
        arn = start(self.sfn, machine)
        self.assertIn(":express:", arn)


if __name__ == "__main__":
    unittest.main()
