// What the console's end-to-end scripts share: Debian's chromium through
// playwright-core (CHROMIUM, headless), one page at a laptop's size, the
// page errors it raised, and full-page screenshots into SHOTS_DIR.
import { chromium } from "playwright-core";
import path from "node:path";

export async function openBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const shot = (name) =>
    page.screenshot({ path: path.join(process.env.SHOTS_DIR, `${name}.png`), fullPage: true });
  return { browser, page, errors, shot };
}
