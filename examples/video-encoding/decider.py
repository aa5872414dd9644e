#!/usr/bin/env python3
"""The video-encoding decider: split the video, encode every chunk in
parallel, retry a chunk whose encoding failed (up to MAX_ATTEMPTS), then
combine the chunks.

The decider keeps no state of its own: every decision is computed from the
execution's history, which weft hands over with each decision task. Any
number of deciders can run; each decision task goes to exactly one.

    python3 decider.py --endpoint http://127.0.0.1:7070 [--domain video-encoding]
"""

import argparse
import json
import signal
import sys
import threading

from botocore.exceptions import BotoCoreError, ClientError

import swfclient as sc

CLOSED = ("ActivityTaskCompleted", "ActivityTaskFailed", "ActivityTaskTimedOut",
          "ActivityTaskCanceled")


def attrs(event):
    t = event["eventType"]
    return event[t[0].lower() + t[1:] + "EventAttributes"]


class History:
    """The activities of one execution, by activityId, read from its events."""

    def __init__(self, events):
        self.input = json.loads(attrs(events[0]).get("input") or "{}")
        scheduled = {}
        self.activities = {}  # activityId -> {"status": ..., "result": ...}
        for e in events:
            t = e["eventType"]
            if t == "ActivityTaskScheduled":
                scheduled[e["eventId"]] = attrs(e)["activityId"]
                self.activities[attrs(e)["activityId"]] = {"status": "OPEN"}
            elif t in CLOSED:
                a = attrs(e)
                self.activities[scheduled[a["scheduledEventId"]]] = {
                    "status": t[len("ActivityTask"):].upper(),
                    "result": a.get("result"), "reason": a.get("reason")}

    def attempts(self, step):
        """The activityIds of `step` ("split", "encode-3", ...) in order."""
        ids = [i for i in self.activities if i.rsplit("-attempt-", 1)[0] == step]
        return sorted(ids, key=lambda i: int(i.rsplit("-", 1)[1]))

    def outcome(self, step):
        """("COMPLETED", result) | ("OPEN", None) | ("RETRY", n) | ("GAVE_UP", reason)
        | ("NEW", None) for one step, looking at its last attempt."""
        ids = self.attempts(step)
        if not ids:
            return "NEW", None
        last = self.activities[ids[-1]]
        if last["status"] == "COMPLETED":
            return "COMPLETED", last["result"]
        if last["status"] == "OPEN":
            return "OPEN", None
        if len(ids) >= sc.MAX_ATTEMPTS:
            return "GAVE_UP", "%s failed %d times: %s" % (step, len(ids), last.get("reason"))
        return "RETRY", len(ids) + 1


def schedule(step, attempt, activity, payload):
    return {"decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": {
                "activityType": {"name": activity, "version": sc.VERSION},
                "activityId": "%s-attempt-%d" % (step, attempt),
                "input": json.dumps(dict(payload, attempt=attempt))}}


def marker(step, attempt):
    return {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {
        "markerName": "retry", "details": "%s attempt %d" % (step, attempt)}}


def run_step(h, step, activity, payload, decisions):
    """Appends the decisions that move `step` on; returns its result once done."""
    status, value = h.outcome(step)
    if status == "NEW":
        decisions.append(schedule(step, 1, activity, payload))
    elif status == "RETRY":
        decisions.append(marker(step, value))
        decisions.append(schedule(step, value, activity, payload))
    elif status == "GAVE_UP":
        raise GiveUp(value)
    return value if status == "COMPLETED" else None


class GiveUp(Exception):
    pass


def decide(events):
    """The decisions for a decision task, given the whole history."""
    h = History(events)
    job = h.input
    decisions = []
    try:
        split = run_step(h, "split", "split", {"video": job["video"],
                                                "chunks": job["chunks"],
                                                "workdir": job["workdir"]}, decisions)
        if split is None:
            return decisions
        chunks = json.loads(split)["chunks"]
        encoded = []
        for chunk in chunks:
            payload = {"chunk": chunk, "simulate_failure": chunk["index"] == job.get(
                "fail_chunk")}
            encoded.append(run_step(h, "encode-%d" % chunk["index"], "encode", payload,
                                    decisions))
        if any(r is None for r in encoded) or decisions:
            return decisions
        combined = run_step(h, "combine", "combine", {
            "encoded": [json.loads(r) for r in encoded], "workdir": job["workdir"],
            "output": job["output"]}, decisions)
        if combined is not None:
            decisions.append({"decisionType": "CompleteWorkflowExecution",
                              "completeWorkflowExecutionDecisionAttributes": {
                                  "result": combined}})
    except GiveUp as e:
        decisions = [{"decisionType": "FailWorkflowExecution",
                      "failWorkflowExecutionDecisionAttributes": {
                          "reason": "encoding failed", "details": str(e)}}]
    return decisions


def poll(swf, domain, identity):
    """One long poll; returns (task, all events) or (None, None) if empty."""
    task = swf.poll_for_decision_task(domain=domain,
                                      taskList={"name": sc.DECISION_TASK_LIST},
                                      identity=identity)
    if not task.get("taskToken"):
        return None, None
    events, page = list(task["events"]), task
    while page.get("nextPageToken"):
        page = swf.poll_for_decision_task(domain=domain,
                                          taskList={"name": sc.DECISION_TASK_LIST},
                                          identity=identity,
                                          nextPageToken=page["nextPageToken"])
        events.extend(page["events"])
    return task, events


def run(swf, domain, stop, identity="decider", log=print):
    while not stop.is_set():
        try:
            task, events = poll(swf, domain, identity)
            if task is None:
                continue
            decisions = decide(events)
            log("decider: %s -> %s" % (task["workflowExecution"]["workflowId"],
                                       [d["decisionType"] for d in decisions]))
            swf.respond_decision_task_completed(taskToken=task["taskToken"],
                                                decisions=decisions)
        except (BotoCoreError, ClientError) as e:
            log("decider: %s" % e)
            stop.wait(1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", default="http://127.0.0.1:7070")
    p.add_argument("--domain", default="video-encoding")
    p.add_argument("--identity", default="decider")
    args = p.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    swf = sc.client(args.endpoint)
    sc.register(swf, args.domain)
    try:
        run(swf, args.domain, stop, args.identity, log=lambda m: print(m, flush=True))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
