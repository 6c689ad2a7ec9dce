'use strict'
// Sign-in with ID tokens: the shared vectors (conformance/id_tokens.json) through
// validateIdToken, then a whole sign-in against testkit's OpenID provider, and every way
// testkit can make an ID token wrong, each failing with its own named check.
// Writes target/conformance/node-id_tokens.json for conformance/report.py.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { inspect } = require('node:util')
const { TokenClient, AuthorizationRequest, IdTokenError, TokenFetchError, ConfigError, validateIdToken } = require('..')
const { startTestkit } = require('./helpers.js')

const ROOT = path.join(__dirname, '..', '..')
const VECTORS = JSON.parse(fs.readFileSync(path.join(ROOT, 'conformance', 'id_tokens.json'), 'utf8'))
const REDIRECT = 'http://app.example/callback'
const results = {}

function check(c) {
  const g = c.given
  let claims
  try {
    claims = validateIdToken(c.token, {
      jwks: c.jwks ?? VECTORS.jwks,
      issuer: g.issuer,
      clientId: g.client_id,
      nonce: g.nonce ?? undefined,
      maxAgeMs: g.max_age == null ? undefined : g.max_age * 1000,
      accessToken: g.access_token,
      code: g.code,
      clockSkewMs: g.clock_skew == null ? undefined : g.clock_skew * 1000,
      algorithms: g.algorithms,
      clientSecret: g.client_secret,
      now: g.now,
    })
  } catch (e) {
    assert.ok(e instanceof IdTokenError, `expected claims or an IdTokenError, got ${e}`)
    assert.ok(c.error, `expected claims, got ${e.idTokenCheck}: ${e.message}`)
    assert.deepEqual([e.kind, e.idTokenCheck], [c.error.kind, c.error.check], e.message)
    return
  }
  assert.ok(c.claims, `expected ${JSON.stringify(c.error)}, got valid claims`)
  const snake = { auth_time: 'authTime' }
  for (const [name, want] of Object.entries(c.claims)) {
    if (name === 'extra') {
      for (const [member, value] of Object.entries(want)) assert.deepEqual(claims.extra[member], value, `extra ${member}`)
    } else {
      assert.deepEqual(claims[snake[name] ?? name], want, name)
    }
  }
}

for (const c of VECTORS.cases) {
  const name = `id_tokens/${c.name}`
  test(name, () => {
    try {
      check(c)
    } catch (e) {
      results[name] = `fail: ${e.message}`
      throw e
    }
    results[name] = 'pass'
  })
}

after(() => {
  const out = path.join(ROOT, 'target', 'conformance')
  fs.mkdirSync(out, { recursive: true })
  fs.writeFileSync(path.join(out, 'node-id_tokens.json'), JSON.stringify({ language: 'node', results }, null, 2))
})

// --- Against testkit's OpenID provider ----------------------------------------------------

let kit
before(async () => {
  kit = await startTestkit()
})
after(() => kit.stop())

async function follow(url) {
  const response = await fetch(url, { redirect: 'manual' })
  assert.equal(response.status, 302)
  return response.headers.get('location')
}

function provider(base, flavor = 'main') {
  return TokenClient.discoverSync(`${base.url}/op/${flavor}`, { clientId: 'rp', clientSecret: 'rp-secret', discoveryTtlMs: 0 })
}

async function signIn(client, mode = 'good', options = {}) {
  const request = client.authorizationUrl(REDIRECT, { scope: 'openid profile', extra: { tf_id_token: mode }, ...options })
  return client.exchangeCode(request, await follow(request.url))
}

async function jwksReads(base, flavor = 'main') {
  return (await (await fetch(`${base.url}/op/${flavor}/__stats`)).json()).jwks_reads
}

test('a sign-in returns the validated claims of its own request', async () => {
  const own = await startTestkit()
  try {
    const client = provider(own)
    assert.equal(client.validatesIdTokens, true)
    const request = client.authorizationUrl(REDIRECT, { scope: 'openid' })
    assert.ok(request.nonce, 'an openid request gets a nonce of its own')
    // A web app keeps one value between the steps.
    const kept = AuthorizationRequest.fromSessionJson(request.toSessionJson())
    assert.equal(kept.state, request.state)
    assert.ok(!JSON.stringify(request).includes(request.pkce.verifier), 'toJSON still hides the verifier')
    const token = await client.exchangeCode(kept, await follow(request.url))
    const claims = token.idTokenClaims
    assert.deepEqual([claims.sub, claims.aud, claims.nonce], ['user-42', ['rp'], request.nonce])
    assert.equal(claims.extra.name, 'Ann Example')
    assert.ok(typeof claims.authTime === 'number')
    assert.ok(!inspect(token).includes(token.accessToken))
  } finally {
    own.stop()
  }
})

test('every algorithm the provider signs with verifies', async () => {
  const client = provider(kit)
  for (const mode of ['good', 'es256', 'eddsa', 'ps256']) {
    assert.ok((await signIn(client, mode)).idTokenClaims, mode)
  }
})

const BAD = {
  'wrong-signature': 'signature',
  'alg-none': 'alg',
  'hs256-with-public-key': 'alg',
  'jwk-header': 'kid',
  crit: 'crit',
  'wrong-iss': 'iss',
  'wrong-aud': 'aud',
  'wrong-azp': 'azp',
  'several-aud': 'azp',
  'wrong-nonce': 'nonce',
  expired: 'exp',
  'not-yet-valid': 'nbf',
  'future-iat': 'iat',
  'at-hash-mismatch': 'at_hash',
  'c-hash-mismatch': 'c_hash',
  oversized: 'size',
  'deep-nesting': 'nesting',
}

test('each bad ID token fails its own named check', async () => {
  const client = provider(kit)
  for (const [mode, check] of Object.entries(BAD)) {
    await assert.rejects(signIn(client, mode), (e) => {
      assert.ok(e instanceof IdTokenError && e instanceof TokenFetchError, `${mode}: ${e}`)
      assert.equal(e.kind, 'id_token')
      assert.equal(e.code, 'ERR_TOKENFETCH_ID_TOKEN')
      assert.equal(e.idTokenCheck, check, `${mode}: ${e.message}`)
      assert.ok(!e.message.includes('eyJ'), 'no message quotes the token')
      return true
    })
  }
})

test('maxAgeMs is sent and auth_time checked; the sync twin agrees', async () => {
  const client = provider(kit)
  assert.match(client.authorizationUrl(REDIRECT, { scope: 'openid', maxAgeMs: 600_000 }).url, /max_age=600/)
  assert.ok((await signIn(client, 'good', { maxAgeMs: 600_000 })).idTokenClaims)
  await assert.rejects(signIn(client, 'old-auth-time', { maxAgeMs: 600_000 }), (e) => e.idTokenCheck === 'auth_time')
  assert.throws(() => client.authorizationUrl(REDIRECT, { maxAgeMs: -1 }), ConfigError)
  assert.throws(() => client.authorizationUrl(REDIRECT, { maxAge: 60 }), /maxAgeMs/)
  const request = client.authorizationUrl(REDIRECT, { scope: 'openid', extra: { tf_id_token: 'wrong-nonce' } })
  const callback = await follow(request.url)
  assert.throws(() => client.exchangeCodeSync(request, callback), (e) => e.idTokenCheck === 'nonce')
})

test('a rotated key takes one more JWKS read, made-up kids none', async () => {
  const own = await startTestkit()
  try {
    const client = provider(own)
    await signIn(client, 'es256')
    await signIn(client, 'es256')
    assert.equal(await jwksReads(own), 1)
    await fetch(`${own.url}/op/main/__rotate`, { method: 'POST' })
    await signIn(client, 'es256')
    assert.equal(await jwksReads(own), 2)
    for (let i = 0; i < 10; i++) {
      await assert.rejects(signIn(client, 'unknown-kid'), (e) => e.idTokenCheck === 'kid')
    }
    assert.equal(await jwksReads(own), 2)
  } finally {
    own.stop()
  }
})

test('concurrent sign-ins read the JWKS once', async () => {
  const own = await startTestkit()
  try {
    const client = provider(own)
    await Promise.all(Array.from({ length: 8 }, () => signIn(client)))
    assert.equal(await jwksReads(own), 1)
  } finally {
    own.stop()
  }
})

test('a JWKS nested too deep is refused by name', async () => {
  await assert.rejects(signIn(provider(kit, 'deep-jwks')), (e) => e.idTokenCheck === 'nesting')
})

test('validateIdToken checks its own arguments', () => {
  const c = VECTORS.cases[0]
  assert.throws(() => validateIdToken(c.token, { jwks: VECTORS.jwks, issuer: 'i', clientId: 'c', clockSkewMs: NaN }), /clockSkewMs/)
  assert.throws(() => validateIdToken(c.token, { jwks: VECTORS.jwks, issuer: 'i', clientId: 'c', clockSkew: 5 }), /clockSkewMs/)
  assert.throws(() => validateIdToken(c.token, { issuer: 'i', clientId: 'c' }), ConfigError)
  assert.throws(
    () => validateIdToken(c.token, { jwks: '[]', issuer: 'i', clientId: 'c' }),
    (e) => e.idTokenCheck === 'jwks',
  )
  assert.throws(() => AuthorizationRequest.fromSessionJson('not json'), ConfigError)
})

test("the guide's sign-in example runs", async () => {
  const { execFile } = require('node:child_process')
  const { promisify } = require('node:util')
  const example = path.join(__dirname, '..', 'examples', 'sign-in.js')
  const { stdout } = await promisify(execFile)(process.execPath, [example, kit.url], { timeout: 60_000 })
  assert.match(stdout, /sub=user-42/)
  assert.match(stdout, /nonce checked {3}true/)
})

test('userinfo answers for the signed-in user only; the end session URL carries its parameters', async () => {
  const client = provider(kit)
  const token = await signIn(client)
  const info = await client.userinfo(token.accessToken, { expectedSub: token.idTokenClaims.sub })
  assert.deepEqual([info.sub, info.email], ['user-42', 'ann@example.com'])
  const other = await signIn(client, 'userinfo-other-sub')
  await assert.rejects(client.userinfo(other.accessToken, { expectedSub: other.idTokenClaims.sub }), (e) => e.idTokenCheck === 'sub')
  assert.throws(() => client.userinfoSync(other.accessToken, { expectedSub: 'user-42' }), (e) => e.idTokenCheck === 'sub')
  await assert.rejects(client.userinfo(token.accessToken, { expected_sub: 'x' }), /expectedSub/)
  const signed = provider(kit, 'signed-userinfo')
  assert.equal((await signed.userinfo((await signIn(signed)).accessToken)).aud, 'rp')
  const url = new URL(client.endSessionUrl({ idTokenHint: 'the.id.token', postLogoutRedirectUri: 'https://app.example/bye', state: 's-1' }))
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    id_token_hint: 'the.id.token',
    post_logout_redirect_uri: 'https://app.example/bye',
    state: 's-1',
    client_id: 'rp',
  })
})

test('a pushed authorization request signs in with only a reference in the URL', async () => {
  const client = provider(kit, 'par')
  // The provider requires pushed requests: a plain URL is refused before any browser sees it.
  assert.throws(() => client.authorizationUrl(REDIRECT, { scope: 'openid' }), (e) => e instanceof ConfigError && e.message.includes('pushAuthorizationRequest'))
  const request = await client.pushAuthorizationRequest(REDIRECT, { scope: 'openid profile' })
  assert.match(request.requestUri, /^urn:ietf:params:oauth:request_uri:/)
  assert.deepEqual([...new URL(request.url).searchParams.keys()].sort(), ['client_id', 'request_uri'])
  const kept = AuthorizationRequest.fromSessionJson(request.toSessionJson())
  assert.equal(kept.requestUri, request.requestUri)
  const token = await client.exchangeCode(kept, await follow(request.url))
  assert.equal(token.idTokenClaims.nonce, request.nonce)
  // The blocking twin pushes the same way.
  const again = client.pushAuthorizationRequestSync(REDIRECT, { scope: 'openid' })
  assert.notEqual(again.requestUri, request.requestUri)
})

for (const [how, says] of [
  ['no-uri', 'without a request_uri'],
  ['zero-expiry', 'positive expires_in'],
  ['echo-secret', 'carries a credential'],
  ['long-uri', 'not a short reference'],
]) {
  test(`a pushed request's answer is checked before it reaches a browser: ${how}`, async () => {
    const client = provider(kit, 'par')
    await assert.rejects(client.pushAuthorizationRequest(REDIRECT, { scope: 'openid', extra: { tf_par: how } }), (e) => {
      assert.equal(e.kind, 'decode', e.message)
      assert.ok(e.message.includes(says) && e.message.includes('/op/par/par'), e.message)
      assert.ok(!inspect(e).includes('rp-secret'))
      return true
    })
  })
}

test('pushAuthorizationRequest says what is missing', async () => {
  await assert.rejects(provider(kit).pushAuthorizationRequest(REDIRECT), (e) => e instanceof ConfigError && e.message.includes('pushed_authorization_request_endpoint'))
  assert.throws(() => provider(kit, 'par').pushAuthorizationRequestSync(REDIRECT, { extra: { request_uri: 'urn:x' } }), ConfigError)
  await assert.rejects(provider(kit, 'par').pushAuthorizationRequest(REDIRECT, { pkce: 'not-a-pkce' }), ConfigError)
})
