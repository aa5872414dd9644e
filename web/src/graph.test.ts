import { describe, expect, it } from "vitest";
import { buildGraph, describeRule, payloadOf, stateDetail, stateStatuses, swfTimeline } from "./graph";

const definition = {
  StartAt: "Check",
  States: {
    Check: {
      Type: "Choice",
      Choices: [{ Variable: "$.n", NumericGreaterThan: 3, Next: "Fan" }],
      Default: "Skip",
    },
    Skip: { Type: "Pass", End: true },
    Fan: {
      Type: "Parallel",
      Branches: [
        { StartAt: "A", States: { A: { Type: "Pass", End: true } } },
        { StartAt: "B", States: { B: { Type: "Pass", End: true } } },
      ],
      Retry: [{ ErrorEquals: ["States.ALL"] }],
      Catch: [{ ErrorEquals: ["States.ALL"], Next: "Oops" }],
      Next: "Each",
    },
    Each: {
      Type: "Map",
      ItemProcessor: { StartAt: "Work", States: { Work: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", End: true } } },
      End: true,
    },
    Oops: { Type: "Fail", Error: "E" },
  },
};

describe("buildGraph", () => {
  const g = buildGraph(definition);
  const edge = (s: string, t: string) => g.edges.find((e) => e.source === s && e.target === t);

  it("has a node per state, nested groups for branches and the item processor", () => {
    const ids = g.nodes.map((n) => n.id);
    for (const id of ["Check", "Skip", "Fan", "Each", "Oops", "Fan/branch0/A", "Fan/branch1/B", "Each/items/Work"])
      expect(ids).toContain(id);
    expect(g.nodes.find((n) => n.id === "Fan/branch1")).toMatchObject({ group: true, parent: "Fan" });
    expect(g.nodes.find((n) => n.id === "Each/items/Work")?.parent).toBe("Each/items");
  });

  it("labels Choice rules and Default, Catch edges, and reaches End", () => {
    expect(edge("Check", "Fan")).toMatchObject({ kind: "choice", label: "$.n > 3" });
    expect(edge("Check", "Skip")).toMatchObject({ kind: "default", label: "Default" });
    expect(edge("Fan", "Oops")).toMatchObject({ kind: "catch", label: "Catch States.ALL" });
    expect(edge("__start", "Check")).toBeDefined();
    expect(edge("Skip", "__end")).toBeDefined();
    expect(edge("Oops", "__end")).toBeDefined();
    expect(g.nodes.find((n) => n.id === "Fan")).toMatchObject({ retry: 1, catchers: 1 });
  });
});

describe("describeRule", () => {
  it("words the comparisons and combinators", () => {
    expect(describeRule({ Variable: "$.s", StringEquals: "x" })).toBe('$.s == "x"');
    expect(describeRule({ And: [{}, {}] })).toBe("and(2)");
    expect(describeRule({ Not: { Variable: "$.b", BooleanEquals: true } })).toBe("not($.b == true)");
    expect(describeRule({ Variable: "$.v", IsPresent: true })).toBe("$.v IsPresent=true");
  });
});

describe("stateStatuses", () => {
  const events = [
    { id: 1, type: "ExecutionStarted" },
    { id: 2, type: "PassStateEntered", stateEnteredEventDetails: { name: "A" } },
    { id: 3, type: "PassStateExited", stateExitedEventDetails: { name: "A" } },
    { id: 4, type: "TaskStateEntered", stateEnteredEventDetails: { name: "T" } },
    { id: 5, type: "TaskFailed" },
    { id: 6, type: "PassStateEntered", stateEnteredEventDetails: { name: "Handler" } },
    { id: 7, type: "FailStateEntered", stateEnteredEventDetails: { name: "Boom" } },
    { id: 8, type: "ExecutionFailed" },
  ];
  it("colours succeeded, caught, running and failed states", () => {
    const s = stateStatuses(events);
    expect(s.get("A")).toBe("succeeded");
    expect(s.get("T")).toBe("caught");
    expect(s.get("Boom")).toBe("failed");
  });
  it("replays to an earlier moment", () => {
    const s = stateStatuses(events, 4);
    expect(s.get("A")).toBe("succeeded");
    expect(s.get("T")).toBe("running");
    expect(s.has("Handler")).toBe(false);
  });
});

describe("stateDetail", () => {
  it("gives a state's input, output, last error and attempts", () => {
    const events = [
      { id: 1, type: "TaskStateEntered", timestamp: 10, stateEnteredEventDetails: { name: "T", input: "{\"a\":1}" } },
      { id: 2, type: "TaskScheduled" },
      { id: 3, type: "TaskFailed", taskFailedEventDetails: { error: "E", cause: "first" } },
      { id: 4, type: "TaskScheduled" },
      { id: 5, type: "TaskSucceeded" },
      { id: 6, type: "TaskStateExited", timestamp: 12, stateExitedEventDetails: { name: "T", output: "2" } },
    ];
    expect(stateDetail(events, "T")).toEqual({
      input: "{\"a\":1}", output: "2", error: "E", cause: "first", attempts: 2, enteredAt: 10, exitedAt: 12,
    });
    expect(stateDetail(events, "Other")).toBeUndefined();
  });
  it("keeps the states nested in a Parallel inside it", () => {
    const events = [
      { id: 1, type: "ParallelStateEntered", stateEnteredEventDetails: { name: "P", input: "1" } },
      { id: 2, type: "ParallelStateStarted" },
      { id: 3, type: "FailStateEntered", stateEnteredEventDetails: { name: "Boom", input: "1" } },
      { id: 4, type: "ParallelStateFailed" },
      { id: 5, type: "ParallelStateExited", stateExitedEventDetails: { name: "P", output: "{\"Error\":\"Boom\"}" } },
    ];
    expect(stateDetail(events, "P")).toMatchObject({ input: "1", output: "{\"Error\":\"Boom\"}", attempts: 1 });
  });
});

describe("swfTimeline", () => {
  const ev = (eventId: number, eventType: string, t: number, attrs: object = {}) => ({
    eventId, eventType, eventTimestamp: t,
    [eventType[0].toLowerCase() + eventType.slice(1) + "EventAttributes"]: attrs,
  });
  it("draws decision tasks, activities, timers and children as bars", () => {
    const bars = swfTimeline([
      ev(1, "WorkflowExecutionStarted", 0),
      ev(2, "DecisionTaskScheduled", 0),
      ev(3, "DecisionTaskStarted", 1, { scheduledEventId: 2 }),
      ev(4, "DecisionTaskCompleted", 2, { scheduledEventId: 2 }),
      ev(5, "ActivityTaskScheduled", 2, { activityId: "a1", activityType: { name: "encode" } }),
      ev(6, "TimerStarted", 2, { timerId: "t1" }),
      ev(7, "StartChildWorkflowExecutionInitiated", 2, { workflowId: "kid" }),
      ev(8, "ActivityTaskFailed", 5, { scheduledEventId: 5 }),
      ev(9, "TimerFired", 6, { startedEventId: 6 }),
    ]);
    expect(bars.map((b) => [b.kind, b.label, b.start, b.end, b.outcome])).toEqual([
      ["decision", "decision", 0, 2, "completed"],
      ["activity", "encode a1", 2, 5, "failed"],
      ["timer", "timer t1", 2, 6, "fired"],
      ["child", "child kid", 2, undefined, "open"],
    ]);
  });
});

describe("payloadOf", () => {
  it("finds either front door's payload", () => {
    expect(payloadOf({ id: 1, type: "TaskFailed", taskFailedEventDetails: { error: "E" } })).toEqual({ error: "E" });
    expect(payloadOf({ eventId: 1, eventType: "TimerFired", timerFiredEventAttributes: { timerId: "t" } }))
      .toEqual({ timerId: "t" });
    expect(payloadOf({ id: 2, type: "ParallelStateStarted" })).toBeUndefined();
  });
});
