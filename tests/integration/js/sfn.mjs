// The AWS SDK for JavaScript v3 (@aws-sdk/client-sfn) against a real weft
// server at $WEFT_URL: a state machine whose Task an activity worker serves,
// DescribeExecution, GetExecutionHistory (paged), ListExecutions,
// StartSyncExecution on an Express state machine (disableHostPrefix: the
// SDK would otherwise send it to sync-<host>), and a fault by name.
// Run by ../test_sfn_js.py; exits non-zero on the first failed check.
import assert from "node:assert/strict";
import {
  SFNClient, CreateActivityCommand, CreateStateMachineCommand, StartExecutionCommand,
  GetActivityTaskCommand, SendTaskSuccessCommand, SendTaskFailureCommand,
  DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand,
  StartSyncExecutionCommand, ExecutionDoesNotExist, paginateGetExecutionHistory,
} from "@aws-sdk/client-sfn";

const endpoint = process.env.WEFT_URL;
if (!endpoint) throw new Error("WEFT_URL is not set");
const sfn = new SFNClient({
  endpoint, region: "us-east-1", disableHostPrefix: true, maxAttempts: 1,
  credentials: { accessKeyId: "x", secretAccessKey: "x" },
});
const role = "arn:aws:iam::123456789012:role/weft-test";
const uniq = (p) => `${p}-${Math.random().toString(16).slice(2, 14)}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitClosed(executionArn, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== "RUNNING") return d;
    if (Date.now() > deadline) throw new Error(`${executionArn} still RUNNING`);
    await sleep(50);
  }
}

// An activity worker: polls until `count` tasks are done.
async function worker(activityArn, count, handle) {
  let done = 0;
  const deadline = Date.now() + 20000;
  while (done < count && Date.now() < deadline) {
    const task = await sfn.send(new GetActivityTaskCommand({ activityArn, workerName: "js" }));
    if (!task.taskToken) continue;
    const input = JSON.parse(task.input);
    if (input.fail) {
      await sfn.send(new SendTaskFailureCommand({
        taskToken: task.taskToken, error: "Js.Failed", cause: `item ${input.n}` }));
    } else {
      await sfn.send(new SendTaskSuccessCommand({
        taskToken: task.taskToken, output: JSON.stringify(handle(input)) }));
    }
    done++;
  }
  assert.equal(done, count, "the worker got every task");
}

const checks = [];

// 1. Standard state machine + activity worker.
const { activityArn } = await sfn.send(new CreateActivityCommand({ name: uniq("jsact") }));
const definition = {
  StartAt: "Work",
  States: { Work: { Type: "Task", Resource: activityArn, ResultPath: "$.out", End: true } },
};
const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({
  name: uniq("js"), definition: JSON.stringify(definition), roleArn: role }));
const started = [];
for (const n of [1, 2, 3]) {
  const r = await sfn.send(new StartExecutionCommand({
    stateMachineArn, name: `n${n}`, input: JSON.stringify({ n, fail: n === 3 }) }));
  assert.ok(r.startDate instanceof Date);
  started.push(r.executionArn);
}
await worker(activityArn, 3, (input) => ({ tripled: input.n * 3 }));
for (const [i, arn] of started.entries()) {
  const d = await waitClosed(arn);
  if (i < 2) {
    assert.equal(d.status, "SUCCEEDED");
    assert.deepEqual(JSON.parse(d.output), { n: i + 1, fail: false, out: { tripled: 3 * (i + 1) } });
  } else {
    assert.equal(d.status, "FAILED");
    assert.equal(d.error, "Js.Failed");
    assert.equal(d.cause, "item 3");
  }
  assert.ok(d.stopDate >= d.startDate);
}
checks.push("activity worker");

// 2. History, paged by the SDK's paginator and by hand.
const events = [];
for await (const page of paginateGetExecutionHistory(
  { client: sfn, pageSize: 2 }, { executionArn: started[0] })) {
  assert.ok(page.events.length <= 2);
  events.push(...page.events);
}
assert.deepEqual(events.map((e) => e.id), events.map((_, i) => i + 1));
assert.deepEqual(events.map((e) => e.type), [
  "ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted",
  "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"]);
assert.equal(events[3].activityStartedEventDetails.workerName, "js");
assert.ok(events.every((e) => e.timestamp instanceof Date));
const reversed = await sfn.send(new GetExecutionHistoryCommand({
  executionArn: started[0], reverseOrder: true, includeExecutionData: false }));
assert.deepEqual(reversed.events.map((e) => e.id), events.map((e) => e.id).reverse());
assert.equal(reversed.events[0].executionSucceededEventDetails.output, undefined);
checks.push("history");

// 3. ListExecutions with a status filter.
const failed = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: "FAILED" }));
assert.deepEqual(failed.executions.map((e) => e.executionArn), [started[2]]);
const all = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
assert.deepEqual(new Set(all.executions.map((e) => e.executionArn)), new Set(started));
checks.push("list executions");

// 4. StartSyncExecution on an Express state machine.
const express = await sfn.send(new CreateStateMachineCommand({
  name: uniq("jsx"), type: "EXPRESS", roleArn: role,
  definition: JSON.stringify({ StartAt: "P", States: {
    P: { Type: "Pass", Parameters: { "greeting.$": "States.Format('hello {}', $.who)" }, End: true } } }) }));
const sync = await sfn.send(new StartSyncExecutionCommand({
  stateMachineArn: express.stateMachineArn, input: JSON.stringify({ who: "js" }) }));
assert.equal(sync.status, "SUCCEEDED");
assert.deepEqual(JSON.parse(sync.output), { greeting: "hello js" });
assert.ok(sync.billingDetails.billedDurationInMilliseconds >= 100);
assert.ok(sync.executionArn.includes(":express:"));
checks.push("start sync execution");

// 5. A fault arrives as its modelled exception class.
await assert.rejects(
  sfn.send(new DescribeExecutionCommand({ executionArn: started[0] + "-ghost" })),
  (e) => e instanceof ExecutionDoesNotExist && e.$metadata.httpStatusCode === 400);
checks.push("faults");

console.log(JSON.stringify({ ok: true, checks }));
