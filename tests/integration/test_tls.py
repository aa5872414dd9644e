"""HTTPS (`weft server --tls-cert --tls-key`): boto3 and the AWS CLI v2 over
TLS with a certificate they verify, the console and its live updates over
TLS, no plain HTTP on the same port, and SIGHUP reloading the certificate
(a file that cannot be used keeps the old one). Certificates are made at
test time with the openssl command; skips when it is missing."""

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.request

import boto3
from botocore.config import Config

import sfnkit as sk
from weftserver import AWS_CLI, OwnServer, ServerTestCase, read_event_stream, uniq

OPENSSL = shutil.which("openssl")


def make_certificate(directory, name):
    cert, key = os.path.join(directory, name + ".pem"), os.path.join(directory, name + ".key")
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=" + name,
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


class TlsTest(OwnServer, ServerTestCase):

    @classmethod
    def server_args(cls):
        if not OPENSSL:
            raise unittest.SkipTest("the openssl command is missing: cannot make certificates")
        cls.dir = tempfile.mkdtemp(prefix="weft-tls-")
        cls.cert, cls.key = make_certificate(cls.dir, "first")
        # The server reads these paths again on SIGHUP.
        cls.live_cert, cls.live_key = os.path.join(cls.dir, "live.pem"), os.path.join(cls.dir, "live.key")
        shutil.copy(cls.cert, cls.live_cert)
        shutil.copy(cls.key, cls.live_key)
        return ["--tls-cert", cls.live_cert, "--tls-key", cls.live_key]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.swf = cls.client_for("swf")

    @classmethod
    def client_for(cls, service, ca=None):
        return boto3.client(service, endpoint_url=cls.server.url, region_name="us-east-1",
                            aws_access_key_id="x", aws_secret_access_key="x",
                            verify=ca or cls.cert, config=Config(retries={"max_attempts": 1}))

    def presented(self):
        """The PEM certificate the server presents to a new connection."""
        return ssl.get_server_certificate(("127.0.0.1", self.server.port))

    def test_clients_over_tls(self):
        self.assertTrue(self.server.url.startswith("https://"))
        sfn = self.client_for("stepfunctions")
        execution = sk.start(sfn, sk.create_machine(sfn, sk.pass_definition()))
        self.assertEqual(sk.wait_for_status(sfn, execution)["status"], "SUCCEEDED")
        domain = uniq("tls")
        self.swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
        if os.path.exists(AWS_CLI):
            env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
                       AWS_DEFAULT_REGION="us-east-1", AWS_CA_BUNDLE=self.cert,
                       AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
            out = subprocess.run([AWS_CLI, "--endpoint-url", self.server.url, "swf",
                                  "describe-domain", "--name", domain, "--output", "json"],
                                 env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(json.loads(out.stdout)["domainInfo"]["name"], domain)
        # The console and its live updates over TLS.
        context = ssl.create_default_context(cafile=self.cert)
        with urllib.request.urlopen(self.server.url + "/", context=context, timeout=10) as r:
            self.assertIn(b"<div id=\"root\">", r.read())
        events = read_event_stream(self.server.url + "/console/events?executionArn=" + execution,
                                   context=context)
        self.assertEqual(events[-1][0], "closed")

    def test_bad_tls_flags_are_refused_at_start(self):
        weft = os.environ.get("WEFT_BIN", "weft")
        data = os.path.join(self.dir, "refused")
        out = subprocess.run([weft, "server", "--listen", "127.0.0.1:0", "--data-dir", data,
                              "--tls-cert", self.cert], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertIn("--tls-cert and --tls-key go together", out.stderr)
        wrong_key = os.path.join(self.dir, "second.key")
        if not os.path.exists(wrong_key):
            make_certificate(self.dir, "second")
        out = subprocess.run([weft, "server", "--listen", "127.0.0.1:0", "--data-dir", data,
                              "--tls-cert", self.cert, "--tls-key", wrong_key],
                             capture_output=True, text=True, timeout=30)
        self.assertNotEqual(out.returncode, 0, out.stderr)
        self.assertIn("--tls-key " + wrong_key, out.stderr)

    def test_no_plain_http_on_a_tls_port(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            s.settimeout(5)
            try:
                answer = s.recv(4096)
            except (ConnectionResetError, socket.timeout):
                answer = b""
        self.assertFalse(answer.startswith(b"HTTP/"), answer)

    def test_sighup_reloads_the_certificate(self):
        first = self.presented()
        second_cert, second_key = make_certificate(self.dir, "second")
        shutil.copy(second_cert, self.live_cert)
        shutil.copy(second_key, self.live_key)
        self.server.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while self.presented() == first and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertNotEqual(self.presented(), first)
        self.client_for("stepfunctions", ca=second_cert).list_activities()
        # A key that does not match: refused, the second certificate stays.
        shutil.copy(os.path.join(self.dir, "first.key"), self.live_key)
        self.server.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        self.assertIn("kept the old TLS certificate", self.server.stderr_tail())
        self.client_for("stepfunctions", ca=second_cert).list_activities()
        shutil.copy(self.cert, self.live_cert)
        shutil.copy(self.key, self.live_key)
        self.server.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while self.presented() != first and time.monotonic() < deadline:
            time.sleep(0.1)


if __name__ == "__main__":
    unittest.main()
