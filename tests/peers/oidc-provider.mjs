// A real OpenID Connect provider (npm oidc-provider 9) for the SecretAdmin tests, on 127.0.0.1 only.
//
//   node tests/peers/oidc-provider.mjs --port 0 --client-secret S --redirect-uri URI [--redirect-uri URI2]
//        [--client-id secretadmin] [--post-logout-redirect-uri URI]... [--claims-file FILE.json]
//
// The issuer is exactly http://127.0.0.1:<port> (no trailing slash). stdout carries one JSON object
// per line and nothing else:
//   {"ready":true,"port":40123,"issuer":"http://127.0.0.1:40123"}   once, when it listens
//   {"event":"authorization.success"|"grant.success"|"end_session.success"|..., ...}   as they happen
// Diagnostics (including oidc-provider's own notices) go to stderr. It exits on SIGTERM/SIGINT, and
// when its stdin is a pipe that closes (so a test that dies does not leave it running).
//
// Sign-in uses oidc-provider's development login form (GET /interaction/:uid): any login name and
// any password are accepted, and the login name becomes the subject. Consent is not asked: the one
// registered client is first-party, so every scope it asks for is granted.
// Accounts: sub = login, email = <login>@example.test, email_verified = true, name = login,
// groups = ["secretadmin-admins"] when the login starts with "admin", else ["staff"].
// --claims-file: a JSON object keyed by login whose values are claims laid over those defaults,
// e.g. {"carol": {"groups": ["secretadmin-admins"], "email": "carol@corp.test"}}.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { peerProcess } from './peer-process.mjs';

const { emit, fail, parsePort, exitWhenParentGoes } = peerProcess('oidc-peer');

// oidc-provider prints notices with console.info/console.log; keep stdout for the JSON lines.
console.log = (...values) => console.error(...values);
console.info = (...values) => console.error(...values);

const { default: Provider } = await import('oidc-provider');

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'client-id': { type: 'string', default: 'secretadmin' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
    'claims-file': { type: 'string' },
  },
  strict: true,
});

const port = parsePort(args.port);
if (!args['client-secret']) fail('--client-secret is required');
if (args['redirect-uri'].length === 0) fail('at least one --redirect-uri is required');

let claimOverrides = {};
if (args['claims-file']) {
  try {
    claimOverrides = JSON.parse(readFileSync(args['claims-file'], 'utf8'));
  } catch (error) {
    fail(`--claims-file ${args['claims-file']} is not readable JSON: ${error.message}`);
  }
  if (claimOverrides === null || typeof claimOverrides !== 'object' || Array.isArray(claimOverrides)) {
    fail('--claims-file must hold a JSON object keyed by login name');
  }
}

function claimsFor(id) {
  const claims = {
    email: `${id}@example.test`,
    email_verified: true,
    name: id,
    groups: id.startsWith('admin') ? ['secretadmin-admins'] : ['staff'],
    ...(Object.hasOwn(claimOverrides, id) ? claimOverrides[id] : {}),
  };
  claims.sub = id; // the subject is always the login name
  return claims;
}

// Bind first: with --port 0 the issuer (which names the port) is known only once it listens.
const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
}).catch((error) => fail(`cannot listen on 127.0.0.1:${port}: ${error.message}`));

const actualPort = server.address().port;
const issuer = `http://127.0.0.1:${actualPort}`;

// A fresh signing key per run instead of oidc-provider's published development key.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256' };

const clientId = args['client-id'];
const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: args['client-secret'],
    client_name: 'SecretAdmin',
    application_type: 'web',
    redirect_uris: args['redirect-uri'],
    post_logout_redirect_uris: args['post-logout-redirect-uri'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // ASP.NET Core's OpenIdConnect handler sends the secret in the form body. oidc-provider 9
    // accepts client_secret_basic as well for a client registered with either of the two.
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [signingKey] },
  // Cookie signing keys; the cookies are not marked Secure because the requests are plain http.
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  // Scopes come from these keys too: openid, email, profile, groups (and offline_access, built in).
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  // Put the scope's claims in the ID token as well as in userinfo, as most real identity
  // providers do, so a relying party that does not call userinfo still sees email and groups.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // The confirmation page is one form that signs out when submitted as is (xsrf + logout=yes).
      async logoutSource(ctx, form) {
        const confirm = form.replace(
          '</form>',
          '<input type="hidden" name="logout" value="yes"/><button type="submit" autofocus>Yes, sign me out</button></form>',
        );
        ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign out</title></head>
<body><h1>Sign out of the test identity provider?</h1>${confirm}</body></html>`;
      },
    },
  },
  // PKCE: only S256 is supported (discovery says so). oidc-provider requires it from public
  // clients only; this confidential client may omit it, and ASP.NET Core's handler sends it.
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return claimsFor(id);
      },
    };
  },
  // First-party client: grant whatever it asks for, so no consent page is shown.
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
    if (!grant) {
      grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    }
    grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
    if (oidc.claims && Object.keys(oidc.claims).length) {
      const requested = new Set();
      for (const part of ['id_token', 'userinfo']) {
        Object.keys(oidc.claims[part] || {}).forEach((claim) => requested.add(claim));
      }
      grant.addOIDCClaims([...requested]);
    }
    await grant.save();
    return grant;
  },
  clientBasedCORS: () => true,
  ttl: {
    AccessToken: 60 * 60,
    AuthorizationCode: 60,
    IdToken: 60 * 60,
    Interaction: 60 * 60,
    Session: 24 * 60 * 60,
    Grant: 24 * 60 * 60,
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    const rows = Object.entries(out)
      .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(String(value))}</p>`)
      .join('');
    ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>oidc-peer error</title></head><body><h1>oops! something went wrong</h1>${rows}</body></html>`;
  },
});
provider.proxy = false;

// Every request that reaches the provider is reported by path (never a body, a code or a secret), so
// a test can tell that a client sent nothing here: no authorization request, no token request.
provider.use(async (ctx, next) => {
  emit({ event: 'request', method: ctx.method, path: ctx.path });
  await next();
});

provider.on('authorization.success', (ctx) => emit({ event: 'authorization.success', clientId: ctx.oidc.client?.clientId ?? null }));
provider.on('grant.success', (ctx) => emit({ event: 'grant.success', clientId: ctx.oidc.client?.clientId ?? null }));
provider.on('end_session.success', () => emit({ event: 'end_session.success' }));
provider.on('interaction.ended', (ctx) => emit({ event: 'interaction.ended', accountId: ctx.oidc.session?.accountId ?? null }));
for (const name of ['authorization.error', 'grant.error', 'end_session.error', 'userinfo.error', 'server_error']) {
  provider.on(name, (_ctx, error) => {
    const description = error.error_description ?? '';
    console.error(`oidc-peer ${name}: ${error.message} ${description}`);
    emit({ event: name, error: error.error ?? error.message, description });
  });
}

server.on('request', provider.callback());
server.on('error', (error) => console.error(`oidc-peer: ${error.message}`));
emit({ ready: true, port: actualPort, issuer });

exitWhenParentGoes(() => new Promise((resolve) => {
  server.close(resolve);
  server.closeAllConnections();
}));

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
