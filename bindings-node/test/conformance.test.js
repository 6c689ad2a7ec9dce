'use strict'
// The shared conformance vectors (conformance/*.json) through parseResponse.
// Writes target/conformance/node.json for conformance/report.py.
const { test, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { parseResponse, TokenFetchError } = require('..')

const ROOT = path.join(__dirname, '..', '..')
const results = {}

const cases = fs
  .readdirSync(path.join(ROOT, 'conformance'))
  // options.json holds option vectors, run by options.conformance.test.js; keys.json key
  // vectors, run by keys.test.js; id_tokens.json ID token vectors, by id_tokens.test.js.
  .filter((f) => f.endsWith('.json') && !['options.json', 'keys.json', 'id_tokens.json'].includes(f))
  .sort()
  .flatMap((file) =>
    JSON.parse(fs.readFileSync(path.join(ROOT, 'conformance', file), 'utf8')).cases.map((c) => [`${file.slice(0, -5)}/${c.name}`, c]),
  )

function body(c) {
  let bytes = c.body_base64 ? Buffer.from(c.body_base64, 'base64') : Buffer.from(c.body ?? '', 'utf8')
  if (c.body_pad_to) bytes = Buffer.concat([bytes, Buffer.alloc(c.body_pad_to - bytes.length, ' ')])
  return bytes
}

const canonical = (t) => ({
  access_token: t.accessToken,
  token_type: t.tokenType,
  expires_in: t.expiresIn,
  refresh_token: t.refreshToken,
  refresh_expires_in: t.refreshExpiresIn,
  id_token: t.idToken,
  scope: t.scope,
  created_at: t.createdAt,
  extra: t.extra,
  expires_at: t.expiresAt,
})

function check(c) {
  let token
  try {
    token = parseResponse(c.status, c.headers, body(c), { receivedAt: c.received_at })
  } catch (e) {
    assert.ok(e instanceof TokenFetchError, `unexpected ${e}`)
    assert.ok(c.error, `expected a token, got ${e.kind} error: ${e.message}`)
    assert.equal(e.kind, c.error.kind, `expected a ${c.error.kind} error, got ${e.kind} (${e.message})`)
    if (c.error.code != null) assert.equal(e.oauthCode, c.error.code)
    return
  }
  assert.ok(c.expect, `expected a ${c.error && c.error.kind} error, got a token`)
  const got = canonical(token)
  for (const [field, want] of Object.entries(c.expect)) assert.deepEqual(got[field], want, field)
}

test('there are at least sixty vectors', () => assert.ok(cases.length >= 60))

for (const [name, c] of cases) {
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
  fs.writeFileSync(path.join(out, 'node.json'), JSON.stringify({ language: 'node', results }, null, 2))
})
