'use strict'
// One worker of the cross-language shared-store check (scripts/check_shared_store.py): a
// manager over the Redis at TF_REDIS_URL, eight concurrent accessToken() calls at
// TF_START_AT_MS (epoch ms), and each distinct token printed as `TOKEN <token>`. Its Rust,
// Python and Kotlin twins do the same, so the one fetch testkit counts proves that every
// language derives the same key and reads the same entry. store.test.js runs it too.

const CALLS = 8

if (process.env.NODE_TEST_CONTEXT) {
  // `node --test test/` runs every file here; this one is a program, not a test.
  require('node:test').test('store_worker.js is a program that store.test.js and check_shared_store.py run', {
    skip: 'not a test file',
  })
} else {
  main().then(
    () => {
      process.exitCode = 0
    },
    (err) => {
      console.error(`store_worker: ${err?.stack ?? err}`)
      process.exitCode = 1
    },
  )
}

function required(name) {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}

async function main() {
  const { TokenClient, TokenManager } = require('..')
  const client = new TokenClient({
    tokenUrl: required('TF_TOKEN_URL'),
    clientId: 'store-client',
    clientSecret: 'store-secret-5b1e',
  })
  const manager = new TokenManager(client, {
    scope: required('TF_SCOPE'),
    store: { redis: required('TF_REDIS_URL') },
  })
  const startAt = Number(required('TF_START_AT_MS'))
  if (!Number.isFinite(startAt)) throw new Error('TF_START_AT_MS is not a number of milliseconds')
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())))
  const tokens = await Promise.all(Array.from({ length: CALLS }, () => manager.accessToken()))
  for (const token of [...new Set(tokens)].sort()) console.log(`TOKEN ${token}`)
}
