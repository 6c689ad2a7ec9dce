'use strict'
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const tokenfetch = require('..')
const { TokenClient, TokenManager } = tokenfetch
const { startTestkit } = require('./helpers.js')

let kit
before(async () => {
  kit = await startTestkit()
})
after(() => kit.stop())

const SECRET = 'node-err-secret-2b9c'
const failing = (scenario, options = {}) =>
  new TokenClient({ tokenUrl: kit.scenarioUrl(scenario), clientId: 'n', clientSecret: SECRET, maxRetries: 0, ...options })

for (const [scenario, Class, kind, status, code] of [
  ['error_200', tokenfetch.OAuthError, 'oauth', 200, 'invalid_grant'],
  ['invalid_client', tokenfetch.OAuthError, 'oauth', 401, 'invalid_client'],
  ['invalid_scope', tokenfetch.OAuthError, 'oauth', 400, 'invalid_scope'],
  ['prove_error', tokenfetch.OAuthError, 'oauth', 400, '1001'],
  ['form_error', tokenfetch.OAuthError, 'oauth', 200, 'bad_verification_code'],
  ['html_502', tokenfetch.HttpStatusError, 'http_status', 502, null],
  ['empty_503', tokenfetch.HttpStatusError, 'http_status', 503, null],
  ['redirect', tokenfetch.HttpStatusError, 'http_status', 302, null],
  ['html_200', tokenfetch.DecodeError, 'decode', 200, null],
  ['missing_access_token', tokenfetch.DecodeError, 'decode', 200, null],
  ['oversized', tokenfetch.ResponseTooLargeError, 'response_too_large', 200, null],
  ['reset', tokenfetch.TransportError, 'transport', null, null],
]) {
  test(`error kind ${kind} from ${scenario}`, async () => {
    const e = await failing(scenario).clientCredentials().then(
      () => assert.fail('expected a rejection'),
      (err) => err,
    )
    assert.ok(e instanceof Class, `${e.name} is a ${Class.name}`)
    assert.ok(e instanceof tokenfetch.TokenFetchError && e instanceof Error)
    assert.deepEqual([e.kind, e.status, e.oauthCode], [kind, status, code])
    // `.code` is Node's kind of code, never the server's: Node code reads it as an errno.
    assert.equal(e.code, `ERR_TOKENFETCH_${kind.toUpperCase()}`)
    assert.equal(e.name, Class.name)
    assert.equal(e.httpMeta.request.method, 'POST')
    assert.throws(() => failing(scenario).clientCredentialsSync(), Class)
  })
}

test('oauth errors carry the description', async () => {
  await assert.rejects(failing('invalid_client').clientCredentials(), (e) => {
    assert.equal(e.errorDescription, 'Client authentication failed')
    assert.equal(e.httpMeta.response.headers['www-authenticate'], 'Basic realm="testkit"')
    return true
  })
})

test('timeouts', async () => {
  const slow = new TokenClient({
    tokenUrl: kit.tokenUrl,
    clientId: 'n',
    clientSecret: SECRET,
    timeoutMs: 300,
    headers: { 'X-Testkit-Delay-Ms': '3000' },
  })
  await assert.rejects(slow.clientCredentials(), tokenfetch.TimeoutError)
})

test('config errors say what to fix', () => {
  assert.throws(() => new TokenClient({ tokenUrl: 'nope' }), (e) => e instanceof tokenfetch.ConfigError && /not a valid URL/.test(e.message))
  assert.throws(() => new TokenClient({ tokenUrl: 'https://a.example/t' }), /client_id is required/)
  assert.throws(() => new TokenClient({ tokenUrl: 'https://a.example/t', clientId: 'a', clientSecret: 'b', authMethod: 'magic' }), tokenfetch.ConfigError)
  assert.throws(() => TokenClient.prove({ clientId: 'a', clientSecret: 'b', env: 'mars' }), /uat-us, prod-us/)
})

test('no secret in inspect, JSON.stringify, enumerable properties or messages', async () => {
  const password = 'node-password-9d1f'
  const c = new TokenClient({ tokenUrl: kit.tokenUrl, clientId: 'n', clientSecret: SECRET })
  const answer = await c.requestToken({ grantType: 'password', params: { username: 'ann', password } })
  const token = answer.tokenResponse
  const secrets = [SECRET, password, token.accessToken, token.refreshToken]
  const manager = new TokenManager(c)
  await manager.accessToken()
  const printed = [
    util.inspect(c, { depth: 10, showHidden: true }),
    JSON.stringify(c),
    Object.keys(c).join(','),
    util.inspect(token, { depth: 10 }),
    JSON.stringify(token),
    String(token),
    util.inspect(answer, { depth: 10 }),
    JSON.stringify(answer),
    util.inspect(manager, { depth: 10, showHidden: true }),
    JSON.stringify(manager),
    util.inspect(tokenfetch.TokenRequest.password('ann', password)),
  ]
  for (const scenario of ['invalid_client', 'html_502', 'error_200', 'missing_access_token', 'reset']) {
    const e = await failing(scenario)
      .requestToken({ grantType: 'password', params: { username: 'ann', password } })
      .catch((err) => err)
    printed.push(e.message, e.stack, util.inspect(e, { depth: 10 }), JSON.stringify(e))
  }
  for (const text of printed) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} leaked in ${text}`)
  }
})
