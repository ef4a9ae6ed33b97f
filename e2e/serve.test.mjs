// End-to-end tests of `stemma serve` in a real headless browser: Debian's chromium driven by
// playwright-core (no browser download). The suite starts the server itself on a free
// loopback port over a fresh index, and stops it at the end. Screenshots go to target/e2e/.
//
//   STEMMA_BIN   the stemma binary (default: target/debug/stemma)
//   CHROMIUM     the browser (default: /usr/bin/chromium)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = process.env.STEMMA_BIN || join(root, "target/debug/stemma");
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
const shots = join(root, "target/e2e");
mkdirSync(shots, { recursive: true });

const GPL =
  "The licenses for most software are designed to take away your freedom to share and change it. " +
  "By contrast, the GNU General Public License is intended to guarantee your freedom to share and " +
  "change free software, to make sure the software is free for all its users. This General Public " +
  "License applies to most of the Free Software Foundation's software and to any other program " +
  "whose authors commit to using it.";
const DRAFT =
  "Our policy memo starts with a few words of its own about procurement. " +
  "The licenses for most software are designed to take away your freedom to share and change it. " +
  "By contrast, the GNU General Public License is intended to guarantee your freedom to share and " +
  "change free software. The memo then ends with a recommendation nobody else wrote.";
// Every way document text could try to run in the page: each must show as text.
const ATTACKS = [
  "<script>document.documentElement.setAttribute('data-pwned','script')</script>",
  "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">",
  "<svg onload=\"document.documentElement.setAttribute('data-pwned','svg')\"></svg>",
  "<a id=\"jslink\" href=\"javascript:document.documentElement.setAttribute('data-pwned','href')\">click me</a>",
  "\"><iframe srcdoc=\"<script>parent.document.documentElement.setAttribute('data-pwned','frame')</script>\">",
].join(" ");

let server;
let base;
let context;
let work;
const problems = [];

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitUp(url, ms) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch (e) {
      if (Date.now() > end) throw new Error(`server did not answer at ${url}: ${e}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "stemma-e2e-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(bin, ["serve", "--bind", `127.0.0.1:${port}`, "--index", join(work, "index")], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitUp(`${base}/api/openapi.json`, 30000);
  context = await chromium.launchPersistentContext(join(work, "profile"), {
    executablePath: browserPath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  // Loopback only: anything else the page asks for is a failure (and is not fetched).
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || url.hostname === "127.0.0.1") {
      return route.continue();
    }
    problems.push(`request to ${url.href}`);
    return route.abort();
  });
});

after(async () => {
  if (context) await context.close();
  if (server) {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

async function newPage() {
  const page = await context.newPage();
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  return page;
}

/// Nothing from the attacks ran or became markup, in the page or in its frames.
async function assertInert(page) {
  for (const frame of page.frames()) {
    const found = await frame.evaluate(() => ({
      pwned: document.documentElement.getAttribute("data-pwned"),
      img: document.querySelectorAll("img[src=x], svg[onload], iframe[srcdoc], #jslink").length,
      js: document.querySelectorAll("a[href^='javascript:' i]").length,
      scripts: [...document.scripts].filter((s) => s.textContent.includes("pwned")).length,
    }));
    assert.deepEqual(found, { pwned: null, img: 0, js: 0, scripts: 0 }, `frame ${frame.url()}`);
  }
  assert.deepEqual(problems, []);
}

test("compare: paste two texts, see linked passages, download the report", async () => {
  const page = await newPage();
  await page.goto(`${base}/compare`);
  await page.fill("#a", `${GPL}\n\n${ATTACKS}`);
  await page.fill("#a_title", "<script>document.documentElement.setAttribute('data-pwned','title')</script>");
  await page.fill("#b", `${DRAFT}\n\n${ATTACKS}`);
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  const frame = page.frame({ name: "result" });
  const marks = frame.locator(".m");
  await marks.first().waitFor();
  assert.ok((await marks.count()) >= 2, "passages highlighted on both sides");
  await assert.doesNotReject(frame.getByText("<script>document.documentElement", { exact: false }).first().waitFor());
  // Linked highlights: hovering a passage in one text outlines it in the other.
  await frame.locator('[data-side="a"] .m').first().hover();
  await frame.locator('[data-side="b"] .m.hl').first().waitFor();
  await page.screenshot({ path: join(shots, "compare.png"), fullPage: true });
  await assertInert(page);

  // The download is the CLI's self-contained report.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download HTML report" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "stemma-compare.html");
  const [json] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download JSON" }).click(),
  ]);
  assert.equal(json.suggestedFilename(), "stemma-compare.json");

  // A phone-width screen: no sideways scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page wider than the phone by ${overflow}px`);
  await page.screenshot({ path: join(shots, "compare-phone.png"), fullPage: true });
  await page.close();
});

test("keyboard: every action of the compare form is reachable with Tab", async () => {
  const page = await newPage();
  await page.goto(`${base}/compare`);
  const seen = new Set();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    seen.add(await page.evaluate(() => {
      const e = document.activeElement;
      return e ? `${e.tagName.toLowerCase()}:${e.id || e.textContent.trim()}` : "";
    }));
  }
  const wanted = ["textarea:a", "input:a_title", "input:a_file", "textarea:b", "input:b_title", "input:b_file",
    "button:Compare", "button:Download HTML report", "button:Download JSON", "a:Trace", "a:Diff", "a:Corpus", "a:Skip to content"];
  for (const want of wanted) {
    assert.ok(seen.has(want), `${want} is not reachable by keyboard: ${[...seen].join(", ")}`);
  }
  // An empty form says what is missing instead of posting.
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await page.locator(".status", { hasText: "Give a text or a file" }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), "a");
  await page.close();
});

test("corpus: upload files with progress, search, then trace a draft against them", async () => {
  const page = await newPage();
  await page.goto(`${base}/corpus`);
  await page.setInputFiles("#files", [
    { name: "gpl-preamble.html", mimeType: "text/html", buffer: Buffer.from(`<!DOCTYPE html><html><head><title>GPL preamble</title></head><body><main><p>${GPL}</p></main></body></html>`) },
    { name: "gardening.txt", mimeType: "text/plain", buffer: Buffer.from("Tomatoes want sun, water and patience; the rain in spring does the rest for the garden.") },
    { name: "<img src=x onerror=alert(1)>.txt", mimeType: "text/plain", buffer: Buffer.from(`${ATTACKS} hostile words stay words`) },
  ]);
  await page.fill("#date", "1991-06-01");
  await page.getByRole("button", { name: "Upload" }).click();
  await page.locator("#upload-status", { hasText: "Added 3" }).waitFor();
  assert.equal(await page.locator("#upload-progress").evaluate((e) => e.value), 100);
  await page.getByRole("link", { name: "gpl-preamble.html" }).waitFor();
  await page.screenshot({ path: join(shots, "corpus.png"), fullPage: true });
  await assertInert(page);

  await page.fill("#q", "tomatoes");
  await page.press("#q", "Enter");
  await page.locator(".hits li", { hasText: "gardening.txt" }).waitFor();
  await assertInert(page);

  // Delete, with the keyboard: two presses of the same button.
  const row = page.locator("tr", { hasText: "hostile" }).or(page.locator("tr", { hasText: "<img src=x" }));
  const del = row.getByRole("button");
  await del.focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  await row.waitFor({ state: "detached" });

  await page.goto(`${base}/`);
  await page.fill("#doc", DRAFT);
  await page.getByRole("button", { name: "Trace", exact: true }).click();
  const frame = page.frame({ name: "result" });
  await frame.locator(".m").first().waitFor();
  await frame.getByText("gpl-preamble.html").first().waitFor();
  await page.screenshot({ path: join(shots, "trace.png"), fullPage: true });
  await assertInert(page);
  // The list is the report's closest-first ranking, each entry with its closeness.
  const first = page.locator("#sources .source-list li").first();
  await first.waitFor();
  assert.match(await first.textContent(), /Side by side with gpl-preamble\.html .* · closeness \d\.\d\d · explains/);
  // A source opens beside the text, with the word-level differences.
  await page.getByRole("button", { name: "Side by side with gpl-preamble.html" }).click();
  const detail = page.frame({ name: "detail" });
  await detail.locator('[data-side="b"] .m').first().waitFor();
  await detail.getByText("gpl-preamble.html").first().waitFor();
  await page.screenshot({ path: join(shots, "trace-source.png"), fullPage: true });
  await assertInert(page);

  // A document's page shows where its text is shared.
  await page.goto(`${base}/corpus/gpl-preamble.html`);
  await page.frameLocator("#result").locator("h1").first().waitFor();
  await page.screenshot({ path: join(shots, "document.png"), fullPage: true });
  await page.close();
});

test("every page fits a phone and prints without its controls", async () => {
  const page = await newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [path, name] of [["/", "trace"], ["/compare", "compare"], ["/diff", "diff"], ["/corpus", "corpus"]]) {
    await page.goto(`${base}${path}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `${path} is wider than a phone by ${overflow}px`);
    await page.screenshot({ path: join(shots, `${name}-phone.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ media: "print" });
  await page.goto(`${base}/corpus`);
  assert.equal(await page.locator("form#upload").isVisible(), false, "no upload form on paper");
  assert.equal(await page.locator("#documents").isVisible(), true);
  await page.screenshot({ path: join(shots, "corpus-print.png"), fullPage: true });
  await page.close();
});

test("diff: the summary, the redline and the side-by-side view", async () => {
  const page = await newPage();
  await page.goto(`${base}/diff`);
  await page.fill("#a", "1. The tenant pays rent monthly.\n\n2. Pets are not allowed.\n\n3. The deposit is two months of rent.\n");
  await page.fill("#b", "1. The tenant pays rent every month, in advance.\n\n2. The deposit is two months of rent.\n\n3. <script>document.documentElement.setAttribute('data-pwned','diff')</script> Noise stays low at night.\n");
  await page.getByRole("button", { name: "Diff", exact: true }).click();
  const frame = page.frame({ name: "result" });
  await frame.locator("#v-sbs").waitFor({ state: "attached" });
  await frame.locator("label[for=v-sbs]").click();
  await frame.locator(".sbs").first().waitFor();
  await page.screenshot({ path: join(shots, "diff.png"), fullPage: true });
  await assertInert(page);
  await page.close();
});
