#!/usr/bin/env python3
"""bench/open/run.py: a weft server holding many open executions.

Starts `weft server` on a fresh data dir, fills it with open executions
(weft_open_bench: half SWF workflows waiting for a decision or an activity,
half Step Functions executions waiting in a Wait state or an activity Task),
then measures what issue 13 asks: the server's memory (RSS) holding them, the
data size on disk per open execution, the time from `kill -9` to serving
again, and the time the first poll after the restart takes to get a task.
Prints a Markdown table (docs/benchmarks.md, "Open executions").

  bench/open/run.py --executions 100000 [--server-arg=--cache-size=10000] ...

Environment: BUILD (default build).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, target, body, timeout=5):
    service = "AWSStepFunctions" if target.startswith("sfn:") else "SimpleWorkflowService"
    op = target.split(":", 1)[-1]
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/",
        data=json.dumps(body).encode(),
        headers={"X-Amz-Target": f"{service}.{op}",
                 "Content-Type": "application/x-amz-json-1.0"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"{}")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def dir_bytes(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


class Server:
    def __init__(self, binary, data_dir, port, extra):
        self.args = [binary, "server", "--listen", f"127.0.0.1:{port}", "--data-dir", data_dir,
                     *extra]
        self.port = port
        self.proc = None
        self.log = open(os.path.join(os.path.dirname(data_dir), "server.log"), "a")

    def start(self):
        """Starts the server; seconds until it answered a request."""
        began = time.monotonic()
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=self.log)
        while True:
            if self.proc.poll() is not None:
                sys.exit(f"the server exited with {self.proc.returncode}; see server.log")
            try:
                call(self.port, "ListDomains", {"registrationStatus": "REGISTERED"}, timeout=1)
                return time.monotonic() - began
            except OSError:
                time.sleep(0.002)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--executions", type=int, default=100000)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--kind", choices=["both", "swf", "sfn"], default="both",
                    help="half and half (the issue's mix), or only one kind")
    ap.add_argument("--server-arg", action="append", default=[])
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="weft-open.")
    try:
        data = os.path.join(tmp, "data")
        binary = os.path.join(tmp, "weft")
        shutil.copy(os.path.join(BUILD, "weft"), binary)
        port = free_port()
        server = Server(binary, data, port, a.server_arg)
        server.start()
        swf = {"both": a.executions // 2, "swf": a.executions, "sfn": 0}[a.kind]
        sfn = a.executions - swf
        load = subprocess.run(
            [os.path.join(BUILD, "bench", "weft_open_bench"), "--port", str(port), "--swf",
             str(swf), "--sfn", str(sfn), "--connections", str(a.connections)],
            capture_output=True, text=True)
        loaded = json.loads(load.stdout.strip().splitlines()[-1]) if load.stdout else {}
        if load.returncode != 0:
            sys.exit(f"weft_open_bench failed: {load.stdout} {load.stderr}")
        time.sleep(1)
        rss_loaded = rss_mb(server.proc.pid)
        disk = dir_bytes(data)

        server.kill9()
        restart_s = server.start()
        rss_restarted = rss_mb(server.proc.pid)
        task, act, first_poll_ms, first_activity_ms = {}, {}, 0.0, 0.0
        if swf:
            began = time.monotonic()
            task = call(server.port, "PollForDecisionTask",
                        {"domain": "open-open", "taskList": {"name": "deciders"}}, timeout=70)
            first_poll_ms = (time.monotonic() - began) * 1000
        if sfn:
            began = time.monotonic()
            arns = call(server.port, "sfn:ListActivities", {})["activities"]
            act = call(server.port, "sfn:GetActivityTask",
                       {"activityArn": arns[0]["activityArn"]}, timeout=70)
            first_activity_ms = (time.monotonic() - began) * 1000
        time.sleep(1)
        rss_settled = rss_mb(server.proc.pid)
        server.kill9()

        rows = [
            ("open executions", f"{a.executions:,} ({swf:,} SWF, {sfn:,} Step Functions)"),
            ("server flags", " ".join(a.server_arg) or "(defaults)"),
            ("started per second", f"{loaded.get('per_second', 0):,}"),
            ("server RSS holding them", f"{rss_loaded:.0f} MB"),
            ("data on disk", f"{disk / 1e6:.0f} MB ({disk / a.executions:.0f} bytes per execution)"),
            ("kill -9 to serving again", f"{restart_s * 1000:.0f} ms"),
            ("RSS at restart / 1 s after the first polls",
             f"{rss_restarted:.0f} MB / {rss_settled:.0f} MB"),
            ("first PollForDecisionTask after restart",
             f"{first_poll_ms:.1f} ms ({'a task' if task.get('taskToken') else 'no task'})"),
            ("first GetActivityTask after restart (incl. ListActivities)",
             f"{first_activity_ms:.1f} ms ({'a task' if act.get('taskToken') else 'no task'})"),
        ]
        print("| measure | value |\n|---|---|")
        for k, v in rows:
            print(f"| {k} | {v} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
