package com.example;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The testkit token server that {@code scripts/with-testkit.sh} started, named in TESTKIT_URL. */
final class Testkit {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Testkit() {}

    static String url() {
        String url = System.getenv("TESTKIT_URL");
        if (url == null) {
            throw new IllegalStateException("run with TESTKIT_URL set (scripts/with-testkit.sh)");
        }
        return url;
    }

    /** conformance/keys.json, whose keys testkit trusts: beside the oidc-provider fixtures
     * ({@code -Doidc.fixtures}, in testkit/oidc/ of the repository). */
    static String keysJson() {
        String fixtures = System.getProperty("oidc.fixtures");
        if (fixtures == null) {
            throw new IllegalStateException("set -Doidc.fixtures=<tokenfetch>/testkit/oidc/fixtures.json");
        }
        try {
            java.nio.file.Path root = java.nio.file.Path.of(fixtures).toAbsolutePath().getParent().getParent().getParent();
            return java.nio.file.Files.readString(root.resolve("conformance").resolve("keys.json"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String tokenUrl() {
        return url() + "/token";
    }

    /** The token endpoint playing one scenario (testkit/src/lib.rs lists them). */
    static String scenarioUrl(String scenario) {
        return url() + "/scenario/" + scenario + "/token";
    }

    /** How many token requests the server has answered for one scenario. */
    static int requests(String scenario) {
        Matcher m = Pattern.compile("\"by_scenario\":\\{[^}]*\"" + Pattern.quote(scenario) + "\":(\\d+)").matcher(get("/__stats"));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    static String get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new IllegalStateException("testkit did not answer " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
