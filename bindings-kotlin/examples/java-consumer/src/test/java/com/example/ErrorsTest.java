package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tokenfetch.ConfigException;
import io.tokenfetch.DecodeException;
import io.tokenfetch.ErrorKind;
import io.tokenfetch.HttpStatusException;
import io.tokenfetch.OAuthException;
import io.tokenfetch.TokenClient;
import io.tokenfetch.TokenClientConfig;
import io.tokenfetch.TokenFetchException;
import io.tokenfetch.TokenTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * Errors as Java code meets them: unchecked TokenFetchExceptions, one subclass per kind, with
 * getKind(), getStatus() and getOauthCode(), and messages that never carry a secret.
 */
class ErrorsTest {
    private static final String SECRET = "java-errors-secret-93c0";

    private static TokenClient client(String scenario) {
        return new TokenClient(TokenClientConfig.builder(Testkit.scenarioUrl(scenario))
                .clientId("java-errors").clientSecret(SECRET).maxRetries(0).build());
    }

    @Test
    void theHierarchyIsUncheckedSoCallersCatchWhereTheyChoose() {
        assertTrue(RuntimeException.class.isAssignableFrom(TokenFetchException.class));
        // No try/catch needed to compile a blocking call: this method declares nothing.
        try (TokenClient client = client("ok")) {
            assertNotNull(client.clientCredentials().getAccessToken());
        }
    }

    @Test
    void anOAuthErrorHasKindStatusAndCode() {
        try (TokenClient client = client("invalid_client")) {
            OAuthException e = assertThrows(OAuthException.class, client::clientCredentials);
            assertEquals("oauth", e.getKind());
            switch (e.getErrorKind()) {
                case OAUTH:
                    assertEquals("invalid_client", e.getOauthCode());
                    break;
                default:
                    throw new AssertionError("an OAuth error's kind is OAUTH, not " + e.getErrorKind());
            }
            assertEquals(ErrorKind.OAUTH, e.getErrorKind());
            assertEquals(401, e.getStatus());
            assertEquals("invalid_client", e.getOauthCode());
            assertNotNull(e.getHttpMeta());
            assertEquals(401, e.getHttpMeta().getResponse().getStatus());
        }
    }

    @Test
    void anErrorBodyWithStatus200IsStillAnOAuthError() {
        try (TokenClient client = client("error_200")) {
            OAuthException e = assertThrows(OAuthException.class, client::clientCredentials);
            assertEquals(200, e.getStatus());
            assertNotNull(e.getOauthCode());
        }
    }

    @Test
    void eachKindHasItsSubclass() {
        try (TokenClient html = client("html_502"); TokenClient login = client("html_200")) {
            HttpStatusException status = assertThrows(HttpStatusException.class, html::clientCredentials);
            assertEquals("http_status", status.getKind());
            assertEquals(502, status.getStatus());
            assertNull(status.getOauthCode());
            assertEquals("decode", assertThrows(DecodeException.class, login::clientCredentials).getKind());
        }
        TokenClientConfig slow = TokenClientConfig.builder(Testkit.scenarioUrl("slow"))
                .clientId("java-errors")
                .clientSecret(SECRET)
                .header("X-Testkit-Delay-Ms", "3000")
                .timeout(Duration.ofMillis(300))
                .maxRetries(0)
                .build();
        try (TokenClient client = new TokenClient(slow)) {
            assertEquals("timeout", assertThrows(TokenTimeoutException.class, client::clientCredentials).getKind());
        }
    }

    @Test
    void badConfigurationIsAConfigExceptionThatSaysWhatToFix() {
        ConfigException negative = assertThrows(ConfigException.class,
                () -> new TokenClient(TokenClientConfig.builder(Testkit.tokenUrl()).timeout(Duration.ofSeconds(-1)).build()));
        assertTrue(negative.getMessage().contains("timeout"), negative.getMessage());
        ConfigException plainHttp = assertThrows(ConfigException.class,
                () -> new TokenClient(TokenClientConfig.builder("http://auth.example/token").build()));
        assertTrue(plainHttp.getMessage().contains("https"), plainHttp.getMessage());
        assertThrows(ConfigException.class,
                () -> new TokenClient(TokenClientConfig.builder(Testkit.tokenUrl()).maxRetries(-1).build()));
    }

    @Test
    void aClosedClientIsAConfigException() {
        TokenClient client = client("ok");
        client.close();
        assertEquals("config", assertThrows(ConfigException.class, client::clientCredentials).getKind());
    }

    @Test
    void noMessageCarriesTheSecretInAnyEncoding() {
        // echo_html answers 500 with the whole request echoed back: headers, body, Basic pair.
        String basic = Base64.getEncoder().encodeToString(("java-errors:" + SECRET).getBytes(StandardCharsets.UTF_8));
        try (TokenClient client = client("echo_html")) {
            TokenFetchException e = assertThrows(TokenFetchException.class, client::clientCredentials);
            String everything = e.getMessage() + " " + e + " " + e.getHttpMeta();
            assertFalse(everything.contains(SECRET), everything);
            assertFalse(everything.contains(basic), everything);
        }
        try (TokenClient client = client("echo_html")) {
            Throwable cause = assertThrows(java.util.concurrent.CompletionException.class,
                    () -> client.clientCredentialsAsync().join()).getCause();
            assertInstanceOf(TokenFetchException.class, cause);
            assertFalse(String.valueOf(cause.getMessage()).contains(SECRET));
        }
    }
}
