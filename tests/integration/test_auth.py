"""Access keys (`weft server --credentials FILE`) with real clients: boto3 and
the AWS CLI v2 sign with SigV4 and are let in; an unknown key, a wrong
secret, a missing, incomplete or expired signature get AWS's faults; a key's
policy refuses what it does not allow (SWF OperationNotPermittedFault, Step
Functions AccessDeniedException, naming the key, the action and the
resource); the AWS SDK for JavaScript gets the same, by name; SIGHUP
reloads the file and a bad file keeps the old keys;
without keys the server refuses to listen beyond loopback; `weft keys new`
makes a working key."""

import datetime
import hashlib
import hmac
import json
import os
import signal
import subprocess
import tempfile
import time
import unittest
import unittest.mock
import urllib.error
import urllib.parse
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import sfnkit as sk
from jskit import JsSdkCase
from weftserver import AWS_CLI, OwnServer, ServerTestCase, error_code, read_event_stream, uniq

ALL = {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": ["swf:*", "states:*"], "Resource": "*"}]}
READER = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["swf:List*", "swf:Describe*", "states:List*",
                                   "states:Describe*"], "Resource": "*"},
    {"Effect": "Allow", "Action": "swf:*", "Resource": "arn:aws:swf:*:*:/domain/open-*"},
    {"Effect": "Deny", "Action": "swf:RegisterDomain", "Resource": "*:/domain/open-secret"}]}
ADMIN = ("AKIAWEFTADMIN0000001", "admin-secret-admin-secret-admin-secret-01")
READ = ("AKIAWEFTREADER000001", "reader-secret-reader-secret-reader-sec-01")
LATER = ("AKIAWEFTLATER0000001", "later-secret-later-secret-later-secret-01")


def keys_file(path, *keys):
    entries = [{"accessKeyId": akid, "secretAccessKey": secret, "name": name, "policy": policy}
               for (akid, secret), name, policy in keys]
    with open(path, "w") as f:
        json.dump({"keys": entries}, f)


def signature(secret, amz_date, scope, canonical):
    """The SigV4 signature of a canonical request, computed here."""
    date, region, service, _ = scope.split("/")
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()


def sign(url, target, body, key, secret, when, region="us-east-1", service="states"):
    """A SigV4 Authorization header computed here, independently of weft."""
    host = url.split("//", 1)[1]
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    headers = {"content-type": "application/x-amz-json-1.0", "host": host,
               "x-amz-date": amz_date, "x-amz-target": target}
    names = ";".join(sorted(headers))
    canonical = "\n".join(["POST", "/", ""] + ["%s:%s" % (k, headers[k]) for k in sorted(headers)]
                          + ["", names, hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/%s/aws4_request" % (amz_date[:8], region, service)
    headers["authorization"] = ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
                                "Signature=%s" % (key, scope, names,
                                                  signature(secret, amz_date, scope, canonical)))
    return headers


def presign(url, path, query, key, secret, when, expires=900, region="us-east-1",
            service="states"):
    """A presigned GET URL (SigV4 query parameters), computed here."""
    host = url.split("//", 1)[1]
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    scope = "%s/%s/%s/aws4_request" % (amz_date[:8], region, service)
    params = dict(query, **{"X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                            "X-Amz-Credential": "%s/%s" % (key, scope), "X-Amz-Date": amz_date,
                            "X-Amz-Expires": str(expires), "X-Amz-SignedHeaders": "host"})
    q = "&".join("%s=%s" % (urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
                 for k, v in sorted(params.items()))
    canonical = "\n".join(["GET", path, q, "host:" + host, "", "host",
                           hashlib.sha256(b"").hexdigest()])
    return "%s%s?%s&X-Amz-Signature=%s" % (url, path, q,
                                           signature(secret, amz_date, scope, canonical))


def post(url, headers, body):
    """(status, parsed body) of a raw POST."""
    request = urllib.request.Request(url + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def e_start_message(key, machine):
    return ("User: reader (access key %s) is not authorized to perform: states:StartExecution "
            "on resource: %s because no statement of its policy allows it" % (key, machine))


class AuthTest(OwnServer, ServerTestCase):

    @classmethod
    def server_args(cls):
        cls.dir = tempfile.mkdtemp(prefix="weft-keys-")
        cls.keys = os.path.join(cls.dir, "keys.json")
        keys_file(cls.keys, (ADMIN, "admin", ALL), (READ, "reader", READER))
        return ["--credentials", cls.keys]

    def client(self, service, key, region="us-east-1"):
        return boto3.client(service, endpoint_url=self.server.url, region_name=region,
                            aws_access_key_id=key[0], aws_secret_access_key=key[1],
                            config=Config(retries={"max_attempts": 1}))

    def test_signed_requests_from_real_clients_are_let_in(self):
        swf = self.client("swf", ADMIN)
        domain = uniq("open")
        swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
        self.assertEqual(swf.describe_domain(name=domain)["domainInfo"]["name"], domain)
        sfn = self.client("stepfunctions", ADMIN, region="eu-west-1")
        machine = sk.create_machine(sfn, sk.pass_definition())
        self.assertIn(":eu-west-1:", machine)  # the signed region names the ARN
        execution = sk.start(sfn, machine)
        self.assertEqual(sk.wait_for_status(sfn, execution)["status"], "SUCCEEDED")
        env = dict(os.environ, AWS_ACCESS_KEY_ID=ADMIN[0], AWS_SECRET_ACCESS_KEY=ADMIN[1],
                   AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        env.pop("AWS_PROFILE", None)
        if os.path.exists(AWS_CLI):
            out = subprocess.run([AWS_CLI, "--endpoint-url", self.server.url, "swf",
                                  "describe-domain", "--name", domain, "--output", "json"],
                                 env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(json.loads(out.stdout)["domainInfo"]["name"], domain)

    def test_bad_signatures_get_aws_faults(self):
        url, target = self.server.url, "AWSStepFunctions.ListStateMachines"
        body = b"{}"
        now = datetime.datetime.now(datetime.timezone.utc)
        status, reply = post(url, sign(url, target, body, *ADMIN, now), body)
        self.assertEqual((status, reply.get("stateMachines") is not None), (200, True), reply)
        cases = [
            (sign(url, target, body, "AKIAWEFTNOBODY000001", ADMIN[1], now),
             "UnrecognizedClientException", "The security token included in the request is invalid."),
            (sign(url, target, body, ADMIN[0], "wrong-secret", now),
             "InvalidSignatureException", "The request signature we calculated does not match"),
            (sign(url, target, body, *ADMIN, now - datetime.timedelta(minutes=20)),
             "InvalidSignatureException", "Signature expired: "),
            (sign(url, target, body, *ADMIN, now, service="swf"),
             "InvalidSignatureException", "Credential should be scoped to correct service: 'states'."),
            ({"content-type": "application/x-amz-json-1.0", "x-amz-target": target},
             "MissingAuthenticationTokenException", "Missing Authentication Token"),
            (dict(sign(url, target, body, *ADMIN, now),
                  authorization="AWS4-HMAC-SHA256 Credential=%s/20260101/us-east-1/states/aws4_request"
                  % ADMIN[0]),
             "IncompleteSignatureException", "Authorization header requires 'Signature' parameter."),
        ]
        for headers, fault, message in cases:
            status, reply = post(url, headers, body)
            self.assertEqual(status, 400, reply)
            self.assertEqual(reply["__type"].split("#")[-1], fault, reply)
            self.assertIn(message, reply["message"])
        # A changed body, header, path or query after signing; a future date.
        headers = sign(url, target, body, *ADMIN, now)
        status, reply = post(url, headers, b'{"maxResults": 1}')
        self.assertEqual(reply["__type"].split("#")[-1], "InvalidSignatureException")
        changed = dict(headers, **{"x-amz-target": "AWSStepFunctions.ListActivities"})
        self.assertEqual(post(url, changed, body)[1]["__type"].split("#")[-1],
                         "InvalidSignatureException")
        for path in ("/other", "/?x=1"):
            request = urllib.request.Request(url + path, data=body, headers=headers, method="POST")
            try:
                urllib.request.urlopen(request, timeout=10)
                self.fail("a changed path or query was accepted")
            except urllib.error.HTTPError as e:
                self.assertEqual(json.loads(e.read())["__type"].split("#")[-1],
                                 "InvalidSignatureException")
        status, reply = post(url, sign(url, target, body, *ADMIN,
                                       now + datetime.timedelta(minutes=20)), body)
        self.assertIn("Signature not yet current", reply["message"])

    def test_a_policy_refuses_what_it_does_not_allow(self):
        admin_sfn = self.client("stepfunctions", ADMIN)
        machine = sk.create_machine(admin_sfn, sk.pass_definition())
        sfn = self.client("stepfunctions", READ)
        self.assertTrue(sfn.describe_state_machine(stateMachineArn=machine)["name"])
        e = self.assertFault("AccessDeniedException", sfn.start_execution, stateMachineArn=machine)
        self.assertEqual(e.response["Error"]["Message"], e_start_message(READ[0], machine))
        swf = self.client("swf", READ)
        self.assertFault("OperationNotPermittedFault", swf.register_domain,
                         name=uniq("closed"), workflowExecutionRetentionPeriodInDays="1")
        domain = uniq("open")
        swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")  # open-*
        e = self.assertFault("OperationNotPermittedFault", swf.register_domain,
                             name="open-secret", workflowExecutionRetentionPeriodInDays="1")
        self.assertIn("with an explicit deny", e.response["Error"]["Message"])
        # A key scoped to a domain answers tasks of that domain: the task
        # token's domain is the resource of Respond*.
        admin_swf = self.client("swf", ADMIN)
        tl = uniq("tl")
        admin_swf.register_workflow_type(domain=domain, name="wf", version="1",
                                         defaultTaskList={"name": tl},
                                         defaultExecutionStartToCloseTimeout="60",
                                         defaultTaskStartToCloseTimeout="30",
                                         defaultChildPolicy="TERMINATE")
        admin_swf.start_workflow_execution(domain=domain, workflowId="w",
                                           workflowType={"name": "wf", "version": "1"})
        task = swf.poll_for_decision_task(domain=domain, taskList={"name": tl})
        swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[
            {"decisionType": "CompleteWorkflowExecution",
             "completeWorkflowExecutionDecisionAttributes": {"result": "done"}}])
        # Audit lines: each refusal and each write, with key, action, resource.
        lines = [json.loads(line[line.index("{"):]) for line in
                 self.server.stderr_tail(200000).splitlines() if '{"audit"' in line]
        self.assertIn({"audit": "refused", "action": "states:StartExecution", "key": "reader",
                       "accessKeyId": READ[0], "resource": machine,
                       "fault": "AccessDeniedException",
                       "message": e_start_message(READ[0], machine)}, lines)
        self.assertTrue(any(l["audit"] == "allowed" and l["action"] == "swf:RegisterDomain"
                            and l["resource"].endswith(":/domain/" + domain) for l in lines), lines)
        self.assertFalse(any(l["audit"] == "allowed" and l["action"].startswith("states:Describe")
                             for l in lines), "reads are not audited")

    def test_live_updates_need_a_presigned_url_and_the_policy(self):
        sfn = self.client("stepfunctions", ADMIN)
        execution = sk.start(sfn, sk.create_machine(sfn, sk.pass_definition()))
        sk.wait_for_status(sfn, execution)
        url, path = self.server.url, "/console/events"
        now = datetime.datetime.now(datetime.timezone.utc)
        query = {"executionArn": execution, "after": "0"}
        got = read_event_stream(presign(url, path, query, *ADMIN, now))
        self.assertEqual(got[-1][0], "closed", got)
        self.assertTrue(any(kind == "history" for kind, _ in got), got)
        cases = [
            (url + path + "?" + urllib.parse.urlencode(query), "Missing Authentication Token"),
            (presign(url, path, query, ADMIN[0], "wrong", now), "does not match"),
            (presign(url, path, dict(query, after="1"), *ADMIN, now).replace("after=1", "after=0"),
             "does not match"),
            (presign(url, path, query, *ADMIN, now - datetime.timedelta(hours=1), expires=60),
             "Signature expired"),
            (presign(url, path, query, "AKIAWEFTNOBODY000001", "x" * 20, now),
             "security token included in the request is invalid"),
        ]
        for bad, message in cases:
            [(kind, data)] = read_event_stream(bad)
            self.assertEqual(kind, "failure")
            self.assertIn(message, data)
        # The reader may describe but not read histories: the stream's read is refused.
        [(kind, data)] = read_event_stream(presign(url, path, query, *READ, now))
        self.assertEqual(kind, "failure")
        self.assertIn("not authorized to perform: states:GetExecutionHistory", data)

    def test_every_operation_with_three_policies(self):
        models = os.path.join(os.environ.get("WEFT_SHARED_DIR", "../../../shared"),
                              "reference", "aws-models")
        if not os.path.isdir(models):
            self.skipTest("../shared/reference/aws-models is absent: no operation list")
        operations = []
        for model, prefix in (("swf-2012-01-25.json", "SimpleWorkflowService"),
                              ("stepfunctions-2016-11-23.json", "AWSStepFunctions")):
            with open(os.path.join(models, model)) as f:
                operations += [(prefix, name) for name in json.load(f)["operations"]]
        self.assertEqual(len(operations), 39 + 37)
        read_only = {"Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
            "swf:List*", "swf:Describe*", "swf:Count*", "swf:Get*",
            "states:List*", "states:Describe*", "states:Get*"]}]}
        deny = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                              {"Effect": "Deny", "Action": ["states:Delete*", "swf:Terminate*",
                                                            "swf:Deprecate*"], "Resource": "*"}]}
        keys = {"ro": ("AKIAWEFTREADONLY0001", "read-only-secret-read-only-secret-00001"),
                "deny": ("AKIAWEFTDENY00000001", "deny-secret-deny-secret-deny-secret-001")}
        keys_file(self.keys, (ADMIN, "admin", ALL), (READ, "reader", READER),
                  (keys["ro"], "ro", read_only), (keys["deny"], "deny", deny))
        self.server.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        url = self.server.url
        refused_faults = {"AccessDeniedException", "OperationNotPermittedFault"}
        read = ("List", "Describe", "Count", "Get")
        checked = 0
        for prefix, op in operations:
            service = "states" if prefix == "AWSStepFunctions" else "swf"
            for who in ("ro", "deny"):
                now = datetime.datetime.now(datetime.timezone.utc)
                body = b"{}"
                status, reply = post(url, sign(url, "%s.%s" % (prefix, op), body, *keys[who], now,
                                               service=service), body)
                fault = reply.get("__type", "").split("#")[-1]
                if who == "ro":
                    allowed = op.startswith(read)
                else:
                    allowed = not (op.startswith("Delete") and service == "states"
                                   or op.startswith(("Terminate", "Deprecate")) and service == "swf")
                self.assertEqual(fault not in refused_faults, allowed,
                                 "%s %s.%s: %s %s" % (who, prefix, op, status, reply))
                self.assertNotIn(fault, ("InvalidSignatureException", "UnrecognizedClientException",
                                         "IncompleteSignatureException"), (who, op, reply))
                checked += 1
        self.assertEqual(checked, 2 * 76)
        keys_file(self.keys, (ADMIN, "admin", ALL), (READ, "reader", READER))
        self.server.proc.send_signal(signal.SIGHUP)

    def test_tokens_carry_no_way_around(self):
        admin = self.client("swf", ADMIN)
        a, b = uniq("open-a"), uniq("open-b")
        for domain in (a, b):
            admin.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
            for n in range(3):
                admin.register_workflow_type(domain=domain, name="wf%d" % n, version="1",
                                             defaultTaskList={"name": "tl"},
                                             defaultExecutionStartToCloseTimeout="60",
                                             defaultTaskStartToCloseTimeout="30",
                                             defaultChildPolicy="TERMINATE")
                admin.start_workflow_execution(domain=domain, workflowId="w%d" % n,
                                               workflowType={"name": "wf%d" % n, "version": "1"})
        # Page tokens name their domain: one of domain a is refused in domain b.
        page = admin.list_workflow_types(domain=a, registrationStatus="REGISTERED",
                                         maximumPageSize=1)
        e = self.assertFault("ValidationException", admin.list_workflow_types, domain=b,
                             registrationStatus="REGISTERED", maximumPageSize=1,
                             nextPageToken=page["nextPageToken"])
        self.assertIn("issued for another domain", e.response["Error"]["Message"])
        page = admin.list_open_workflow_executions(domain=a, startTimeFilter={"oldestDate": 0},
                                                   maximumPageSize=1)
        self.assertEqual(len(admin.list_open_workflow_executions(
            domain=a, startTimeFilter={"oldestDate": 0}, maximumPageSize=1,
            nextPageToken=page["nextPageToken"])["executionInfos"]), 1)
        e = self.assertFault("ValidationException", admin.list_open_workflow_executions,
                             domain=b, startTimeFilter={"oldestDate": 0}, maximumPageSize=1,
                             nextPageToken=page["nextPageToken"])
        self.assertIn("issued for another domain", e.response["Error"]["Message"])
        # A task token of a domain the key may not touch is refused, although
        # the operation names no domain.
        keys_file(self.keys, (ADMIN, "admin", ALL), (READ, "reader", READER),
                  (LATER, "later", {"Statement": [{"Effect": "Allow", "Action": "swf:*",
                                                   "Resource": "arn:aws:swf:*:*:/domain/" + b}]}))
        self.server.proc.send_signal(signal.SIGHUP)
        task = admin.poll_for_decision_task(domain=a, taskList={"name": "tl"})
        only_b = self.client("swf", LATER)
        deadline = time.monotonic() + 10
        while True:
            try:
                only_b.list_workflow_types(domain=b, registrationStatus="REGISTERED")
                break
            except ClientError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        e = self.assertFault("OperationNotPermittedFault", only_b.respond_decision_task_completed,
                             taskToken=task["taskToken"], decisions=[])
        self.assertIn("/domain/" + a, e.response["Error"]["Message"])
        keys_file(self.keys, (ADMIN, "admin", ALL), (READ, "reader", READER))
        self.server.proc.send_signal(signal.SIGHUP)

    def test_sighup_reloads_and_a_bad_file_keeps_the_old_keys(self):
        later = self.client("stepfunctions", LATER)
        self.assertFault("UnrecognizedClientException", later.list_activities)
        keys_file(self.keys, (ADMIN, "admin", ALL), (READ, "reader", READER), (LATER, "later", ALL))
        self.server.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while True:
            try:
                later.list_activities()
                break
            except ClientError as e:
                if error_code(e) != "UnrecognizedClientException" or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        with open(self.keys, "w") as f:
            f.write("{broken")
        self.server.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        later.list_activities()  # still in force
        self.assertIn("kept the old access keys", self.server.stderr_tail())
        keys_file(self.keys, (ADMIN, "admin", ALL), (READ, "reader", READER))

    def test_no_keys_means_loopback_only_and_keys_new_makes_one(self):
        weft = os.environ.get("WEFT_BIN", "weft")
        out = subprocess.run([weft, "server", "--listen", "0.0.0.0:0", "--data-dir",
                              os.path.join(self.dir, "data")],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertIn("without --credentials", out.stderr)
        self.assertIn("weft keys new", out.stderr)
        bad_policy = os.path.join(self.dir, "bad-policy.json")
        with open(bad_policy, "w") as f:
            json.dump({"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}, f)
        refused = subprocess.run([weft, "keys", "new", "--name", "x", "--policy", bad_policy],
                                 capture_output=True, text=True, timeout=30)
        self.assertEqual(refused.returncode, 2)
        self.assertIn("'ec2:*' is not a swf: or states: action", refused.stderr)
        self.assertEqual(refused.stdout, "")
        made = subprocess.run([weft, "keys", "new", "--name", "made"], capture_output=True,
                              text=True, timeout=30)
        self.assertEqual(made.returncode, 0, made.stderr)
        entry = json.loads(made.stdout)["keys"][0]
        self.assertEqual(entry["name"], "made")
        self.assertEqual(len(entry["accessKeyId"]), 20)
        with open(self.keys) as f:
            current = json.load(f)
        current["keys"].append(entry)
        with open(self.keys, "w") as f:
            json.dump(current, f)
        self.server.proc.send_signal(signal.SIGHUP)
        client = self.client("swf", (entry["accessKeyId"], entry["secretAccessKey"]))
        deadline = time.monotonic() + 10
        while True:
            try:
                client.list_domains(registrationStatus="REGISTERED")
                break
            except ClientError as e:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


class AuthJsSdkTest(JsSdkCase, OwnServer, ServerTestCase):
    """The AWS SDK for JavaScript v3 with keys (js/keys.mjs)."""

    @classmethod
    def server_args(cls):
        cls.keys = os.path.join(tempfile.mkdtemp(prefix="weft-js-keys-"), "keys.json")
        keys_file(cls.keys, (ADMIN, "admin", ALL), (READ, "reader", READER))
        return ["--credentials", cls.keys]

    def test_client_sfn_and_swf_with_keys(self):
        keys = dict(ADMIN_KEY_ID=ADMIN[0], ADMIN_SECRET=ADMIN[1], READER_KEY_ID=READ[0],
                    READER_SECRET=READ[1])
        with unittest.mock.patch.dict(os.environ, keys):
            self.run_script("keys.mjs")


if __name__ == "__main__":
    unittest.main()
