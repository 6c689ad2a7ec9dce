// `node demo.js <token-url>`: fetch a token through the npm package and show it safely.
'use strict'
const { TokenClient, TokenManager, TokenFetchError } = require('..')

async function main(tokenUrl) {
  const client = new TokenClient({ tokenUrl, clientId: 'demo-client', clientSecret: 'demo-secret', scope: 'read write' })
  const { tokenResponse: token, httpMeta } = await client.requestToken({ grantType: 'client_credentials' })
  console.log(`node   accessToken   ${token.accessToken.slice(0, 8)}… (${token.accessToken.length} chars)`)
  console.log(`node   tokenType     ${token.tokenType}`)
  console.log(`node   expiresIn     ${token.expiresIn}`)
  console.log(`node   scope         ${token.scope}`)
  console.log(`node   request       ${httpMeta.request.method} ${httpMeta.request.url}`)
  console.log(`node   response      HTTP ${httpMeta.response.status} in ${httpMeta.response.elapsedMs} ms`)
  const manager = new TokenManager(client)
  const [a, b] = await Promise.all([manager.authorizationHeader(), manager.authorizationHeader()])
  console.log(`node   manager       ${a.slice(0, 15)}… (one fetch for two callers: ${a === b})`)
}

main(process.argv[2]).catch((e) => {
  console.error(`node: token request failed (${e instanceof TokenFetchError ? e.kind : 'unexpected'}): ${e.message}`)
  process.exit(1)
})
