// Compiled with `tsc --noEmit` in make test: the public types are precise enough to use.
import {
  ConfigError,
  OAuthError,
  TokenClient,
  TokenFetchError,
  TokenManager,
  TokenResponse,
  V3TokenRequestResponse,
  V3TokenResponse,
  withBearer,
  type ErrorKind,
  type HttpMetadata,
  type JsonValue,
} from 'tokenfetch'

async function usage(): Promise<void> {
  const client = new TokenClient({ tokenUrl: 'https://a.example/token', clientId: 'id', clientSecret: 's', authMethod: 'client_secret_post' })
  const token: TokenResponse = await client.clientCredentials({ scope: 'read', signal: AbortSignal.timeout(1000) })
  const access: string = token.accessToken
  const lifetime: number | null = token.expiresIn
  const extra: Record<string, JsonValue> = token.extra
  const seed: V3TokenResponse = token

  const answer: V3TokenRequestResponse = await client.requestToken({ grantType: 'password', params: { username: 'a', password: 'b' } })
  const meta: HttpMetadata = answer.httpMeta
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
      const code: string | null = e.code
      const kind: ErrorKind = e.kind
      void [code, kind]
    } else if (e instanceof TokenFetchError || e instanceof ConfigError) {
      const httpMeta: HttpMetadata | null = e.httpMeta
      void httpMeta
    }
  }
  const parsed: TokenResponse = TokenResponse.fromJson('{"access_token":"x"}')
  // @ts-expect-error authMethod is a closed set
  new TokenClient({ tokenUrl: 'https://a.example/token', authMethod: 'magic' })
  void [access, lifetime, extra, seed, status, maybe, header, response, parsed]
}
void usage
