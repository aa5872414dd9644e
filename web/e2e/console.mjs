// End-to-end checks of the console in a real browser (Debian's chromium,
// driven by playwright-core) against a running weft: WEFT_URL, and the ARNs
// the Python side created (MACHINE_ARN, EXECUTION_ARN). Screenshots go to
// SHOTS_DIR. Prints "ok" and exits 0 when every check holds.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import path from "node:path";

const url = process.env.WEFT_URL;
const shots = process.env.SHOTS_DIR;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
const link = (...parts) => "#/" + parts.map(encodeURIComponent).join("/");

try {
  // Overview: the state machine is listed.
  await page.goto(url + "/");
  await page.getByRole("link", { name: process.env.MACHINE_NAME }).waitFor();
  await shot("overview");

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
  await page.locator('[data-state="Risky"]').first().click();
  const detail = page.locator('[data-testid="state-detail"]');
  await detail.waitFor();
  assert.match(await detail.innerText(), /Boom/);
  await shot("execution");

  // The time slider replays an earlier moment: Done not reached yet.
  const slider = page.getByLabel("Replay to event");
  await slider.fill("3");
  await page.waitForFunction(() =>
    document.querySelector('[data-state="Done"]')?.getAttribute("data-status") === "");
  assert.deepEqual(errors, []);
  console.log("ok");
} finally {
  await browser.close();
}
