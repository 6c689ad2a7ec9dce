package com.example;

import io.tokenfetch.TokenClient;
import io.tokenfetch.TokenClientConfig;
import io.tokenfetch.TokenFetchException;
import io.tokenfetch.TokenManager;
import io.tokenfetch.TokenRequestResponse;
import io.tokenfetch.TokenResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** {@code JavaDemo <token-url>}: fetch a token through the JVM package from plain Java. */
public final class JavaDemo {
    private JavaDemo() {}

    public static void main(String[] args) {
        String tokenUrl = args.length > 0 ? args[0] : System.getenv("TESTKIT_URL") + "/token";
        TokenClientConfig config = TokenClientConfig.builder(tokenUrl)
                .clientId("demo-client")
                .clientSecret("demo-secret")
                .scope("read write")
                .timeout(Duration.ofSeconds(10))
                .build();
        try (TokenClient client = new TokenClient(config);
                TokenManager manager = TokenManager.builder(client).refreshSkew(Duration.ofSeconds(30)).build()) {
            TokenRequestResponse answer = client.requestToken("client_credentials");
            TokenResponse token = answer.getTokenResponse();
            String accessToken = token.getAccessToken();
            System.out.println("java   accessToken   " + accessToken.substring(0, 8) + "… (" + accessToken.length() + " chars)");
            System.out.println("java   tokenType     " + token.getTokenType());
            System.out.println("java   expiresIn     " + token.getExpiresIn());
            System.out.println("java   request       " + answer.getHttpMeta().getRequest().getMethod() + " "
                    + answer.getHttpMeta().getRequest().getUrl());
            CompletableFuture<String> header = manager.authorizationHeaderAsync();
            String value = header.join();
            System.out.println("java   manager       " + value.substring(0, 15) + "… (cached: "
                    + value.equals(manager.authorizationHeader()) + ")");
        } catch (TokenFetchException e) {
            fail(e);
        } catch (CompletionException e) {
            // A future's failure: its cause is the TokenFetchException.
            fail(e.getCause());
        }
    }

    private static void fail(Throwable e) {
        String kind = e instanceof TokenFetchException ? ((TokenFetchException) e).getKind() : "unexpected";
        System.err.println("java: token request failed (" + kind + "): " + e.getMessage());
        System.exit(1);
    }
}
