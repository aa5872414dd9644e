"""ScheduleLambdaFunction with boto3 on a server whose --config maps Lambda
functions to HTTP endpoints (a small server this test starts): a mapped
function runs (LambdaFunctionScheduled, Started, Completed with the response
body as its result; Failed for an error answer), an unmapped one gets
ScheduleLambdaFunctionFailed LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION, and a
second function with an id in use ID_ALREADY_IN_USE."""

import http.server
import json
import os
import shutil
import tempfile
import threading
import unittest

import swfkit as k
from weftserver import OwnServer, ServerTestCase, uniq


class Functions(http.server.BaseHTTPRequestHandler):
    """/upper answers the body upper-cased; /broken answers 500."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/upper":
            self.send_response(200)
            out = body.upper()
        else:
            self.send_response(500)
            out = b'{"message": "it broke"}'
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


class LambdaTest(k.DomainAndType, OwnServer, ServerTestCase):

    @classmethod
    def server_args(cls):
        cls.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Functions)
        threading.Thread(target=cls.http.serve_forever, daemon=True).start()
        url = "http://127.0.0.1:%d" % cls.http.server_address[1]
        config_dir = tempfile.mkdtemp(prefix="weft-lambda-")
        cls.addClassCleanup(shutil.rmtree, config_dir, ignore_errors=True)
        config = os.path.join(config_dir, "weft.config.json")
        with open(config, "w") as f:
            json.dump({"lambdaFunctions": {"upper": {"url": url + "/upper"},
                                           "broken": {"url": url + "/broken"}}}, f)
        return ["--config", config]

    domain_prefix = "lambda"

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.http.shutdown()

    def test_mapped_functions_run_and_others_fail_as_documented(self):
        tl = uniq("tl")
        ex = k.start(self.swf, self.domain, self.wf_type, tl)
        task = k.poll_decision(self.swf, self.domain, tl)
        k.decide(self.swf, task,
                 k.schedule_lambda("a", "upper", input="hello", control="c"),
                 k.schedule_lambda("b", "broken", input="{}"),
                 k.schedule_lambda("c", "not-mapped"),
                 k.schedule_lambda("a", "upper"))
        k.wait_for_event(self.swf, self.domain, ex, "LambdaFunctionFailed")
        k.wait_for_event(self.swf, self.domain, ex, "LambdaFunctionCompleted")
        events = k.history(self.swf, self.domain, ex)
        self.assertEqual(k.history_problems(events), [], k.types(events))
        scheduled = {k.attrs(e)["id"]: e for e in k.find(events, "LambdaFunctionScheduled")}
        self.assertEqual(set(scheduled), {"a", "b"})
        self.assertEqual(k.attrs(scheduled["a"])["control"], "c")
        completed = k.attrs(k.find(events, "LambdaFunctionCompleted")[0])
        self.assertEqual(completed["result"], "HELLO")
        self.assertEqual(completed["scheduledEventId"], scheduled["a"]["eventId"])
        started = k.find(events, "LambdaFunctionStarted")
        self.assertEqual(len(started), 2)
        failed = k.attrs(k.find(events, "LambdaFunctionFailed")[0])
        self.assertEqual(failed["scheduledEventId"], scheduled["b"]["eventId"])
        self.assertTrue(failed["reason"].startswith("Lambda."), failed)
        causes = sorted((k.attrs(e)["id"], k.attrs(e)["cause"])
                        for e in k.find(events, "ScheduleLambdaFunctionFailed"))
        self.assertEqual(causes, [("a", "ID_ALREADY_IN_USE"),
                                  ("c", "LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION")])
        task = k.poll_decision(self.swf, self.domain, tl)
        self.assertIsNotNone(task)
        k.decide(self.swf, task, k.complete())


if __name__ == "__main__":
    unittest.main()
