#!/usr/bin/env python3
"""The decider: each workflow processes its orders one at a time (activity
`step-<i>` with the order as input), then completes with the list of who did
each step."""

import argparse
import json
import signal

import common


def decide(events, steps):
    done = [e for e in events if e["eventType"] == "ActivityTaskCompleted"]
    if len(done) >= steps:
        who = [json.loads(e["activityTaskCompletedEventAttributes"]["result"])
               for e in done]
        return [{"decisionType": "CompleteWorkflowExecution",
                 "completeWorkflowExecutionDecisionAttributes": {"result": json.dumps(who)}}]
    failed = [e for e in events if e["eventType"] in ("ActivityTaskFailed",
                                                      "ActivityTaskTimedOut")]
    scheduled = [e for e in events if e["eventType"] == "ActivityTaskScheduled"]
    if len(scheduled) - len(failed) > len(done):
        return []  # a step is in flight
    step = len(done)
    attempt = sum(1 for e in scheduled
                  if e["activityTaskScheduledEventAttributes"]["control"] == str(step)) + 1
    started = events[0]["workflowExecutionStartedEventAttributes"]
    order = json.loads(started["input"])
    return [{"decisionType": "ScheduleActivityTask",
             "scheduleActivityTaskDecisionAttributes": {
                 "activityType": common.ACTIVITY, "activityId": "step-%d-%d" % (step, attempt),
                 "control": str(step),
                 "input": json.dumps({"batch": order["batch"], "step": step})}}]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--domain", required=True)
    p.add_argument("--steps", type=int, default=5)
    args = p.parse_args()
    swf = common.client(args.endpoint)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    while not stopping:
        task = swf.poll_for_decision_task(domain=args.domain,
                                          taskList={"name": common.DECISIONS},
                                          identity="decider")
        if not task.get("taskToken"):
            continue
        events = task["events"]
        while task.get("nextPageToken"):
            task = swf.poll_for_decision_task(domain=args.domain,
                                              taskList={"name": common.DECISIONS},
                                              nextPageToken=task["nextPageToken"])
            events += task["events"]
        swf.respond_decision_task_completed(taskToken=task["taskToken"],
                                            decisions=decide(events, args.steps))


if __name__ == "__main__":
    main()
