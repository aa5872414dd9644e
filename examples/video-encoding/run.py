#!/usr/bin/env python3
"""Runs the video-encoding example end to end against a running weft:
registers the domain and types, starts one decider and N workers (separate
processes), starts a workflow on a generated "video", waits for it to
close and checks the output. Prints one line `RESULT {json}` at the end;
exits 0 if the workflow closed as expected (by default: completed with a
correct output).

    python3 examples/video-encoding/run.py --endpoint http://127.0.0.1:7070
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import swfclient as sc

HERE = os.path.dirname(os.path.abspath(__file__))


def make_video(path, size):
    """A stand-in video: deterministic, compressible bytes."""
    frame = bytes(range(256)) * 16
    with open(path, "wb") as f:
        for i in range(size // len(frame) + 1):
            f.write(frame[: (i % 200) + 1] + b"frame %08d\n" % i)
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def wait_closed(swf, domain, execution, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = swf.describe_workflow_execution(domain=domain, execution=execution)
        if info["executionInfo"]["executionStatus"] == "CLOSED":
            return info["executionInfo"]["closeStatus"]
        time.sleep(0.5)
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", default="http://127.0.0.1:7070")
    p.add_argument("--domain", default="video-encoding")
    p.add_argument("--workers", type=int, default=3)
    p.add_argument("--chunks", type=int, default=6)
    p.add_argument("--fail-chunk", type=int, default=3,
                   help="the chunk whose first encoding attempt fails (-1: none)")
    p.add_argument("--fail-attempts", type=int, default=1,
                   help="how many attempts of that chunk fail (3 or more: the job fails)")
    p.add_argument("--expect", default="COMPLETED",
                   help="the close status that counts as success (COMPLETED, FAILED)")
    p.add_argument("--video-bytes", type=int, default=2_000_000)
    p.add_argument("--timeout", type=float, default=120, help="seconds to wait")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    args = p.parse_args()

    workdir = tempfile.mkdtemp(prefix="weft-video-")
    video = os.path.join(workdir, "input.video")
    expected = make_video(video, args.video_bytes)
    swf = sc.client(args.endpoint)
    sc.register(swf, args.domain)

    common = ["--endpoint", args.endpoint, "--domain", args.domain]
    procs = [subprocess.Popen([sys.executable, os.path.join(HERE, "decider.py"), *common])]
    procs += [subprocess.Popen([sys.executable, os.path.join(HERE, "worker.py"), *common,
                                "--identity", "worker-%d" % n])
              for n in range(args.workers)]
    try:
        workflow_id = "encode-%s" % uuid.uuid4().hex[:12]
        job = {"video": video, "chunks": args.chunks, "fail_chunk": args.fail_chunk,
               "fail_attempts": args.fail_attempts,
               "workdir": workdir, "output": os.path.join(workdir, "output.video")}
        run_id = swf.start_workflow_execution(domain=args.domain, workflowId=workflow_id,
                                              workflowType=sc.WORKFLOW,
                                              input=json.dumps(job))["runId"]
        execution = {"workflowId": workflow_id, "runId": run_id}
        print("started %s" % json.dumps(execution), flush=True)
        status = wait_closed(swf, args.domain, execution, args.timeout)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()

    events = []
    page = {"nextPageToken": None}
    while "nextPageToken" in page:
        kwargs = {"nextPageToken": page["nextPageToken"]} if page["nextPageToken"] else {}
        page = swf.get_workflow_execution_history(domain=args.domain, execution=execution,
                                                  **kwargs)
        events.extend(page["events"])
    result = None
    if status == "COMPLETED":
        result = json.loads(events[-1]["workflowExecutionCompletedEventAttributes"]["result"])
    ok = status == args.expect and (status != "COMPLETED" or result["sha256"] == expected)
    print("RESULT " + json.dumps({"domain": args.domain, "execution": execution,
                                  "closeStatus": status, "result": result,
                                  "expected_sha256": expected, "ok": ok}), flush=True)
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
