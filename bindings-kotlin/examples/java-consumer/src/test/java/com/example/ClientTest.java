package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tokenfetch.AuthMethod;
import io.tokenfetch.BodyEncoding;
import io.tokenfetch.GustoEnvironment;
import io.tokenfetch.ProveEnvironment;
import io.tokenfetch.OAuthException;
import io.tokenfetch.TokenClient;
import io.tokenfetch.TokenClientConfig;
import io.tokenfetch.TokenFetch;
import io.tokenfetch.TokenRequestResponse;
import io.tokenfetch.TokenResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A client built and used the way Java code does: a builder, blocking calls and futures. */
class ClientTest {
    private static final String SECRET = "java-secret-5e1b";

    private static TokenClientConfig.Builder config(String tokenUrl) {
        return TokenClientConfig.builder(tokenUrl).clientId("java-client").clientSecret(SECRET);
    }

    @Test
    void theBuilderSetsEveryValueAndTheClientReportsThem() {
        TokenClientConfig config = config(Testkit.tokenUrl())
                .authMethod(AuthMethod.CLIENT_SECRET_POST)
                .bodyEncoding(BodyEncoding.FORM)
                .scope("read")
                .audience(List.of("https://api.example"))
                .extraParam("tenant", "t1")
                .header("X-Trace", "on")
                .userAgent("java-consumer/1.0")
                .timeout(Duration.ofSeconds(12))
                .connectTimeout(Duration.ofMillis(2500))
                .maxRetries(1)
                .maxResponseBytes(64 * 1024)
                .build();
        assertEquals(AuthMethod.CLIENT_SECRET_POST, config.getAuthMethod());
        assertEquals(Map.of("tenant", "t1"), config.getExtraParams());
        assertEquals(Duration.ofSeconds(12), config.getTimeout());
        assertEquals(Duration.ofMillis(2500), config.getConnectTimeout());
        assertEquals(config, config.newBuilder().build(), "a builder from a config rebuilds an equal config");
        assertNotEquals(config, config.newBuilder().scope("write").build());

        try (TokenClient client = new TokenClient(config)) {
            assertEquals(Duration.ofSeconds(12), client.getTimeout());
            assertEquals(Duration.ofMillis(2500), client.getConnectTimeout());
            assertEquals(1, client.getMaxRetries());
            assertEquals(64 * 1024, client.getMaxResponseBytes());
            TokenResponse token = client.clientCredentials();
            assertEquals("Bearer", token.getTokenType());
            assertEquals("read", token.getScope());
            assertEquals(List.of("read"), token.getScopes());
        }
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        // The configuration leaves every option to the core, which decides the defaults once
        // for every language; the client reports them.
        TokenClientConfig config = TokenClientConfig.builder(Testkit.tokenUrl()).build();
        assertNull(config.getTimeout());
        assertNull(config.getMaxRetries());
        assertNull(config.getAuthMethod());
        assertNull(config.getDiscoveryTtl());
        assertEquals(List.of(), config.getAudience());
        try (TokenClient client = new TokenClient(config.newBuilder().clientId("java-client").clientSecret(SECRET).build())) {
            assertEquals(Duration.ofSeconds(30), client.getTimeout());
            assertEquals(Duration.ofSeconds(10), client.getConnectTimeout());
            assertEquals(Duration.ofSeconds(30), client.getMaxRetryWait());
            assertEquals(2, client.getMaxRetries());
            TokenRequestResponse answer = client.requestToken("client_credentials");
            assertEquals("Basic [redacted]", answer.getHttpMeta().getRequest().getHeaders().get("authorization"));
        }
    }

    @Test
    void toStringNeverShowsTheSecret() {
        TokenClientConfig config = config(Testkit.tokenUrl()).build();
        assertFalse(config.toString().contains(SECRET), config.toString());
        try (TokenClient client = new TokenClient(config)) {
            TokenResponse token = client.clientCredentials();
            assertFalse(token.toString().contains(token.getAccessToken()), token.toString());
            assertTrue(token.toString().contains(TokenFetch.REDACTED));
        }
    }

    @Test
    void presetsAreStaticFactories() {
        // The presets take their endpoint from an environment name, or from an explicit URL.
        try (TokenClient prove = TokenClient.prove("prove-id", SECRET, "uat-us", Testkit.tokenUrl());
                TokenClient gusto = TokenClient.gusto("gusto-id", SECRET, "demo", Testkit.tokenUrl());
                TokenClient proveDefault = TokenClient.prove("prove-id", SECRET);
                TokenClient proveEu = TokenClient.prove("prove-id", SECRET, ProveEnvironment.PROD_EU);
                TokenClient proveEuByName = TokenClient.prove("prove-id", SECRET, "prod-eu");
                TokenClient gustoProd = TokenClient.gusto("gusto-id", SECRET, GustoEnvironment.PROD)) {
            assertEquals(proveEuByName.getTokenUrl(), proveEu.getTokenUrl());
            assertTrue(gustoProd.getTokenUrl().startsWith("https://api.gusto.com/"), gustoProd.getTokenUrl());
            assertEquals("Bearer", prove.clientCredentials().getTokenType());
            assertEquals("gusto-id", gusto.getClientId());
            assertTrue(proveDefault.getTokenUrl().startsWith("https://"), proveDefault.getTokenUrl());
        }
    }

    @Test
    void everyGrantHasABlockingMethodWithOverloads() {
        try (TokenClient client = new TokenClient(config(Testkit.tokenUrl()).build())) {
            TokenResponse first = client.password("alice", "wonderland", "read");
            assertNotNull(first.getRefreshToken());
            assertNotNull(client.refresh(first.getRefreshToken()).getAccessToken());
            assertNotNull(client.authorizationCode("code-1", "https://app.example/cb", "verifier").getAccessToken());
            assertNotNull(client.tokenExchange("subject", "urn:ietf:params:oauth:token-type:access_token").getAccessToken());
            TokenRequestResponse answer = client.requestToken("client_credentials", "read", Map.of("tenant", "t1"));
            assertEquals(200, answer.getHttpMeta().getResponse().getStatus());
            assertEquals("POST", answer.getHttpMeta().getRequest().getMethod());
        }
    }

    @Test
    void futuresCompleteWithTheToken() throws Exception {
        try (TokenClient client = new TokenClient(config(Testkit.tokenUrl()).build())) {
            CompletableFuture<String> scope = client.clientCredentialsAsync("read").thenApply(TokenResponse::getScope);
            assertEquals("read", scope.get(10, TimeUnit.SECONDS));
            TokenResponse token = client.passwordAsync("alice", "wonderland").join();
            assertNotNull(client.refreshAsync(token.getRefreshToken()).join().getAccessToken());
            assertEquals(200, client.requestTokenAsync("client_credentials").join().getHttpMeta().getResponse().getStatus());
        }
    }

    @Test
    void aFailedFutureCarriesTheTypedException() {
        try (TokenClient client = new TokenClient(config(Testkit.scenarioUrl("invalid_grant")).build())) {
            CompletableFuture<TokenResponse> future = client.refreshAsync("rt-unknown");
            CompletionException joined = assertThrows(CompletionException.class, future::join);
            OAuthException e = assertInstanceOf(OAuthException.class, joined.getCause());
            assertEquals("invalid_grant", e.getOauthCode());
            ExecutionException got = assertThrows(ExecutionException.class, future::get);
            assertInstanceOf(OAuthException.class, got.getCause());
            // exceptionally() sees the same cause, for callers that recover.
            String recovered = future.thenApply(TokenResponse::getAccessToken)
                    .exceptionally(t -> "fallback after " + ((OAuthException) t.getCause()).getKind())
                    .join();
            assertEquals("fallback after oauth", recovered);
        }
    }

    @Test
    void cancellingAFutureStopsTheWaitAndLeavesTheClientUsable() throws Exception {
        String slow = Testkit.scenarioUrl("slow");
        try (TokenClient client = new TokenClient(config(slow).header("X-Testkit-Delay-Ms", "3000").build())) {
            CompletableFuture<TokenResponse> future = client.clientCredentialsAsync();
            assertTrue(future.cancel(true));
            // Done at once: the caller stops waiting, as a cancelled coroutine does.
            assertTrue(future.isCancelled());
            assertThrows(CancellationException.class, future::join);
        }
        try (TokenClient client = new TokenClient(config(Testkit.tokenUrl()).build())) {
            assertNotNull(client.clientCredentialsAsync().get(10, TimeUnit.SECONDS).getAccessToken());
        }
    }
}
