import { test } from 'node:test'
import assert from 'node:assert/strict'
import tokenfetch, { TokenClient, TokenResponse, OAuthError, CancelledError, Pkce, clearDiscoveryCache, withBearer } from 'tokenfetch'

test('ESM named and default imports', () => {
  assert.equal(typeof TokenClient, 'function')
  assert.equal(typeof withBearer, 'function')
  assert.equal(tokenfetch.TokenClient, TokenClient)
  assert.equal(TokenResponse.fromJson('{"access_token":"a"}').tokenType, 'Bearer')
  assert.ok(new OAuthError({ kind: 'oauth', message: 'm' }) instanceof Error)
  assert.equal(tokenfetch.CancelledError, CancelledError)
  assert.equal(Pkce.generate().method, 'S256')
  assert.equal(typeof clearDiscoveryCache, 'function')
})
