// Browser sign-in against a real, certified OpenID provider (the npm package
// oidc-provider, examples/oidc-provider), in a real headless Chromium: the
// demo's gateway and back-office, with the provider in place of the
// development one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, start, click } from './browser.mjs';

const gateway = 'http://127.0.0.1:8080';
const secret = 'integration-test-client-secret';

let provider;
let issuer;
let demo;
let browser;

before(async () => {
  provider = await start('node', ['examples/oidc-provider/server.mjs', '--port', '0',
    '--client-id', 'tixngo-backoffice', '--client-secret', secret,
    '--redirect-uri', `${gateway}/.rolegate/callback`,
    '--post-logout-redirect-uri', `${gateway}/`,
    '--backchannel-logout-uri', `${gateway}/.rolegate/backchannel-logout`], /READY (\S+)/);
  issuer = provider.output().match(/READY (\S+)/)[1];
  demo = await start('go', ['run', './examples/demo', '-issuer', issuer], /rolegate demo \(DEVELOPMENT ONLY\) with the OpenID provider/,
    { env: { ROLEGATE_CLIENT_SECRET: secret } });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  demo?.stop();
  provider?.stop();
});

// signIn opens target, signs in on the provider's own login form and
// returns the page, back on target.
async function signIn(context, target, persona) {
  const page = await context.newPage();
  await page.goto(gateway + target);
  assert.ok(page.url().startsWith(issuer), `expected the provider's sign-in, got ${page.url()}`);
  await page.fill('input[name="login"]', persona);
  await page.fill('input[name="password"]', 'any password');
  await click(page, 'button[type="submit"]');
  await page.waitForURL(gateway + target);
  return page;
}

test('sign in at the certified provider, use the back-office as BASIC, log out everywhere', async () => {
  const context = await browser.newContext();
  const page = await signIn(context, '/tickets/42', 'bob');
  assert.match(await page.textContent('header'), /Signed in as bob with roles BASIC/);

  let resp = await click(page, 'form[data-action="tickets.delete"] button');
  assert.equal(resp.status(), 200);
  await page.goto(gateway + '/tickets/42');
  resp = await click(page, 'form[data-action="tickets.edit"] button');
  assert.equal(resp.status(), 403);
  resp = await page.goto(gateway + '/organizer-profile');
  assert.equal(resp.status(), 403);

  // RP-initiated logout: the provider asks for confirmation, then sends the
  // browser back; the gateway's session is gone and it challenges again.
  await page.goto(gateway + '/.rolegate/logout');
  assert.ok(page.url().startsWith(issuer), `logout goes to the provider, got ${page.url()}`);
  await click(page, 'button[autofocus], button[type="submit"]');
  await page.waitForURL((u) => u.href.startsWith(issuer) || u.href.startsWith(gateway));
  await page.goto(gateway + '/tickets/42');
  assert.ok(page.url().startsWith(issuer), `after logout: challenged again, got ${page.url()}`);
  await context.close();
});

test('the provider\'s roles decide: ADMIN reaches the organizer profile, SUPPORT does not', async () => {
  for (const [persona, status] of [['alice', 200], ['sam', 403]]) {
    const context = await browser.newContext();
    const page = await signIn(context, '/tickets', persona);
    const resp = await page.goto(gateway + '/organizer-profile');
    assert.equal(resp.status(), status, persona);
    await context.close();
  }
});
