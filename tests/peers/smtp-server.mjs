// A real SMTP server for the SecretAdmin tests, on 127.0.0.1 only.
//
//   node tests/peers/smtp-server.mjs --port 0 [--auth user:password] [--secure-mode none|starttls|tls]
//        [--xoauth2 INTROSPECTION_URL --xoauth2-client id:secret [--xoauth2-scope S] [--xoauth2-token-uses N]]
//        [--basic-auth-disabled] [--refuse-sender ADDRESS]... [--refuse-recipient ADDRESS]... [--fail-first N]
//
// stdout carries one JSON object per line and nothing else:
//   {"ready":true,"port":40123}                     once, when it listens
//   {"auth":{"method","username","accepted","clientId","subject","reason"}}  for each AUTH attempt (never
//                                                   the password or token; clientId and subject are the
//                                                   token's client and sub per introspection, XOAUTH2 only,
//                                                   else null; reason is a short why-refused, null when accepted)
//   {"refused":{"command":"MAIL"|"RCPT"|"DATA","code":550,"address"}}  for each refusal by the options below
//   {"mail":{"from","to","subject","authUser","raw"}} for each message it accepted
// Diagnostics go to stderr. It exits on SIGTERM/SIGINT, and when its stdin is a pipe that closes
// (so a test that dies does not leave it running).
//
// --auth user:password  AUTH PLAIN/LOGIN is advertised and required; only that pair is accepted,
//                       anything else gets "535 Authentication credentials invalid".
// no --auth             AUTH is not advertised and mail is accepted without it.
// --secure-mode none    (default) plain text, STARTTLS not offered.
// --secure-mode starttls STARTTLS offered with smtp-server's built-in self-signed "localhost"
//                       certificate (clients must skip certificate validation); AUTH only after it.
// --secure-mode tls     implicit TLS from the first byte (SMTPS), same certificate.
//
// OAuth 2.0 and the refusals of real servers (Microsoft 365, Gmail), each optional:
// --xoauth2 URL --xoauth2-client id:secret
//                       AUTH XOAUTH2 is advertised and required (alongside PLAIN/LOGIN when --auth or
//                       --basic-auth-disabled is given). Each bearer token is checked by POSTing it to the
//                       token introspection endpoint URL (RFC 7662; the OIDC peer's, with
//                       --resource-server id:secret there) as that client (client_secret_basic). It is
//                       accepted only when introspection says active, the user= name is not empty, the
//                       user= name is the token's sub when introspection gives one (a token a service
//                       account got for one mailbox does not send as another; compared without case) and,
//                       with --xoauth2-scope S, the token's scope lists S. A refusal follows XOAUTH2:
//                       334 with base64 {"status":"401","schemes":"bearer","scope":...}, and after the
//                       client's empty reply "535 5.7.3 Authentication unsuccessful".
// --xoauth2-token-uses N each distinct token is accepted at most N times, then refused as above (as a
//                       server refuses a token it considers expired), so a client must fetch a new one.
// --basic-auth-disabled AUTH PLAIN/LOGIN are advertised but every attempt gets "535 5.7.139 Authentication
//                       unsuccessful, basic authentication is disabled." (Microsoft 365).
// --refuse-sender A     (repeatable) MAIL FROM:<A> gets "550 5.7.60 SMTP; Client does not have permissions
//                       to send as this sender" (Microsoft 365 SendAsDenied). Compared without case.
// --refuse-recipient A  (repeatable) RCPT TO:<A> gets "550 5.1.1 User unknown".
// --fail-first N        the first N messages (DATA) get "451 4.3.0 Temporary failure, try again later".
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { peerProcess } from './peer-process.mjs';

const { emit, fail, parsePort, exitWhenParentGoes } = peerProcess('smtp-peer');

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    auth: { type: 'string' },
    'secure-mode': { type: 'string', default: 'none' },
    xoauth2: { type: 'string' },
    'xoauth2-client': { type: 'string' },
    'xoauth2-scope': { type: 'string' },
    'xoauth2-token-uses': { type: 'string' },
    'basic-auth-disabled': { type: 'boolean', default: false },
    'refuse-sender': { type: 'string', multiple: true, default: [] },
    'refuse-recipient': { type: 'string', multiple: true, default: [] },
    'fail-first': { type: 'string' },
  },
  strict: true,
});

const port = parsePort(args.port);
const secureMode = args['secure-mode'];
if (!['none', 'starttls', 'tls'].includes(secureMode)) {
  fail(`--secure-mode must be none, starttls or tls, not "${secureMode}"`);
}

let credentials;
if (args.auth !== undefined) {
  const colon = args.auth.indexOf(':');
  if (colon <= 0) {
    fail('--auth must be user:password');
  }
  credentials = { user: args.auth.slice(0, colon), password: args.auth.slice(colon + 1) };
}

let xoauth2;
if (args.xoauth2 !== undefined) {
  let url;
  try {
    url = new URL(args.xoauth2);
  } catch {
    fail(`--xoauth2 must be the introspection endpoint's absolute URL, not "${args.xoauth2}"`);
  }
  const client = args['xoauth2-client'] ?? '';
  const colon = client.indexOf(':');
  if (colon <= 0) fail('--xoauth2 needs --xoauth2-client id:secret (the resource server that may introspect tokens)');
  let tokenUses;
  if (args['xoauth2-token-uses'] !== undefined) {
    tokenUses = Number(args['xoauth2-token-uses']);
    if (!Number.isInteger(tokenUses) || tokenUses < 1) fail(`--xoauth2-token-uses must be a positive whole number, not "${args['xoauth2-token-uses']}"`);
  }
  xoauth2 = {
    url,
    // RFC 6749 2.3.1: client_secret_basic form-encodes the id and secret before base64.
    authorization: `Basic ${Buffer.from(`${formEncode(client.slice(0, colon))}:${formEncode(client.slice(colon + 1))}`).toString('base64')}`,
    scope: args['xoauth2-scope'],
    tokenUses,
  };
} else if (['xoauth2-client', 'xoauth2-scope', 'xoauth2-token-uses'].some((name) => args[name] !== undefined)) {
  fail('--xoauth2-client, --xoauth2-scope and --xoauth2-token-uses need --xoauth2 INTROSPECTION_URL');
}

const basicAuthDisabled = args['basic-auth-disabled'];
const refusedSenders = new Set(args['refuse-sender'].map((address) => address.toLowerCase()));
const refusedRecipients = new Set(args['refuse-recipient'].map((address) => address.toLowerCase()));

let failFirst = 0;
if (args['fail-first'] !== undefined) {
  failFirst = Number(args['fail-first']);
  if (!Number.isInteger(failFirst) || failFirst < 0) fail(`--fail-first must be a whole number, not "${args['fail-first']}"`);
}

const authMethods = [
  ...(credentials || basicAuthDisabled ? ['PLAIN', 'LOGIN'] : []),
  ...(xoauth2 ? ['XOAUTH2'] : []),
];

const disabledCommands = [];
if (secureMode !== 'starttls') disabledCommands.push('STARTTLS');
if (authMethods.length === 0) disabledCommands.push('AUTH');

if (xoauth2) {
  // smtp-server ends a refused XOAUTH2 exchange with "535 Error: Username and Password not accepted"
  // (SASL.XOAUTH2_error, after the client's reply to the 334 error challenge); Microsoft 365 says
  // "535 5.7.3 Authentication unsuccessful". Its package exports no such hook, so the module is
  // reached by file, the same instance smtp-server's connections use.
  if (typeof import.meta.resolve !== 'function') fail(`--xoauth2 needs Node.js 20.6 or later (import.meta.resolve), not ${process.version}`);
  const { default: SASL } = await import(new URL('./sasl.js', import.meta.resolve('smtp-server')));
  if (typeof SASL.XOAUTH2_error !== 'function') fail('this smtp-server has no SASL.XOAUTH2_error to replace');
  SASL.XOAUTH2_error = function xoauth2Refused(_data, callback) {
    this.send(535, '5.7.3 Authentication unsuccessful');
    callback();
  };
}

/** How many times each token (by SHA-256) was accepted, for --xoauth2-token-uses. */
const tokenUses = new Map();
let messagesSeen = 0;

const server = new SMTPServer({
  name: 'smtp-peer.test',
  banner: 'SecretAdmin test SMTP peer',
  secure: secureMode === 'tls',
  disabledCommands,
  authMethods: authMethods.length > 0 ? authMethods : ['PLAIN', 'LOGIN'],
  authOptional: authMethods.length === 0,
  allowInsecureAuth: false,
  logger: false,
  size: 25 * 1024 * 1024,

  onAuth(auth, _session, callback) {
    if (auth.method === 'XOAUTH2') {
      checkBearer(auth).then((verdict) => {
        emit({ auth: { method: auth.method, username: auth.username ?? null, accepted: verdict.accepted, clientId: verdict.clientId, subject: verdict.subject, reason: verdict.reason } });
        if (verdict.accepted) {
          callback(null, { user: auth.username });
        } else {
          callback(null, { data: { status: '401', schemes: 'bearer', scope: xoauth2.scope ?? '' } });
        }
      }, (error) => {
        console.error(`smtp-peer: XOAUTH2 check failed: ${error.message}`);
        emit({ auth: { method: auth.method, username: auth.username ?? null, accepted: false, clientId: null, subject: null, reason: 'introspection failed' } });
        const failure = new Error('4.7.0 Temporary authentication failure');
        failure.responseCode = 454;
        callback(failure);
      });
      return;
    }

    if (basicAuthDisabled) {
      emit({ auth: { method: auth.method, username: auth.username ?? null, accepted: false, clientId: null, reason: 'basic authentication is disabled' } });
      const error = new Error('5.7.139 Authentication unsuccessful, basic authentication is disabled.');
      error.responseCode = 535;
      callback(error);
      return;
    }

    const ok = credentials
      && (auth.method === 'PLAIN' || auth.method === 'LOGIN')
      && auth.username === credentials.user
      && auth.password === credentials.password;
    // Every attempt is reported (never the password), so a test can tell that no credential reached this server.
    emit({ auth: { method: auth.method, username: auth.username ?? null, accepted: Boolean(ok), clientId: null, reason: ok ? null : 'wrong user or password' } });
    if (!ok) {
      const error = new Error('Authentication credentials invalid');
      error.responseCode = 535;
      callback(error);
      return;
    }
    callback(null, { user: auth.username });
  },

  onMailFrom(address, _session, callback) {
    if (refusedSenders.has(address.address.toLowerCase())) {
      emit({ refused: { command: 'MAIL', code: 550, address: address.address } });
      const error = new Error('5.7.60 SMTP; Client does not have permissions to send as this sender');
      error.responseCode = 550;
      callback(error);
      return;
    }
    callback();
  },

  onRcptTo(address, _session, callback) {
    if (refusedRecipients.has(address.address.toLowerCase())) {
      emit({ refused: { command: 'RCPT', code: 550, address: address.address } });
      const error = new Error('5.1.1 User unknown');
      error.responseCode = 550;
      callback(error);
      return;
    }
    callback();
  },

  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('error', callback);
    stream.on('end', () => {
      messagesSeen += 1;
      if (messagesSeen <= failFirst) {
        emit({ refused: { command: 'DATA', code: 451, address: null } });
        const error = new Error('4.3.0 Temporary failure, try again later');
        error.responseCode = 451;
        callback(error);
        return;
      }
      if (stream.sizeExceeded) {
        const error = new Error('Message exceeds the maximum size');
        error.responseCode = 552;
        callback(error);
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      emit({
        mail: {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          subject: headerValue(raw, 'subject'),
          authUser: session.user ?? null,
          raw,
        },
      });
      callback(null, 'Message accepted');
    });
  },
});

server.on('error', (error) => console.error(`smtp-peer: ${error.message}`));

server.listen(port, '127.0.0.1', () => {
  emit({ ready: true, port: server.server.address().port });
});

exitWhenParentGoes(() => new Promise((resolve) => { server.close(resolve); }));

/**
 * Whether an XOAUTH2 bearer token is accepted: introspection (RFC 7662) says it is active, the user name is
 * not empty, it has --xoauth2-scope and has not been used up. Never returns or logs the token.
 */
async function checkBearer(auth) {
  const response = await fetch(xoauth2.url, {
    method: 'POST',
    headers: { authorization: xoauth2.authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ token: auth.accessToken }).toString(),
    signal: AbortSignal.timeout(10000),
  });
  if (!response.ok) {
    throw new Error(`the introspection endpoint answered ${response.status}`);
  }
  const introspection = await response.json();
  const clientId = typeof introspection.client_id === 'string' ? introspection.client_id : null;
  const subject = typeof introspection.sub === 'string' ? introspection.sub : null;
  const refuse = (reason) => ({ accepted: false, clientId, subject, reason });
  if (introspection.active !== true) return refuse('token not active');
  if (!auth.username) return refuse('no user name');
  if (subject !== null && subject.toLowerCase() !== auth.username.toLowerCase()) {
    return refuse(`token is for ${subject}, not ${auth.username}`);
  }
  if (xoauth2.scope !== undefined && !String(introspection.scope ?? '').split(' ').includes(xoauth2.scope)) {
    return refuse(`token lacks scope ${xoauth2.scope}`);
  }
  if (xoauth2.tokenUses !== undefined) {
    const key = createHash('sha256').update(auth.accessToken).digest('base64url');
    const used = tokenUses.get(key) ?? 0;
    if (used >= xoauth2.tokenUses) return refuse(`token used ${used} times already`);
    tokenUses.set(key, used + 1);
  }
  return { accepted: true, clientId, subject, reason: null };
}

/** application/x-www-form-urlencoded encoding of one value, as RFC 6749 2.3.1 asks for Basic client credentials. */
function formEncode(value) {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** The decoded value of the first header with this name, or null. */
function headerValue(raw, name) {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) {
      return decodeEncodedWords(line.slice(colon + 1).trim());
    }
  }
  return null;
}

/** Decodes RFC 2047 encoded words (=?charset?B|Q?text?=), as mail clients write non-ASCII subjects. */
function decodeEncodedWords(value) {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_word, charset, encoding, text) => {
      const bytes = encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex) => String.fromCharCode(parseInt(hex, 16))),
          'latin1',
        );
      try {
        return new TextDecoder(charset.split('*')[0]).decode(bytes);
      } catch {
        return bytes.toString('utf8');
      }
    });
}
