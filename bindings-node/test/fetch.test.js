'use strict'
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { TokenClient, TokenManager, withBearer } = require('..')
const { startTestkit } = require('./helpers.js')

let kit
before(async () => {
  kit = await startTestkit()
})
after(() => kit.stop())

test('withBearer adds the header, and retries once after a 401', async () => {
  await kit.reset()
  const manager = new TokenManager(new TokenClient({ tokenUrl: kit.tokenUrl, clientId: 'n', clientSecret: 's' }))
  const calls = []
  const recordingFetch = (input, init) => {
    calls.push(init.headers.get('authorization'))
    return fetch(input, init)
  }
  const authedFetch = withBearer(manager, recordingFetch)
  const response = await authedFetch(`${kit.url}/protected`)
  assert.equal(response.status, 200)
  assert.deepEqual(await response.json(), { ok: true, request: 2 })
  assert.equal(calls.length, 2)
  assert.notEqual(calls[0], calls[1], 'the retry carried a fresh token')
  assert.equal(await kit.tokenRequests(), 2)
  assert.equal((await authedFetch(`${kit.url}/protected`)).status, 200)
  assert.equal(await kit.tokenRequests(), 2)
})
