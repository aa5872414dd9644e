#!/usr/bin/env python3
"""A worker of one pool ("datacenter" or "cloud"): polls the `orders` task
list, processes an order (records it in the ledger directory with an
exclusive create, so an order processed twice is caught), and completes the
task with its identity. SIGTERM drains it: a task it has taken is finished
and completed before it exits, so moving the load loses nothing."""

import argparse
import json
import os
import signal
import time

import common


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--domain", required=True)
    p.add_argument("--identity", required=True)
    p.add_argument("--ledger", required=True, help="directory of processed orders")
    p.add_argument("--work-seconds", type=float, default=0.05)
    args = p.parse_args()
    swf = common.client(args.endpoint)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    while not stopping:
        task = swf.poll_for_activity_task(domain=args.domain, taskList={"name": common.ORDERS},
                                          identity=args.identity)
        if not task.get("taskToken"):
            continue
        order = json.loads(task["input"])
        name = "%s-step-%d" % (order["batch"], order["step"])
        with open(os.path.join(args.ledger, name), "x") as f:  # fails if done twice
            f.write(args.identity)
        time.sleep(args.work_seconds)
        swf.respond_activity_task_completed(taskToken=task["taskToken"],
                                            result=json.dumps(args.identity))


if __name__ == "__main__":
    main()
