// The AWS SDK for JavaScript v3 against a weft server started with
// --credentials: $WEFT_URL, the keys $ADMIN_KEY_ID/$ADMIN_SECRET (may do
// everything) and $READER_KEY_ID/$READER_SECRET (may only list and
// describe). Signed calls go through; an unknown key, a wrong secret and a
// refused action get AWS's errors, by name, through the SDK.
// Run by ../test_auth.py; exits non-zero on the first failed check.
import assert from "node:assert/strict";
import {
  SFNClient, CreateStateMachineCommand, StartExecutionCommand, DescribeExecutionCommand,
  ListStateMachinesCommand,
} from "@aws-sdk/client-sfn";
import { SWFClient, RegisterDomainCommand } from "@aws-sdk/client-swf";

const endpoint = process.env.WEFT_URL;
const client = (Client, accessKeyId, secretAccessKey) => new Client({
  endpoint, region: "eu-west-1", maxAttempts: 1, credentials: { accessKeyId, secretAccessKey },
});
const admin = client(SFNClient, process.env.ADMIN_KEY_ID, process.env.ADMIN_SECRET);
const reader = client(SFNClient, process.env.READER_KEY_ID, process.env.READER_SECRET);
const uniq = (p) => `${p}-${Math.random().toString(16).slice(2, 14)}`;

const { stateMachineArn } = await admin.send(new CreateStateMachineCommand({
  name: uniq("js-keys"), roleArn: "arn:aws:iam::123456789012:role/weft",
  definition: JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", End: true } } }),
}));
assert.match(stateMachineArn, /^arn:aws:states:eu-west-1:/);
const { executionArn } = await admin.send(new StartExecutionCommand({ stateMachineArn }));
for (let i = 0; i < 50; i++) {
  const d = await reader.send(new DescribeExecutionCommand({ executionArn }));  // reader may describe
  if (d.status === "SUCCEEDED") break;
  await new Promise((r) => setTimeout(r, 100));
}

const fault = async (promise) => {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error("expected a fault");
};
let e = await fault(reader.send(new StartExecutionCommand({ stateMachineArn })));
assert.equal(e.name, "AccessDeniedException");
assert.match(e.message, /is not authorized to perform: states:StartExecution on resource: arn:aws:states:eu-west-1:/);
e = await fault(client(SFNClient, "AKIAWEFTNOBODY000001", "x".repeat(40)).send(new ListStateMachinesCommand({})));
assert.equal(e.name, "UnrecognizedClientException");
e = await fault(client(SFNClient, process.env.ADMIN_KEY_ID, "wrong".repeat(8)).send(new ListStateMachinesCommand({})));
assert.equal(e.name, "InvalidSignatureException");
e = await fault(client(SWFClient, process.env.READER_KEY_ID, process.env.READER_SECRET)
  .send(new RegisterDomainCommand({ name: uniq("closed"), workflowExecutionRetentionPeriodInDays: "1" })));
assert.equal(e.name, "OperationNotPermittedFault");
console.log(JSON.stringify({ ok: true }));
