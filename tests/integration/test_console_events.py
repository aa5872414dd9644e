"""GET /console/events, the console's server-sent events: a running Step
Functions execution's events arrive in order, each once, then `closed` with
its status; the same for an SWF workflow; `after` skips what the client has;
an unknown execution or a bad query gets a `failure` event."""

import json
import unittest
import urllib.parse

import sfnkit as sk
import swfkit as k
from weftserver import ServerTestCase, read_event_stream, uniq


class ConsoleEventsTest(k.DomainAndType, ServerTestCase):

    domain_prefix = "sse"

    def stream(self, **query):
        return read_event_stream(self.server.url + "/console/events?" + urllib.parse.urlencode(query))

    def test_a_running_execution_streams_to_its_close(self):
        self.skip_on_moto("weft's console endpoint")
        sfn = self.server.sfn_client()
        arn = sk.start(sfn, sk.create_machine(sfn, sk.wait_definition(1)))
        messages = self.stream(executionArn=arn, after=0)
        self.assertEqual(messages[-1], ("closed", json.dumps({"status": "SUCCEEDED"},
                                                             separators=(",", ":"))))
        events = [e for kind, data in messages if kind == "history" for e in json.loads(data)]
        self.assertGreater(len(messages), 2, "the events came in more than one message")
        self.assertEqual([e["id"] for e in events], list(range(1, len(events) + 1)))
        self.assertEqual([(e["id"], e["type"]) for e in events],
                         [(e["id"], e["type"]) for e in sk.history(sfn, arn)])
        # `after`: only what follows.
        later = self.stream(executionArn=arn, after=3)
        events = [e for kind, data in later if kind == "history" for e in json.loads(data)]
        self.assertEqual(events[0]["id"], 4)

    def test_an_swf_workflow_streams_to_its_close(self):
        self.skip_on_moto("weft's console endpoint")
        tl = uniq("tl")
        ex = k.start(self.swf, self.domain, self.wf_type, tl)
        k.decide(self.swf, k.poll_decision(self.swf, self.domain, tl), k.complete("done"))
        messages = self.stream(domain=self.domain, after=0, **ex)
        self.assertEqual(json.loads(messages[-1][1]), {"status": "COMPLETED"})
        events = [e for kind, data in messages if kind == "history" for e in json.loads(data)]
        self.assertEqual([e["eventId"] for e in events], list(range(1, len(events) + 1)))
        self.assertEqual(events[-1]["eventType"], "WorkflowExecutionCompleted")

    def test_unknown_executions_and_bad_queries_get_a_failure(self):
        self.skip_on_moto("weft's console endpoint")
        missing = "arn:aws:states:us-east-1:123456789012:execution:nope:%s" % uniq("x")
        [(kind, data)] = self.stream(executionArn=missing)
        self.assertEqual(kind, "failure")
        self.assertIn("does not exist", data.lower().replace("doesn't", "does not"))
        [(kind, data)] = self.stream(domain="d")
        self.assertEqual(kind, "failure")
        self.assertIn("executionArn", data)


if __name__ == "__main__":
    unittest.main()
