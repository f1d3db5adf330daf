#!/usr/bin/env node
// A development OpenID provider for rolegate's tests: panva's certified
// oidc-provider, on plain HTTP on a loopback address, with the development
// personas (personas.json, the same people as examples/devidp/personas.yaml).
//
// DEVELOPMENT AND TESTS ONLY. Anyone can sign in as any persona with any
// password; the cookie key is public; everything lives in memory.
//
//   node server.mjs --port 0 --client-id rolegate --client-secret s3cret \
//     --redirect-uri http://127.0.0.1:8080/auth/callback \
//     [--redirect-uri ...] [--post-logout-redirect-uri ...] \
//     [--backchannel-logout-uri http://127.0.0.1:8080/auth/backchannel-logout] \
//     [--host 127.0.0.1] [--personas personas.json] [--exit-with-stdin]
//
// Once it listens it prints exactly one line on stdout, `READY <issuer>`;
// everything else goes to stderr. SIGTERM and SIGINT stop it (exit status 0).
// With --exit-with-stdin it also stops when its standard input closes, so a
// test process that dies does not leave it behind.
//
// Sign-in: the library's own development login form (features.devInteractions):
// a login id, which must be one of the personas, and any non-empty password.
// An unknown login id is refused with HTTP 403 and the form again.
// Consent: never asked; the configured client is first-party, every scope it
// asks for is granted (loadExistingGrant below).
// Logout (RP-initiated): the library's confirmation page is left as is: the
// end-user (or the test) submits the form op.logoutForm with logout=yes.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// oidc-provider prints its notices with console.info, on stdout. stdout is
// reserved for the READY line, so send all console output to stderr.
console.log = console.error; // eslint-disable-line no-console
console.info = console.error; // eslint-disable-line no-console

const { default: Provider } = await import('oidc-provider');

const here = path.dirname(fileURLToPath(import.meta.url));

// A clearly development-only cookie signing key. Never use it anywhere else.
const DEVELOPMENT_COOKIE_KEY = 'rolegate-DEVELOPMENT-ONLY-oidc-provider-cookie-key-not-a-secret';

function fail(message) {
  process.stderr.write(`oidc-provider dev server: ${message}\n`);
  process.exit(2);
}

function parseFlags() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true, default: [] },
        'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
        'backchannel-logout-uri': { type: 'string' },
        personas: { type: 'string', default: path.join(here, 'personas.json') },
        'exit-with-stdin': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    fail(err.message);
  }
  const v = parsed.values;
  const port = Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port ${v.port}: not a port number`);
  if (!net.isIP(v.host) || !isLoopback(v.host)) fail(`--host ${v.host}: must be a loopback IP address (127.0.0.1 or ::1)`);
  if (!v['client-id']) fail('--client-id is required');
  if (!v['client-secret']) fail('--client-secret is required');
  if (v['redirect-uri'].length === 0) fail('at least one --redirect-uri is required');
  for (const u of [...v['redirect-uri'], ...v['post-logout-redirect-uri'], ...(v['backchannel-logout-uri'] ? [v['backchannel-logout-uri']] : [])]) {
    if (!URL.canParse(u)) fail(`${u}: not an absolute URL`);
  }
  return { ...v, port };
}

function isLoopback(host) {
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1';
}

function loadPersonas(file) {
  let list;
  try {
    list = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`personas ${file}: ${err.message}`);
  }
  const byId = new Map();
  for (const p of list) {
    if (!p?.id || typeof p.id !== 'string') fail(`personas ${file}: a persona without an id`);
    byId.set(p.id, { id: p.id, name: p.name, claims: p.claims ?? {} });
  }
  return byId;
}

function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  }[c]));
}

function providerVersion() {
  try {
    return JSON.parse(fs.readFileSync(path.join(here, 'node_modules', 'oidc-provider', 'package.json'), 'utf8')).version;
  } catch {
    return '(version unknown)';
  }
}

function log(...parts) {
  process.stderr.write(`oidc-provider: ${parts.join(' ')}\n`);
}

const flags = parseFlags();
const personas = loadPersonas(flags.personas);
const clientId = flags['client-id'];

// A fresh signing key every start: nothing to leak, nothing to rotate.
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: `dev-${crypto.randomBytes(6).toString('hex')}`,
  use: 'sig',
  alg: 'RS256',
};

// Listen first (port 0 picks a free port), then build the provider for the
// issuer that results: the issuer must be known when it is constructed.
let handle = (req, res) => { res.statusCode = 503; res.end(); };
const server = http.createServer((req, res) => handle(req, res));
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(flags.port, flags.host, resolve);
}).catch((err) => fail(`listen ${flags.host}:${flags.port}: ${err.message}`));
server.on('error', (err) => log('server error:', err.message));

const { port } = server.address();
const issuer = `http://${net.isIPv6(flags.host) ? `[${flags.host}]` : flags.host}:${port}`;

const client = {
  client_id: clientId,
  client_secret: flags['client-secret'],
  client_name: 'rolegate (first-party)',
  redirect_uris: flags['redirect-uri'],
  post_logout_redirect_uris: flags['post-logout-redirect-uri'],
  response_types: ['code'],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'client_secret_basic',
  id_token_signed_response_alg: 'RS256',
};
if (flags['backchannel-logout-uri']) {
  client.backchannel_logout_uri = flags['backchannel-logout-uri'];
  client.backchannel_logout_session_required = true;
}

const cookieOptions = { httpOnly: true, sameSite: 'lax', signed: true };

const configuration = {
  clients: [client],

  async findAccount(ctx, sub) {
    const persona = personas.get(sub);
    if (!persona) return undefined;
    return {
      accountId: persona.id,
      // oidc-provider keeps only the claims of the granted scopes (see claims).
      async claims() {
        return { ...structuredClone(persona.claims), name: persona.name, sub: persona.id };
      },
    };
  },

  // Which claims each scope releases; `roles` is rolegate's own scope.
  claims: {
    openid: ['sub'],
    profile: ['name', 'department'],
    email: ['email'],
    roles: ['roles'],
  },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'roles'],
  // Put the scope claims (roles among them) in the ID token too, not only
  // in the UserInfo response.
  conformIdTokenClaims: false,

  // Authorization code flow only (no implicit, no hybrid).
  responseTypes: ['code'],

  pkce: {
    methods: ['S256'],
    required: () => true,
  },

  features: {
    devInteractions: { enabled: true }, // the library's own login form
    rpInitiatedLogout: { enabled: true }, // confirmation page left as is
    backchannelLogout: { enabled: true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    introspection: { enabled: true },
  },

  // The client is first-party: grant, without a consent screen, whatever
  // OpenID scopes (and claims) it asks for.
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const accountId = oidc.account.accountId;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
    if (oidc.client.clientId !== clientId) return grant;
    if (!grant || grant.accountId !== accountId) {
      grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId });
    }
    const scopes = [...oidc.requestParamOIDCScopes];
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    const claims = [...oidc.requestParamClaims];
    if (claims.length) grant.addOIDCClaims(claims);
    await grant.save();
    return grant;
  },

  // Refresh tokens always go to the client (it is allowed refresh_token),
  // not only when it asks for offline_access.
  async issueRefreshToken(ctx, c) {
    return c.grantTypeAllowed('refresh_token');
  },

  ttl: {
    AccessToken: 10 * 60,
    AuthorizationCode: 60,
    IdToken: 10 * 60,
    RefreshToken: 60 * 60,
    Interaction: 10 * 60,
    Session: 60 * 60,
    Grant: 60 * 60,
  },

  cookies: {
    keys: [DEVELOPMENT_COOKIE_KEY],
    // Cookies are per host, not per port: on 127.0.0.1 the application under
    // test sees them too, so give them names that cannot clash with its own.
    names: {
      session: 'devop_session',
      interaction: 'devop_interaction',
      resume: 'devop_interaction_resume',
    },
    // Plain HTTP: no Secure attribute, so no SameSite=None either (browsers
    // drop SameSite=None cookies that are not Secure). Lax is enough for the
    // top-level navigations of the code flow and of RP-initiated logout.
    long: cookieOptions,
    short: cookieOptions,
  },

  jwks: { keys: [signingKey] },

  clientBasedCORS() {
    return false; // the only client is a server; no browser CORS calls
  },
};

const provider = new Provider(issuer, configuration);

for (const event of ['server_error', 'authorization.error', 'grant.error', 'end_session.error',
  'userinfo.error', 'revocation.error', 'introspection.error', 'backchannel.error',
  'check_session.error', 'discovery.error', 'jwks.error']) {
  provider.on(event, (...args) => {
    const err = args.find((a) => a instanceof Error);
    log(event, err ? `${err.name}: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}` : '');
  });
}
provider.on('backchannel.success', (ctx, c, accountId, sid) => log('backchannel logout sent to', c.clientId, 'for', accountId, sid));
provider.on('end_session.success', () => log('end_session success'));
provider.on('grant.success', (ctx) => log('token endpoint success', ctx.oidc.params?.grant_type ?? ''));

const providerCallback = provider.callback();

// The login step of the development interactions, with one change: only the
// personas may sign in. Any other POST (consent, errors) goes to the library.
async function handleLoginSubmit(req, res) {
  const match = /^\/interaction\/([^/?]+)$/.exec(new URL(req.url, issuer).pathname);
  if (req.method !== 'POST' || !match) return false;
  let interaction;
  try {
    interaction = await provider.interactionDetails(req, res);
  } catch {
    return false; // let the library render its error
  }
  if (interaction.uid !== match[1] || interaction.prompt.name !== 'login') return false;
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) return false;

  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) {
      res.writeHead(413).end();
      return true;
    }
    chunks.push(chunk);
  }
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  const login = form.get('login') ?? '';
  const persona = personas.get(login);
  if (form.get('prompt') !== 'login' || !persona || !form.get('password')) {
    log(`login refused for ${JSON.stringify(login)}`);
    const action = `/interaction/${encodeURIComponent(interaction.uid)}`;
    const known = [...personas.keys()].map(escapeHTML).join(', ');
    const body = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sign-in</title></head>
<body>
<h1>Sign-in</h1>
<p class="error" role="alert">Unknown persona ${escapeHTML(JSON.stringify(login))}. Known personas: ${known}.</p>
<form autocomplete="off" action="${action}" method="post">
  <input type="hidden" name="prompt" value="login"/>
  <input required type="text" name="login" placeholder="Enter any login" autofocus="on">
  <input required type="password" name="password" placeholder="and password">
  <button type="submit" class="login login-submit">Sign-in</button>
</form>
</body></html>`;
    res.writeHead(403, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Length': Buffer.byteLength(body),
    }).end(body);
    return true;
  }

  log(`login as ${persona.id}`);
  const returnTo = await provider.interactionResult(req, res, {
    login: { accountId: persona.id },
  }, { mergeWithLastSubmission: false });
  res.writeHead(303, { Location: returnTo, 'Cache-Control': 'no-store', 'Content-Length': '0' }).end();
  return true;
}

handle = (req, res) => {
  handleLoginSubmit(req, res).then((handled) => {
    if (!handled) providerCallback(req, res);
  }, (err) => {
    log('login handler error:', err.stack ?? err);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
};

let stopping = false;
function shutdown(why) {
  if (stopping) return;
  stopping = true;
  log(`stopping (${why})`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
if (flags['exit-with-stdin']) {
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('error', () => shutdown('stdin error'));
  process.stdin.resume();
}

log(`oidc-provider ${providerVersion()} on Node ${process.version}; client ${clientId}; personas ${[...personas.keys()].join(', ')}`);
process.stdout.write(`READY ${issuer}\n`);
