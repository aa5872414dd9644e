"""Harness for the integration tests: a real `weft server` driven by real clients.

WeftServer starts `$WEFT_BIN server` on a free loopback port with a temporary
data dir, waits until GET /health answers, hands out boto3 SWF clients, can
kill it with SIGKILL and restart it on the same data dir, and stops it at the
end. Its stderr goes to a file that ServerTestCase prints when a test fails.

Set WEFT_TEST_BACKEND=moto to run the same tests against moto's server
instead (only useful to shake out bugs in the test code itself: moto is not
the reference, the AWS semantics are). Tests that need a restart or an
operation moto lacks skip themselves there.
"""

import atexit
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

# Server-side hold of an empty long poll: short so that tests waiting on an
# empty poll stay fast.
DEFAULT_POLL_TIMEOUT = 2
START_TIMEOUT_SECONDS = 20


def backend():
    return os.environ.get("WEFT_TEST_BACKEND", "weft")


def is_moto():
    return backend() == "moto"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def uniq(prefix):
    """A name unique to this run, safe for SWF ids (no ':', '/', '|')."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


class WeftServer:
    """One server process on a loopback port with its own data dir."""

    def __init__(self, poll_timeout=DEFAULT_POLL_TIMEOUT, data_dir=None, extra_args=None):
        """extra_args: more `weft server` flags, e.g. ["--config", path]."""
        self.poll_timeout = poll_timeout
        self.extra_args = list(extra_args or [])
        self.own_dir = data_dir is None
        self.tmp = tempfile.mkdtemp(prefix="weft-it-")
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        self.port = None
        self.proc = None
        self.stderr_path = os.path.join(self.tmp, "server.stderr")
        self.stderr_file = None
        self.starts = 0

    # -- lifecycle -------------------------------------------------------

    @property
    def tls(self):
        """Whether the server speaks HTTPS (started with --tls-cert)."""
        return "--tls-cert" in self.extra_args

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    def command(self):
        if is_moto():
            return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                    "-p", str(self.port)]
        weft = os.environ.get("WEFT_BIN")
        if not weft:
            raise unittest.SkipTest("WEFT_BIN is not set (path to the weft binary)")
        return [weft, "server", "--listen", "127.0.0.1:%d" % self.port,
                "--data-dir", self.data_dir,
                "--poll-timeout", str(self.poll_timeout)] + self.extra_args

    def start(self):
        """Starts the server (on a new port the first time, the same one after)."""
        if self.port is None:
            self.port = free_port()
        os.makedirs(self.data_dir, exist_ok=True)
        self.stderr_file = open(self.stderr_path, "ab")
        self.stderr_file.write(("\n=== start #%d: %s\n" % (
            self.starts + 1, " ".join(self.command()))).encode())
        self.stderr_file.flush()
        self.proc = subprocess.Popen(self.command(), stdout=self.stderr_file,
                                     stderr=self.stderr_file,
                                     stdin=subprocess.DEVNULL)
        self.starts += 1
        self._wait_healthy()
        return self

    def _wait_healthy(self):
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        path = "/moto-api/" if is_moto() else "/health"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %s before answering:\n%s"
                                   % (self.proc.returncode, self.stderr_tail()))
            try:
                if self.tls:  # any certificate will do to see that it is up
                    conn = http.client.HTTPSConnection(
                        "127.0.0.1", self.port, timeout=2,
                        context=ssl._create_unverified_context())
                else:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", path)
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError("server did not answer GET %s within %d s:\n%s"
                           % (path, START_TIMEOUT_SECONDS, self.stderr_tail()))

    def kill(self):
        """SIGKILL: no chance to flush or shut down cleanly."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._close_stderr()

    def restart(self):
        """kill -9, then start again on the same port and data dir."""
        self.kill()
        return self.start()

    def stop(self, timeout=10):
        """SIGTERM (clean shutdown), SIGKILL if it does not exit in `timeout`
        seconds. Returns the exit status of a clean exit, None otherwise."""
        status = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                status = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_stderr()
        return status

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _close_stderr(self):
        if self.stderr_file:
            self.stderr_file.close()
            self.stderr_file = None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr_tail(self, max_bytes=8000):
        if self.stderr_file:
            self.stderr_file.flush()
        try:
            with open(self.stderr_path, "rb") as f:
                data = f.read()
        except OSError:
            return "(no stderr)"
        return data[-max_bytes:].decode("utf-8", "replace")

    # -- clients ---------------------------------------------------------

    def client(self, read_timeout=70, validate=True):
        return boto3.client(
            "swf", endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id="x", aws_secret_access_key="x",
            config=Config(read_timeout=read_timeout, connect_timeout=5,
                          retries={"max_attempts": 1},
                          parameter_validation=validate,
                          max_pool_connections=20))

    def sfn_client(self, read_timeout=70, validate=True, host_prefix=True):
        """A boto3 Step Functions client. host_prefix=False stops botocore
        from sending StartSyncExecution/TestState to `sync-<host>`."""
        return boto3.client(
            "stepfunctions", endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id="x", aws_secret_access_key="x",
            config=Config(read_timeout=read_timeout, connect_timeout=5,
                          retries={"max_attempts": 1},
                          parameter_validation=validate,
                          inject_host_prefix=host_prefix,
                          max_pool_connections=20))

    def raw(self, target, body, headers=None, timeout=30):
        """POSTs raw bytes (or a JSON-able object) to / with X-Amz-Target.

        target: the operation name (prefixed with SimpleWorkflowService.) or
        None for no X-Amz-Target header. Returns (status, headers, body
        parsed as JSON or None, raw body bytes)."""
        if not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body).encode()
        hdrs = {"Content-Type": "application/x-amz-json-1.0"}
        if target is not None:
            hdrs["X-Amz-Target"] = ("SimpleWorkflowService." + target
                                    if "." not in target else target)
        if is_moto():  # moto routes unsigned requests to S3
            hdrs["Authorization"] = ("AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/"
                                     "swf/aws4_request, SignedHeaders=host, Signature=0")
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("POST", "/", body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            try:
                parsed = json.loads(data) if data else None
            except ValueError:
                parsed = None
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, parsed, data
        finally:
            conn.close()


_shared = None
_shared_lock = threading.Lock()


def shared_server():
    """The one server of this test process (one per test file), started once."""
    global _shared
    with _shared_lock:
        if _shared is None:
            server = WeftServer()
            atexit.register(server.cleanup)
            server.start()
            _shared = server
        elif not _shared.alive():
            raise RuntimeError("the shared server died:\n" + _shared.stderr_tail())
        return _shared


def read_event_stream(url, timeout=30, context=None):
    """[(event, data)] of a server-sent events stream (GET /console/events)
    until the server ends it. `context`: an ssl.SSLContext for https."""
    out, event = [], None
    with urllib.request.urlopen(url, timeout=timeout, context=context) as r:
        assert r.headers["Content-Type"] == "text/event-stream", r.headers["Content-Type"]
        for raw in r:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: "):
                out.append((event, line[len("data: "):]))
    return out


def error_code(exc):
    return exc.response.get("Error", {}).get("Code")


class ServerTestCase(unittest.TestCase):
    """Base class: gives self.server / self.swf, fault assertions, and prints
    the server's stderr when a test fails or errors."""

    server = None  # set in setUpClass; a subclass may use its own server

    @classmethod
    def setUpClass(cls):
        if cls.server is None:
            cls.server = shared_server()
        cls.swf = cls.server.client()

    def run(self, result=None):
        before = (len(result.failures) + len(result.errors)) if result else 0
        out = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > before:
            server = type(self).server
            if server is not None:
                sys.stderr.write("\n--- server stderr (tail) for %s ---\n%s\n--- end ---\n"
                                 % (self.id(), server.stderr_tail()))
        return out

    def skip_on_moto(self, why):
        if is_moto():
            self.skipTest("moto: " + why)

    def restart(self):
        """Kills the server (-9) and starts it again on the same data dir;
        new clients, as the old connections died with it. Only for a class on
        a server of its own (OwnServer)."""
        self.server.restart()
        self.reconnect()

    @classmethod
    def reconnect(cls):
        cls.swf = cls.server.client()

    def assertFault(self, code, fn, *args, **kwargs):
        """Calls fn and asserts it fails with HTTP 400 and the named fault."""
        try:
            value = fn(*args, **kwargs)
        except ClientError as e:
            meta = e.response.get("ResponseMetadata", {})
            self.assertEqual(
                error_code(e), code,
                "%s%r expected %s, got %s: %s" % (
                    getattr(fn, "__name__", fn), kwargs, code, error_code(e),
                    e.response.get("Error")))
            self.assertEqual(meta.get("HTTPStatusCode"), 400,
                             "%s must be HTTP 400" % code)
            return e
        self.fail("%s(%r) should fail with %s, but answered %r"
                  % (getattr(fn, "__name__", fn), kwargs, code, value))


AWS_CLI = "/usr/bin/aws"  # Debian's AWS CLI v2 (pip's v1 may come first on PATH)


class OwnServer:
    """For a ServerTestCase: a server of the class's own (so that restart()
    may kill it), started before the class's tests and removed after.
    Skips the class against moto, which cannot restart."""

    @classmethod
    def server_args(cls):
        """More `weft server` flags for this class's server."""
        return []

    @classmethod
    def setUpClass(cls):
        if is_moto():
            raise unittest.SkipTest("moto cannot restart")
        cls.server = WeftServer(extra_args=cls.server_args())
        cls.server.start()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()


class AwsCliMixin:
    """For a ServerTestCase: `self.aws(*args)` runs the AWS CLI v2 for
    `cli_service` ("swf", "stepfunctions") against the test's server, with a
    configuration of its own (no profile, endpoint or credentials of the
    machine leak in). Skips the class when the CLI is not installed."""

    cli_service = None

    @classmethod
    def setUpClass(cls):
        if not os.access(AWS_CLI, os.X_OK):
            raise unittest.SkipTest("no AWS CLI v2 at " + AWS_CLI)
        super().setUpClass()
        cls.home = tempfile.mkdtemp(prefix="weft-cli-")
        cls.addClassCleanup(shutil.rmtree, cls.home, ignore_errors=True)
        cls.env = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
                       AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="",
                       AWS_CONFIG_FILE=os.path.join(cls.home, "config"),
                       AWS_SHARED_CREDENTIALS_FILE=os.path.join(cls.home, "credentials"),
                       HOME=cls.home)
        for var in list(cls.env):
            if var in ("AWS_PROFILE", "AWS_SESSION_TOKEN") or var.startswith("AWS_ENDPOINT_URL"):
                cls.env.pop(var)

    def aws(self, *args, check=True):
        """Runs `aws <cli_service> <args>` with --output json; returns the
        parsed output (or, with check=False, the CompletedProcess)."""
        cmd = [AWS_CLI, self.cli_service, *args, "--endpoint-url", self.server.url,
               "--output", "json", "--cli-read-timeout", "70", "--cli-connect-timeout", "10"]
        proc = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=120)
        if not check:
            return proc
        self.assertEqual(proc.returncode, 0, "%s\nstdout: %s\nstderr: %s" % (
            " ".join(cmd), proc.stdout[-2000:], proc.stderr[-2000:]))
        return json.loads(proc.stdout) if proc.stdout.strip() else {}
