// End-to-end checks of the console in a real browser (Debian's chromium,
// driven by playwright-core) against a running weft: WEFT_URL, and the ARNs
// the Python side created (MACHINE_ARN, EXECUTION_ARN). Screenshots go to
// SHOTS_DIR. Prints "ok" and exits 0 when every check holds.
import assert from "node:assert/strict";
import { openBrowser } from "./browser.mjs";

const url = process.env.WEFT_URL;
const { browser, page, errors, shot } = await openBrowser();
const link = (...parts) => "#/" + parts.map(encodeURIComponent).join("/");

try {
  // Overview: the state machine is listed.
  await page.goto(url + "/");
  await page.getByRole("link", { name: process.env.MACHINE_NAME }).waitFor();

  // The state machine's graph: every state and nested state drawn.
  await page.goto(url + "/" + link("machines", process.env.MACHINE_ARN));
  for (const name of ["Check", "Fan", "A", "B", "Each", "Work", "Risky", "Boom", "Handler", "Done", "Skip"])
    await page.locator(`[data-state="${name}"]`).first().waitFor({ timeout: 10000 });
  const edgeLabels = await page.locator(".react-flow__edge-text").allTextContents();
  assert.ok(edgeLabels.includes("Default"), `edge labels: ${edgeLabels}`);
  assert.ok(edgeLabels.some((l) => l.includes("$.n > 3")), `edge labels: ${edgeLabels}`);
  await shot("state-machine");

  // The execution: a failure in Risky was caught, the rest succeeded.
  await page.goto(url + "/" + link("executions", process.env.EXECUTION_ARN));
  await page.locator('[data-testid="execution-status"]', { hasText: "SUCCEEDED" }).waitFor();
  const status = (name) => page.locator(`[data-state="${name}"]`).first().getAttribute("data-status");
  await page.locator('[data-state="Done"][data-status="succeeded"]').waitFor({ timeout: 10000 });
  assert.equal(await status("Risky"), "caught");
  assert.equal(await status("Handler"), "succeeded");
  assert.equal(await status("Skip"), "");  // not reached
  // A group's own label: its middle is covered by the states inside it.
  await page.locator('[data-state="Risky"] .group-label').click();
  const detail = page.locator('[data-testid="state-detail"]');
  await detail.waitFor();
  assert.match(await detail.innerText(), /Boom/);
  await shot("execution");

  // The time slider replays an earlier moment: Done not reached yet.
  const slider = page.getByLabel("Replay to event");
  await slider.fill("3");
  await page.waitForFunction(() =>
    document.querySelector('[data-state="Done"]')?.getAttribute("data-status") === "");

  // A running execution's graph changes colour as it advances, with no reload.
  const started = await fetch(url + "/", {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.StartExecution" },
    body: JSON.stringify({ stateMachineArn: process.env.LIVE_MACHINE_ARN }),
  }).then((r) => r.json());
  await page.goto(url + "/" + link("executions", started.executionArn));
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.locator('[data-state="W2"][data-status="running"]').waitFor({ timeout: 15000 });
  await page.locator('[data-state="Finish"][data-status="succeeded"]').waitFor({ timeout: 15000 });
  await page.locator('[data-testid="execution-status"]', { hasText: "SUCCEEDED" }).waitFor({ timeout: 10000 });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was reloaded");
  await shot("execution-live");

  // The designer: three states dragged from the palette, connected in the
  // form, a validation problem shown on its state, fixed, and saved.
  await page.goto(url + "/#/designer");
  const canvas = page.getByTestId("canvas");
  for (const type of ["Pass", "Wait", "Succeed"]) {
    await page.locator(`[data-palette="${type}"]`).dragTo(canvas);
    await page.locator(`[data-state="${type}1"]`).waitFor({ timeout: 10000 });
  }
  await page.locator('[data-state="Pass1"]').click();
  await page.getByLabel("Next").selectOption("Wait1");
  await page.locator('[data-state="Wait1"]').click();
  await page.getByLabel("Next").selectOption("Succeed1");
  await page.getByLabel("Seconds").fill("soon");
  await page.locator('[data-state="Wait1"][data-problems*="Seconds"]').waitFor({ timeout: 10000 });
  await shot("designer-problem");
  await page.getByLabel("Seconds").fill("1");
  await page.locator('[data-testid="validation"]', { hasText: "valid" }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator('[data-state="Wait1"]').getAttribute("data-problems"), "");
  const text = JSON.parse(await page.getByLabel("Definition text").inputValue());
  assert.deepEqual(text.States.Pass1, { Type: "Pass", Next: "Wait1" });
  await page.getByLabel("State machine name").fill(process.env.DESIGNED_NAME);
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("heading", { name: `Designer: ${process.env.DESIGNED_NAME}` }).waitFor({ timeout: 10000 });
  await shot("designer");

  // SWF: the workflow's timeline after a decider/worker run.
  await page.goto(url + "/" + link("swf", process.env.SWF_DOMAIN, process.env.SWF_WORKFLOW_ID, process.env.SWF_RUN_ID));
  await page.getByTestId("timeline").waitFor();
  for (const kind of ["decision", "activity", "timer"])
    await page.locator(`.lane[data-kind="${kind}"]`).first().waitFor();
  assert.equal(await page.locator('.lane[data-kind="activity"]').first().getAttribute("data-outcome"), "completed");
  await page.locator('[data-testid="swf-status"]', { hasText: "COMPLETED" }).waitFor();
  await shot("swf-execution");
  await page.goto(url + "/" + link("swf", process.env.SWF_DOMAIN));
  await page.getByRole("radio", { name: "closed" }).check();
  await page.getByRole("link", { name: process.env.SWF_WORKFLOW_ID }).waitFor();
  await shot("swf-domain");

  // A long history stays responsive: every event is in the list, few rows
  // are in the page, and the last one shows when scrolled to.
  await page.goto(url + "/" + link("executions", process.env.BIG_EXECUTION_ARN));
  const total = Number(process.env.BIG_EVENTS);
  await page.locator(`[data-testid="history"][data-rows="${total}"]`).waitFor({ timeout: 30000 });
  const rendered = await page.locator('[data-testid="history"] [role="row"]').count();
  assert.ok(rendered > 0 && rendered < 200, `rows in the page: ${rendered} of ${total}`);
  await page.locator('[data-testid="history"] .vbody').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.locator('[data-testid="history"] [role="row"]', { hasText: "ExecutionSucceeded" }).waitFor();

  // The overview reads the counters.
  await page.goto(url + "/");
  await page.getByTestId("counts-sfn").waitFor();
  await shot("overview");

  assert.deepEqual(errors, []);
  console.log("ok");
} finally {
  await browser.close();
}
