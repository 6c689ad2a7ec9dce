'use strict'
const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const { TokenClient, TokenManager, OAuthError } = require('..')
const { startTestkit } = require('./helpers.js')

let kit
before(async () => {
  kit = await startTestkit()
})
after(() => kit.stop())
beforeEach(() => kit.reset())

const slowClient = (delayMs, headers = {}) =>
  new TokenClient({ tokenUrl: kit.tokenUrl, clientId: 'n', clientSecret: 's', headers: { 'X-Testkit-Delay-Ms': String(delayMs), ...headers } })

test('50 concurrent accessToken() calls make one request', async () => {
  const manager = new TokenManager(slowClient(300))
  const tokens = await Promise.all(Array.from({ length: 50 }, () => manager.accessToken()))
  assert.equal(new Set(tokens).size, 1)
  assert.equal(await kit.tokenRequests(), 1)
})

test('the event loop keeps ticking during a slow fetch', async () => {
  const manager = new TokenManager(slowClient(500))
  let ticks = 0
  const timer = setInterval(() => ticks++, 10)
  try {
    await manager.accessToken()
  } finally {
    clearInterval(timer)
  }
  assert.ok(ticks >= 10, `the timer ticked ${ticks} times during a 500 ms fetch`)
})

test('abort rejects at once with an AbortError', async () => {
  const client = slowClient(2000)
  const controller = new AbortController()
  const pending = client.clientCredentials({ signal: controller.signal })
  setTimeout(() => controller.abort(), 50)
  await assert.rejects(pending, { name: 'AbortError' })
  await assert.rejects(client.clientCredentials({ signal: AbortSignal.abort() }), { name: 'AbortError' })
  const manager = new TokenManager(client)
  await assert.rejects(manager.accessToken({ signal: AbortSignal.timeout(50) }), { name: 'TimeoutError' })
})

test('invalidate fetches a new token; sync twins share the cache', async () => {
  const manager = new TokenManager(new TokenClient({ tokenUrl: kit.tokenUrl, clientId: 'n', clientSecret: 's' }), { scope: 'read' })
  const first = await manager.authorizationHeader()
  assert.equal(manager.authorizationHeaderSync(), first)
  manager.invalidate()
  assert.notEqual(await manager.authorizationHeader(), first)
  assert.equal(await kit.tokenRequests(), 2)
  assert.equal((await manager.token()).scope, 'read')
  assert.equal(manager.tokenSync().scope, 'read')
})

test('a custom grant, and lastError', async () => {
  const client = new TokenClient({ tokenUrl: kit.scenarioUrl('invalid_client'), clientId: 'n', clientSecret: 's', maxRetries: 0 })
  const manager = new TokenManager(client, { grantType: 'password', params: { username: 'ann', password: 'pw' } })
  assert.equal(manager.lastError, null)
  await assert.rejects(manager.accessToken(), OAuthError)
  assert.ok(manager.lastError instanceof OAuthError)
  assert.equal(manager.lastError.oauthCode, 'invalid_client')
  assert.deepEqual((await kit.stats()).by_grant, { password: 1 })
})

test('params without a grantType is a ConfigError, as in every language', () => {
  const client = new TokenClient({ tokenUrl: kit.tokenUrl, clientId: 'n', clientSecret: 's' })
  assert.throws(() => new TokenManager(client, { params: { audience: 'x' } }), (e) => e.kind === 'config' && /params need a grantType/.test(e.message))
})

test('a fresh cached token is answered without a fetch', async () => {
  const manager = new TokenManager(new TokenClient({ tokenUrl: kit.tokenUrl, clientId: 'n', clientSecret: 's' }))
  const first = await manager.accessToken()
  const again = await Promise.all(Array.from({ length: 20 }, () => manager.accessToken()))
  assert.deepEqual(new Set(again), new Set([first]))
  assert.equal(await kit.tokenRequests(), 1)
})

test('the token kept on the JavaScript side lasts exactly as long as the core says', async () => {
  // A 2 s token with a 1 s skew is fresh for 1 s; after that a read must fetch.
  const client = new TokenClient({
    tokenUrl: kit.tokenUrl,
    clientId: 'n',
    clientSecret: 's',
    headers: { 'X-Testkit-Expires-In': '2' },
  })
  const manager = new TokenManager(client, { refreshSkewMs: 1000 })
  const first = manager.accessTokenSync()
  assert.equal(await manager.accessToken(), first)
  assert.equal(manager.authorizationHeaderSync(), `Bearer ${first}`)
  assert.equal(await kit.tokenRequests(), 1)
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const second = await manager.accessToken()
  assert.notEqual(second, first, 'past the refresh point a read fetched')
  assert.equal(manager.accessTokenSync(), second)
  assert.equal(await kit.tokenRequests(), 2)
})

test('invalidate() drops the kept token for sync and async reads alike', async () => {
  const manager = new TokenManager(new TokenClient({ tokenUrl: kit.tokenUrl, clientId: 'n', clientSecret: 's' }))
  const first = manager.accessTokenSync()
  manager.invalidate()
  const second = manager.accessTokenSync()
  assert.notEqual(second, first)
  manager.invalidate()
  assert.notEqual(await manager.authorizationHeader(), `Bearer ${second}`)
  assert.equal(await kit.tokenRequests(), 3)
})
