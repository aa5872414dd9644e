#!/usr/bin/env python3
"""Runs the catalog-review example end to end against a running weft (started
with --config examples/catalog-review/weft.config.json): starts the review app
and a scripted reviewer (separate processes), creates the state machine under
a name unique to this run, starts an execution on a generated catalog, waits
for it to end and checks its summary against the reviewer's rules. Prints one
line `RESULT {json}` at the end; exits 0 if the summary is the expected one.

    python3 examples/catalog-review/run.py --endpoint http://127.0.0.1:7070
"""

import argparse
import json
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

import reviewer

HERE = os.path.dirname(os.path.abspath(__file__))
ROLE_ARN = "arn:aws:iam::123456789012:role/catalog-review"
CATEGORIES = ["lamps", "rugs", "chairs", "tables", "shelves", "mirrors"]


def make_catalog(n):
    """n items, deterministic: every 12th from the 5th has no description,
    every 6th from the 3rd needs its photo retouched, every 12th is slow to
    review (see reviewer.decide)."""
    items = []
    for i in range(1, n + 1):
        flags = []
        if i % 6 == 3:
            flags.append("needs-retouch")
        if i % 12 == 0:
            flags.append("slow-review")
        category = CATEGORIES[i % len(CATEGORIES)]
        items.append({
            "id": "sku-%03d" % i,
            "title": "%s #%d" % (category.rstrip("s").capitalize(), i),
            "category": category,
            "price": round(19.0 + 7.5 * i, 2),
            "description": "" if i % 12 == 5 else "A fine %s, item %d." % (category, i),
            "flags": flags,
        })
    return items


def expected_summary(catalog, max_rounds):
    """What the state machine must output, from reviewer.decide's rules."""
    pending, approved, requeued, failed, round_ = list(catalog), [], [], [], 0
    while True:
        round_ += 1
        failed = []
        for item in pending:
            verdict, _ = reviewer.decide(item, round_)
            (approved if verdict == reviewer.APPROVE else failed).append(item["id"])
        if not failed or round_ >= max_rounds:
            break
        requeued += failed
        pending = [item for item in catalog if item["id"] in failed]
    requeued = sorted(set(requeued))
    return {"items": len(catalog), "rounds": round_,
            "approved": {"count": len(approved), "ids": sorted(approved)},
            "rejected": {"count": len(failed), "ids": sorted(failed)},
            "requeued": {"count": len(requeued), "ids": requeued}}


def comparable(summary):
    """The state machine's summary in expected_summary's shape (ids sorted)."""
    return {"items": summary["items"], "rounds": summary["rounds"],
            "approved": {"count": summary["approved"]["count"],
                         "ids": sorted(summary["approved"]["ids"])},
            "rejected": {"count": summary["rejected"]["count"],
                         "ids": sorted(r["id"] for r in summary["rejected"]["items"])},
            "requeued": {"count": summary["requeued"]["count"],
                         "ids": sorted(summary["requeued"]["ids"])}}


def start_review_app(args):
    """Starts review_app.py on a free port; returns (process, its URL)."""
    proc = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "review_app.py"), "--port", str(args.review_port),
         "--busy-first", str(args.busy_first), "--api-key", args.api_key, "--quiet"],
        stdout=subprocess.PIPE, text=True)
    lines = queue.Queue()

    def pump():  # first line to us, the rest to our stderr
        for line in proc.stdout:
            lines.put(line)
            sys.stderr.write(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        first = lines.get(timeout=10)
    except queue.Empty:
        proc.kill()
        raise SystemExit("the review app did not start")
    return proc, first.strip().rsplit(" ", 1)[-1]


def stop(procs):
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", default="http://127.0.0.1:7070", help="weft's URL")
    p.add_argument("--items", type=int, default=24)
    p.add_argument("--batch-size", type=int, default=6)
    p.add_argument("--max-rounds", type=int, default=3)
    p.add_argument("--review-timeout", type=int, default=3,
                   help="seconds a review may take before it counts as failed")
    p.add_argument("--busy-first", type=int, default=2,
                   help="review requests the app answers 503 (retried by the task)")
    p.add_argument("--review-port", type=int, default=0, help="0: any free port")
    p.add_argument("--api-key", default="catalog-review-demo-key",
                   help="must match the connection in weft.config.json")
    p.add_argument("--timeout", type=float, default=120, help="seconds to wait")
    args = p.parse_args()

    sfn = reviewer.sfn_client(args.endpoint)
    app, app_url = start_review_app(args)
    procs = [app]
    try:
        procs.append(subprocess.Popen(
            [sys.executable, os.path.join(HERE, "reviewer.py"), "--endpoint", args.endpoint,
             "--review-app", app_url], stdout=sys.stderr))
        with open(os.path.join(HERE, "statemachine.asl.json")) as f:
            definition = f.read()
        machine = sfn.create_state_machine(name="catalog-review-%s" % uuid.uuid4().hex[:12],
                                           definition=definition,
                                           roleArn=ROLE_ARN)["stateMachineArn"]
        catalog = make_catalog(args.items)
        execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({
            "catalog": catalog, "reviewEndpoint": app_url, "batchSize": args.batch_size,
            "maxRounds": args.max_rounds, "reviewTimeoutSeconds": args.review_timeout,
        }))["executionArn"]
        print("started %s" % execution, flush=True)

        deadline = time.monotonic() + args.timeout
        info = sfn.describe_execution(executionArn=execution)
        while info["status"] == "RUNNING" and time.monotonic() < deadline:
            time.sleep(0.2)
            info = sfn.describe_execution(executionArn=execution)
        with urllib.request.urlopen(app_url + "/stats", timeout=5) as resp:
            stats = json.loads(resp.read())
    finally:
        stop(procs)

    expected = expected_summary(catalog, args.max_rounds)
    summary = json.loads(info["output"]) if info.get("output") else None
    problems = []
    if info["status"] != "SUCCEEDED":
        problems.append("execution %s: %s %s" % (info["status"], info.get("error"),
                                                  info.get("cause")))
    elif comparable(summary) != expected:
        problems.append("summary differs from the expected one")
    if summary:
        print("summary: %d items in %d rounds: %d approved, %d rejected, %d re-queued"
              % (summary["items"], summary["rounds"], summary["approved"]["count"],
                 summary["rejected"]["count"], summary["requeued"]["count"]))
        for r in summary["rejected"]["items"]:
            print("  rejected %s (%s): %s" % (r["id"], r["status"], r.get("reason")))
    print("RESULT " + json.dumps({
        "ok": not problems, "problems": problems, "status": info["status"],
        "stateMachineArn": machine, "executionArn": execution, "summary": summary,
        "expected": expected, "reviewApp": stats}), flush=True)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
