// GraphiQL in a real browser, offline: Debian's Chromium opens BASE/graphql as a browser would
// (Accept: text/html), every request to another host is aborted and counted, and the page must
// render, run its default query and show "data" within 20 s with no console error and no
// Content-Security-Policy violation.
// Usage: node graphiql.mjs BASE_URL   (GRAPHIQL_SCREENSHOT=file.png also saves a screenshot)
import { chromium } from 'playwright-core';
import { baseUrl } from './common.mjs';

const base = baseUrl('graphiql.mjs');
const origin = new URL(base);
const TIMEOUT_MS = 20_000;

const thirdParty = [];
const consoleErrors = [];
const cspViolations = [];
const pageErrors = [];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  timeout: TIMEOUT_MS,
});

let failure;
try {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  // Only the server itself may be reached; the navigation asks for HTML as a browser does.
  await context.route('**/*', async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    if (!['http:', 'https:'].includes(url.protocol)) return route.continue();
    if (url.host !== origin.host) {
      thirdParty.push(`${request.method()} ${request.url()}`);
      return route.abort('blockedbyclient');
    }
    if (request.isNavigationRequest()) {
      return route.continue({ headers: { ...request.headers(), accept: 'text/html' } });
    }
    return route.continue();
  });
  await context.exposeBinding('__reportCspViolation', (_source, violation) => {
    cspViolations.push(violation);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__reportCspViolation(
        `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || '?'}:${e.lineNumber}`,
      );
    });
  });

  const page = await context.newPage();
  page.on('console', (msg) => {
    const text = msg.text();
    if (/content.security.policy/i.test(text)) cspViolations.push(`console: ${text}`);
    else if (msg.type() === 'error') consoleErrors.push(text);
  });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('response', (response) => {
    if (response.status() >= 400) consoleErrors.push(`${response.status()} for ${response.url()}`);
  });

  const started = Date.now();
  const response = await page.goto(`${base}/graphql`, { waitUntil: 'load', timeout: TIMEOUT_MS });
  const type = response?.headers()['content-type'] ?? '';
  if (response?.status() !== 200 || !type.startsWith('text/html')) {
    throw new Error(`GET /graphql (Accept: text/html) answered ${response?.status()} ${type}`);
  }
  await page.waitForSelector('.graphiql-container', {
    timeout: Math.max(TIMEOUT_MS - (Date.now() - started), 1),
  });

  // Run the default query.
  const execute = page.locator('.graphiql-execute-button');
  if ((await execute.count()) > 0) {
    await execute.first().click({ timeout: 5_000 });
  } else {
    await page.locator('.graphiql-query-editor .CodeMirror').first().click();
    await page.keyboard.press('Control+Enter');
  }
  await page.waitForFunction(
    () => (document.querySelector('.graphiql-response')?.textContent ?? '').includes('"data"'),
    undefined,
    { timeout: TIMEOUT_MS },
  );
  const result = await page.locator('.graphiql-response').first().textContent();
  if (result.includes('"errors"')) throw new Error(`the default query answered errors: ${result.slice(0, 500)}`);

  // Late requests (schema introspection, fonts) have their chance to show up.
  await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
  if (process.env.GRAPHIQL_SCREENSHOT) await page.screenshot({ path: process.env.GRAPHIQL_SCREENSHOT });
} catch (err) {
  failure = err.message.split('\n')[0];
} finally {
  await browser.close();
}

const problems = [];
if (failure) problems.push(`rendering or running the query failed: ${failure}`);
for (const r of thirdParty) problems.push(`third-party request attempted: ${r}`);
for (const v of cspViolations) problems.push(`CSP violation: ${v}`);
for (const e of pageErrors) problems.push(`uncaught error: ${e}`);
for (const e of consoleErrors) problems.push(`console error: ${e}`);
if (problems.length > 0) {
  for (const p of problems) console.error(`graphiql: ${p}`);
  console.error(`graphiql: FAILED (${problems.length} problem(s), ${thirdParty.length} third-party requests)`);
  process.exit(1);
}
console.log('graphiql: rendered offline, ran a query, 0 third-party requests');
