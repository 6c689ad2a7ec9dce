package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tokenfetch.AuthMethod;
import io.tokenfetch.ConfigException;
import io.tokenfetch.PrivateKey;
import io.tokenfetch.SigningAlgorithm;
import io.tokenfetch.TokenClient;
import io.tokenfetch.TokenClientConfig;
import io.tokenfetch.TokenManager;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Keys, a JWK map and an assertion provider, from Java: builders and a lambda. */
class KeysTest {
    /** An Ed25519 JWK of conformance/keys.json ("ed25519-jwk"), which testkit trusts. */
    private static Map<String, String> trustedJwk() {
        String keys = Testkit.keysJson();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("\"name\": \"ed25519-jwk\",\\s*\"key\": \\{\\s*\"kty\": \"OKP\",\\s*\"crv\": \"Ed25519\",\\s*\"x\": \"([^\"]+)\",\\s*\"d\": \"([^\"]+)\"")
                .matcher(keys);
        assertTrue(m.find(), "keys.json holds the Ed25519 JWK");
        return Map.of("kty", "OKP", "crv", "Ed25519", "x", m.group(1), "d", m.group(2));
    }

    @Test
    void aJwkMapSignsAndIsNeverShown() {
        Map<String, String> jwk = trustedJwk();
        TokenClientConfig config = TokenClientConfig.builder(Testkit.tokenUrl())
                .clientId("java-jwt")
                .privateKey(PrivateKey.jwk(jwk))
                .build();
        assertFalse(config.toString().contains(jwk.get("d")), config.toString());
        TokenClient client = new TokenClient(config);
        assertEquals(AuthMethod.PRIVATE_KEY_JWT, client.getAuthMethod());
        assertEquals(SigningAlgorithm.EDDSA, client.getSigningAlgorithm());
        assertFalse(client.clientCredentials().getAccessToken().isEmpty());
    }

    @Test
    void aProviderLambdaIsAskedForEveryRequest() {
        AtomicInteger calls = new AtomicInteger();
        TokenClient client = new TokenClient(TokenClientConfig.builder(Testkit.scenarioUrl("federated"))
                .clientId("java-federated")
                .clientAssertion(() -> "java-assertion-" + calls.incrementAndGet())
                .build());
        TokenManager manager = TokenManager.builder(client).build();
        manager.accessToken();
        client.clientCredentials();
        assertEquals(2, calls.get());
        assertTrue(Testkit.get("/__stats").contains("java-assertion-2"));
    }

    @Test
    void aShortHmacSecretIsAConfigException() {
        ConfigException e = assertThrows(ConfigException.class, () -> new TokenClient(TokenClientConfig.builder(Testkit.tokenUrl())
                .clientId("java-jwt")
                .clientSecret("too-short")
                .authMethod(AuthMethod.CLIENT_SECRET_JWT)
                .build()));
        assertTrue(e.getMessage().contains("at least 32 bytes"), e.getMessage());
        assertFalse(e.getMessage().contains("too-short"));
    }
}
