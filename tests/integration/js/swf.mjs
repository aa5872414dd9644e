// The AWS SDK for JavaScript v3 (@aws-sdk/client-swf) against a real weft
// server at $WEFT_URL: a parent workflow whose decider starts a child
// workflow and signals it, the child's decider completes it with the signal's
// input, the parent completes with the child's result; the history read with
// the SDK's paginator; a modelled fault by name.
// Run by ../test_swf_js.py; exits non-zero on the first failed check.
import assert from "node:assert/strict";
import {
  SWFClient, RegisterDomainCommand, RegisterWorkflowTypeCommand, StartWorkflowExecutionCommand,
  PollForDecisionTaskCommand, RespondDecisionTaskCompletedCommand,
  DescribeWorkflowExecutionCommand, UnknownResourceFault,
  paginateGetWorkflowExecutionHistory,
} from "@aws-sdk/client-swf";

const endpoint = process.env.WEFT_URL;
if (!endpoint) throw new Error("WEFT_URL is not set");
const swf = new SWFClient({
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "x", secretAccessKey: "x" },
});
const uniq = (p) => `${p}-${Math.random().toString(16).slice(2, 14)}`;

const domain = uniq("js");
const type = { name: "parent-and-child", version: "1" };
const parentList = uniq("parent"), childList = uniq("child");
await swf.send(new RegisterDomainCommand({ name: domain, workflowExecutionRetentionPeriodInDays: "1" }));
await swf.send(new RegisterWorkflowTypeCommand({
  domain, ...type, defaultExecutionStartToCloseTimeout: "300",
  defaultTaskStartToCloseTimeout: "30", defaultChildPolicy: "TERMINATE",
}));

async function decisionTask(taskList) {
  for (let i = 0; i < 20; i++) {
    const t = await swf.send(new PollForDecisionTaskCommand({ domain, taskList: { name: taskList } }));
    if (t.taskToken) return t;
  }
  throw new Error(`no decision task on ${taskList}`);
}
const decide = (t, decisions) =>
  swf.send(new RespondDecisionTaskCompletedCommand({ taskToken: t.taskToken, decisions }));
const types = (t) => t.events.map((e) => e.eventType);

const parentId = uniq("parent"), childId = uniq("child");
const { runId } = await swf.send(new StartWorkflowExecutionCommand({
  domain, workflowId: parentId, workflowType: type, taskList: { name: parentList }, input: "go",
}));

// Parent: start the child.
let t = await decisionTask(parentList);
await decide(t, [{
  decisionType: "StartChildWorkflowExecution",
  startChildWorkflowExecutionDecisionAttributes: {
    workflowType: type, workflowId: childId, taskList: { name: childList }, input: "from parent",
  },
}]);
// Parent: the child started; signal it.
t = await decisionTask(parentList);
assert.ok(types(t).includes("ChildWorkflowExecutionStarted"), types(t).join());
await decide(t, [{
  decisionType: "SignalExternalWorkflowExecution",
  signalExternalWorkflowExecutionDecisionAttributes: {
    workflowId: childId, signalName: "ping", input: "pong",
  },
}]);
// Child: complete with what the signal carried.
let c = await decisionTask(childList);
assert.equal(c.events[0].workflowExecutionStartedEventAttributes.parentWorkflowExecution.workflowId,
             parentId);
while (!types(c).includes("WorkflowExecutionSignaled")) {
  await decide(c, []);
  c = await decisionTask(childList);
}
const signaled = c.events.find((e) => e.eventType === "WorkflowExecutionSignaled");
await decide(c, [{
  decisionType: "CompleteWorkflowExecution",
  completeWorkflowExecutionDecisionAttributes: {
    result: signaled.workflowExecutionSignaledEventAttributes.input,
  },
}]);
// Parent: complete with the child's result.
for (;;) {
  t = await decisionTask(parentList);
  const done = t.events.find((e) => e.eventType === "ChildWorkflowExecutionCompleted");
  if (done) {
    assert.equal(done.childWorkflowExecutionCompletedEventAttributes.result, "pong");
    await decide(t, [{
      decisionType: "CompleteWorkflowExecution",
      completeWorkflowExecutionDecisionAttributes: { result: "child said pong" },
    }]);
    break;
  }
  await decide(t, []);
}

const info = await swf.send(new DescribeWorkflowExecutionCommand({
  domain, execution: { workflowId: parentId, runId },
}));
assert.equal(info.executionInfo.closeStatus, "COMPLETED");
const history = [];
for await (const page of paginateGetWorkflowExecutionHistory(
  { client: swf, pageSize: 3 }, { domain, execution: { workflowId: parentId, runId } })) {
  history.push(...page.events);
}
assert.deepEqual(history.map((e) => e.eventId), history.map((_, i) => i + 1));
assert.equal(history.at(-1).eventType, "WorkflowExecutionCompleted");

await assert.rejects(
  swf.send(new DescribeWorkflowExecutionCommand({
    domain, execution: { workflowId: uniq("nobody"), runId: "x" },
  })),
  (e) => e instanceof UnknownResourceFault);

console.log(JSON.stringify({ ok: true, events: history.length }));
