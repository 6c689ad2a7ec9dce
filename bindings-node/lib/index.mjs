// ES module entry: the same objects as the CommonJS entry.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const tokenfetch = require('./index.js')

export const {
  TokenClient,
  TokenManager,
  TokenRequest,
  TokenResponse,
  TokenRequestResponse,
  ServerMetadata,
  Introspection,
  DeviceAuthorization,
  Pkce,
  AuthorizationRequest,
  clearDiscoveryCache,
  V3TokenResponse,
  PostTokenResponse,
  Authentication,
  V3TokenRequestResponse,
  parseTokenResponse,
  parseResponse,
  validateIdToken,
  withBearer,
  TokenFetchError,
  OAuthError,
  HttpStatusError,
  DecodeError,
  ResponseTooLargeError,
  TimeoutError,
  TransportError,
  ConfigError,
  CancelledError,
  IdTokenError,
  version,
} = tokenfetch
export default tokenfetch
