import { describe, expect, it } from "vitest";
import { buildGraph, describeRule, stateStatuses } from "./graph";

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
