// A real OpenID Connect provider (npm oidc-provider 9) for the SecretAdmin tests, on 127.0.0.1 only.
//
//   node tests/peers/oidc-provider.mjs --port 0 --client-secret S --redirect-uri URI [--redirect-uri URI2]
//        [--client-id secretadmin] [--post-logout-redirect-uri URI]... [--claims-file FILE.json]
//        [--issuer-path /realms/corp] [--signing-alg RS256|PS256|ES256] [--token-auth post|basic|both]
//        [--no-par] [--no-end-session] [--extra-audience AUD] [--lie-issuer URL] [--kid-rotate-after N]
//        [--cc-client JSON]... [--cc-scope S]... [--access-token-ttl SECONDS] [--resource-server id:secret]
//        [--service-account JSON]...
//
// Without the shape options below it is exactly what the tests have always had: issuer
// http://127.0.0.1:<port> (no trailing slash), RS256, client_secret_post registered with
// client_secret_basic accepted too, pushed authorization requests offered, RP-initiated logout.
// stdout carries one JSON object per line and nothing else:
//   {"ready":true,"port":40123,"issuer":"http://127.0.0.1:40123","address":"http://127.0.0.1:40123",
//    "tokenEndpoint":"http://127.0.0.1:40123/token","introspectionEndpoint":null}   once, when it listens
//    (the endpoints as discovery gives them; introspectionEndpoint only with --resource-server)
//   {"event":"request","method":"GET","path":"/auth"}   per request received (the path as sent, never a query or a body)
//   {"event":"authorization.success"|"grant.success"|"end_session.success"|..., ...}   as they happen
//   {"event":"client_credentials.issued","clientId":"mailer","authMethod":"private_key_jwt","scope":"..."}
//   {"event":"client_credentials.refused","clientId":"mailer","error":"invalid_client"|"invalid_scope"|...}
//                                                       per client credentials token request (never a secret,
//                                                       an assertion or a token)
//   {"event":"jwt_bearer.issued","clientId":"sender@project.iam.example","subject":"alerts@example.test","scope":"..."}
//   {"event":"jwt_bearer.refused","clientId":"sender@project.iam.example"|null,"error":"invalid_grant"|"invalid_scope"|...}
//                                                       per JWT bearer token request (never an assertion or a token)
// "address" is where it really serves (discovery at <address>/.well-known/openid-configuration); it
// differs from "issuer" only with --lie-issuer.
// Diagnostics (including oidc-provider's own notices) go to stderr. It exits on SIGTERM/SIGINT, and
// when its stdin is a pipe that closes (so a test that dies does not leave it running).
//
// Sign-in uses oidc-provider's development login form (GET <address>/interaction/:uid): any login name
// and any password are accepted, and the login name becomes the subject. Consent is not asked: the one
// registered client is first-party, so every scope it asks for is granted.
// Accounts: sub = login, email = <login>@example.test, email_verified = true, name = login,
// groups = ["secretadmin-admins"] when the login starts with "admin", else ["staff"].
// --claims-file: a JSON object keyed by login whose values are claims laid over those defaults,
// e.g. {"carol": {"groups": ["secretadmin-admins"], "email": "carol@corp.test"}}. A claim set to null
// is removed ({"dave": {"email": null, "email_verified": null}} signs dave in without an email). Values
// reach the ID token and userinfo as given: nested objects (realm_access.roles), object-valued claims
// ("urn:zitadel:iam:org:project:roles": {"admin": {...}}), strings with spaces. A claim named in the
// file that no scope below releases (hd, realm_access, ...) is released with the openid scope.
//
// Shapes of real providers (each option optional):
//   --issuer-path P       issuer http://127.0.0.1:<port>P, every endpoint under P and nothing outside it
//                         (Keycloak /realms/<realm>, Entra /<tenant-id>/v2.0). Requests outside P get 404.
//   --signing-alg A       the ID token signing key and alg: RS256 (default), PS256 or ES256 (P-256); the
//                         only value in id_token_signing_alg_values_supported.
//   --token-auth M        post: only client_secret_post; basic: only client_secret_basic; both: either.
//                         The client is registered with that method, discovery lists only what is
//                         accepted, and the token endpoint answers 401 invalid_client to the other one.
//                         (oidc-provider 9 refuses a body client_secret when client_secret_post is not
//                         in clientAuthMethods, but reads any Authorization: Basic header; with post,
//                         this script refuses that header before oidc-provider sees it.)
//   --no-par              no pushed authorization requests (no pushed_authorization_request_endpoint).
//   --no-end-session      no RP-initiated logout (no end_session_endpoint), as Google.
//   --extra-audience X    ID tokens carry aud [client_id, X] and azp client_id, as ZITADEL. oidc-provider 9
//                         always signs aud = client_id and never azp (IdToken#issue), so this script
//                         re-signs each ID token the token endpoint returns with the same key and kid
//                         (and, as oidc-provider's end-session endpoint takes an id_token_hint's aud for
//                         one client id, gives it back the token it issued when such a hint arrives).
//   --lie-issuer URL      discovery's issuer, the authorization response's iss and the ID tokens' iss
//                         are URL, while every endpoint stays at this peer's own address (the mix-up
//                         attacker). Combine with --issuer-path to serve under a path.
//   --kid-rotate-after N  after every N ID tokens issued, sign with a new key under a new kid; the JWKS
//                         then lists the new key first and the previous one after it. Sessions, codes
//                         and access tokens issued before the rotation stay valid.
//
// Machine clients (OAuth 2.0 client credentials grant, e.g. a mailer sending with XOAUTH2), each optional;
// without them the provider offers neither the grant nor introspection, as always:
//   --cc-client JSON      (repeatable) one more client, for grant_types [client_credentials] only (no
//                         redirect URIs, no response types): {"client_id":"mailer","token_endpoint_auth_method":
//                         "client_secret_post"|"client_secret_basic"|"private_key_jwt","client_secret":"..."}
//                         or, for private_key_jwt, "jwks":{"keys":[<public JWK>]} instead of the secret.
//                         The client must authenticate exactly as registered: unlike oidc-provider's own
//                         leniency, client_secret_basic and client_secret_post are not interchangeable for
//                         these clients (401 invalid_client). private_key_jwt takes RS256, PS256 or ES256
//                         assertions (iss = sub = client_id, exp, a jti used once) whose aud is, or lists,
//                         the token endpoint URL (discovery's token_endpoint, what Microsoft Entra asks for)
//                         or the issuer identifier; any other aud gets 401 invalid_client.
//   --service-account JSON (repeatable) a service account that may get tokens for mailboxes with the JWT
//                         bearer grant (RFC 7523 2.1; Google Workspace's domain-wide delegation):
//                         {"client_email":"sender@project.iam.example","jwks":{"keys":[<public RSA JWK>]},
//                         "subjects":["alerts@example.test"]}. The token request is grant_type=urn:ietf:params:
//                         oauth:grant-type:jwt-bearer&assertion=<JWT>[&scope=...] with no client authentication,
//                         as Google takes it (the script names the client to oidc-provider from the assertion's
//                         iss; an unknown iss gets 400 invalid_grant). The assertion must be RS256 by a
//                         registered key (its kid, if the header has one, must be that JWK's kid), iss =
//                         client_email, aud = the token endpoint URL or the issuer, exp in the future (30 s of
//                         clock skew allowed) and at most an hour after iat, a jti used once, and sub one of
//                         the subjects; else 400 invalid_grant. Its scope (the assertion's scope claim, or the
//                         scope parameter; both must agree) must be --cc-scope scopes, else 400 invalid_scope.
//                         The opaque token lives --access-token-ttl seconds (default an hour, as Google's);
//                         introspection reports client_id = client_email, the scope and sub = the mailbox.
//   --cc-scope S          (repeatable) a scope a client credentials client or a service account may ask for, e.g.
//                         https://outlook.office365.com/.default or https://mail.google.com/. Asking for any
//                         other scope gets 400 invalid_scope; with at least one --cc-scope, asking for none
//                         gets invalid_scope too (Entra requires scope). The token's scope is what was asked.
//   --access-token-ttl N  client credentials tokens live N seconds (default oidc-provider's, 600), and so do JWT
//                         bearer tokens (default 3600). They are opaque (oidc-provider's ClientCredentials and
//                         AccessToken), so only introspection tells what they are.
//   --resource-server id:secret  a client (client_secret_basic) that may call the introspection endpoint
//                         (discovery's introspection_endpoint), as the SMTP peer does with --xoauth2. It
//                         learns active, client_id, scope, exp, iat, token_type of a client credentials
//                         token (and sub of a JWT bearer token); any other caller is told {"active":false}.
// With --token-auth, the methods these clients use are added to token_endpoint_auth_methods_supported,
// and the main client is still held to the --token-auth method.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign as cryptoSign, constants as cryptoConstants } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { peerProcess } from './peer-process.mjs';

const { emit, fail, parsePort, exitWhenParentGoes } = peerProcess('oidc-peer');

// oidc-provider prints notices with console.info/console.log; keep stdout for the JSON lines.
console.log = (...values) => console.error(...values);
console.info = (...values) => console.error(...values);

const { default: Provider, errors: oidcErrors } = await import('oidc-provider');
// oidc-provider's per-instance internals (its grant type handlers), to put the --cc-scope and
// --cc-client checks in front of the client credentials grant once the client has authenticated.
const { default: providerInternals } = await import('oidc-provider/lib/helpers/weak_cache.js');
// oidc-provider's own development in-memory adapter, which it otherwise creates afresh for each
// Provider instance; --kid-rotate-after makes a new instance, and every instance shares this one.
const { createMemoryAdapter } = await import('oidc-provider/lib/adapters/memory_adapter.js');

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'client-id': { type: 'string', default: 'secretadmin' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
    'claims-file': { type: 'string' },
    'issuer-path': { type: 'string' },
    'signing-alg': { type: 'string' },
    'token-auth': { type: 'string' },
    'no-par': { type: 'boolean', default: false },
    'no-end-session': { type: 'boolean', default: false },
    'extra-audience': { type: 'string' },
    'lie-issuer': { type: 'string' },
    'kid-rotate-after': { type: 'string' },
    'cc-client': { type: 'string', multiple: true, default: [] },
    'cc-scope': { type: 'string', multiple: true, default: [] },
    'access-token-ttl': { type: 'string' },
    'resource-server': { type: 'string' },
    'service-account': { type: 'string', multiple: true, default: [] },
  },
  strict: true,
});

const port = parsePort(args.port);
if (!args['client-secret']) fail('--client-secret is required');
if (args['redirect-uri'].length === 0) fail('at least one --redirect-uri is required');

const mountPath = args['issuer-path'] ?? '';
if (mountPath !== '' && !/^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/.test(mountPath)) {
  fail(`--issuer-path must be a path such as /realms/corp: it starts with / and has no trailing /, query or fragment, not "${mountPath}"`);
}

const signingAlg = args['signing-alg'] ?? 'RS256';
if (!['RS256', 'PS256', 'ES256'].includes(signingAlg)) fail(`--signing-alg must be RS256, PS256 or ES256, not "${signingAlg}"`);

const tokenAuth = args['token-auth'];
const clientAuthMethodsFor = {
  post: ['client_secret_post'],
  basic: ['client_secret_basic'],
  both: ['client_secret_basic', 'client_secret_post'],
};
if (tokenAuth !== undefined && !Object.hasOwn(clientAuthMethodsFor, tokenAuth)) {
  fail(`--token-auth must be post, basic or both, not "${tokenAuth}"`);
}

const extraAudience = args['extra-audience'];
if (extraAudience !== undefined && (extraAudience === '' || extraAudience === args['client-id'])) {
  fail('--extra-audience must name an audience other than the client');
}

const lieIssuer = args['lie-issuer'];
if (lieIssuer !== undefined) {
  let url;
  try {
    url = new URL(lieIssuer);
  } catch {
    fail(`--lie-issuer must be an absolute URL, not "${lieIssuer}"`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash || lieIssuer.endsWith('/')) {
    fail(`--lie-issuer must be an http(s) URL without a query, fragment or trailing /, not "${lieIssuer}"`);
  }
}

let rotateAfter;
if (args['kid-rotate-after'] !== undefined) {
  rotateAfter = Number(args['kid-rotate-after']);
  if (!Number.isInteger(rotateAfter) || rotateAfter < 1) fail(`--kid-rotate-after must be a positive whole number, not "${args['kid-rotate-after']}"`);
}

const ccAuthMethods = ['client_secret_post', 'client_secret_basic', 'private_key_jwt'];
const ccClients = new Map(args['cc-client'].map((text) => {
  let client;
  try {
    client = JSON.parse(text);
  } catch (error) {
    fail(`--cc-client must be a JSON object, but it does not parse: ${error.message}`);
  }
  if (client === null || typeof client !== 'object' || Array.isArray(client)) fail('--cc-client must be a JSON object');
  const { client_id: id, token_endpoint_auth_method: method, client_secret: secret, jwks } = client;
  if (typeof id !== 'string' || id === '' || id === args['client-id']) fail('--cc-client needs a client_id of its own');
  if (!ccAuthMethods.includes(method)) fail(`--cc-client ${id}: token_endpoint_auth_method must be one of ${ccAuthMethods.join(', ')}`);
  if (method === 'private_key_jwt') {
    if (!Array.isArray(jwks?.keys) || jwks.keys.length === 0) fail(`--cc-client ${id}: private_key_jwt needs "jwks": {"keys": [public JWK]}`);
    if (jwks.keys.some((key) => key === null || typeof key !== 'object' || typeof key.kty !== 'string' || 'd' in key)) {
      fail(`--cc-client ${id}: each JWK needs a kty and must be public (no "d")`);
    }
    if (secret !== undefined) fail(`--cc-client ${id}: private_key_jwt takes no client_secret`);
  } else if (typeof secret !== 'string' || secret === '') {
    fail(`--cc-client ${id}: ${method} needs a client_secret`);
  }
  return [id, { id, method, secret, jwks }];
}));
if (ccClients.size !== args['cc-client'].length) fail('each --cc-client needs a different client_id');

const ccScopes = args['cc-scope'];
if (ccScopes.some((scope) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope))) fail('--cc-scope must be one scope token (no spaces, quotes or backslashes)');

let accessTokenTtl;
if (args['access-token-ttl'] !== undefined) {
  accessTokenTtl = Number(args['access-token-ttl']);
  if (!Number.isInteger(accessTokenTtl) || accessTokenTtl < 1) fail(`--access-token-ttl must be a positive whole number of seconds, not "${args['access-token-ttl']}"`);
}

let resourceServer;
if (args['resource-server'] !== undefined) {
  const colon = args['resource-server'].indexOf(':');
  if (colon <= 0 || colon === args['resource-server'].length - 1) fail('--resource-server must be id:secret');
  resourceServer = { id: args['resource-server'].slice(0, colon), secret: args['resource-server'].slice(colon + 1) };
  if (resourceServer.id === args['client-id'] || ccClients.has(resourceServer.id)) fail('--resource-server needs a client id of its own');
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const serviceAccounts = new Map(args['service-account'].map((text) => {
  let account;
  try {
    account = JSON.parse(text);
  } catch (error) {
    fail(`--service-account must be a JSON object, but it does not parse: ${error.message}`);
  }
  if (account === null || typeof account !== 'object' || Array.isArray(account)) fail('--service-account must be a JSON object');
  const { client_email: email, jwks, subjects } = account;
  if (typeof email !== 'string' || email === '') fail('--service-account needs a client_email');
  if ([args['client-id'], resourceServer?.id].includes(email) || ccClients.has(email)) fail(`--service-account ${email}: that id is taken by another client`);
  if (!Array.isArray(jwks?.keys) || jwks.keys.length === 0) fail(`--service-account ${email}: needs "jwks": {"keys": [public RSA JWK]}`);
  if (jwks.keys.some((key) => key === null || typeof key !== 'object' || key.kty !== 'RSA' || 'd' in key)) {
    fail(`--service-account ${email}: each JWK must be a public RSA key (kty RSA, no "d")`);
  }
  if (!Array.isArray(subjects) || subjects.length === 0 || subjects.some((subject) => typeof subject !== 'string' || subject === '')) {
    fail(`--service-account ${email}: "subjects" must list the mailboxes it may act for`);
  }
  return [email, { email, jwks, keySet: createLocalJWKSet(jwks), subjects }];
}));
if (serviceAccounts.size !== args['service-account'].length) fail('each --service-account needs a different client_email');

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
  for (const [login, claims] of Object.entries(claimOverrides)) {
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
      fail(`--claims-file: the claims of "${login}" must be a JSON object`);
    }
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
  for (const [name, value] of Object.entries(claims)) {
    if (value === null) delete claims[name]; // null in the claims file: this account has no such claim
  }
  claims.sub = id; // the subject is always the login name
  return claims;
}

// Scopes come from these keys too: openid, email, profile, groups (and offline_access, built in).
const scopeClaims = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name'],
  groups: ['groups'],
};
// Any other claim the claims file gives (hd, realm_access, resource_access, urn:...:roles, ...) is
// released with the openid scope, so every sign-in carries it as the file says.
const scopedClaims = new Set(Object.values(scopeClaims).flat());
for (const claims of Object.values(claimOverrides)) {
  for (const [name, value] of Object.entries(claims)) {
    if (value !== null && !scopedClaims.has(name)) {
      scopedClaims.add(name);
      scopeClaims.openid.push(name);
    }
  }
}

// Bind first: with --port 0 the issuer (which names the port) is known only once it listens.
const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
}).catch((error) => fail(`cannot listen on 127.0.0.1:${port}: ${error.message}`));

const actualPort = server.address().port;
const address = `http://127.0.0.1:${actualPort}${mountPath}`;
const issuer = lieIssuer ?? address;

// A fresh signing key per run instead of oidc-provider's published development key. The kid is the
// key's RFC 7638 thumbprint, as oidc-provider would compute it.
function newSigningKey() {
  const { privateKey } = signingAlg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  const kid = createHash('sha256').update(JSON.stringify(members)).digest('base64url');
  return { ...jwk, use: 'sig', alg: signingAlg, kid };
}

let signingKeys = [newSigningKey()];
let idTokensIssued = 0;

const clientId = args['client-id'];
const registeredAuthMethod = tokenAuth === 'basic' ? 'client_secret_basic' : 'client_secret_post';
const cookieKeys = [randomBytes(32).toString('base64url')];
const sharedAdapter = createMemoryAdapter();

// Machine clients: one per --cc-client, and the --resource-server that may introspect their tokens.
const machineClients = [
  ...[...ccClients.values()].map((client) => ({
    client_id: client.id,
    client_name: `client credentials ${client.id}`,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: client.method,
    ...(client.secret !== undefined ? { client_secret: client.secret } : {}),
    ...(client.jwks !== undefined ? { jwks: client.jwks } : {}),
  })),
  ...[...serviceAccounts.values()].map((account) => ({
    client_id: account.email,
    client_name: `service account ${account.email}`,
    grant_types: [JWT_BEARER],
    response_types: [],
    redirect_uris: [],
    // RFC 7523 2.1 without client authentication: the assertion is the proof.
    token_endpoint_auth_method: 'none',
  })),
  ...(resourceServer ? [{
    client_id: resourceServer.id,
    client_secret: resourceServer.secret,
    client_name: 'resource server',
    grant_types: [],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  }] : []),
];

// --token-auth narrows clientAuthMethods for the main client; the machine clients' methods must be in
// it too, or oidc-provider refuses to load them. The main client stays held to --token-auth by
// refusedBasicClientAuth / refusedPostClientAuth below.
const clientAuthMethods = tokenAuth === undefined
  ? undefined
  : [...new Set([...clientAuthMethodsFor[tokenAuth], ...machineClients.map((client) => client.token_endpoint_auth_method)])];
const mainClientPostAddedForOthers = tokenAuth === 'basic' && clientAuthMethods.includes('client_secret_post');

const enabledJWA = {
  ...(args['signing-alg'] ? { idTokenSigningAlgValues: [signingAlg] } : {}),
  ...(ccClients.size > 0 ? { clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256'] } : {}),
};

function createProvider(jwks) {
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
      // accepts client_secret_basic as well for a client registered with either of the two, unless
      // --token-auth narrows clientAuthMethods (and refusedBasicClientAuth below).
      token_endpoint_auth_method: registeredAuthMethod,
      id_token_signed_response_alg: signingAlg,
    }, ...machineClients],
    jwks: { keys: jwks },
    adapter: sharedAdapter,
    ...(Object.keys(enabledJWA).length > 0 ? { enabledJWA } : {}),
    ...(clientAuthMethods ? { clientAuthMethods } : {}),
    // Cookie signing keys; the cookies are not marked Secure because the requests are plain http.
    cookies: { keys: cookieKeys },
    claims: scopeClaims,
    // oidc-provider drops a requested scope it does not know from a client credentials token (without a
    // resource indicator), so the --cc-scope scopes are added to the ones it knows (oidc-provider's
    // default list is openid and offline_access; the claims above add profile, email, groups).
    ...(ccScopes.length > 0 ? { scopes: ['openid', 'offline_access', ...ccScopes] } : {}),
    // Put the scope's claims in the ID token as well as in userinfo, as most real identity
    // providers do, so a relying party that does not call userinfo still sees email and groups.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: ccClients.size > 0 },
      introspection: {
        enabled: resourceServer !== undefined,
        // Only the resource server learns what a token is; anyone else is told it is not active.
        allowedPolicy: async (_ctx, client) => client.clientId === resourceServer?.id,
      },
      pushedAuthorizationRequests: { enabled: !args['no-par'] },
      rpInitiatedLogout: {
        enabled: !args['no-end-session'],
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
      ClientCredentials: accessTokenTtl ?? 10 * 60,
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

  // Every ID token the token endpoint hands out is counted (for --kid-rotate-after) and, with
  // --extra-audience, given its second audience.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method === 'POST' && ctx.oidc?.route === 'token' && ctx.status === 200 && typeof ctx.body?.id_token === 'string') {
      if (extraAudience !== undefined) {
        ctx.body.id_token = withExtraAudience(ctx.body.id_token);
      }
      idTokensIssued += 1;
      if (rotateAfter !== undefined && idTokensIssued % rotateAfter === 0) {
        rotateSigningKey();
      }
    }
  });

  provider.on('authorization.success', (ctx) => emit({ event: 'authorization.success', clientId: ctx.oidc.client?.clientId ?? null }));
  provider.on('grant.success', (ctx) => emit({ event: 'grant.success', clientId: ctx.oidc.client?.clientId ?? null }));
  provider.on('grant.success', (ctx) => {
    if (ctx.oidc.params?.grant_type !== 'client_credentials') return;
    emit({
      event: 'client_credentials.issued',
      clientId: ctx.oidc.client.clientId,
      authMethod: ctx.oidc.client.clientAuthMethod,
      scope: ctx.body?.scope ?? null,
    });
  });
  provider.on('grant.error', (ctx, error) => {
    if (ctx.oidc?.params?.grant_type !== 'client_credentials') return;
    emit({ event: 'client_credentials.refused', clientId: claimedClientId(ctx), error: error.error ?? error.message });
  });
  provider.on('end_session.success', () => emit({ event: 'end_session.success' }));
  provider.on('interaction.ended', (ctx) => emit({ event: 'interaction.ended', accountId: ctx.oidc.session?.accountId ?? null }));
  for (const name of ['authorization.error', 'grant.error', 'end_session.error', 'userinfo.error', 'server_error']) {
    provider.on(name, (_ctx, error) => {
      const description = error.error_description ?? '';
      console.error(`oidc-peer ${name}: ${error.message} ${description}`);
      emit({ event: name, error: error.error ?? error.message, description });
    });
  }

  if (serviceAccounts.size > 0) {
    provider.registerGrantType(JWT_BEARER, jwtBearerGrant, ['assertion', 'scope']);
    provider.on('grant.success', (ctx) => {
      if (ctx.oidc.params?.grant_type !== JWT_BEARER) return;
      const token = ctx.oidc.entities.AccessToken;
      emit({ event: 'jwt_bearer.issued', clientId: ctx.oidc.client.clientId, subject: token.accountId, scope: token.scope ?? null });
    });
    provider.on('grant.error', (ctx, error) => {
      if (ctx.oidc?.params?.grant_type !== JWT_BEARER) return;
      emit({ event: 'jwt_bearer.refused', clientId: claimedClientId(ctx), error: error.error ?? error.message });
    });
  }

  if (ccClients.size > 0) {
    const handlers = providerInternals(provider).grantTypeHandlers;
    const issue = handlers.get('client_credentials');
    handlers.set('client_credentials', async (ctx) => {
      checkClientCredentialsRequest(ctx);
      await issue(ctx);
    });
  }

  return { provider, handle: provider.callback() };
}

// The client credentials grant, once oidc-provider has authenticated the client: the client used the
// method it is registered with (oidc-provider would take client_secret_basic and client_secret_post
// for each other), and asks only for --cc-scope scopes.
function checkClientCredentialsRequest(ctx) {
  const client = ccClients.get(ctx.oidc.client.clientId);
  const presented = presentedAuthMethod(ctx.headers.authorization, ctx.oidc.params);
  if (client === undefined || presented !== client.method) {
    console.error(`oidc-peer: ${ctx.oidc.client.clientId} authenticated with ${presented}, but it is registered with ${client?.method}`);
    throw new oidcErrors.InvalidClientAuth();
  }
  const requested = (ctx.oidc.params.scope ?? '').split(' ').filter(Boolean);
  if (requested.length === 0 && ccScopes.length > 0) {
    throw new oidcErrors.InvalidScope(`scope is required; offered: ${ccScopes.join(' ')}`);
  }
  const other = requested.find((scope) => !ccScopes.includes(scope));
  if (other !== undefined) {
    throw new oidcErrors.InvalidScope(`scope ${other} is not offered to client credentials clients`, other);
  }
}

// The JWT bearer grant (RFC 7523 2.1) for a --service-account, which oidc-provider has already named as the
// client (serviceAccountClientId below). Each refusal says why, in the words of Google's token endpoint
// where it has them; the assertion itself is never logged.
const seenAssertions = new Map(); // `${iss} ${jti}` -> exp, for "a jti used once"
async function jwtBearerGrant(ctx) {
  const { client, params, provider } = ctx.oidc;
  const account = serviceAccounts.get(client.clientId);
  if (account === undefined) throw new oidcErrors.UnauthorizedClient('only a --service-account may use the JWT bearer grant');
  if (!params.assertion) throw new oidcErrors.InvalidRequest("missing required parameter 'assertion'");

  let payload;
  try {
    ({ payload } = await jwtVerify(params.assertion, account.keySet, {
      algorithms: ['RS256'],
      issuer: account.email,
      audience: [`${address}${tokenRoute}`, issuer],
      requiredClaims: ['iat', 'exp', 'jti', 'sub'],
      clockTolerance: 30,
    }));
  } catch (error) {
    throw invalidGrant(assertionProblem(error));
  }
  if (payload.exp - payload.iat > 60 * 60) throw invalidGrant('Invalid JWT: the assertion may live at most an hour (exp - iat).');

  const now = Math.floor(Date.now() / 1000);
  for (const [key, exp] of seenAssertions) {
    if (exp + 60 < now) seenAssertions.delete(key);
  }
  const replayKey = `${account.email} ${payload.jti}`;
  if (seenAssertions.has(replayKey)) throw invalidGrant('Invalid JWT: this jti was used already.');
  seenAssertions.set(replayKey, payload.exp);

  if (!account.subjects.includes(payload.sub)) {
    throw invalidGrant(`${account.email} may not act for ${payload.sub} (no domain-wide delegation for that mailbox).`);
  }

  const claimed = typeof payload.scope === 'string' ? payload.scope : undefined;
  if (claimed !== undefined && params.scope !== undefined && params.scope !== claimed) {
    throw new oidcErrors.InvalidScope("the scope parameter differs from the assertion's scope claim");
  }
  const requested = (claimed ?? params.scope ?? '').split(' ').filter(Boolean);
  if (requested.length === 0) throw new oidcErrors.InvalidScope(`scope is required; offered: ${ccScopes.join(' ')}`);
  const other = requested.find((scope) => !ccScopes.includes(scope));
  if (other !== undefined) throw new oidcErrors.InvalidScope(`scope ${other} is not offered`, other);

  // An access token for the mailbox, as for a signed-in user: its grant names the service account and the mailbox.
  const grant = new provider.Grant({ clientId: client.clientId, accountId: payload.sub });
  const grantId = await grant.save();
  const token = new provider.AccessToken({
    client,
    accountId: payload.sub,
    grantId,
    gty: 'jwt_bearer',
    scope: requested.join(' '),
    expiresIn: accessTokenTtl ?? 60 * 60,
  });
  ctx.oidc.entity('AccessToken', token);
  const value = await token.save();
  ctx.body = { access_token: value, expires_in: token.expiration, token_type: token.tokenType, scope: token.scope };
}

/** invalid_grant with a description (oidc-provider's own InvalidGrant always says "grant request is invalid"). */
function invalidGrant(description) {
  return Object.assign(new oidcErrors.InvalidGrant(), { error_description: description });
}

/** Why jose refused an assertion, without quoting it. */
function assertionProblem(error) {
  switch (error.code) {
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'Invalid JWT Signature: no registered key of this service account matches the kid.';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'Invalid JWT Signature.';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'Invalid JWT: the assertion must be signed with RS256.';
    case 'ERR_JWT_EXPIRED':
      return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `Invalid JWT: ${error.claim} ${error.reason === 'missing' ? 'is missing' : 'is not as expected'} (${error.message}).`;
    default:
      return `Invalid JWT: ${error.code ?? 'it could not be read'}.`;
  }
}

/**
 * A JWT bearer token request without client authentication (RFC 7523 2.1, as Google takes it) names its
 * client to oidc-provider, which always wants one: the assertion's iss, if that is a --service-account.
 * Returns the body to hand on, or undefined after refusing the request (an unknown issuer, as Google,
 * gets invalid_grant).
 */
function serviceAccountClientId(req, res, body) {
  const params = new URLSearchParams(body.toString('utf8'));
  if (params.get('grant_type') !== JWT_BEARER || params.has('client_id') || params.has('client_assertion')
    || params.has('client_secret') || req.headers.authorization !== undefined) {
    return body;
  }
  let iss;
  try {
    ({ iss } = decodeJwt(params.get('assertion') ?? ''));
  } catch {
    iss = undefined;
  }
  if (typeof iss === 'string' && serviceAccounts.has(iss)) {
    params.set('client_id', iss);
    return Buffer.from(params.toString(), 'utf8');
  }
  const description = iss === undefined ? 'Invalid JWT: the assertion could not be read.' : 'Invalid grant: account not found';
  console.error(`oidc-peer: JWT bearer request refused: ${description}`);
  emit({ event: 'grant.error', error: 'invalid_grant', description });
  emit({ event: 'jwt_bearer.refused', clientId: typeof iss === 'string' ? iss : null, error: 'invalid_grant' });
  res.writeHead(400, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error: 'invalid_grant', error_description: description }));
  return undefined;
}

/** How a token request authenticates its client, from its Authorization header and parameters. */
function presentedAuthMethod(authorization, params) {
  if (/^basic /i.test(authorization ?? '')) return 'client_secret_basic';
  if (params?.client_secret) return 'client_secret_post';
  if (params?.client_assertion) return 'private_key_jwt';
  return 'none';
}

/** The client id a token request names (parameter, Basic header or assertion subject), or null. */
function claimedClientId(ctx) {
  if (ctx.oidc.client) return ctx.oidc.client.clientId;
  const params = ctx.oidc.params ?? {};
  if (params.client_id) return params.client_id;
  const basic = basicClientId(ctx.headers.authorization);
  if (basic !== undefined) return basic;
  try {
    return JSON.parse(Buffer.from(params.client_assertion.split('.')[1], 'base64url').toString('utf8')).sub ?? null;
  } catch {
    return null;
  }
}

/** The client id in an Authorization: Basic header (RFC 6749 2.3.1 form-encodes it), or undefined. */
function basicClientId(authorization) {
  const match = /^basic (\S+)$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

let current = createProvider(signingKeys);

// A new provider with the new key first. Sessions, interactions, grants, codes and access tokens
// live in the one shared in-memory adapter, so sign-ins under way go on and the access token issued
// with the ID token that triggered the rotation still works at userinfo.
function rotateSigningKey() {
  signingKeys = [newSigningKey(), signingKeys[0]];
  current = createProvider(signingKeys);
  emit({ event: 'signing_key.rotated', kid: signingKeys[0].kid, previousKid: signingKeys[1].kid });
}

// --extra-audience: the same claims and header, aud [client_id, X] and azp client_id, signed again
// with the key its kid names. issuedAs maps each such token to the one oidc-provider issued.
const issuedAs = new Map();
function withExtraAudience(jwt) {
  const [encodedHeader, encodedPayload] = jwt.split('.');
  const header = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString('utf8'));
  const payload = JSON.parse(Buffer.from(encodedPayload, 'base64url').toString('utf8'));
  const jwk = signingKeys.find((key) => key.kid === header.kid);
  if (!jwk) throw new Error(`no signing key with kid ${header.kid}`);
  payload.aud = [payload.aud, extraAudience];
  payload.azp = clientId;
  const input = `${encodedHeader}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  const options = {
    RS256: { key },
    PS256: { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    ES256: { key, dsaEncoding: 'ieee-p1363' },
  }[header.alg];
  const token = `${input}.${cryptoSign('sha256', Buffer.from(input), options).toString('base64url')}`;
  issuedAs.set(token, jwt);
  return token;
}

// Routes below the mount path, for the checks this script makes before oidc-provider sees a request.
function routeOf(name) {
  try {
    return current.provider.pathFor(name, { mountPath: '' });
  } catch {
    return undefined; // a feature that is off has no route
  }
}
const tokenRoute = routeOf('token');
const clientAuthRoutes = new Set(['token', 'pushed_authorization_request', 'introspection', 'revocation'].map(routeOf).filter(Boolean));
const endSessionRoute = routeOf('end_session');

// --token-auth post: the endpoints where the client authenticates refuse client_secret_basic, which
// oidc-provider 9 parses from any Authorization header whatever clientAuthMethods says. (--token-auth
// basic needs nothing here: without client_secret_post in clientAuthMethods, oidc-provider does not
// read client_secret from the body, and answers invalid_client.) Returns whether it refused.
function refusedBasicClientAuth(req, res, path) {
  if (tokenAuth !== 'post' || req.method !== 'POST' || !clientAuthRoutes.has(path)) return false;
  if (!/^basic /i.test(req.headers.authorization ?? '')) return false;
  if (machineClients.some((client) => client.client_id === basicClientId(req.headers.authorization))) return false; // held to its own method
  const description = 'client authentication failed';
  console.error(`oidc-peer: ${path} refused client_secret_basic; the client is registered with client_secret_post only`);
  if (path === tokenRoute) {
    emit({ event: 'grant.error', error: 'invalid_client', description });
  }
  res.writeHead(401, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'www-authenticate': `Basic realm="${issuer}", error="invalid_client", error_description="${description}"`,
  });
  res.end(JSON.stringify({ error: 'invalid_client', error_description: description }));
  return true;
}

// --token-auth basic with a --cc-client that uses client_secret_post: client_secret_post is then in
// clientAuthMethods, and oidc-provider would take the main client's secret from the body too. The body
// of a POST where a client authenticates is read here first (oidc-provider then parses req.body, its
// documented fallback for a body read upstream), and a client_secret for the main client is refused.
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function refusedPostClientAuth(req, res, path, body) {
  const params = new URLSearchParams(body.toString('utf8'));
  if (!params.get('client_secret') || params.get('client_id') !== clientId) return false;
  const description = 'client authentication failed';
  console.error(`oidc-peer: ${path} refused client_secret_post; the client is registered with client_secret_basic only`);
  if (path === tokenRoute) {
    emit({ event: 'grant.error', error: 'invalid_client', description });
  }
  res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error: 'invalid_client', error_description: description }));
  return true;
}

// --extra-audience: oidc-provider's end-session endpoint reads an id_token_hint's aud as one client id,
// so the hint a relying party sends back (a token with two audiences) is swapped for the token
// oidc-provider issued before it was given its second audience.
function restoreIdTokenHint(req, path) {
  if (extraAudience === undefined || path !== endSessionRoute || req.method !== 'GET') return; // POST is off, as oidc-provider's default
  const query = new URLSearchParams(req.url.split('?')[1] ?? '');
  const original = issuedAs.get(query.get('id_token_hint'));
  if (original === undefined) return;
  query.set('id_token_hint', original);
  req.url = `${req.url.split('?')[0]}?${query}`;
  if (req.originalUrl !== undefined) req.originalUrl = `${req.originalUrl.split('?')[0]}?${query}`;
}

// Every request is reported by path (never a query, a body, a code or a secret), so a test can tell
// that a client sent nothing here: no authorization request, no token request. With --issuer-path the
// provider is mounted there: it sees the path below it, and builds its URLs with the prefix from
// req.originalUrl, as under Express's app.use(prefix, provider.callback()).
server.on('request', (req, res) => {
  const path = req.url.split('?')[0];
  emit({ event: 'request', method: req.method, path });
  let inner = path;
  if (mountPath !== '') {
    if (path !== mountPath && !path.startsWith(`${mountPath}/`)) {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: 'not_found', error_description: `this provider serves only ${mountPath}/...` }));
      return;
    }
    req.originalUrl = req.url;
    req.url = req.url.slice(mountPath.length);
    if (!req.url.startsWith('/')) req.url = `/${req.url}`;
    inner = path.slice(mountPath.length) || '/';
  }
  if (refusedBasicClientAuth(req, res, inner)) return;
  const jwtBearerPossible = serviceAccounts.size > 0 && inner === tokenRoute;
  if ((mainClientPostAddedForOthers || jwtBearerPossible) && req.method === 'POST' && clientAuthRoutes.has(inner)) {
    readBody(req).then((received) => {
      const body = jwtBearerPossible ? serviceAccountClientId(req, res, received) : received;
      if (body === undefined) return;
      req.body = body;
      if (mainClientPostAddedForOthers && refusedPostClientAuth(req, res, inner, body)) return;
      current.handle(req, res);
    }, (error) => {
      console.error(`oidc-peer: cannot read the request body: ${error.message}`);
      res.destroy();
    });
    return;
  }
  restoreIdTokenHint(req, inner);
  current.handle(req, res);
});
server.on('error', (error) => console.error(`oidc-peer: ${error.message}`));
const introspectionRoute = routeOf('introspection');
emit({
  ready: true,
  port: actualPort,
  issuer,
  address,
  tokenEndpoint: `${address}${tokenRoute}`,
  introspectionEndpoint: introspectionRoute === undefined ? null : `${address}${introspectionRoute}`,
});

exitWhenParentGoes(() => new Promise((resolve) => {
  server.close(resolve);
  server.closeAllConnections();
}));

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
