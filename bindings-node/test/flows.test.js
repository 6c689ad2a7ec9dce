'use strict'
// Beyond the token endpoint, against testkit: discovery, revocation, introspection, the
// device flow's polling rules and its cancellation, PKCE and authorization URLs. (The same
// flows against a real provider are in oidc.test.js.) The device polls wait for real
// seconds, so the tests run concurrently; the ones that count requests have a testkit of
// their own.
const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { inspect } = require('node:util')
const {
  TokenClient,
  TokenResponse,
  ServerMetadata,
  Introspection,
  DeviceAuthorization,
  Pkce,
  AuthorizationRequest,
  clearDiscoveryCache,
  OAuthError,
  ConfigError,
  TransportError,
  CancelledError,
  TokenFetchError,
} = require('..')
const errors = require('../lib/errors.js')
const { startTestkit } = require('./helpers.js')

const ID = 'flows-client'
const SECRET = 'flows-secret-77c1'
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
const RFC7636_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const RFC7636_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

let kit
before(async () => {
  kit = await startTestkit()
})
after(() => kit.stop())

/** A testkit for one test, whose request counts no other test adds to. */
async function ownKit(t) {
  const own = await startTestkit()
  t.after(() => own.stop())
  return own
}

const discovered = (k = kit) => TokenClient.discover(k.url, { clientId: ID, clientSecret: SECRET, discoveryTtlMs: 0 })

/** A public client whose device codes play `script` (testkit's /device_authorization/<script>). */
const deviceClient = (k, script = '') =>
  new TokenClient({
    tokenUrl: k.tokenUrl,
    clientId: ID,
    authMethod: 'none',
    deviceAuthorizationEndpoint: `${k.url}/device_authorization${script && '/' + script}`,
  })

const printed = (value) => [inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value), String(value)]
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

describe('discovery, revocation and introspection', { concurrency: true }, () => {
  test('discovery takes every endpoint from the document', async () => {
    const client = await discovered()
    assert.equal(client.tokenUrl, `${kit.url}/token`)
    assert.equal(client.issuer, kit.url)
    const metadata = client.serverMetadata
    assert.ok(metadata instanceof ServerMetadata)
    assert.equal(metadata.issuer, kit.url)
    assert.equal(metadata.revocationEndpoint, `${kit.url}/revoke`)
    assert.equal(metadata.introspectionEndpoint, `${kit.url}/introspect`)
    assert.equal(metadata.deviceAuthorizationEndpoint, `${kit.url}/device_authorization`)
    assert.deepEqual(metadata.codeChallengeMethodsSupported, ['S256'])
    assert.equal(metadata.authorizationResponseIssParameterSupported, true)
    assert.deepEqual(metadata.extra, {})
    assert.equal(JSON.parse(JSON.stringify(metadata)).tokenEndpoint, `${kit.url}/token`)
    assert.match(inspect(metadata), /^ServerMetadata \{/)
    assert.match((await client.clientCredentials()).accessToken, /^at-/)

    const sync = TokenClient.discoverSync(kit.url, { clientId: ID, clientSecret: SECRET })
    assert.equal(sync.tokenUrl, client.tokenUrl)
    // A client built by hand has no document, and the issuer it was given.
    const byHand = new TokenClient({ tokenUrl: kit.tokenUrl, clientId: ID, clientSecret: SECRET, issuer: 'https://as.example' })
    assert.deepEqual([byHand.serverMetadata, byHand.issuer], [null, 'https://as.example'])
  })

  test('a discovered client without a secret is public', async (t) => {
    const own = await ownKit(t)
    const client = await TokenClient.discover(own.url, { clientId: 'public-app', tokenUrl: own.scenarioUrl('echo') })
    const answer = await client.requestToken({ grantType: 'client_credentials' })
    const seen = answer.tokenResponse.extra.echo
    assert.equal(seen.headers.authorization, undefined, 'no Basic header')
    assert.equal(seen.params.client_id, 'public-app')
  })

  test('a document is read once per issuer while it is fresh, until the cache is cleared', async (t) => {
    const own = await ownKit(t)
    const options = { clientId: ID, clientSecret: SECRET, discoveryTtlMs: 60_000 }
    await TokenClient.discover(own.url, options)
    own.stop()
    // Only the cached document can still build a client: the server is gone.
    assert.equal((await TokenClient.discover(own.url, options)).tokenUrl, `${own.url}/token`)
    await assert.rejects(TokenClient.discover(own.url, { ...options, discoveryTtlMs: 0 }), TransportError)
    clearDiscoveryCache()
    assert.throws(() => TokenClient.discoverSync(own.url, options), TransportError)
  })

  test('discovery errors are typed and name what is wrong', async () => {
    await assert.rejects(TokenClient.discover(`${kit.url}/nowhere`, { clientId: ID, clientSecret: SECRET }), (e) => {
      assert.equal(e.status, 404)
      assert.match(e.httpMeta.request.url, /\/nowhere\/\.well-known\/openid-configuration$/)
      return true
    })
    const refused = (promise, fragment) => assert.rejects(promise, (e) => e instanceof ConfigError && e.message.includes(fragment))
    await refused(TokenClient.discover('ftp://example.com'), 'issuer URL')
    await refused(TokenClient.discover(kit.url, { clientId: ID, discoveryTtl: 5 }), 'did you mean `discoveryTtlMs`?')
    await refused(TokenClient.discover(kit.url, { clientId: ID, discoveryTtlMs: -1 }), 'discoveryTtlMs')
    await refused(TokenClient.discover(kit.url, { clientId: ID, discoveryTtlMs: 86_400_001 }), 'discoveryTtlMs')
    await refused(TokenClient.discover(kit.url, { clientId: ID, issuer: kit.url }), 'unknown option `issuer`')
    await refused(TokenClient.discover(5), 'invalid configuration')
    assert.throws(() => TokenClient.discoverSync(kit.url, { clientId: ID, revocationEndpoint: 'ftp://x' }), /revocation_endpoint/)
    assert.throws(() => new TokenClient({ tokenUrl: kit.tokenUrl, clientId: ID, discoveryTtlMs: 0 }), /unknown option `discoveryTtlMs`/)
  })

  test('revoke, then introspect shows the token inactive', async () => {
    const client = await discovered()
    const token = await client.clientCredentials()
    const live = await client.introspect(token.accessToken, { tokenTypeHint: 'access_token' })
    assert.ok(live instanceof Introspection)
    assert.equal(live.active, true)
    assert.equal(live.clientId, ID)
    assert.equal(live.scope, 'read write')
    assert.equal(typeof live.iat, 'number')
    assert.deepEqual(live.aud, [])
    await client.revoke(token.accessToken, { tokenTypeHint: 'access_token' })
    const revoked = await client.introspect(token.accessToken)
    assert.deepEqual([revoked.active, revoked.scope, revoked.clientId], [false, null, null])

    const another = client.clientCredentialsSync()
    assert.equal(client.introspectSync(another.accessToken).active, true)
    assert.equal(client.revokeSync(another.accessToken), undefined)
    assert.equal(client.introspectSync(another.accessToken).active, false)
    // Nothing the introspection shows is a token.
    for (const text of printed(live)) assert.ok(!text.includes(token.accessToken), text)
  })

  test('endpoints a client lacks are ConfigErrors that say how to get them', async () => {
    const client = new TokenClient({ tokenUrl: kit.tokenUrl, clientId: ID, clientSecret: SECRET })
    await assert.rejects(client.revoke('t'), (e) => e instanceof ConfigError && e.message.includes('revocation_endpoint'))
    await assert.rejects(client.introspect('t'), (e) => e instanceof ConfigError && e.message.includes('introspection_endpoint'))
    await assert.rejects(client.deviceAuthorization(), (e) => e instanceof ConfigError && e.message.includes('device_authorization_endpoint'))
    assert.throws(() => client.authorizationUrl('https://app/cb'), (e) => e instanceof ConfigError && e.message.includes('discover'))
  })

  test('call options are checked: unknown names, wrong types, an AbortSignal', async () => {
    const client = await discovered()
    const refused = (promise, fragment) => assert.rejects(promise, (e) => e instanceof ConfigError && e.message.includes(fragment))
    await refused(client.revoke('t', { token_type_hint: 'access_token' }), 'did you mean `tokenTypeHint`?')
    await refused(client.introspect('t', { tokenTypeHint: 1 }), 'tokenTypeHint must be a string')
    await refused(client.introspect(5), 'invalid configuration')
    await refused(client.deviceAuthorization({ scopes: 'a' }), 'did you mean `scope`?')
    await refused(client.pollDeviceToken({ deviceCode: 'dc' }), 'authorization must be the DeviceAuthorization')
    assert.throws(() => client.revokeSync('t', { signal: AbortSignal.abort() }), /unknown option `signal`/)
    await assert.rejects(client.revoke('t', { signal: AbortSignal.abort() }), { name: 'AbortError' })
    assert.throws(() => client.authorizationUrl('https://app/cb', { sate: 'x' }), /did you mean `state`\?/)
    assert.throws(() => client.authorizationUrl('https://app/cb', { pkce: RFC7636_VERIFIER }), (e) => e instanceof ConfigError && /pkce must be a Pkce/.test(e.message))
    assert.throws(() => client.authorizationUrl('https://app/cb', { extra: { state: 'x' } }), (e) => e instanceof ConfigError && /"state"/.test(e.message))
  })
})

describe('the device flow', { concurrency: true }, () => {
  test('polls until approved, and never shows the device code', async (t) => {
    const own = await ownKit(t)
    const client = deviceClient(own)
    const auth = await client.deviceAuthorization({ scope: 'read' })
    assert.ok(auth instanceof DeviceAuthorization)
    assert.equal(auth.interval, 1)
    assert.equal(auth.expiresIn, 600)
    assert.ok(auth.expiresAt >= Date.now() / 1000 + 599)
    assert.equal(auth.isExpired(), false)
    assert.match(auth.userCode, /^WDJB-/)
    assert.equal(auth.verificationUri, `${own.url}/device`)
    assert.equal(auth.verificationUriComplete, `${own.url}/device?user_code=${auth.userCode}`)
    assert.match(auth.deviceCode, /^dc-/)
    for (const text of printed(auth)) {
      assert.ok(!text.includes(auth.deviceCode), text)
      assert.ok(text.includes('[redacted]'), text)
    }
    const token = await client.pollDeviceToken(auth)
    assert.ok(token instanceof TokenResponse)
    assert.ok(token.refreshToken)
    assert.equal(await own.requestsWithGrant(DEVICE_GRANT), 2, 'one authorization_pending, then the token')
  })

  test('slow_down adds five seconds to the interval', async () => {
    // testkit refuses a poll sooner than the interval plus 5 s after slow_down, so a token
    // means the wait was kept.
    const client = deviceClient(kit, 'slow_down')
    const auth = client.deviceAuthorizationSync()
    const started = performance.now()
    const token = await client.pollDeviceToken(auth)
    assert.match(token.accessToken, /^at-/)
    assert.ok(performance.now() - started >= 6000, 'the second poll came 6 s after the first')
  })

  for (const code of ['expired_token', 'access_denied']) {
    test(`${code} ends the poll as an OAuthError`, async () => {
      const client = deviceClient(kit, code)
      const auth = await client.deviceAuthorization()
      await assert.rejects(client.pollDeviceToken(auth), (e) => {
        assert.ok(e instanceof OAuthError, String(e))
        assert.deepEqual([e.kind, e.oauthCode, e.status], ['oauth', code, 400])
        for (const text of [e.message, inspect(e, { depth: 10 }), JSON.stringify(e.httpMeta)]) {
          assert.ok(!text.includes(auth.deviceCode), text)
        }
        return true
      })
    })
  }

  test('an abort stops the poll at once, in the core too', async (t) => {
    const own = await ownKit(t)
    const client = deviceClient(own, 'slow_down')
    const auth = await client.deviceAuthorization()
    const controller = new AbortController()
    const started = performance.now()
    // Past the first poll (1 s), into the 6 s wait that slow_down asked for.
    setTimeout(() => controller.abort(), 1500)
    await assert.rejects(client.pollDeviceToken(auth, { signal: controller.signal }), (e) => {
      assert.equal(e, controller.signal.reason, 'rejects with the signal reason')
      assert.equal(e.name, 'AbortError')
      return true
    })
    const elapsed = performance.now() - started
    assert.ok(elapsed < 2500, `rejected ${elapsed} ms in`)
    // Had only the Promise been abandoned, the core would poll again at 7 s.
    await sleep(7500 - elapsed)
    assert.equal(await own.requestsWithGrant(DEVICE_GRANT), 1, 'the core stopped polling when aborted')
  })

  test('an aborted signal rejects at once with its reason, without a request', async (t) => {
    const own = await ownKit(t)
    const client = deviceClient(own)
    const auth = await client.deviceAuthorization()
    const reason = new Error('user closed the dialog')
    await assert.rejects(client.pollDeviceToken(auth, { signal: AbortSignal.abort(reason) }), (e) => e === reason)
    await sleep(1500)
    assert.equal(await own.requestsWithGrant(DEVICE_GRANT), 0)
  })

  test('the core cancelled kind is a CancelledError', () => {
    const e = errors.fromPayload({ kind: 'cancelled', message: 'cancelled: the device flow poll was cancelled' })
    assert.ok(e instanceof CancelledError && e instanceof TokenFetchError)
    assert.equal(e.kind, 'cancelled')
  })
})

describe('PKCE and authorization URLs', () => {
  test('the RFC 7636 appendix B example', () => {
    const pkce = Pkce.fromVerifier(RFC7636_VERIFIER)
    assert.ok(pkce instanceof Pkce)
    assert.deepEqual([pkce.verifier, pkce.challenge, pkce.method], [RFC7636_VERIFIER, RFC7636_CHALLENGE, 'S256'])
    for (const text of printed(pkce)) {
      assert.ok(!text.includes(RFC7636_VERIFIER), text)
      assert.ok(text.includes(RFC7636_CHALLENGE), text)
    }
  })

  test('generated verifiers are 43 characters and differ; bad ones are ConfigErrors that do not echo them', () => {
    const [a, b] = [Pkce.generate(), Pkce.generate()]
    assert.match(a.verifier, /^[A-Za-z0-9_-]{43}$/)
    assert.notEqual(a.verifier, b.verifier)
    assert.equal(Pkce.fromVerifier(a.verifier).challenge, a.challenge)
    assert.throws(() => Pkce.fromVerifier('a'.repeat(42)), (e) => e instanceof ConfigError && e.message.includes('43 to 128'))
    assert.throws(() => Pkce.fromVerifier(`${'a'.repeat(43)}+secret`), (e) => e instanceof ConfigError && !e.message.includes('secret'))
    assert.throws(() => Pkce.fromVerifier(5), ConfigError)
  })

  test('the authorization URL carries state and an S256 challenge, and the callback is checked', async () => {
    const client = await discovered()
    const request = client.authorizationUrl('https://app.example/cb', {
      scope: 'openid read',
      nonce: 'n-1',
      pkce: Pkce.fromVerifier(RFC7636_VERIFIER),
      extra: { prompt: 'login' },
    })
    assert.ok(request instanceof AuthorizationRequest)
    const url = new URL(request.url)
    assert.equal(url.origin + url.pathname, `${kit.url}/authorize`)
    const query = Object.fromEntries(url.searchParams)
    assert.deepEqual(query, {
      response_type: 'code',
      client_id: ID,
      redirect_uri: 'https://app.example/cb',
      scope: 'openid read',
      state: request.state,
      nonce: 'n-1',
      code_challenge: RFC7636_CHALLENGE,
      code_challenge_method: 'S256',
      prompt: 'login',
    })
    assert.ok(request.state.length >= 32, `a random state: ${request.state}`)
    assert.deepEqual([request.nonce, request.redirectUri, request.pkce.verifier], ['n-1', 'https://app.example/cb', RFC7636_VERIFIER])
    for (const text of printed(request)) assert.ok(!text.includes(RFC7636_VERIFIER), text)
    // Left out, a state and a PKCE pair are made.
    const fresh = client.authorizationUrl('https://app.example/cb')
    assert.notEqual(fresh.state, request.state)
    assert.notEqual(fresh.pkce.verifier, RFC7636_VERIFIER)

    const iss = encodeURIComponent(kit.url)
    const back = `https://app.example/cb?code=c-1&state=${request.state}&iss=${iss}`
    assert.equal(client.parseCallback(back, request.state), 'c-1')
    const forged = `https://app.example/cb?code=c-1&state=forged&iss=${iss}`
    assert.throws(() => client.parseCallback(forged, request.state), (e) => e instanceof ConfigError && /state/.test(e.message))
    // testkit promises iss (RFC 9207), so a callback without it is refused.
    const noIss = `https://app.example/cb?code=c-1&state=${request.state}`
    assert.throws(() => client.parseCallback(noIss, request.state), ConfigError)
    const denied = `https://app.example/cb?error=access_denied&state=${request.state}&iss=${iss}`
    assert.throws(
      () => client.parseCallback(denied, request.state),
      (e) => e instanceof OAuthError && e.oauthCode === 'access_denied' && e.status === null,
    )
  })
})
