// A real OpenID Connect server for the integration suites: panva's oidc-provider, pinned in
// package-lock.json, configured from fixtures.json. Listens on 127.0.0.1 (port 0 unless
// OIDC_PORT is set) and prints `OIDC_URL=<issuer>` once it accepts connections. Whoever starts
// it stops it by PID (scripts/with-oidc.sh).
//
// Besides the provider's own routes (/token, /device/auth, /.well-known/openid-configuration,
// /jwks, /token/introspection) it serves GET /__stats: tokens issued per client id, which
// lets a suite check how many fetches a TokenManager really made.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

const fixtures = JSON.parse(readFileSync(new URL('./fixtures.json', import.meta.url), 'utf8'));

const resourceServers = new Map(
  Object.values(fixtures.resources).map((r) => [
    r.indicator,
    {
      scope: r.scope,
      audience: r.indicator,
      accessTokenTTL: r.access_token_ttl,
      accessTokenFormat: r.access_token_format,
      ...(r.access_token_format === 'jwt' ? { jwt: { sign: { alg: 'RS256' } } } : {}),
    },
  ]),
);

// A client with `key_case` signs its assertions with that case's key from keys.json; the
// provider holds only its public half.
const keys = JSON.parse(readFileSync(new URL('../../conformance/keys.json', import.meta.url), 'utf8'));
const publicJwk = (name) => keys.cases.find((c) => c.name === name).public_jwk;

const clients = Object.values(fixtures.clients).map(({ key_case: keyCase, ...c }) => ({
  ...c,
  ...(keyCase ? { jwks: { keys: [publicJwk(keyCase)] } } : {}),
  // Only the sign-in client (`web`) has the authorization code flow's redirect URIs.
  redirect_uris: c.redirect_uris ?? [],
  response_types: c.response_types ?? [],
}));

// A fresh signing key per run: nothing secret is committed, and JWT access tokens verify
// against /jwks.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'testkit', alg: 'RS256', use: 'sig' };

const issuedPerClient = {};

const http = createServer();
http.listen(Number(process.env.OIDC_PORT || 0), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${http.address().port}`;
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [signingKey] },
    scopes: ['openid', 'offline_access', 'read', 'write'],
    features: {
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // A request that names no resource gets an opaque token for the provider itself.
        defaultResource: (ctx, client, oneOf) => (oneOf ? oneOf[0] : undefined),
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, indicator) => {
          const info = resourceServers.get(indicator);
          if (!info) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return info;
        },
      },
    },
    ttl: {
      ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
      AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
      DeviceCode: 600,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86400,
      Session: 3600,
    },
  });
  provider.on('server_error', (ctx, err) => console.error('oidc-provider server_error:', err));
  provider.on('grant.success', (ctx) => {
    const id = ctx.oidc.client?.clientId ?? '';
    issuedPerClient[id] = (issuedPerClient[id] ?? 0) + 1;
  });

  const callback = provider.callback();
  http.on('request', (req, res) => {
    if (req.method === 'GET' && req.url === '/__stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issued: issuedPerClient }));
      return;
    }
    callback(req, res);
  });
  console.log(`OIDC_URL=${issuer}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
