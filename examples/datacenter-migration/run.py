#!/usr/bin/env python3
"""Moves the work of a running system from one worker pool to another: a
"datacenter" pool and a "cloud" pool of workers poll the same task list.
Workflows start while only the datacenter pool runs; once a third of the
orders are done the cloud pool starts and the datacenter pool is drained
(SIGTERM: each worker finishes the task it holds, then exits). Every workflow
must complete with every order processed exactly once (the workers record
each order with an exclusive create), some by each pool, and none by the
datacenter pool after it left. Prints one line `RESULT {json}`; exits 0 when
all of that holds.

    python3 examples/datacenter-migration/run.py --endpoint http://127.0.0.1:7070
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import common

HERE = os.path.dirname(os.path.abspath(__file__))


def pool(name, size, args, ledger):
    return [subprocess.Popen([sys.executable, os.path.join(HERE, "worker.py"),
                              "--endpoint", args.endpoint, "--domain", args.domain,
                              "--identity", "%s-%d" % (name, i), "--ledger", ledger])
            for i in range(size)]


def stop(procs, timeout=90):
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()


def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", default="http://127.0.0.1:7070")
    p.add_argument("--domain", default="datacenter-migration")
    p.add_argument("--workflows", type=int, default=8)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--pool-size", type=int, default=2)
    p.add_argument("--timeout", type=float, default=120)
    args = p.parse_args()

    swf = common.client(args.endpoint)
    common.register(swf, args.domain)
    ledger = tempfile.mkdtemp(prefix="weft-ledger-")
    total = args.workflows * args.steps
    done = lambda: len(os.listdir(ledger))  # noqa: E731

    decider = subprocess.Popen([sys.executable, os.path.join(HERE, "decider.py"),
                                "--endpoint", args.endpoint, "--domain", args.domain,
                                "--steps", str(args.steps)])
    datacenter = pool("datacenter", args.pool_size, args, ledger)
    cloud = []
    executions = []
    try:
        for i in range(args.workflows):
            wid = "orders-%s-%d" % (uuid.uuid4().hex[:8], i)
            run = swf.start_workflow_execution(
                domain=args.domain, workflowId=wid, workflowType=common.WORKFLOW,
                input=json.dumps({"batch": wid}))["runId"]
            executions.append({"workflowId": wid, "runId": run})
        moved = wait_until(lambda: done() >= total // 3, args.timeout)
        cloud = pool("cloud", args.pool_size, args, ledger)
        stop(datacenter)  # drained: what they held is finished
        done_when_drained = set(os.listdir(ledger))
        statuses = {}

        def all_closed():
            for ex in executions:
                info = swf.describe_workflow_execution(domain=args.domain, execution=ex)
                statuses[ex["workflowId"]] = info["executionInfo"].get("closeStatus")
            return all(statuses.values())

        wait_until(all_closed, args.timeout)
    finally:
        stop(datacenter + cloud + [decider])

    by_pool = {}
    late_datacenter = []
    for name in os.listdir(ledger):
        with open(os.path.join(ledger, name)) as f:
            who = f.read()
        by_pool[who.split("-")[0]] = by_pool.get(who.split("-")[0], 0) + 1
        if who.startswith("datacenter") and name not in done_when_drained:
            late_datacenter.append(name)
    ok = (moved and done() == total and all(s == "COMPLETED" for s in statuses.values())
          and by_pool.get("datacenter", 0) > 0 and by_pool.get("cloud", 0) > 0
          and not late_datacenter)
    print("RESULT " + json.dumps({"domain": args.domain, "executions": executions,
                                  "closeStatuses": statuses, "orders": done(),
                                  "expected_orders": total, "by_pool": by_pool,
                                  "datacenter_after_drain": late_datacenter, "ok": ok}),
          flush=True)
    shutil.rmtree(ledger, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
