package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokenfetch.AuthMethod;
import io.tokenfetch.AuthorizationRequest;
import io.tokenfetch.IdTokenClaims;
import io.tokenfetch.Introspection;
import io.tokenfetch.OAuthException;
import io.tokenfetch.ServerMetadata;
import io.tokenfetch.TokenClient;
import io.tokenfetch.TokenClientConfig;
import io.tokenfetch.TokenManager;
import io.tokenfetch.TokenResponse;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a real OpenID Connect server nobody here wrote: panva's oidc-provider, which
 * {@code make test} starts on 127.0.0.1 and names in OIDC_URL. Its clients are in
 * testkit/oidc/fixtures.json, passed as {@code -Doidc.fixtures}. Without OIDC_URL the tests are
 * skipped, unless TOKENFETCH_REQUIRE_OIDC is set ({@code make test} sets it).
 */
class OidcProviderTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final String issuer = System.getenv("OIDC_URL");
    private JsonNode fixtures;

    @BeforeEach
    void requireServer() throws IOException {
        if (issuer == null && System.getenv("TOKENFETCH_REQUIRE_OIDC") != null) {
            throw new IllegalStateException("TOKENFETCH_REQUIRE_OIDC is set but OIDC_URL is not: run under scripts/with-oidc.sh");
        }
        assumeTrue(issuer != null, "OIDC_URL is not set (make test starts oidc-provider)");
        String path = System.getProperty("oidc.fixtures");
        if (path == null) {
            throw new IllegalStateException("set -Doidc.fixtures=<tokenfetch>/testkit/oidc/fixtures.json");
        }
        fixtures = MAPPER.readTree(new File(path));
    }

    private TokenClientConfig.Builder config(String role) {
        JsonNode c = fixtures.get("clients").get(role);
        AuthMethod method = "client_secret_post".equals(c.get("token_endpoint_auth_method").asText())
                ? AuthMethod.CLIENT_SECRET_POST
                : AuthMethod.CLIENT_SECRET_BASIC;
        return TokenClientConfig.builder(issuer + "/token")
                .clientId(c.get("client_id").asText())
                .clientSecret(c.get("client_secret").asText())
                .authMethod(method);
    }

    private long issuedTo(String role) throws IOException, InterruptedException {
        HttpResponse<String> stats = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(issuer + "/__stats")).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode issued = MAPPER.readTree(stats.body()).get("issued").get(fixtures.get("clients").get(role).get("client_id").asText());
        return issued == null ? 0 : issued.asLong();
    }

    @Test
    void clientCredentialsWithBasicAndPostAuthentication() {
        try (TokenClient basic = new TokenClient(config("basic").build());
                TokenClient post = new TokenClient(config("post").build())) {
            TokenResponse token = basic.clientCredentials("read");
            assertEquals("Bearer", token.getTokenType());
            assertEquals("read", token.getScope());
            assertEquals(600L, token.getExpiresIn());
            assertNotNull(token.getExpiresAt());
            assertEquals("read write", post.clientCredentialsAsync("read write").join().getScope());
        }
    }

    @Test
    void aWrongSecretIsInvalidClientWithStatus401() {
        try (TokenClient client = new TokenClient(config("basic").clientSecret("not-the-secret").build())) {
            OAuthException e = assertThrows(OAuthException.class, client::clientCredentials);
            assertEquals("oauth", e.getKind());
            assertEquals("invalid_client", e.getOauthCode());
            assertEquals(401, e.getStatus());
            assertFalse(e.getMessage().contains("not-the-secret"));
        }
    }

    @Test
    void aScopeTheClientMayNotHaveIsInvalidScope() {
        try (TokenClient client = new TokenClient(config("read_only").build())) {
            OAuthException e = assertThrows(OAuthException.class, () -> client.clientCredentials("write"));
            assertEquals("invalid_scope", e.getOauthCode());
            assertEquals(400, e.getStatus());
        }
    }

    @Test
    void discoveryFromTheIssuerThenRevokeAndIntrospect() {
        JsonNode c = fixtures.get("clients").get("basic");
        // No token URL and no auth method: both come from the provider's discovery document.
        TokenClientConfig config = TokenClientConfig.builder()
                .clientId(c.get("client_id").asText())
                .clientSecret(c.get("client_secret").asText())
                .discoveryTtl(Duration.ZERO)
                .build();
        try (TokenClient client = TokenClient.discover(issuer, config)) {
            assertEquals(issuer + "/token", client.getTokenUrl());
            assertEquals(issuer, client.getIssuer());
            ServerMetadata metadata = client.getServerMetadata();
            assertEquals(issuer + "/device/auth", metadata.getDeviceAuthorizationEndpoint());
            assertNotNull(metadata.getRevocationEndpoint());
            assertNotNull(metadata.getIntrospectionEndpoint());

            TokenResponse token = client.clientCredentials("read");
            Introspection live = client.introspect(token.getAccessToken(), "access_token");
            assertTrue(live.getActive());
            assertEquals(c.get("client_id").asText(), live.getClientId());
            client.revoke(token.getAccessToken(), "access_token");
            Introspection revoked = client.introspectAsync(token.getAccessToken()).join();
            assertFalse(revoked.getActive());
        }
        try (TokenClient discovered = TokenClient.discoverAsync(issuer, config).join()) {
            discovered.revokeAsync("never-issued").join();
        }
    }

    /**
     * Plays the user's browser through the provider's login and consent forms
     * (testkit/oidc/approve.mjs), up to the redirect back to the app, and returns that URL.
     */
    private String signInThroughTheForms(String authorizationUrl, String redirectUri) throws IOException, InterruptedException {
        File script = new File(new File(System.getProperty("oidc.fixtures")).getParentFile(), "approve.mjs");
        Process process = new ProcessBuilder("node", script.getPath(), authorizationUrl, "sign-in", redirectUri)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String printed = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "approve.mjs finished");
        assertEquals(0, process.exitValue(), printed);
        return printed;
    }

    @Test
    void aWholeSignInThroughTheProviderFormsValidatesItsIdToken() throws Exception {
        JsonNode c = fixtures.get("clients").get("web");
        TokenClientConfig config = TokenClientConfig.builder()
                .clientId(c.get("client_id").asText())
                .clientSecret(c.get("client_secret").asText())
                .build();
        try (TokenClient client = TokenClient.discover(issuer, config)) {
            assertTrue(client.getValidatesIdTokens());
            String redirectUri = c.get("redirect_uris").get(0).asText();
            AuthorizationRequest request = client.authorizationUrl(
                    redirectUri, "openid offline_access read", null, null, null, Map.of("prompt", "consent"));
            String callback = signInThroughTheForms(request.getUrl(), redirectUri);
            // What a web app keeps in its session between the two steps.
            AuthorizationRequest kept = AuthorizationRequest.fromSessionJson(request.toSessionJson());
            TokenResponse token = client.exchangeCode(kept, callback);
            IdTokenClaims claims = token.getIdTokenClaims();
            assertNotNull(claims);
            assertEquals(issuer, claims.getIss());
            assertEquals(List.of(c.get("client_id").asText()), claims.getAud());
            assertEquals(request.getNonce(), claims.getNonce());
            JsonNode info = MAPPER.readTree(client.userinfo(token.getAccessToken(), claims.getSub()));
            assertEquals(claims.getSub(), info.get("sub").asText());
            TokenResponse refreshed = client.refresh(token.getRefreshToken());
            assertEquals(claims.getSub(), refreshed.getIdTokenClaims().getSub());
            OAuthException again = assertThrows(OAuthException.class, () -> client.exchangeCode(request, callback));
            assertEquals("invalid_grant", again.getOauthCode());
            URI logout = URI.create(client.endSessionUrl(token.getIdToken(), c.get("post_logout_redirect_uris").get(0).asText()));
            assertEquals("/session/end", logout.getPath());
        }
    }

    @Test
    void theManagerFetchesOnceForManyFutures() throws Exception {
        // Each language's manager test uses the cache client alone, so the count is this test's.
        long before = issuedTo("cache");
        try (TokenClient client = new TokenClient(config("cache").build()); TokenManager manager = new TokenManager(client)) {
            List<CompletableFuture<String>> headers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                headers.add(manager.authorizationHeaderAsync());
            }
            for (CompletableFuture<String> header : headers) {
                assertEquals(manager.authorizationHeader(), header.join());
            }
        }
        assertEquals(1, issuedTo("cache") - before);
    }
}
