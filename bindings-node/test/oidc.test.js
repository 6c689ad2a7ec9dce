'use strict'
// Against a real OpenID Connect server nobody here wrote: panva's oidc-provider.
// `make test` starts it on 127.0.0.1 (scripts/with-oidc.sh) and names it in OIDC_URL; its clients
// and resource servers are in testkit/oidc/fixtures.json. Without OIDC_URL the suite is skipped,
// unless TOKENFETCH_REQUIRE_OIDC is set (`make test` sets it).
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const fs = require('node:fs')
const { execFile } = require('node:child_process')
const { promisify } = require('node:util')
const { TokenClient, TokenManager, OAuthError } = require('..')

const FIXTURES = JSON.parse(fs.readFileSync(path.join(__dirname, '../../testkit/oidc/fixtures.json'), 'utf8'))
const ISSUER = process.env.OIDC_URL
if (!ISSUER && process.env.TOKENFETCH_REQUIRE_OIDC) {
  throw new Error('TOKENFETCH_REQUIRE_OIDC is set but OIDC_URL is not: run under scripts/with-oidc.sh')
}
const skip = ISSUER ? false : 'OIDC_URL is not set (make test starts oidc-provider)'

const KEYS = JSON.parse(fs.readFileSync(path.join(__dirname, '../../conformance/keys.json'), 'utf8'))
/** The private key of one case of conformance/keys.json (`untrusted`: one no server knows). */
const keyCase = (name) => (name === 'untrusted' ? KEYS.untrusted.key : KEYS.cases.find((c) => c.name === name).key)

function client(role, options = {}) {
  const c = FIXTURES.clients[role]
  return new TokenClient({
    tokenUrl: `${ISSUER}/token`,
    clientId: c.client_id,
    clientSecret: c.client_secret,
    authMethod: c.token_endpoint_auth_method,
    ...(c.key_case ? { privateKey: keyCase(c.key_case) } : {}),
    ...options,
  })
}
const resource = (role) => FIXTURES.resources[role].indicator

async function issuedTo(role) {
  const stats = await (await fetch(`${ISSUER}/__stats`)).json()
  return stats.issued[FIXTURES.clients[role].client_id] ?? 0
}

const jwtClaims = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))

test('client credentials with client_secret_basic', { skip }, async () => {
  const answer = await client('basic').requestToken({ grantType: 'client_credentials', scope: 'read' })
  const token = answer.tokenResponse
  assert.equal(token.tokenType, 'Bearer')
  assert.equal(token.scope, 'read')
  assert.equal(token.expiresIn, 600)
  assert.equal(typeof token.expiresAt, 'number')
  assert.equal(answer.httpMeta.response.status, 200)
  assert.equal(answer.httpMeta.request.headers.authorization, 'Basic [redacted]')
})

test('client credentials with client_secret_post', { skip }, async () => {
  const token = await client('post').clientCredentials({ scope: 'read write' })
  assert.equal(token.scope, 'read write')
})

test('an id and secret with reserved characters authenticate', { skip }, async () => {
  assert.equal(FIXTURES.clients.special.client_id, 'cc special:id')
  const token = await client('special').clientCredentials({ scope: 'read' })
  assert.equal(token.tokenType, 'Bearer')
})

test('resource indicators choose a JWT or an opaque token', { skip }, async () => {
  const jwt = await client('basic', { resource: [resource('jwt')] }).clientCredentials({ scope: 'read' })
  const claims = jwtClaims(jwt.accessToken)
  assert.equal(claims.aud, resource('jwt'))
  assert.equal(claims.client_id, 'tf-basic')
  assert.equal(jwt.expiresIn, 3600)

  const opaque = await client('basic', { resource: [resource('opaque')] }).clientCredentials()
  assert.ok(!opaque.accessToken.includes('.'), 'an opaque token is not a JWT')
  assert.equal(opaque.expiresIn, 3600)
})

test('a wrong secret is invalid_client with status 401', { skip }, async () => {
  await assert.rejects(client('basic', { clientSecret: 'not-the-secret' }).clientCredentials(), (e) => {
    assert.ok(e instanceof OAuthError)
    assert.equal(e.kind, 'oauth')
    assert.equal(e.oauthCode, 'invalid_client')
    assert.equal(e.status, 401)
    assert.ok(!e.message.includes('not-the-secret'))
    return true
  })
})

test('a scope the client may not have is invalid_scope', { skip }, async () => {
  await assert.rejects(client('read_only').clientCredentials({ scope: 'write' }), (e) => {
    assert.equal(e.oauthCode, 'invalid_scope')
    assert.equal(e.status, 400)
    return true
  })
})

for (const role of ['device_public', 'device_confidential']) {
  test(`device flow: ${role} gets codes and is told to wait`, { skip }, async () => {
    const c = FIXTURES.clients[role]
    const form = new URLSearchParams({ client_id: c.client_id, scope: 'openid read' })
    if (c.client_secret) form.set('client_secret', c.client_secret)
    const codes = await (await fetch(`${ISSUER}/device/auth`, { method: 'POST', body: form })).json()
    assert.equal(typeof codes.user_code, 'string')
    assert.equal(typeof codes.verification_uri, 'string')
    await assert.rejects(client(role).deviceCode(codes.device_code), (e) => e.oauthCode === 'authorization_pending')
  })
}

// Four concurrent readers of a 5-second token for 6.5 s. With a 1 s skew the manager fetches at
// about 0 s and 4 s: one token per lifetime, never an expired one, never two fetches at once.
test('the manager refreshes a short-lived token once per lifetime', { skip }, async () => {
  const manager = new TokenManager(client('cache', { resource: [resource('short_lived')] }), { refreshSkewMs: 1000 })
  const issuedBefore = await issuedTo('cache')
  const seen = new Map()
  const deadline = Date.now() + 6500
  const reader = async () => {
    let reads = 0
    while (Date.now() < deadline) {
      const token = await manager.token()
      assert.equal(token.expiresIn, 5)
      assert.ok(Date.now() / 1000 < token.expiresAt, `handed out a token that expired at ${token.expiresAt}`)
      seen.set(token.accessToken, token.expiresAt)
      reads += 1
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return reads
  }
  const reads = (await Promise.all([reader(), reader(), reader(), reader()])).reduce((a, b) => a + b)
  assert.ok(reads > 400, `the readers ran (${reads} reads)`)
  assert.equal(seen.size, 2, 'one token per lifetime across 6.5 s: fetched at ~0 s and ~4 s')
  assert.equal((await issuedTo('cache')) - issuedBefore, seen.size, 'the manager fetched once per lifetime')
})

/**
 * A client for one of the fixture's clients, built from the issuer alone: every endpoint and
 * the auth method come from the provider's discovery document.
 */
function discovered(role) {
  const c = FIXTURES.clients[role]
  return TokenClient.discover(ISSUER, { clientId: c.client_id, clientSecret: c.client_secret })
}

/**
 * Plays the user in a browser: testkit/oidc/approve.mjs submits the provider's own forms (the
 * user code, a login, the consent) and presses Continue or Abort.
 */
async function actAsUser(verificationUriComplete, choice) {
  const script = path.join(__dirname, '../../testkit/oidc/approve.mjs')
  const { stdout } = await promisify(execFile)(process.execPath, [script, verificationUriComplete, choice])
  assert.equal(stdout.trim(), choice === 'approve' ? 'approved' : 'denied')
}

test('discovery reads the openid-configuration and finds every endpoint', { skip }, async () => {
  const client = await discovered('basic')
  assert.equal(client.tokenUrl, `${ISSUER}/token`)
  assert.equal(client.issuer, ISSUER)
  const metadata = client.serverMetadata
  assert.equal(metadata.issuer, ISSUER)
  assert.equal(metadata.deviceAuthorizationEndpoint, `${ISSUER}/device/auth`)
  assert.ok(metadata.revocationEndpoint && metadata.introspectionEndpoint)
  assert.ok(metadata.codeChallengeMethodsSupported.includes('S256'))
  assert.ok(Array.isArray(metadata.extra.claims_supported), 'members without a field are kept in extra')
  assert.equal((await client.clientCredentials({ scope: 'read' })).scope, 'read')
})

test('a revoked token introspects as inactive', { skip }, async () => {
  const client = await discovered('basic')
  const token = await client.clientCredentials({ scope: 'read' })
  const live = await client.introspect(token.accessToken, { tokenTypeHint: 'access_token' })
  assert.equal(live.active, true)
  assert.equal(live.clientId, FIXTURES.clients.basic.client_id)
  assert.equal(typeof live.exp, 'number')
  await client.revoke(token.accessToken, { tokenTypeHint: 'access_token' })
  const revoked = await client.introspect(token.accessToken, { tokenTypeHint: 'access_token' })
  assert.equal(revoked.active, false)
  // Revoking a token the server never issued is still a success (RFC 7009 §2.2).
  await client.revoke('never-issued')
})

// Each poll waits out the provider's 5 s interval, so the three users act at once.
describe('the device flow end to end', { skip, concurrency: true }, () => {
  for (const role of ['device_public', 'device_confidential']) {
    test(`${role}, approved by the user`, async () => {
      const client = await discovered(role)
      const auth = await client.deviceAuthorization({ scope: 'openid offline_access read' })
      await actAsUser(auth.verificationUriComplete, 'approve')
      const token = await client.pollDeviceToken(auth)
      assert.ok(token.idToken, 'an ID token for openid')
      assert.ok(token.refreshToken, 'a refresh token for offline_access')
      assert.equal(jwtClaims(token.idToken).aud, FIXTURES.clients[role].client_id)
    })
  }

  test('ends with access_denied when the user aborts', async () => {
    const client = await discovered('device_public')
    const auth = await client.deviceAuthorization({ scope: 'openid read' })
    await actAsUser(auth.verificationUriComplete, 'deny')
    await assert.rejects(client.pollDeviceToken(auth), (e) => {
      assert.ok(e instanceof OAuthError)
      assert.equal(e.oauthCode, 'access_denied')
      return true
    })
  })
})

for (const role of ['jwt_rs256', 'jwt_es256', 'secret_jwt']) {
  test(`${role} authenticates with the key or secret the server registered`, { skip }, async () => {
    const token = await client(role).clientCredentials({ scope: 'read' })
    assert.ok(token.accessToken)
  })
}

test('a key the server never saw is invalid_client', { skip }, async () => {
  await assert.rejects(
    client('jwt_es256', { privateKey: keyCase('untrusted') }).clientCredentials({ scope: 'read' }),
    (e) => e.oauthCode === 'invalid_client',
  )
})

/** Plays the user's browser through the provider's login and consent forms, up to the redirect back to the app. */
async function signInThroughTheForms(authorizationUrl, redirectUri) {
  const script = path.join(__dirname, '../../testkit/oidc/approve.mjs')
  const { stdout } = await promisify(execFile)(process.execPath, [script, authorizationUrl, 'sign-in', redirectUri])
  return stdout.trim()
}

test('a whole sign-in through the provider forms validates its ID token', { skip }, async () => {
  const c = FIXTURES.clients.web
  const { AuthorizationRequest } = require('..')
  const client = await TokenClient.discover(ISSUER, { clientId: c.client_id, clientSecret: c.client_secret })
  assert.equal(client.validatesIdTokens, true)
  const redirectUri = c.redirect_uris[0]
  const request = client.authorizationUrl(redirectUri, { scope: 'openid offline_access read', extra: { prompt: 'consent' } })
  const callback = await signInThroughTheForms(request.url, redirectUri)
  const token = await client.exchangeCode(AuthorizationRequest.fromSessionJson(request.toSessionJson()), callback)
  const claims = token.idTokenClaims
  assert.deepEqual([claims.iss, claims.aud, claims.nonce], [ISSUER, [c.client_id], request.nonce])
  assert.equal((await client.userinfo(token.accessToken, { expectedSub: claims.sub })).sub, claims.sub)
  const refreshed = await client.refresh(token.refreshToken)
  assert.equal(refreshed.idTokenClaims.sub, claims.sub)
  await assert.rejects(client.exchangeCode(request, callback), (e) => e instanceof OAuthError && e.oauthCode === 'invalid_grant')
})

test('a pushed authorization request signs in through the provider forms', { skip }, async () => {
  const c = FIXTURES.clients.web
  const client = await TokenClient.discover(ISSUER, { clientId: c.client_id, clientSecret: c.client_secret })
  const redirectUri = c.redirect_uris[0]
  const request = await client.pushAuthorizationRequest(redirectUri, { scope: 'openid' })
  assert.ok(request.requestUri && !request.url.includes('code_challenge'), request.url)
  const token = await client.exchangeCode(request, await signInThroughTheForms(request.url, redirectUri))
  assert.equal(token.idTokenClaims.nonce, request.nonce)
})
