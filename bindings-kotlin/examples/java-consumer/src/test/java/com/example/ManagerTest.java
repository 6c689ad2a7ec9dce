package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tokenfetch.ConfigException;
import io.tokenfetch.TokenClient;
import io.tokenfetch.TokenClientConfig;
import io.tokenfetch.TokenManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The token cache from Java: a constructor, a builder with java.time, blocking and futures. */
class ManagerTest {
    private static TokenClient client(String scenario) {
        return new TokenClient(TokenClientConfig.builder(Testkit.scenarioUrl(scenario))
                .clientId("java-manager")
                .clientSecret("java-manager-secret")
                .build());
    }

    @Test
    void manyFuturesShareOneFetch() {
        // A scenario of its own, so the server's count is this test's.
        String scenario = "no_token_type";
        int before = Testkit.requests(scenario);
        try (TokenClient client = client(scenario); TokenManager manager = new TokenManager(client)) {
            List<CompletableFuture<String>> futures = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                futures.add(manager.accessTokenAsync());
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).join();
            Set<String> tokens = new HashSet<>();
            futures.forEach(f -> tokens.add(f.join()));
            assertEquals(1, tokens.size(), "every caller got the same token");
            assertEquals(manager.accessToken(), tokens.iterator().next());
            assertEquals("Bearer " + manager.accessToken(), manager.authorizationHeaderAsync().join());
            assertEquals(manager.accessToken(), manager.tokenAsync().join().getAccessToken());
        }
        assertEquals(1, Testkit.requests(scenario) - before, "one fetch for 32 callers");
    }

    @Test
    void theBuilderTakesJavaTimeAndTheManagerReportsIt() {
        try (TokenClient client = client("ok");
                TokenManager manager = TokenManager.builder(client)
                        .scope("read")
                        .refreshSkew(Duration.ofSeconds(30))
                        .defaultLifetime(Duration.ofMinutes(10))
                        .build()) {
            assertEquals(Duration.ofSeconds(30), manager.getRefreshSkew());
            assertEquals(Duration.ofMinutes(10), manager.getDefaultLifetime());
            assertEquals("read", manager.token().getScope());
            assertNull(manager.getLastError());
        }
    }

    @Test
    void theDefaultTimingIsTheDocumentedOne() {
        try (TokenClient client = client("ok"); TokenManager manager = new TokenManager(client)) {
            assertEquals(Duration.ofSeconds(60), manager.getRefreshSkew());
            assertEquals(Duration.ofMinutes(5), manager.getDefaultLifetime());
        }
    }

    @Test
    void anotherGrantThroughTheBuilder() {
        try (TokenClient client = client("ok");
                TokenManager manager = TokenManager.builder(client)
                        .grantType("password")
                        .params(Map.of("username", "alice", "password", "wonderland"))
                        .build()) {
            assertTrue(manager.accessToken().length() > 0);
        }
    }

    @Test
    void invalidTimingIsAConfigExceptionNamingTheOption() {
        try (TokenClient client = client("ok")) {
            ConfigException negative = assertThrows(ConfigException.class,
                    () -> TokenManager.builder(client).refreshSkew(Duration.ofSeconds(-1)).build());
            assertTrue(negative.getMessage().contains("refreshSkew"), negative.getMessage());
            // Beyond what a long of milliseconds holds: refused, not overflowed into a small value.
            ConfigException huge = assertThrows(ConfigException.class,
                    () -> TokenManager.builder(client).defaultLifetime(Duration.ofSeconds(Long.MAX_VALUE)).build());
            assertTrue(huge.getMessage().contains("defaultLifetime"), huge.getMessage());
            ConfigException paramsWithoutGrant = assertThrows(ConfigException.class,
                    () -> TokenManager.builder(client).params(Map.of("username", "alice")).build());
            assertEquals("config", paramsWithoutGrant.getKind());
        }
    }

    @Test
    void aFailingFetchFailsTheFutureAndIsRemembered() {
        try (TokenClient client = new TokenClient(TokenClientConfig.builder(Testkit.scenarioUrl("invalid_client"))
                        .clientId("java-manager").clientSecret("wrong").maxRetries(0).build());
                TokenManager manager = new TokenManager(client)) {
            Throwable cause = assertThrows(java.util.concurrent.CompletionException.class,
                    () -> manager.accessTokenAsync().join()).getCause();
            assertInstanceOf(io.tokenfetch.OAuthException.class, cause);
            assertEquals(401, ((io.tokenfetch.OAuthException) cause).getStatus());
            assertInstanceOf(io.tokenfetch.OAuthException.class, manager.getLastError());
        }
    }
}
