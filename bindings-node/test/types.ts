// Compiled with `tsc --noEmit` in make test: the public types are precise enough to use.
import {
  CancelledError,
  clearDiscoveryCache,
  ConfigError,
  DeviceAuthorization,
  Introspection,
  Pkce,
  ServerMetadata,
  type AuthorizationRequest,
  OAuthError,
  TokenClient,
  TokenFetchError,
  TokenManager,
  TokenRequest,
  TokenResponse,
  V3TokenRequestResponse,
  V3TokenResponse,
  withBearer,
  type ErrorKind,
  type HttpMetadata,
  type JsonValue,
  type StoreOptions,
  type TokenManagerOptions,
} from 'tokenfetch'

function presetEnvironmentsAreEachPresets(): void {
  TokenClient.prove({ clientId: 'a', clientSecret: 'b', env: 'prod-eu' })
  // @ts-expect-error: 'demo' is Gusto's environment, not Prove's
  TokenClient.prove({ clientId: 'a', clientSecret: 'b', env: 'demo' })
  // @ts-expect-error: a misspelt option is refused by the generated options type
  new TokenClient({ tokenUrl: 'https://as.example/token', maxRetryWait: 5 })
}
void presetEnvironmentsAreEachPresets

async function usage(): Promise<void> {
  const client = new TokenClient({ tokenUrl: 'https://a.example/token', clientId: 'id', clientSecret: 's', authMethod: 'client_secret_post' })
  const token: TokenResponse = await client.clientCredentials({ scope: 'read', signal: AbortSignal.timeout(1000) })
  const access: string = token.accessToken
  const lifetime: number | null = token.expiresIn
  const extra: Record<string, JsonValue> = token.extra
  const seed: V3TokenResponse = token

  const answer: V3TokenRequestResponse = await client.requestToken({ grantType: 'password', params: { username: 'a', password: 'b' } })
  const meta: HttpMetadata = answer.httpMeta
  const byHand: V3TokenRequestResponse = await client.requestToken(TokenRequest.password('a', 'b', 'read'))
  const byHandSync: V3TokenRequestResponse = client.requestTokenSync(TokenRequest.clientCredentials())
  const status: number | undefined = meta.response?.status
  const maybe: TokenResponse | null = answer.v3TokenResponse

  const manager = new TokenManager(client, { scope: 'read', refreshSkewMs: 30_000 })
  const header: string = await manager.authorizationHeader()
  const authed = withBearer(manager)
  const response: Response = await authed('https://api.example/things')

  try {
    client.clientCredentialsSync()
  } catch (e) {
    if (e instanceof OAuthError) {
      const code: string | null = e.oauthCode
      const kind: ErrorKind = e.kind
      void [code, kind]
    } else if (e instanceof TokenFetchError || e instanceof ConfigError) {
      const httpMeta: HttpMetadata | null = e.httpMeta
      void httpMeta
    }
  }
  const parsed: TokenResponse = TokenResponse.fromJson('{"access_token":"x"}')

  const discovered: TokenClient = await TokenClient.discover('https://a.example', { clientId: 'id', discoveryTtlMs: 0 })
  const issuer: string | null = discovered.issuer
  const metadata: ServerMetadata | null = TokenClient.discoverSync('https://a.example', { clientId: 'id' }).serverMetadata
  const deviceEndpoint: string | null | undefined = metadata?.deviceAuthorizationEndpoint
  await discovered.revoke(access, { tokenTypeHint: 'access_token' })
  const introspection: Introspection = await discovered.introspect(access)
  const audiences: string[] = introspection.aud
  const expiry: number | null = introspection.exp
  const codes: DeviceAuthorization = await discovered.deviceAuthorization({ scope: 'openid' })
  const shown: [string, string, string | null, number] = [codes.userCode, codes.verificationUri, codes.verificationUriComplete, codes.interval]
  const deviceToken: TokenResponse = await discovered.pollDeviceToken(codes, { signal: AbortSignal.timeout(60_000) })
  const pkce: Pkce = Pkce.fromVerifier('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')
  const request: AuthorizationRequest = discovered.authorizationUrl('https://app/cb', { pkce, nonce: 'n', extra: { prompt: 'login' } })
  const code: string = discovered.parseCallback('https://app/cb?code=c&state=s', request.state)
  await discovered.authorizationCode(code, { redirectUri: request.redirectUri, codeVerifier: request.pkce.verifier })
  const generated: string = Pkce.generate().challenge
  clearDiscoveryCache()
  // @ts-expect-error discoveryTtlMs belongs to discover, not the constructor
  new TokenClient({ tokenUrl: 'https://a.example/token', discoveryTtlMs: 0 })
  // @ts-expect-error there is no sync poll
  discovered.pollDeviceTokenSync(codes)
  const cancelled: ErrorKind = 'cancelled'
  void [issuer, deviceEndpoint, audiences, expiry, shown, deviceToken, generated, cancelled, CancelledError]
  // @ts-expect-error authMethod is a closed set
  new TokenClient({ tokenUrl: 'https://a.example/token', authMethod: 'magic' })
  void [access, lifetime, extra, seed, status, maybe, header, response, parsed]

  const onDisk: StoreOptions = { file: '/var/lib/app/tokens', key: 'base64-of-32-bytes' }
  const shared: TokenManagerOptions = {
    store: { redis: 'rediss://cache.internal:6380', timeoutMs: 250 },
    storeNamespace: 'user:ann',
    leaseTimeMs: 10_000,
    onToken: (fetched: TokenResponse) => console.log(fetched.expiresAt),
  }
  new TokenManager(client, { store: onDisk, onToken: async () => {} })
  new TokenManager(client, shared)
  // @ts-expect-error a store is a file or a Redis, not both
  new TokenManager(client, { store: { file: '/tmp/t', redis: 'redis://h' } })
  // @ts-expect-error timeoutMs is the Redis store's
  new TokenManager(client, { store: { file: '/tmp/t', timeoutMs: 100 } })
  // @ts-expect-error the key is base64 text
  new TokenManager(client, { store: { file: '/tmp/t', key: new Uint8Array(32) } })
  // Keys instead of secrets: PEM text, a JWK object, a file, a function.
  const signed = new TokenClient({ tokenUrl: 'https://as.example/token', clientId: 'c', privateKey: { kty: 'EC', crv: 'P-256' } })
  const algorithm: string | null = signed.signingAlgorithm
  void algorithm
  new TokenClient({ tokenUrl: 'https://as.example/token', clientId: 'c', privateKeyFile: '/k.pem', signingAlgorithm: 'PS256' })
  new TokenClient({ tokenUrl: 'https://as.example/token', clientId: 'c', clientAssertion: async () => 'jwt' })
  // @ts-expect-error signingAlgorithm is a closed set
  new TokenClient({ tokenUrl: 'https://as.example/token', clientId: 'c', privateKeyFile: '/k.pem', signingAlgorithm: 'ES512' })
  TokenClient.googleServiceAccount({ serviceAccountFile: '/sa.json', scope: 'email', assertionSubject: 'a@b.c' })
  TokenClient.entraWorkloadIdentity({ tenantId: 'contoso.onmicrosoft.com' })
  // @ts-expect-error a service account is Google's, not Entra's
  TokenClient.entraWorkloadIdentity({ serviceAccountFile: '/sa.json' })
}
void usage
