#!/usr/bin/env python3
"""The video-encoding decider: split the video, start one child workflow per
chunk (all in parallel), then combine the encoded chunks. Each child,
`encode-chunk`, runs the encoder on its chunk and retries it when it fails
(up to MAX_ATTEMPTS); a child that gives up fails the whole job.

The decider decides for both workflow types (they share one decision task
list) and keeps no state of its own: every decision is computed from the
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
    return event.get(t[0].lower() + t[1:] + "EventAttributes", {})


CHILD_CLOSED = ("ChildWorkflowExecutionCompleted", "ChildWorkflowExecutionFailed",
                "ChildWorkflowExecutionTimedOut", "ChildWorkflowExecutionCanceled",
                "ChildWorkflowExecutionTerminated")


class History:
    """The activities of one execution, by activityId, and its children, by
    workflowId, read from its events."""

    def __init__(self, events):
        self.input = json.loads(attrs(events[0]).get("input") or "{}")
        scheduled = {}
        self.activities = {}  # activityId -> {"status": ..., "result": ...}
        self.children = {}  # workflowId -> {"status": ..., "result": ...}
        for e in events:
            t, a = e["eventType"], attrs(e)
            if t == "ActivityTaskScheduled":
                scheduled[e["eventId"]] = a["activityId"]
                self.activities[a["activityId"]] = {"status": "OPEN"}
            elif t in CLOSED:
                self.activities[scheduled[a["scheduledEventId"]]] = {
                    "status": t[len("ActivityTask"):].upper(),
                    "result": a.get("result"), "reason": a.get("reason")}
            elif t == "StartChildWorkflowExecutionInitiated":
                self.children[a["workflowId"]] = {"status": "OPEN"}
            elif t == "StartChildWorkflowExecutionFailed":
                self.children[a["workflowId"]] = {"status": "START_FAILED",
                                                  "reason": a["cause"]}
            elif t in CHILD_CLOSED:
                self.children[a["workflowExecution"]["workflowId"]] = {
                    "status": t[len("ChildWorkflowExecution"):].upper(),
                    "result": a.get("result"),
                    "reason": a.get("details") or a.get("reason")}

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


def complete(result):
    return {"decisionType": "CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes": {"result": result}}


def fail(reason, details):
    return {"decisionType": "FailWorkflowExecution",
            "failWorkflowExecutionDecisionAttributes": {"reason": reason, "details": details}}


def start_child(workflow_id, payload):
    return {"decisionType": "StartChildWorkflowExecution",
            "startChildWorkflowExecutionDecisionAttributes": {
                "workflowType": sc.CHUNK_WORKFLOW, "workflowId": workflow_id,
                "input": json.dumps(payload)}}


def run_child(h, workflow_id, payload, decisions):
    """Appends the decision that starts child `workflow_id` if it is not
    started yet; returns its result once it completed."""
    child = h.children.get(workflow_id)
    if child is None:
        decisions.append(start_child(workflow_id, payload))
        return None
    if child["status"] == "COMPLETED":
        return child["result"]
    if child["status"] != "OPEN":
        raise GiveUp("%s %s: %s" % (workflow_id, child["status"].lower(), child.get("reason")))
    return None


def encode_chunk(h, workflow_id, decisions):
    """An encode-chunk child: encode its chunk, retrying the encoder."""
    chunk = h.input["chunk"]
    return run_step(h, "encode-%d" % chunk["index"], "encode", h.input, decisions)


def encode_video(h, workflow_id, decisions):
    """The job: split, one child per chunk, combine."""
    job = h.input
    split = run_step(h, "split", "split", {"video": job["video"], "chunks": job["chunks"],
                                            "workdir": job["workdir"]}, decisions)
    if split is None:
        return None
    encoded = []
    for chunk in json.loads(split)["chunks"]:
        payload = {"chunk": chunk,
                   "simulate_failure": chunk["index"] == job.get("fail_chunk"),
                   "fail_attempts": job.get("fail_attempts", 1)}
        encoded.append(run_child(h, "%s-chunk-%d" % (workflow_id, chunk["index"]), payload,
                                 decisions))
    if any(r is None for r in encoded) or decisions:
        return None
    return run_step(h, "combine", "combine", {
        "encoded": [json.loads(r) for r in encoded], "workdir": job["workdir"],
        "output": job["output"]}, decisions)


def decide(workflow_type, workflow_id, events):
    """The decisions for a decision task, given the whole history: those
    that move the workflow on, then its close once it has a result."""
    h = History(events)
    is_chunk = workflow_type == sc.CHUNK_WORKFLOW["name"]
    decisions = []
    try:
        result = (encode_chunk if is_chunk else encode_video)(h, workflow_id, decisions)
        if result is not None:
            decisions.append(complete(result))
    except GiveUp as e:
        decisions = [fail("encoder gave up" if is_chunk else "encoding failed", str(e))]
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
            workflow_id = task["workflowExecution"]["workflowId"]
            decisions = decide(task["workflowType"]["name"], workflow_id, events)
            log("decider: %s -> %s" % (workflow_id, [d["decisionType"] for d in decisions]))
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
