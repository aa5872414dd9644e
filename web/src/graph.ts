// The graph of an Amazon States Language definition: one node per state
// (Parallel branches and a Map's item processor as nested groups), one edge
// per transition (Next, Choice rules and Default, Catch), plus Start and End.
// Pure: no layout, no React; layout.ts places the nodes.

export type StateType =
  | "Pass" | "Task" | "Choice" | "Wait" | "Succeed" | "Fail" | "Parallel" | "Map";

export interface GraphNode {
  id: string;          // unique in the graph: the path of enclosing states + name
  label: string;       // the state's name
  type: StateType | "Start" | "End";
  parent?: string;     // the id of the enclosing group (a branch, an item processor)
  group?: boolean;     // a Parallel branch or a Map's item processor
  retry?: number;      // the number of retriers on the state
  catchers?: number;   // the number of catchers
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  label?: string;      // a Choice rule, "Default", a Catch's errors
  kind: "next" | "choice" | "default" | "catch";
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

type Json = Record<string, unknown>;

// A short text for a Choice rule: `$.x == 3`, `not(...)`, `and(2)`.
export function describeRule(rule: Json): string {
  if (Array.isArray(rule.And)) return `and(${rule.And.length})`;
  if (Array.isArray(rule.Or)) return `or(${rule.Or.length})`;
  if (rule.Not && typeof rule.Not === "object") return `not(${describeRule(rule.Not as Json)})`;
  if (typeof rule.Condition === "string") return rule.Condition;
  const variable = typeof rule.Variable === "string" ? rule.Variable : "";
  const ops: Record<string, string> = {
    Equals: "==", NotEquals: "!=", LessThan: "<", GreaterThan: ">",
    LessThanEquals: "<=", GreaterThanEquals: ">=",
  };
  for (const key of Object.keys(rule)) {
    if (key === "Variable" || key === "Next") continue;
    const m = key.match(/^(String|Numeric|Boolean|Timestamp)?(Equals|NotEquals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals|Matches)(Path)?$/);
    if (m) {
      const op = m[2] === "Matches" ? "matches" : ops[m[2]];
      return `${variable} ${op} ${JSON.stringify(rule[key])}`;
    }
    if (/^Is(Null|Present|Numeric|String|Boolean|Timestamp)$/.test(key))
      return `${variable} ${key}=${String(rule[key])}`;
  }
  return variable || "rule";
}

export function buildGraph(definition: Json): Graph {
  const graph: Graph = { nodes: [], edges: [] };
  addBlock(graph, definition, "", undefined);
  return graph;
}

// A block: StartAt + States, inside `parent` (or at the top).
function addBlock(graph: Graph, block: Json, prefix: string, parent: string | undefined) {
  const states = (block.States ?? {}) as Record<string, Json>;
  const id = (name: string) => prefix + name;
  const start = prefix + "__start", end = prefix + "__end";
  graph.nodes.push({ id: start, label: "Start", type: "Start", parent });
  let edgeCount = 0;
  const edge = (source: string, target: string, kind: GraphEdge["kind"], label?: string) =>
    graph.edges.push({ id: `${prefix}e${edgeCount++}`, source, target, kind, label });
  if (typeof block.StartAt === "string" && states[block.StartAt])
    edge(start, id(block.StartAt), "next");
  let reachesEnd = false;
  for (const [name, state] of Object.entries(states)) {
    const type = String(state.Type) as StateType;
    const node: GraphNode = { id: id(name), label: name, type, parent };
    if (Array.isArray(state.Retry) && state.Retry.length) node.retry = state.Retry.length;
    if (Array.isArray(state.Catch) && state.Catch.length) node.catchers = state.Catch.length;
    graph.nodes.push(node);
    const target = (next: unknown) => (typeof next === "string" && states[next] ? id(next) : undefined);
    if (typeof state.Next === "string" && target(state.Next)) edge(node.id, id(state.Next), "next");
    if (state.End === true || type === "Succeed" || type === "Fail") {
      edge(node.id, end, "next");
      reachesEnd = true;
    }
    if (type === "Choice") {
      for (const rule of (state.Choices ?? []) as Json[]) {
        const t = target(rule.Next);
        if (t) edge(node.id, t, "choice", describeRule(rule));
      }
      const d = target(state.Default);
      if (d) edge(node.id, d, "default", "Default");
    }
    for (const c of (state.Catch ?? []) as Json[]) {
      const t = target(c.Next);
      if (t) edge(node.id, t, "catch", `Catch ${(c.ErrorEquals as string[] | undefined)?.join(", ") ?? ""}`);
    }
    if (type === "Parallel") {
      ((state.Branches ?? []) as Json[]).forEach((branch, i) => {
        const groupId = `${node.id}/branch${i}`;
        graph.nodes.push({ id: groupId, label: `Branch ${i + 1}`, type: "Parallel", parent: node.id, group: true });
        addBlock(graph, branch, groupId + "/", groupId);
      });
    }
    if (type === "Map") {
      const processor = (state.ItemProcessor ?? state.Iterator) as Json | undefined;
      if (processor) {
        const groupId = `${node.id}/items`;
        graph.nodes.push({ id: groupId, label: "Item processor", type: "Map", parent: node.id, group: true });
        addBlock(graph, processor, groupId + "/", groupId);
      }
    }
  }
  if (reachesEnd) graph.nodes.push({ id: end, label: "End", type: "End", parent });
}

// --- An execution's progress, from its history -------------------------

export type StateStatus = "succeeded" | "failed" | "caught" | "running" | "not-reached";

export interface HistoryEvent {
  id: number;
  type: string;
  timestamp?: number | string;
  previousEventId?: number;
  [details: string]: unknown;
}

// The status of each top-level state (by name) after the first `upTo`
// events of the history (all of them by default): what the graph looked
// like at that moment. A state entered and not exited is running; exited,
// succeeded; a failure that a Catch handled (the next state entered after a
// failure event) is caught.
export function stateStatuses(events: HistoryEvent[], upTo = events.length): Map<string, StateStatus> {
  const statuses = new Map<string, StateStatus>();
  let current: string | undefined;
  let failedInCurrent = false;
  for (const e of events.slice(0, upTo)) {
    const entered = detailsOf(e, "Entered");
    const exited = detailsOf(e, "Exited");
    if (entered && e.type.endsWith("StateEntered")) {
      if (current && failedInCurrent) statuses.set(current, "caught");
      current = String(entered.name);
      failedInCurrent = false;
      statuses.set(current, "running");
    } else if (exited && e.type.endsWith("StateExited")) {
      statuses.set(String(exited.name), failedInCurrent ? "caught" : "succeeded");
      current = undefined;
    } else if (/(Failed|TimedOut|Aborted)$/.test(e.type) && current) {
      failedInCurrent = true;
      if (e.type === "ExecutionFailed" || e.type === "ExecutionTimedOut" || e.type === "ExecutionAborted")
        statuses.set(current, "failed");
    }
  }
  return statuses;
}

function detailsOf(e: HistoryEvent, suffix: string): Json | undefined {
  const key = `state${suffix}EventDetails`;
  return (e[key] as Json | undefined) ?? undefined;
}

// What happened in one top-level state: its input and output, the last
// error and cause, how many times its work was scheduled (1 + retries), and
// when it was entered and left (its last visit).
export interface StateDetail {
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  attempts: number;
  enteredAt?: number | string;
  exitedAt?: number | string;
}

export function stateDetail(events: HistoryEvent[], name: string): StateDetail | undefined {
  let found: StateDetail | undefined;
  let inside = false;  // between the state's Entered and its Exited (states nested in it included)
  for (const e of events) {
    const entered = detailsOf(e, "Entered");
    const exited = detailsOf(e, "Exited");
    if (entered && e.type.endsWith("StateEntered")) {
      if (!inside && entered.name === name) {
        inside = true;
        found = { input: String(entered.input ?? ""), attempts: 0, enteredAt: e.timestamp };
      }
    } else if (exited && e.type.endsWith("StateExited")) {
      if (inside && exited.name === name && found) {
        found.output = String(exited.output ?? "");
        found.exitedAt = e.timestamp;
        inside = false;
      }
    } else if (inside && found) {
      if (/Scheduled$/.test(e.type) || e.type === "ParallelStateStarted" || e.type === "MapStateStarted")
        found.attempts += 1;
      const details = payloadOf(e) as Json | undefined;
      if (details && (details.error !== undefined || details.cause !== undefined)) {
        found.error = details.error === undefined ? undefined : String(details.error);
        found.cause = details.cause === undefined ? undefined : String(details.cause);
      }
    }
  }
  return found;
}

// An event's payload, whichever front door wrote it: the member ending in
// "EventDetails" (Step Functions) or "EventAttributes" (SWF); undefined if none.
export function payloadOf(e: object): unknown {
  const entry = Object.entries(e).find(([k]) => k.endsWith("EventDetails") || k.endsWith("EventAttributes"));
  return entry?.[1];
}

// --- An SWF execution as a timeline --------------------------------------

export interface TimelineBar {
  id: string;
  kind: "decision" | "activity" | "timer" | "child" | "lambda";
  label: string;
  start: number;           // seconds since the epoch
  end?: number;            // open bars run to "now"
  outcome: string;         // "completed", "failed", "timed out", "open", ...
}

interface SwfEvent {
  eventId: number;
  eventType: string;
  eventTimestamp: number;
  [attributes: string]: unknown;
}

const attrsOf = (e: SwfEvent): Json => {
  const key = e.eventType[0].toLowerCase() + e.eventType.slice(1) + "EventAttributes";
  return (e[key] as Json | undefined) ?? {};
};

// One bar per decision task, activity, timer, child workflow and Lambda
// function, from scheduled (or started, or initiated) to its closing event.
export function swfTimeline(events: SwfEvent[]): TimelineBar[] {
  const bars = new Map<number, TimelineBar>();  // by the id of the event that opened it
  const open = (e: SwfEvent, kind: TimelineBar["kind"], label: string) =>
    bars.set(e.eventId, { id: `${kind}-${e.eventId}`, kind, label, start: e.eventTimestamp, outcome: "open" });
  const close = (e: SwfEvent, key: string) => {
    const bar = bars.get(Number(attrsOf(e)[key]));
    if (!bar) return;
    bar.end = e.eventTimestamp;
    bar.outcome = e.eventType.replace(/^(DecisionTask|ActivityTask|Timer|ChildWorkflowExecution|LambdaFunction)/, "")
      .replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  };
  for (const e of events) {
    const a = attrsOf(e);
    switch (e.eventType) {
      case "DecisionTaskScheduled": open(e, "decision", "decision"); break;
      case "DecisionTaskCompleted": case "DecisionTaskTimedOut": close(e, "scheduledEventId"); break;
      case "ActivityTaskScheduled":
        open(e, "activity", `${(a.activityType as Json)?.name ?? "activity"} ${a.activityId}`); break;
      case "ActivityTaskCompleted": case "ActivityTaskFailed": case "ActivityTaskTimedOut":
      case "ActivityTaskCanceled": close(e, "scheduledEventId"); break;
      case "TimerStarted": open(e, "timer", `timer ${a.timerId}`); break;
      case "TimerFired": case "TimerCanceled": close(e, "startedEventId"); break;
      case "StartChildWorkflowExecutionInitiated": open(e, "child", `child ${a.workflowId}`); break;
      case "ChildWorkflowExecutionCompleted": case "ChildWorkflowExecutionFailed":
      case "ChildWorkflowExecutionTimedOut": case "ChildWorkflowExecutionCanceled":
      case "ChildWorkflowExecutionTerminated": case "StartChildWorkflowExecutionFailed":
        close(e, "initiatedEventId"); break;
      case "LambdaFunctionScheduled": open(e, "lambda", `lambda ${a.name}`); break;
      case "LambdaFunctionCompleted": case "LambdaFunctionFailed": case "LambdaFunctionTimedOut":
        close(e, "scheduledEventId"); break;
    }
  }
  return [...bars.values()];
}
