// The README's first command, tested as a new user would use it: start the
// demo, open the back-office in a real browser, sign in as two personas and
// see different pages allowed and denied.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launch, start, click, repoRoot } from './browser.mjs';

const gateway = 'http://127.0.0.1:8080';
const idp = 'http://127.0.0.1:9000';
// Screenshots for the README walkthrough; SCREENSHOTS=dir keeps them.
const shots = process.env.SCREENSHOTS;

let demo;
let browser;

before(async () => {
  demo = await start('go', ['run', './examples/demo'], /rolegate demo \(DEVELOPMENT ONLY\)/);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  demo?.stop();
});

async function signIn(context, target, persona) {
  const page = await context.newPage();
  await page.goto(gateway + target);
  assert.ok(page.url().startsWith(idp + '/authorize?'), `expected the sign-in page, got ${page.url()}`);
  if (shots && persona === 'bob') await page.screenshot({ path: path.join(shots, 'demo-sign-in.png') });
  await click(page, `button[data-persona="${persona}"]`);
  assert.equal(page.url(), gateway + target, 'back on the page first asked for');
  return page;
}

test('BASIC may delete a ticket but not edit it, and logs out', async () => {
  const context = await browser.newContext();
  const page = await signIn(context, '/tickets/42', 'bob');
  assert.match(await page.textContent('header'), /Signed in as bob with roles BASIC/);
  // The page marks what BASIC may not use, from the gateway's header.
  const opacity = (sel) => page.$eval(sel, (el) => getComputedStyle(el).opacity);
  assert.equal(await opacity('form[data-action="tickets.delete"]'), '1');
  assert.equal(await opacity('form[data-action="tickets.edit"]'), '0.5');
  if (shots) await page.screenshot({ path: path.join(shots, 'demo-signed-in.png') });

  let resp = await click(page, 'form[data-action="tickets.delete"] button');
  assert.equal(resp.status(), 200);

  await page.goto(gateway + '/tickets/42');
  resp = await click(page, 'form[data-action="tickets.edit"] button');
  assert.equal(resp.status(), 403);
  assert.match(await page.textContent('body'), /403 Forbidden[\s\S]*Edit ticket[\s\S]*BASIC/);
  if (shots) await page.screenshot({ path: path.join(shots, 'demo-denied.png') });

  await page.goto(gateway + '/.rolegate/logout');
  await page.goto(gateway + '/tickets/42');
  assert.ok(page.url().startsWith(idp + '/authorize?'), 'signed out: challenged again');
  await context.close();
});

test('SUPPORT may not delete a ticket, but may resend to a spectator', async () => {
  const context = await browser.newContext();
  const page = await signIn(context, '/tickets/42', 'sam');
  assert.match(await page.textContent('header'), /Signed in as sam with roles SUPPORT/);
  let resp = await click(page, 'form[data-action="tickets.delete"] button');
  assert.equal(resp.status(), 403);

  resp = await page.goto(gateway + '/support/spectator/7');
  assert.equal(resp.status(), 200);
  resp = await click(page, 'form[data-action="support-spectator.resend"] button');
  assert.equal(resp.status(), 200);

  resp = await page.goto(gateway + '/organizer-profile');
  assert.equal(resp.status(), 403);
  await context.close();
});

test('VIP Portal: rights from the portal\'s own data, scoped to the account and linked sales', async () => {
  const vip = 'http://vip.localhost:8081';
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(vip + '/vip/accounts/acme/sales/s1/tickets');
  assert.ok(page.url().startsWith(idp + '/authorize?'), `expected the sign-in page, got ${page.url()}`);
  await click(page, 'button[data-persona="cora"]');
  assert.equal(page.url(), vip + '/vip/accounts/acme/sales/s1/tickets');
  let resp = await page.goto(vip + '/vip/accounts/acme/sales/s2/tickets'); // not linked to her
  assert.equal(resp.status(), 403);
  resp = await page.goto(vip + '/vip/accounts/globex'); // another account
  assert.equal(resp.status(), 403);
  await context.close();
});

test('V4 screens: one sign-in serves V3 and V4, each under its own policy', async () => {
  const context = await browser.newContext();
  const page = await signIn(context, '/v4/spectators/42', 'sam');
  let resp = await click(page, 'form[data-action="spectators.reset-devices"] button'); // V4: SUPPORT may
  assert.equal(resp.status(), 200);
  resp = await page.goto(gateway + '/spectators/42');
  assert.equal(resp.status(), 200, 'the same session on the V3 screens');
  resp = await page.goto(gateway + '/v4/spectators/42');
  resp = await click(page, 'form[data-action="spectators.delete"] button');
  assert.equal(resp.status(), 403);
  await context.close();
});
