'use strict'
// `node sign-in.js <testkit-url>`: a whole OpenID Connect sign-in against testkit's provider.
// The browser's part (following the authorization URL to the redirect) is played here with
// fetch; in a web app it is the user's browser, and the two halves are two requests (see the
// guide's Express example).
const { TokenClient, AuthorizationRequest, IdTokenError } = require('..')

async function main(base) {
  const client = await TokenClient.discover(`${base}/op/main`, { clientId: 'rp', clientSecret: 'rp-secret' })
  const signIn = client.authorizationUrl('http://app.example/callback', { scope: 'openid profile' })
  const kept = signIn.toSessionJson() // what a web app keeps in its session between the two requests
  const redirect = await fetch(signIn.url, { redirect: 'manual' })
  const callbackUrl = redirect.headers.get('location')
  try {
    const token = await client.exchangeCode(AuthorizationRequest.fromSessionJson(kept), callbackUrl)
    const claims = token.idTokenClaims
    console.log(`node signed in       sub=${claims.sub} iss=${claims.iss}`)
    console.log(`node name            ${claims.extra.name}`)
    console.log(`node nonce checked   ${claims.nonce === signIn.nonce}`)
  } catch (e) {
    if (!(e instanceof IdTokenError)) throw e
    console.error(`node: sign-in refused (${e.idTokenCheck}): ${e.message}`)
    process.exitCode = 1
  }
}

main(process.argv[2]).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
