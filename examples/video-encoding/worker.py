#!/usr/bin/env python3
"""A video-encoding activity worker: polls the activity task list and runs
split, encode and combine on files in a work directory.

"Encoding" here is zlib compression of each chunk, a stand-in for a real
encoder (ffmpeg) that keeps the example self-contained and checkable: the
combined output decompresses back to the original video. A chunk whose
input says simulate_failure fails on its first attempt (or its first
fail_attempts), as a flaky encoder would; the decider retries it.

    python3 worker.py --endpoint http://127.0.0.1:7070 [--domain video-encoding]
"""

import argparse
import hashlib
import json
import os
import signal
import socket
import sys
import threading
import zlib

from botocore.exceptions import BotoCoreError, ClientError

import swfclient as sc


class EncoderCrash(Exception):
    pass


def split(job, heartbeat):
    with open(job["video"], "rb") as f:
        data = f.read()
    n = job["chunks"]
    size = -(-len(data) // n)
    chunks = []
    for i in range(n):
        path = os.path.join(job["workdir"], "chunk-%03d.raw" % i)
        with open(path, "wb") as f:
            f.write(data[i * size:(i + 1) * size])
        chunks.append({"index": i, "path": path})
        heartbeat("split %d/%d" % (i + 1, n))
    return {"chunks": chunks, "sha256": hashlib.sha256(data).hexdigest()}


def encode(job, heartbeat):
    chunk = job["chunk"]
    if job.get("simulate_failure") and job["attempt"] <= job.get("fail_attempts", 1):
        raise EncoderCrash("encoder crashed on chunk %d" % chunk["index"])
    with open(chunk["path"], "rb") as f:
        raw = f.read()
    heartbeat("encoding chunk %d" % chunk["index"])
    out = chunk["path"][:-len(".raw")] + ".enc"
    with open(out, "wb") as f:
        f.write(zlib.compress(raw, 6))
    return {"index": chunk["index"], "path": out, "bytes_in": len(raw)}


def combine(job, heartbeat):
    parts = sorted(job["encoded"], key=lambda c: c["index"])
    digest = hashlib.sha256()
    with open(job["output"], "wb") as out:
        for part in parts:
            with open(part["path"], "rb") as f:
                raw = zlib.decompress(f.read())
            digest.update(raw)
            out.write(raw)
            heartbeat("combined chunk %d" % part["index"])
    return {"output": job["output"], "chunks": len(parts), "sha256": digest.hexdigest()}


ACTIVITIES = {"split": split, "encode": encode, "combine": combine}


def handle(swf, task, log):
    name = task["activityType"]["name"]
    job = json.loads(task.get("input") or "{}")

    def heartbeat(details):
        swf.record_activity_task_heartbeat(taskToken=task["taskToken"], details=details)

    try:
        result = ACTIVITIES[name](job, heartbeat)
    except (EncoderCrash, OSError, KeyError, ValueError) as e:
        log("worker: %s %s failed: %s" % (name, task["activityId"], e))
        swf.respond_activity_task_failed(taskToken=task["taskToken"],
                                         reason=type(e).__name__, details=str(e)[:2000])
        return
    swf.respond_activity_task_completed(taskToken=task["taskToken"],
                                        result=json.dumps(result))
    log("worker: %s %s done" % (name, task["activityId"]))


def run(swf, domain, stop, identity, log=print):
    while not stop.is_set():
        try:
            task = swf.poll_for_activity_task(domain=domain,
                                              taskList={"name": sc.ACTIVITY_TASK_LIST},
                                              identity=identity)
            if task.get("taskToken"):
                handle(swf, task, log)
        except (BotoCoreError, ClientError) as e:
            log("%s: %s" % (identity, e))
            stop.wait(1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", default="http://127.0.0.1:7070")
    p.add_argument("--domain", default="video-encoding")
    p.add_argument("--identity", default="worker@%s:%d" % (socket.gethostname(), os.getpid()))
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    swf = sc.client(args.endpoint)
    sc.register(swf, args.domain)
    try:
        run(swf, args.domain, threading.Event(), args.identity,
            log=lambda m: print(m, flush=True))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
