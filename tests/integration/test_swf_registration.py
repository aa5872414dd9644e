"""Domains and types through boto3, their faults, request validation and the
AWS JSON 1.0 protocol (raw HTTP), against a real weft server."""

import json
import unittest

from swfkit import make_activity_type, make_domain, make_workflow_type
from weftserver import ServerTestCase, is_moto, uniq


def no_nulls(value, path="$"):
    """Paths of JSON nulls in a response: absent members must be omitted."""
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in no_nulls(v, path + "." + k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in no_nulls(v, "%s[%d]" % (path, i))]
    return []


class DomainTest(ServerTestCase):

    def test_domain_lifecycle_and_faults(self):
        name = uniq("dom")
        self.swf.register_domain(name=name, description="a test domain",
                                 workflowExecutionRetentionPeriodInDays="3")
        d = self.swf.describe_domain(name=name)
        self.assertEqual(d["domainInfo"]["name"], name)
        self.assertEqual(d["domainInfo"]["status"], "REGISTERED")
        self.assertEqual(d["domainInfo"]["description"], "a test domain")
        self.assertEqual(d["configuration"]["workflowExecutionRetentionPeriodInDays"], "3")

        self.assertFault("DomainAlreadyExistsFault", self.swf.register_domain,
                         name=name, workflowExecutionRetentionPeriodInDays="1")
        self.assertFault("DomainAlreadyExistsFault", self.swf.undeprecate_domain, name=name)

        self.swf.deprecate_domain(name=name)
        self.assertEqual(self.swf.describe_domain(name=name)["domainInfo"]["status"],
                         "DEPRECATED")
        self.assertFault("DomainDeprecatedFault", self.swf.deprecate_domain, name=name)
        # Registering a deprecated name is still "already exists".
        self.assertFault("DomainAlreadyExistsFault", self.swf.register_domain,
                         name=name, workflowExecutionRetentionPeriodInDays="1")

        self.swf.undeprecate_domain(name=name)
        self.assertEqual(self.swf.describe_domain(name=name)["domainInfo"]["status"],
                         "REGISTERED")

    def test_unknown_domain_is_unknown_resource(self):
        missing = uniq("nodom")
        cases = [
            (self.swf.describe_domain, dict(name=missing)),
            (self.swf.deprecate_domain, dict(name=missing)),
            (self.swf.undeprecate_domain, dict(name=missing)),
            (self.swf.register_workflow_type,
             dict(domain=missing, name="w", version="1")),
            (self.swf.register_activity_type,
             dict(domain=missing, name="a", version="1")),
            (self.swf.list_workflow_types,
             dict(domain=missing, registrationStatus="REGISTERED")),
            (self.swf.list_activity_types,
             dict(domain=missing, registrationStatus="REGISTERED")),
        ]
        for fn, kwargs in cases:
            with self.subTest(op=fn.__name__):
                e = self.assertFault("UnknownResourceFault", fn, **kwargs)
                self.assertTrue(e.response["Error"].get("Message"),
                                "a fault carries a message")

    def list_all_domains(self, status, page_size, reverse=False):
        names, pages = [], 0
        args = dict(registrationStatus=status, maximumPageSize=page_size,
                    reverseOrder=reverse)
        while True:
            page = self.swf.list_domains(**args)
            pages += 1
            self.assertLessEqual(len(page["domainInfos"]), page_size)
            for info in page["domainInfos"]:
                self.assertEqual(info["status"], status)
            names.extend(info["name"] for info in page["domainInfos"])
            if not page.get("nextPageToken"):
                return names, pages
            args["nextPageToken"] = page["nextPageToken"]
            self.assertLess(pages, 1000, "paging does not end")

    def test_list_domains_by_status_with_paging(self):
        prefix = uniq("lst")
        registered = ["%s-%d" % (prefix, i) for i in range(5)]
        deprecated = ["%s-d%d" % (prefix, i) for i in range(2)]
        for n in registered + deprecated:
            self.swf.register_domain(name=n, workflowExecutionRetentionPeriodInDays="1")
        for n in deprecated:
            self.swf.deprecate_domain(name=n)

        names, pages = self.list_all_domains("REGISTERED", 2)
        self.assertEqual(len(names), len(set(names)), "no domain on two pages")
        self.assertGreaterEqual(pages, 3)
        mine = [n for n in names if n.startswith(prefix)]
        self.assertEqual(mine, sorted(registered), "registered only, ascending by name")
        self.assertEqual(names, sorted(names))

        rnames, _ = self.list_all_domains("REGISTERED", 2, reverse=True)
        self.assertEqual(rnames, sorted(names, reverse=True))

        dnames, _ = self.list_all_domains("DEPRECATED", 1)
        self.assertEqual([n for n in dnames if n.startswith(prefix)], sorted(deprecated))

    def test_deprecating_a_domain_deprecates_its_types(self):
        dom = make_domain(self.swf)
        wf = make_workflow_type(self.swf, dom)
        act = make_activity_type(self.swf, dom)
        self.swf.deprecate_domain(name=dom)
        self.assertEqual(self.swf.describe_workflow_type(
            domain=dom, workflowType=wf)["typeInfo"]["status"], "DEPRECATED")
        self.assertEqual(self.swf.describe_activity_type(
            domain=dom, activityType=act)["typeInfo"]["status"], "DEPRECATED")


# Workflow and activity types share one lifecycle: one table drives both.
KINDS = {
    "workflow": dict(register="register_workflow_type", describe="describe_workflow_type",
                     deprecate="deprecate_workflow_type",
                     undeprecate="undeprecate_workflow_type",
                     delete="delete_workflow_type", list="list_workflow_types",
                     key="workflowType",
                     defaults={"defaultTaskStartToCloseTimeout": "11",
                               "defaultExecutionStartToCloseTimeout": "3600",
                               "defaultTaskList": {"name": "tl-w"},
                               "defaultTaskPriority": "5",
                               "defaultChildPolicy": "ABANDON"}),
    "activity": dict(register="register_activity_type", describe="describe_activity_type",
                     deprecate="deprecate_activity_type",
                     undeprecate="undeprecate_activity_type",
                     delete="delete_activity_type", list="list_activity_types",
                     key="activityType",
                     defaults={"defaultTaskStartToCloseTimeout": "12",
                               "defaultTaskHeartbeatTimeout": "NONE",
                               "defaultTaskList": {"name": "tl-a"},
                               "defaultTaskPriority": "-3",
                               "defaultTaskScheduleToStartTimeout": "13",
                               "defaultTaskScheduleToCloseTimeout": "14"}),
}


class TypeTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.domain = make_domain(cls.swf, "types")

    def op(self, kind, name):
        return getattr(self.swf, KINDS[kind][name])

    def test_type_lifecycle_and_faults(self):
        for kind, k in KINDS.items():
            with self.subTest(kind=kind):
                t = {"name": uniq(kind), "version": "1.0"}
                ref = {k["key"]: t}
                self.op(kind, "register")(domain=self.domain, description="d",
                                          **t, **k["defaults"])
                info = self.op(kind, "describe")(domain=self.domain, **ref)
                self.assertEqual(info["typeInfo"][k["key"]], t)
                self.assertEqual(info["typeInfo"]["status"], "REGISTERED")
                self.assertEqual(info["typeInfo"]["description"], "d")
                self.assertIn("creationDate", info["typeInfo"])
                self.assertNotIn("deprecationDate", info["typeInfo"])
                self.assertEqual(info["configuration"], k["defaults"])

                self.assertFault("TypeAlreadyExistsFault", self.op(kind, "register"),
                                 domain=self.domain, **t)
                self.op(kind, "register")(domain=self.domain, name=t["name"], version="2.0")
                self.assertFault("TypeAlreadyExistsFault", self.op(kind, "undeprecate"),
                                 domain=self.domain, **ref)
                self.assertFault("TypeNotDeprecatedFault", self.op(kind, "delete"),
                                 domain=self.domain, **ref)

                self.op(kind, "deprecate")(domain=self.domain, **ref)
                info = self.op(kind, "describe")(domain=self.domain, **ref)
                self.assertEqual(info["typeInfo"]["status"], "DEPRECATED")
                self.assertIn("deprecationDate", info["typeInfo"])
                self.assertFault("TypeDeprecatedFault", self.op(kind, "deprecate"),
                                 domain=self.domain, **ref)
                self.assertFault("TypeAlreadyExistsFault", self.op(kind, "register"),
                                 domain=self.domain, **t)

                self.op(kind, "undeprecate")(domain=self.domain, **ref)
                self.assertEqual(self.op(kind, "describe")(
                    domain=self.domain, **ref)["typeInfo"]["status"], "REGISTERED")

                if not is_moto():  # moto lacks Delete*Type
                    self.op(kind, "deprecate")(domain=self.domain, **ref)
                    self.op(kind, "delete")(domain=self.domain, **ref)
                    self.assertFault("UnknownResourceFault", self.op(kind, "describe"),
                                     domain=self.domain, **ref)
                    self.assertFault("UnknownResourceFault", self.op(kind, "delete"),
                                     domain=self.domain, **ref)
                    # The other version is untouched.
                    self.op(kind, "describe")(domain=self.domain,
                                              **{k["key"]: dict(t, version="2.0")})

    def test_unknown_type_is_unknown_resource(self):
        for kind, k in KINDS.items():
            ref = {k["key"]: {"name": uniq("missing"), "version": "1"}}
            for op in ("describe", "deprecate", "undeprecate"):
                with self.subTest(kind=kind, op=op):
                    self.assertFault("UnknownResourceFault", self.op(kind, op),
                                     domain=self.domain, **ref)

    def test_register_without_defaults_describes_empty_configuration(self):
        for kind, k in KINDS.items():
            with self.subTest(kind=kind):
                t = {"name": uniq(kind), "version": "1"}
                self.op(kind, "register")(domain=self.domain, **t)
                info = self.op(kind, "describe")(domain=self.domain, **{k["key"]: t})
                for field in k["defaults"]:
                    self.assertNotIn(field, info["configuration"])

    def test_list_types_by_status_name_and_paging(self):
        dom = make_domain(self.swf, "lt")
        for kind, k in KINDS.items():
            with self.subTest(kind=kind):
                names = ["b-%s" % kind, "a-%s" % kind, "c-%s" % kind]
                for n in names:
                    self.op(kind, "register")(domain=dom, name=n, version="1")
                self.op(kind, "register")(domain=dom, name="a-%s" % kind, version="2")
                self.op(kind, "deprecate")(domain=dom, **{
                    k["key"]: {"name": "c-%s" % kind, "version": "1"}})

                def list_all(**kwargs):
                    out, args = [], dict(domain=dom, maximumPageSize=1, **kwargs)
                    for _ in range(50):
                        page = self.op(kind, "list")(**args)
                        self.assertLessEqual(len(page["typeInfos"]), 1)
                        out.extend((i[k["key"]]["name"], i[k["key"]]["version"], i["status"])
                                   for i in page["typeInfos"])
                        if not page.get("nextPageToken"):
                            return out
                        args["nextPageToken"] = page["nextPageToken"]
                    self.fail("paging does not end")

                reg = list_all(registrationStatus="REGISTERED")
                self.assertEqual(sorted(reg), [("a-" + kind, "1", "REGISTERED"),
                                               ("a-" + kind, "2", "REGISTERED"),
                                               ("b-" + kind, "1", "REGISTERED")])
                self.assertEqual([r[0] for r in reg], sorted(r[0] for r in reg),
                                 "ordered by name")
                rev = list_all(registrationStatus="REGISTERED", reverseOrder=True)
                self.assertEqual([r[0] for r in rev], sorted((r[0] for r in reg),
                                                             reverse=True))
                self.assertEqual(list_all(registrationStatus="DEPRECATED"),
                                 [("c-" + kind, "1", "DEPRECATED")])
                self.assertEqual(sorted(list_all(registrationStatus="REGISTERED",
                                                 name="a-" + kind)),
                                 [("a-" + kind, "1", "REGISTERED"),
                                  ("a-" + kind, "2", "REGISTERED")])


# The JSON type of each member the validation cases below use.
MEMBER_TYPES = {"maximumPageSize": int, "defaultTaskList": dict, "activityType": dict,
                "workflowType": dict}


def wrong_type(op, body):
    """True if a member of body has the wrong JSON type (strings by default)."""
    return any(not isinstance(v, MEMBER_TYPES.get(k, str)) for k, v in body.items())


class ValidationTest(ServerTestCase):
    """Missing or malformed fields: 400 ValidationException, nothing applied."""

    def assertValidation(self, op, body):
        status, headers, parsed, raw = self.server.raw(op, body)
        what = "%s %s -> %s %r" % (op, json.dumps(body)[:200], status, raw[:300])
        self.assertEqual(status, 400, what)
        self.assertIsInstance(parsed, dict, what)
        # A member of the wrong JSON type is malformed input too; AWS itself
        # answers SerializationException for some of those.
        accepted = ("ValidationException",) + (("SerializationException",)
                                               if wrong_type(op, body) else ())
        self.assertTrue(str(parsed.get("__type", "")).endswith(accepted), what)
        self.assertTrue(parsed.get("message") or parsed.get("Message"), what)
        self.assertIn("x-amzn-requestid", headers, what)

    def test_invalid_domain_requests(self):
        long_name = "n" * 257
        cases = [
            ("RegisterDomain", {"workflowExecutionRetentionPeriodInDays": "1"}),
            ("RegisterDomain", {"name": uniq("v")}),
            ("RegisterDomain", {"name": 123, "workflowExecutionRetentionPeriodInDays": "1"}),
            ("RegisterDomain", {"name": long_name,
                                "workflowExecutionRetentionPeriodInDays": "1"}),
            ("RegisterDomain", {"name": uniq("v"),
                                "workflowExecutionRetentionPeriodInDays": "123456789"}),
            ("RegisterDomain", {"name": uniq("v"), "workflowExecutionRetentionPeriodInDays": "1",
                                "description": "d" * 1025}),
            ("DescribeDomain", {}),
            ("ListDomains", {}),
            ("ListDomains", {"registrationStatus": "BOGUS"}),
            ("ListDomains", {"registrationStatus": "REGISTERED", "maximumPageSize": 1001}),
            ("ListDomains", {"registrationStatus": "REGISTERED", "maximumPageSize": "ten"}),
        ]
        for op, body in cases:
            with self.subTest(op=op, body=str(body)[:80]):
                self.assertValidation(op, body)
                if op == "RegisterDomain" and isinstance(body.get("name"), str) \
                        and len(body["name"]) <= 256:
                    self.assertFault("UnknownResourceFault", self.swf.describe_domain,
                                     name=body["name"])

    def test_invalid_type_requests(self):
        dom = make_domain(self.swf, "val")
        cases = [
            ("RegisterWorkflowType", {"domain": dom, "name": "w"}),
            ("RegisterWorkflowType", {"domain": dom, "version": "1"}),
            ("RegisterWorkflowType", {"name": "w", "version": "1"}),
            ("RegisterWorkflowType", {"domain": dom, "name": "w", "version": "1",
                                      "defaultChildPolicy": "SOMETIMES"}),
            ("RegisterWorkflowType", {"domain": dom, "name": "w", "version": "1",
                                      "defaultTaskList": "not-an-object"}),
            ("RegisterActivityType", {"domain": dom, "name": "a", "version": "v" * 65}),
            ("RegisterActivityType", {"domain": dom, "name": "a", "version": "1",
                                      "description": "d" * 1025}),
            ("DescribeWorkflowType", {"domain": dom}),
            ("DescribeActivityType", {"domain": dom, "activityType": {"name": "a"}}),
            ("ListActivityTypes", {"domain": dom}),
        ]
        for op, body in cases:
            with self.subTest(op=op, body=str(body)[:80]):
                self.assertValidation(op, body)
        # None of these registered anything.
        for kind in ("workflow", "activity"):
            listing = getattr(self.swf, KINDS[kind]["list"])(
                domain=dom, registrationStatus="REGISTERED")
            self.assertEqual(listing["typeInfos"], [])


class ProtocolTest(ServerTestCase):
    """AWS JSON 1.0 framing: routing, error shape, limits, and that the
    server keeps serving after a bad request."""

    def still_serving(self):
        name = make_domain(self.swf, "alive")
        self.assertEqual(self.swf.describe_domain(name=name)["domainInfo"]["name"], name)

    def assertError(self, resp, suffixes, what):
        status, headers, parsed, raw = resp
        what = "%s -> %s %r" % (what, status, raw[:300])
        self.assertEqual(status, 400, what)
        self.assertIsInstance(parsed, dict, what)
        self.assertTrue(any(str(parsed.get("__type", "")).endswith(s) for s in suffixes),
                        "%s: __type should end with one of %s" % (what, suffixes))
        self.assertTrue(parsed.get("message") or parsed.get("Message"), what)

    def test_success_shape(self):
        name = make_domain(self.swf, "shape")
        status, headers, parsed, raw = self.server.raw("DescribeDomain", {"name": name})
        self.assertEqual(status, 200, raw)
        self.assertTrue(headers.get("content-type", "").startswith(
            "application/x-amz-json-1.0"), headers)
        self.assertTrue(headers.get("x-amzn-requestid"), headers)
        self.assertEqual(no_nulls(parsed), [], "absent members are omitted, not null")
        self.assertNotIn("description", parsed["domainInfo"])

        make_workflow_type(self.swf, name, name="t", version="1")
        status, _, parsed, raw = self.server.raw("DescribeWorkflowType", {
            "domain": name, "workflowType": {"name": "t", "version": "1"}})
        self.assertEqual(status, 200, raw)
        self.assertIsInstance(parsed["typeInfo"]["creationDate"], (int, float),
                              "timestamps are epoch seconds")
        self.assertEqual(no_nulls(parsed), [])

    def test_execution_responses_omit_absent_members(self):
        dom = make_domain(self.swf, "nulls")
        wf = make_workflow_type(self.swf, dom)
        tl = uniq("tl")
        run = self.swf.start_workflow_execution(domain=dom, workflowId="w", workflowType=wf,
                                                taskList={"name": tl})["runId"]
        status, _, task, raw = self.server.raw("PollForDecisionTask", {
            "domain": dom, "taskList": {"name": tl}}, timeout=75)
        self.assertEqual(status, 200, raw)
        self.assertIn("taskToken", task)
        self.assertEqual(no_nulls(task), [])
        self.assertNotIn("previousStartedEventId", {k: v for k, v in task.items() if v},
                         "no previous decision task yet")
        for e in task["events"]:
            self.assertIsInstance(e["eventTimestamp"], (int, float), e)
        status, _, body, raw = self.server.raw("RespondDecisionTaskCompleted", {
            "taskToken": task["taskToken"], "decisions": [{
                "decisionType": "CompleteWorkflowExecution",
                "completeWorkflowExecutionDecisionAttributes": {}}]})
        self.assertEqual(status, 200, raw)
        status, headers, hist, raw = self.server.raw("GetWorkflowExecutionHistory", {
            "domain": dom, "execution": {"workflowId": "w", "runId": run}})
        self.assertEqual(status, 200, raw)
        self.assertEqual(no_nulls(hist), [])
        self.assertEqual(hist["events"][-1]["eventType"], "WorkflowExecutionCompleted")
        self.assertNotIn("result", hist["events"][-1]["workflowExecutionCompletedEventAttributes"])
        self.assertNotIn("nextPageToken", hist)

    def test_legacy_target_prefix(self):
        name = make_domain(self.swf, "legacy")
        resp = self.server.raw(
            "com.amazonaws.swf.service.model.SimpleWorkflowService.DescribeDomain",
            {"name": name}, headers={"Content-Type": "application/json",
                                     "Content-Encoding": "amz-1.0"})
        self.assertEqual(resp[0], 200, resp[3])
        self.assertEqual(resp[2]["domainInfo"]["name"], name)

    def test_unknown_operation(self):
        resp = self.server.raw("NoSuchOperation", {})
        self.assertError(resp, ["UnknownOperationException"], "unknown operation")
        self.still_serving()

    def test_missing_target(self):
        resp = self.server.raw(None, {"name": "x"})
        self.assertError(resp, ["UnknownOperationException", "ValidationException",
                                "MissingAction", "InvalidAction"], "no X-Amz-Target")
        self.still_serving()

    def test_malformed_json(self):
        for body in (b"{not json", b"", b"[1, 2]", b'"a string"',
                     b'{"registrationStatus": "REGISTERED"'):
            with self.subTest(body=body):
                resp = self.server.raw("ListDomains", body)
                self.assertError(resp, ["SerializationException", "ValidationException"],
                                 "malformed body %r" % body)
        self.still_serving()

    def test_body_over_one_megabyte(self):
        # Unknown members are ignored, so only the size can make this fail.
        body = json.dumps({"registrationStatus": "REGISTERED",
                           "padding": "x" * (1024 * 1024 + 10)}).encode()
        resp = self.server.raw("ListDomains", body)
        self.assertError(resp, ["ValidationException", "LimitExceededFault",
                                "RequestEntityTooLargeException",
                                "SerializationException"], "body over 1 MB")
        self.still_serving()


if __name__ == "__main__":
    unittest.main()
