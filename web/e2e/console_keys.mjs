// The console against a server that checks signatures (--credentials): it
// asks for a key, signs every API call with it, and follows a running
// execution live through a presigned /console/events URL. WEFT_URL,
// ACCESS_KEY_ID, SECRET_ACCESS_KEY, MACHINE_ARN, MACHINE_NAME (a machine
// W1 -> W2 -> Finish with two 2 s Waits), SHOTS_DIR. Prints "ok".
import assert from "node:assert/strict";
import { openBrowser } from "./browser.mjs";

const url = process.env.WEFT_URL;
const { browser, page, errors, shot } = await openBrowser();

try {
  await page.goto(url + "/");
  const dialog = page.getByRole("dialog", { name: "Access key" });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /MissingAuthenticationTokenException/);
  await shot("key-dialog");
  await page.getByLabel("Access key id").fill(process.env.ACCESS_KEY_ID);
  await page.getByLabel("Secret access key").fill(process.env.SECRET_ACCESS_KEY);
  await page.getByRole("button", { name: "Use this key" }).click();
  await page.getByRole("link", { name: process.env.MACHINE_NAME }).waitFor();

  // Start from the console (a signed StartExecution) and watch it live.
  await page.goto(url + "/#/machines/" + encodeURIComponent(process.env.MACHINE_ARN));
  await page.getByRole("button", { name: "Start" }).click();
  await page.locator('[data-state="W2"][data-status="running"]').waitFor({ timeout: 15000 });
  await page.locator('[data-state="Finish"][data-status="succeeded"]').waitFor({ timeout: 15000 });
  await page.locator('[data-testid="execution-status"]', { hasText: "SUCCEEDED" }).waitFor({ timeout: 10000 });
  assert.equal(await page.getByRole("dialog", { name: "Access key" }).count(), 0);
  assert.deepEqual(errors, []);
  console.log("ok");
} finally {
  await browser.close();
}
