'use strict'
// Options mean the same in every language: the core checks every name, type and range, and a
// bad one is a ConfigError naming the option as JavaScript spells it.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { TokenClient, TokenManager, ConfigError } = require('..')

const base = { tokenUrl: 'https://auth.example/token', clientId: 'a', clientSecret: 'b' }

function rejects(fn, fragment) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof ConfigError, `${e?.constructor?.name}: ${e?.message}`)
    assert.ok(e.message.includes(fragment), `${JSON.stringify(e.message)} names ${fragment}`)
    return true
  })
}

for (const option of ['timeoutMs', 'connectTimeoutMs', 'maxRetries', 'maxResponseBytes']) {
  const whole = option === 'maxRetries' || option === 'maxResponseBytes'
  for (const value of [-1, NaN, Infinity, -Infinity, 1e19, 2 ** 32 + 5, ...(whole ? [2.5] : [])]) {
    test(`${option}: ${value} is a ConfigError`, () => {
      rejects(() => new TokenClient({ ...base, [option]: value }), option)
    })
  }
}

test('values keep their meaning: nothing wraps at 2^32', () => {
  rejects(() => new TokenClient({ ...base, timeoutMs: 2 ** 32 + 5 }), 'timeoutMs must be greater than 0 and at most 86400000')
  assert.ok(new TokenClient({ ...base, timeoutMs: 5, maxRetries: 0, maxResponseBytes: 1 }))
})

test('unknown option names are refused with a suggestion', () => {
  rejects(() => new TokenClient({ ...base, timeout: 5 }), 'did you mean `timeoutMs`?')
  rejects(() => new TokenClient({ ...base, retries: 9 }), '`maxRetries`')
  rejects(() => TokenClient.prove({ clientId: 'a', clientSecret: 'b', enviroment: 'prod-us' }), 'unknown option `enviroment`')
})

test('wrongly typed values are ConfigErrors, not plain Errors', () => {
  rejects(() => new TokenClient({ ...base, timeoutMs: '5000' }), 'timeoutMs must be a number, got a string')
  rejects(() => new TokenClient({ ...base, allowInsecureHttp: 'yes' }), 'allowInsecureHttp must be a boolean')
  rejects(() => new TokenClient({ ...base, headers: { 'X-Key': 5 } }), 'headers.X-Key must be a string')
  rejects(() => new TokenClient({ ...base, audience: 'api' }), 'audience must be an array of strings')
  rejects(() => new TokenClient('https://auth.example/token'), 'options must be an object')
  rejects(() => new TokenClient({ clientId: 'a' }), 'tokenUrl is required')
})

test('manager options are checked the same way', () => {
  const client = new TokenClient(base)
  for (const [options, fragment] of [
    [{ refreshSkewMs: -1 }, 'refreshSkewMs'],
    [{ defaultLifetimeMs: 0 }, 'defaultLifetimeMs'],
    [{ defaultLifetimeMs: NaN }, 'defaultLifetimeMs'],
    [{ scopes: 'read' }, 'did you mean `scope`?'],
    [{ params: { a: 'b' } }, 'params need a grantType'],
  ]) {
    rejects(() => new TokenManager(client, options), fragment)
  }
  assert.ok(new TokenManager(client, { refreshSkewMs: 0 }))
})

test('a huge array is refused before anything is allocated for it', () => {
  rejects(() => new TokenClient({ ...base, audience: new Array(2 ** 32 - 1) }), 'audience must be an array of strings')
})

test('per-call options are checked too: unknown names, wrong types, wrong arguments', async () => {
  const c = new TokenClient(base)
  const refused = async (promise, fragment) =>
    assert.rejects(promise, (e) => e instanceof ConfigError && e.message.includes(fragment))
  await refused(c.clientCredentials({ scpoe: 'read' }), 'did you mean `scope`?')
  await refused(c.clientCredentials({ scope: 5 }), 'scope must be a string')
  await refused(c.clientCredentials({ params: [1, 2] }), 'params')
  await refused(c.clientCredentials({ signal: 5 }), 'signal must be an AbortSignal')
  await refused(c.refresh(5), 'invalid configuration')
  await refused(c.requestToken({}), 'grantType is required')
  await refused(c.requestToken({ grantType: 5 }), 'grantType must be a string')
  await refused(c.authorizationCode('c', { redirectUri: 1 }), 'redirectUri must be a string')
  rejects(() => c.clientCredentialsSync({ scpoe: 'read' }), 'did you mean `scope`?')
  await refused(new TokenManager(c).accessToken({ sigal: 1 }), 'unknown option `sigal`')
})

test('parseResponse checks its options and its receive time', () => {
  const { parseResponse } = require('..')
  const body = '{"access_token":"a","expires_in":60}'
  assert.equal(parseResponse(200, {}, body, { receivedAt: 1000 }).expiresAt, 1060)
  for (const receivedAt of [NaN, Infinity, -1, 1e300]) {
    rejects(() => parseResponse(200, {}, body, { receivedAt }), 'receivedAt')
  }
  rejects(() => parseResponse(200, {}, body, { recievedAt: 5 }), 'did you mean `receivedAt`?')
  rejects(() => parseResponse(200, {}, body, { receivedAt: '5' }), 'receivedAt must be a number')
})
