'use strict'
// In a file of its own: node --test gives each file its own process, so no earlier test's
// abandoned native call (which runs on until its timeout) occupies the thread pool here.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { TokenClient, TokenManager } = require('..')
const { startTestkit } = require('./helpers.js')

let kit
before(async () => {
  kit = await startTestkit()
})
after(() => kit.stop())

const slowClient = (delayMs) =>
  new TokenClient({ tokenUrl: kit.tokenUrl, clientId: 'n', clientSecret: 's', headers: { 'X-Testkit-Delay-Ms': String(delayMs) } })

test('callers waiting for a fetch hold no thread-pool worker, and an abort releases one at once', async () => {
  // Fifty callers wait on one 3 s fetch. Were each to hold a libuv worker (4 by default),
  // fs.readFile and dns.lookup would queue behind them for the whole 3 s.
  const fs = require('node:fs/promises')
  const dns = require('node:dns/promises')
  const manager = new TokenManager(slowClient(3000))
  const waiting = Array.from({ length: 50 }, () => manager.accessToken())
  await new Promise((resolve) => setTimeout(resolve, 100))

  let started = performance.now()
  await fs.readFile(__filename)
  const readMs = performance.now() - started
  started = performance.now()
  await dns.lookup('localhost')
  const lookupMs = performance.now() - started

  const controller = new AbortController()
  const aborted = manager.accessToken({ signal: controller.signal })
  started = performance.now()
  controller.abort()
  await assert.rejects(aborted, { name: 'AbortError' })
  const abortMs = performance.now() - started

  const tokens = await Promise.all(waiting)
  assert.equal(new Set(tokens).size, 1)
  assert.equal(await kit.tokenRequests(), 1)
  // Generous bounds for a loaded CI machine; without the shared Promise each is about 3 s.
  assert.ok(readMs < 1000, `fs.readFile took ${readMs} ms`)
  assert.ok(lookupMs < 1000, `dns.lookup took ${lookupMs} ms`)
  assert.ok(abortMs < 1000, `the aborted caller was released after ${abortMs} ms`)
})

test('device polls wait on threads of their own, not on the thread pool', async () => {
  // A poll waits for minutes. Were each to hold a libuv worker, six of them would stall
  // fs.readFile, dns.lookup and every other tokenfetch call until the users decide.
  const fs = require('node:fs/promises')
  const client = new TokenClient({
    tokenUrl: kit.tokenUrl,
    clientId: 'n',
    authMethod: 'none',
    deviceAuthorizationEndpoint: `${kit.url}/device_authorization/slow_down`,
  })
  const controller = new AbortController()
  const polls = []
  for (let i = 0; i < 6; i++) {
    const codes = await client.deviceAuthorization()
    polls.push(client.pollDeviceToken(codes, { signal: controller.signal }))
  }
  const started = performance.now()
  await fs.readFile(__filename)
  assert.match((await client.clientCredentials()).accessToken, /^at-/)
  const busyMs = performance.now() - started
  controller.abort()
  for (const poll of polls) await assert.rejects(poll, { name: 'AbortError' })
  assert.ok(busyMs < 1000, `fs.readFile and a fetch took ${busyMs} ms beside six polls`)
})
