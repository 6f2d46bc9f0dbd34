// Copyright 2026 The mod_foresatt authors
// SPDX-License-Identifier: Apache-2.0
//
// An OpenID provider nobody here wrote: npm oidc-provider (OpenID Certified), configured like
// ID-porten, for the integration tests. Only this configuration is ours; the protocol is the
// library's. Test-only: installed by tests/install-npm-tools, never needed at run time.
//
//   node tests/standins/oidc-provider.mjs --node-modules DIR [--port 0]
//
// Prints one line "READY <issuer>" when it listens on 127.0.0.1. Configured like ID-porten: RS256
// ID tokens with a pid claim (absent for a person without one, as eIDAS and e-mail logins are), acr
// idporten-loa-substantial / -high (and -low, to test refusals), client authentication
// client_secret_basic, client_secret_post and private_key_jwt, PKCE S256, the iss parameter, PAR
// (required or not), back-channel logout with sid, RP-initiated logout by GET and POST or by GET
// only (the library's default), and signing-key rotation. oidc-provider 9 dropped front-channel logout (a draft), so this
// script adds it the way ID-porten does it: after the logout, a page that loads each client's
// frontchannel_logout_uri?iss=&sid= in an iframe, then goes on to the post-logout redirect.
//
// The tests drive it over HTTP on the same port:
//   GET  /interaction/<uid>           the login page (a form: pid, acr)
//   POST /interaction/<uid>/login     pid (empty: a person without one), acr, action=login|cancel
//   POST /_control  {"clients": [...]} | {"rotate": {"keep_old": true}} |
//                   {"end_session_methods": ["GET"]} | {"require_par": true} | {"reset": true}
//   GET  /_control                    {"kids": [...], "backchannel": [...], "frontchannel": [...]}
import { generateKeyPairSync, randomBytes, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const nodeModules = arg('node-modules');
if (!nodeModules) {
  process.stderr.write('oidc-provider.mjs: --node-modules DIR is required\n');
  process.exit(2);
}
const pkgDir = path.join(nodeModules, 'oidc-provider');
const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const { default: Provider } = await import(pathToFileURL(path.join(pkgDir, pkg.main || 'index.js')).href);

const ACRS = ['idporten-loa-low', 'idporten-loa-substantial', 'idporten-loa-high'];
const FRONTCHANNEL_CONFIRM = '/session/end/confirm';

function newKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: `op-${randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' };
}

const state = {
  keys: [newKey()],
  clients: [],
  endSessionMethods: ['GET', 'POST'],
  requirePar: false,
  accounts: new Map(), // sub -> { pid }
  backchannel: [], // { client_id, sid, sub, ok, error }
  frontchannel: [], // urls the logout page loaded
  pendingFrontchannel: new Map(), // xsrf secret -> [urls]
};
const cookieKeys = [randomBytes(32).toString('hex')];
let provider;
let handler;
let issuer;

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function subFor(pid) {
  // Pairwise-looking and stable, as ID-porten's sub is; never the number itself.
  return createHash('sha256').update(`sub|${pid}`).digest('base64url').slice(0, 32);
}

function configuration() {
  return {
    clients: state.clients,
    jwks: { keys: state.keys },
    // POST at the end-session (and authorization) endpoint is off in the library by default: its
    // GET-only mode is the library's own behaviour, a POST there answers 404.
    enableHttpPostMethods: state.endSessionMethods.includes('POST'),
    cookies: {
      keys: cookieKeys,
      long: state.endSessionMethods.includes('POST') ? { sameSite: 'none' } : {},
    },
    findAccount: async (ctx, id) => ({
      accountId: id,
      claims: async () => {
        const account = state.accounts.get(id);
        return account && account.pid ? { sub: id, pid: account.pid } : { sub: id };
      },
    }),
    claims: { acr: null, auth_time: null, sid: null, iss: null, openid: ['sub', 'pid'] },
    conformIdTokenClaims: false,
    acrValues: ACRS,
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    enabledJWA: { idTokenSigningAlgValues: ['RS256'], clientAuthSigningAlgValues: ['RS256'] },
    extraClientMetadata: { properties: ['frontchannel_logout_uri'] },
    pkce: { required: () => true },
    ttl: { IdToken: 120, PushedAuthorizationRequest: 60 },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: state.requirePar },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    // The library refuses to call loopback addresses (SSRF protection); here the RP is on loopback.
    fetch: (url, options) => {
      delete options.dispatcher;
      return globalThis.fetch(url, options);
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><title>oidc-provider error</title><h1>${escapeHtml(out.error)}</h1>`
        + `<p id="error_description">${escapeHtml(out.error_description || '')}</p>`;
    },
  };
}

async function logoutSource(ctx, form) {
  // The confirmation oidc-provider always asks; the tests submit it with logout=yes.
  const { session } = ctx.oidc;
  const urls = [];
  for (const clientId of Object.keys(session.authorizations || {})) {
    const client = state.clients.find((c) => c.client_id === clientId);
    if (client && client.frontchannel_logout_uri) {
      const u = new URL(client.frontchannel_logout_uri);
      u.searchParams.set('iss', issuer);
      u.searchParams.set('sid', session.sidFor(clientId));
      urls.push(u.href);
    }
  }
  state.pendingFrontchannel.set(session.state.secret, urls);
  ctx.body = `<!DOCTYPE html><title>Logg ut</title>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Logg ut</button>`;
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = '<!DOCTYPE html><title>Logget ut</title><p id="logged-out">Du er logget ut.</p>';
}

function build() {
  const p = new Provider(issuer, configuration());
  // ID-porten puts sid in every ID token (front-channel logout names sessions by it); the library
  // only does so for clients registered for back-channel logout with sessions.
  p.Client.prototype.includeSid = () => true;
  p.on('backchannel.success', (ctx, client, accountId, sid) => {
    state.backchannel.push({ client_id: client.clientId, sub: accountId, sid, ok: true });
  });
  p.on('backchannel.error', (ctx, err, client, accountId, sid) => {
    state.backchannel.push({ client_id: client.clientId, sub: accountId, sid, ok: false, error: String(err) });
  });
  // Front-channel logout after a confirmed logout: the iframes, then on to where the library would
  // have redirected.
  p.use(async (ctx, next) => {
    await next();
    if (ctx.path === FRONTCHANNEL_CONFIRM && ctx.status === 303) {
      const urls = state.pendingFrontchannel.get(ctx.oidc?.params?.xsrf) || [];
      state.pendingFrontchannel.delete(ctx.oidc?.params?.xsrf);
      if (urls.length) {
        const to = ctx.response.get('Location');
        state.frontchannel.push(...urls);
        ctx.remove('Location');
        ctx.status = 200;
        ctx.type = 'html';
        ctx.body = `<!DOCTYPE html><title>Logger ut</title>${urls.map((u) => `<iframe src="${escapeHtml(u)}"></iframe>`).join('')}
<p><a id="continue" href="${escapeHtml(to)}">Fortsett</a></p>`;
      }
    }
  });
  provider = p;
  handler = p.callback();
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, status, body, type = 'text/html; charset=utf-8') {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

async function control(req, res) {
  if (req.method === 'GET') {
    return send(res, 200, JSON.stringify({
      kids: state.keys.map((k) => k.kid),
      backchannel: state.backchannel,
      frontchannel: state.frontchannel,
    }), 'application/json');
  }
  const cmd = JSON.parse(await readBody(req) || '{}');
  if (cmd.reset) {
    state.endSessionMethods = ['GET', 'POST'];
    state.requirePar = false;
    state.backchannel = [];
    state.frontchannel = [];
  }
  if (cmd.clients) state.clients = cmd.clients;
  if (cmd.end_session_methods) state.endSessionMethods = cmd.end_session_methods;
  if (cmd.require_par !== undefined) state.requirePar = !!cmd.require_par;
  if (cmd.rotate) state.keys = cmd.rotate.keep_old ? [newKey(), ...state.keys] : [newKey()];
  build();
  return send(res, 200, JSON.stringify({ kids: state.keys.map((k) => k.kid) }), 'application/json');
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, '<p>interaction mismatch</p>');
  if (!action) {
    const asked = String(details.params.acr_values || 'idporten-loa-substantial').split(' ')[0];
    return send(res, 200, `<!DOCTYPE html><title>Innlogging</title>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>pid <input name="pid"></label>
<label>acr <select name="acr">${ACRS.map((a) => `<option${a === asked ? ' selected' : ''}>${a}</option>`).join('')}</select></label>
<button name="action" value="login">Logg inn</button><button name="action" value="cancel">Avbryt</button>
</form>`);
  }
  const form = new URLSearchParams(await readBody(req));
  if (form.get('action') === 'cancel') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'The user cancelled the login',
    }, { mergeWithLastSubmission: false });
  }
  const pid = form.get('pid') || '';
  const accountId = subFor(pid || randomBytes(8).toString('hex'));
  state.accounts.set(accountId, { pid });
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope || 'openid'));
  const grantId = await grant.save();
  const acr = form.get('acr') || String(details.params.acr_values || 'idporten-loa-substantial').split(' ')[0];
  return provider.interactionFinished(req, res, {
    login: { accountId, acr, amr: ['BankID'] },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/_control') return await control(req, res);
    const m = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (m) return await interaction(req, res, m[1], m[2]);
    return handler(req, res);
  } catch (err) {
    process.stderr.write(`oidc-provider.mjs: ${err.stack || err}\n`);
    if (!res.headersSent) send(res, 500, `<p>${escapeHtml(err.message)}</p>`);
  }
});

server.listen(Number(arg('port', '0')), '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  build();
  process.stdout.write(`READY ${issuer}\n`);
});

function stop() {
  server.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The test process holds our stdin: when it goes away, so do we.
process.stdin.on('end', stop);
process.stdin.resume();
