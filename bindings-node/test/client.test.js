'use strict'
const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const tokenfetch = require('..')
const { TokenClient, TokenManager, TokenResponse } = tokenfetch
const { startTestkit } = require('./helpers.js')

let kit
before(async () => {
  kit = await startTestkit()
})
after(() => kit.stop())
beforeEach(() => kit.reset())

const ID = 'node-client'
const SECRET = 'node-secret-7a3e'
const client = (scenario, options = {}) =>
  new TokenClient({
    tokenUrl: scenario ? kit.scenarioUrl(scenario) : kit.tokenUrl,
    clientId: ID,
    clientSecret: SECRET,
    ...options,
  })

async function echo(c, grantType = 'client_credentials', extra = {}) {
  const answer = await c.requestToken({ grantType, ...extra })
  return answer.tokenResponse.extra.echo
}

test("inspect and toJSON show the core's one view: the same fields as Python's repr and Kotlin's toString", () => {
  const body =
    '{"access_token":"at-1","token_type":"bearer","expires_in":"3600","refresh_token":"rt-1",' +
    '"scope":"a b","echo":{"client_secret":"cs-1","note":"it\'s"}}'
  const token = tokenfetch.TokenResponse.fromJson(body)
  assert.deepStrictEqual(JSON.parse(JSON.stringify(token)), {
    accessToken: '[redacted]',
    tokenType: 'Bearer',
    expiresIn: 3600,
    refreshToken: '[redacted]',
    refreshExpiresIn: null,
    idToken: null,
    scope: 'a b',
    createdAt: null,
    expiresAt: null,
    extra: { echo: { client_secret: '[redacted]', note: "it's" } },
  })
  const shown = require('node:util').inspect(token, { depth: 10 })
  assert.ok(shown.startsWith('TokenResponse {') && !shown.includes('at-1') && !shown.includes('cs-1'), shown)
})

test('client credentials with basic auth', async () => {
  const seen = await echo(client('echo'), 'client_credentials', { scope: 'read write' })
  assert.equal(seen.params.grant_type, 'client_credentials')
  assert.equal(seen.params.scope, 'read write')
  assert.equal(seen.client_id, ID)
  assert.equal(seen.client_secret, SECRET)
  assert.match(seen.headers['user-agent'], /\(node\)$/)

  const token = await client().clientCredentials()
  assert.ok(token instanceof TokenResponse)
  assert.match(token.accessToken, /^at-/)
  assert.equal(token.tokenType, 'Bearer')
  assert.equal(token.expiresIn, 3600)
  assert.equal(token.authorizationHeader(), `Bearer ${token.accessToken}`)
})

test('requestToken takes a TokenRequest built by hand; the old send and parseTokenResponse warn once and still work', async () => {
  const request = tokenfetch.TokenRequest.clientCredentials('read')
  const answer = await client().requestToken(request)
  assert.match(answer.tokenResponse.accessToken, /^at-/)
  assert.equal(answer.httpMeta.request.method, 'POST')
  assert.match(client().requestTokenSync(request).tokenResponse.accessToken, /^at-/)
  // A second object beside the options would be dropped, signal and all: refused instead.
  await assert.rejects(
    client().requestToken({ grantType: 'client_credentials' }, { signal: new AbortController().signal }),
    (e) => e instanceof tokenfetch.ConfigError && /one options object/.test(e.message),
  )
  assert.throws(() => client().requestTokenSync({ grantType: 'client_credentials' }, {}), /one options object/)

  const warnings = []
  const onWarning = (w) => warnings.push(w)
  process.on('warning', onWarning)
  try {
    for (let i = 0; i < 2; i++) {
      assert.match((await client().send(request)).tokenResponse.accessToken, /^at-/)
      assert.equal(tokenfetch.parseTokenResponse('{"access_token":"b"}').tokenType, 'Bearer')
    }
    await new Promise((resolve) => setImmediate(resolve))
  } finally {
    process.off('warning', onWarning)
  }
  const codes = warnings.map((w) => w.code).sort()
  assert.deepEqual(codes, ['TOKENFETCH_DEP_PARSE_TOKEN_RESPONSE', 'TOKENFETCH_DEP_SEND'])
  assert.ok(warnings.every((w) => w.name === 'DeprecationWarning'))
})

test('special characters in basic credentials', async () => {
  const c = new TokenClient({
    tokenUrl: kit.scenarioUrl('echo'),
    clientId: 'cc special:id',
    clientSecret: 'p@ss:w0rd+/= &%',
  })
  const seen = await echo(c)
  assert.equal(seen.client_id, 'cc special:id')
  assert.equal(seen.client_secret, 'p@ss:w0rd+/= &%')
})

test('client_secret_post with a JSON body and defaults', async () => {
  const c = client('echo', { authMethod: 'client_secret_post', bodyEncoding: 'json', scope: 'default', extraParams: { tenant: 't1' } })
  const seen = await echo(c)
  assert.equal(seen.headers['content-type'], 'application/json')
  assert.deepEqual(seen.params, { grant_type: 'client_credentials', scope: 'default', tenant: 't1', client_id: ID, client_secret: SECRET })
})

test('every grant, async and sync', async () => {
  const c = client()
  const user = await c.password('ann', 'pw', { scope: 'profile' })
  assert.equal(user.scope, 'profile')
  assert.ok(user.refreshToken)
  assert.notEqual((await c.refresh(user.refreshToken)).accessToken, user.accessToken)
  assert.ok((await c.authorizationCode('abc', { redirectUri: 'https://app/cb', codeVerifier: 'v'.repeat(43) })).refreshToken)
  const exchanged = await c.tokenExchange('subject', 'urn:ietf:params:oauth:token-type:jwt', { scope: 'down' })
  assert.equal(exchanged.extra.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token')
  await assert.rejects(c.deviceCode('dc-node'), (e) => e.oauthCode === 'authorization_pending')
  assert.ok((await c.deviceCode('dc-node')).accessToken)
  const custom = await c.requestToken({ grantType: 'urn:testkit:custom', params: [['resource', 'a'], ['resource', 'b']] })
  assert.ok(custom.tokenResponse)

  assert.match(c.clientCredentialsSync().accessToken, /^at-/)
  assert.ok(c.passwordSync('ann', 'pw').refreshToken)
  assert.equal(c.requestTokenSync({ grantType: 'client_credentials', scope: 's' }).tokenResponse.scope, 's')
  assert.equal((await kit.stats()).by_grant.refresh_token, 1)
})

for (const [scenario, field, expected] of [
  ['string_expires', 'expiresIn', 3600],
  ['float_expires', 'expiresIn', 3599],
  ['no_expires', 'expiresIn', null],
  ['lowercase_bearer', 'tokenType', 'Bearer'],
  ['no_token_type', 'tokenType', 'Bearer'],
  ['scope_array', 'scope', 'read write'],
  ['created_at_epoch', 'expiresIn', 7200],
  ['form_encoded', 'tokenType', 'Bearer'],
]) {
  test(`lenient parsing: ${scenario}`, async () => {
    const token = await client(scenario).clientCredentials({ scope: 'read write' })
    assert.equal(token[field], expected)
  })
}

test('requestToken returns redacted HTTP metadata', async () => {
  const answer = await client().requestToken({ grantType: 'password', params: { username: 'ann', password: 'pw-55' } })
  const token = answer.tokenResponse
  assert.ok(answer.v3TokenResponse.equals(token))
  const meta = answer.httpMeta
  assert.equal(meta.request.method, 'POST')
  assert.equal(meta.request.url, kit.tokenUrl)
  assert.equal(meta.request.headers.authorization, 'Basic [redacted]')
  assert.equal(meta.response.status, 200)
  assert.ok(!meta.response.body.includes(token.accessToken))
  assert.ok(meta.response.elapsedMs >= 0)
  // The plain objects hold exactly the fields the HttpRequestMeta/HttpResponseMeta interfaces declare.
  assert.deepEqual(Object.keys(meta).sort(), ['request', 'response'])
  assert.deepEqual(Object.keys(meta.request).sort(), ['headers', 'method', 'url'])
  assert.deepEqual(Object.keys(meta.response).sort(), ['body', 'bodyTruncated', 'elapsedMs', 'headers', 'status'])
})

test('presets', async () => {
  const prove = TokenClient.prove({ clientId: 'p', clientSecret: 's', env: 'uat-us', tokenUrl: kit.tokenUrl })
  assert.equal(TokenClient.prove({ clientId: 'p', clientSecret: 's', env: 'prod-eu' }).tokenUrl, 'https://platform.eu.proveapis.com/token')
  assert.equal((await prove.clientCredentials()).tokenType, 'Bearer')
  const gusto = TokenClient.gusto({ clientId: 'g', clientSecret: 's', tokenUrl: kit.url + '/oauth/token' })
  assert.equal(TokenClient.gusto({ clientId: 'g', clientSecret: 's', env: 'prod' }).tokenUrl, 'https://api.gusto.com/oauth/token')
  assert.match(await new TokenManager(gusto).accessToken(), /^at-/)
  assert.deepEqual((await kit.stats()).by_grant, { client_credentials: 1, system_access: 1 })
})

test('a Retry-After longer than maxRetryWaitMs is returned at once, a shorter one waited for', async () => {
  // rate_limited answers 429 with Retry-After: 1 once, then a token.
  const impatient = client('rate_limited', { maxRetryWaitMs: 500 })
  assert.equal(impatient.maxRetryWaitMs, 500)
  await assert.rejects(impatient.clientCredentials(), (e) => e.status === 429)
  assert.equal((await kit.stats()).token_requests, 1)
  await kit.reset()
  const patient = client('rate_limited', { maxRetryWaitMs: 2000 })
  assert.match((await patient.clientCredentials()).accessToken, /^at-/)
  assert.equal((await kit.stats()).token_requests, 2)
  // Left out, the cap is the default (30 s) or the timeout if shorter.
  assert.equal(client(null, { timeoutMs: 5000 }).maxRetryWaitMs, 5000)
  assert.throws(() => client(null, { timeoutMs: 5000, maxRetryWaitMs: 6000 }), /maxRetryWaitMs must be at most timeoutMs/)
})

test('numbers beyond a double in extra are kept, not fatal', () => {
  // A number no double can hold is kept as its literal text, the same in every language.
  const t = TokenResponse.fromJson('{"access_token":"a","big":1e309,"small":-1e309}')
  assert.deepEqual(t.extra, { big: '1e309', small: '-1e309' })
  assert.equal(JSON.parse(JSON.stringify(t)).extra.big, '1e309')
})

test('fromJson, toWireJson round trip and the seed aliases', () => {
  const t = TokenResponse.fromJson('{"access_token":"a","expires_in":"60","scope":["x","y"],"tenant":"t"}')
  assert.deepEqual([t.expiresIn, t.scope, t.scopes, t.extra], [60, 'x y', ['x', 'y'], { tenant: 't' }])
  assert.ok(TokenResponse.fromJson(t.toWireJson()).equals(t))
  assert.equal(tokenfetch.V3TokenResponse, TokenResponse)
  assert.equal(tokenfetch.PostTokenResponse, TokenResponse)
  assert.equal(tokenfetch.Authentication, TokenResponse)
  assert.equal(tokenfetch.V3TokenRequestResponse, tokenfetch.TokenRequestResponse)
  assert.match(tokenfetch.version, /^\d+\.\d+\.\d+/)
})

test('every grant method takes params, as an object or pairs', async () => {
  // echo_json answers every grant with an error describing the request as received.
  const c = client('echo_json', { maxRetries: 0 })
  const jwt = 'urn:ietf:params:oauth:token-type:jwt'
  const calls = [
    (params) => c.clientCredentials({ params }),
    (params) => c.refresh('rt-x', { params }),
    (params) => c.password('ann', 'pw', { params }),
    (params) => c.authorizationCode('code-x', { params }),
    (params) => c.tokenExchange('subj-1', jwt, { params }),
    (params) => c.deviceCode('dc-x', { params }),
  ]
  for (const call of calls) {
    for (const params of [{ tenant: 't-1' }, [['tenant', 't-1']]]) {
      await assert.rejects(call(params), (e) => e.errorDescription.includes('param tenant = t-1'))
    }
  }
  assert.throws(() => c.deviceCodeSync('dc-x', { params: { tenant: 't-1' } }), (e) => e.errorDescription.includes('param tenant = t-1'))
})
