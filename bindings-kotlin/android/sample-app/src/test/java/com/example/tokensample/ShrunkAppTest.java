package com.example.tokensample;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import android.os.Build;
import android.os.Looper;
import java.io.File;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;

/**
 * The R8-shrunk sample app (target/shrunk-classes: the app, tokenfetch, JNA, Kotlin,
 * coroutines and OkHttp after shrinking with only the AAR's consumer rules) on Robolectric, at
 * the AAR's minimum SDK and at Android 15 (robolectric.properties). The native library is the
 * host build of the same code; Robolectric runs on the host JVM, so JNA takes its desktop
 * loading path (a device takes System.loadLibrary), and the cross-built .so files are not run.
 *
 * Robolectric runs each test on Android's main thread, which is where an app must not block.
 */
@RunWith(RobolectricTestRunner.class)
public class ShrunkAppTest {
    private static Testkit kit;
    private static final ExecutorService background = Executors.newSingleThreadExecutor();

    @BeforeClass
    public static void startTestkit() throws Exception {
        kit = new Testkit();
    }

    @AfterClass
    public static void stopTestkit() throws Exception {
        background.shutdownNow();
        kit.close();
    }

    private static TokenSample sample() {
        return new TokenSample(kit.tokenUrl(), "android-app", "android-secret-51c4");
    }

    private static <T> T offMainThread(java.util.concurrent.Callable<T> call) throws Exception {
        return background.submit(call).get(30, TimeUnit.SECONDS);
    }

    @Test
    public void testsRunOnTheMainThread() {
        assertTrue(Looper.getMainLooper().isCurrentThread());
    }

    @Test
    public void theManagerFetchesOnceOffTheMainThread() throws Exception {
        kit.reset();
        try (TokenSample app = sample()) {
            String first = offMainThread(app::blockingAccessToken);
            String second = offMainThread(app::blockingAccessToken);
            assertFalse(first.isEmpty());
            assertEquals("the second call is served from the cache", first, second);
            assertEquals(1, kit.tokenRequests());
        }
    }

    @Test
    public void aBlockingCallOnTheMainThreadIsRefusedWithAConfigError() throws Exception {
        kit.reset();
        try (TokenSample app = sample()) {
            String failure = app.blockingFailure();
            assertTrue(failure, failure.startsWith("config: TokenManager.accessToken() blocks on the network"));
            assertTrue(failure, failure.contains("awaitAccessToken()"));
            String grant = app.clientCredentialsFailure();
            assertTrue(grant, grant.startsWith("config: TokenClient.clientCredentials() blocks on the network"));
            assertTrue(grant, grant.contains("awaitClientCredentials()"));
            assertEquals("nothing was sent", 0, kit.tokenRequests());
        }
    }

    @Test
    public void theAwaitTwinsWorkFromTheMainThread() throws Exception {
        kit.reset();
        try (TokenSample app = sample()) {
            String token = app.awaitAccessToken();
            assertEquals(token, app.awaitAccessToken());
            assertFalse(app.awaitClientCredentials("read").isEmpty());
            assertEquals(2, kit.tokenRequests());
        }
    }

    @Test
    public void theOkHttpInterceptorAddsTheTokenAndRetriesOnce401() throws Exception {
        kit.reset();
        try (TokenSample app = sample()) {
            // testkit's /protected refuses its first request, then accepts a token it issued.
            int status = offMainThread(() -> app.getWithBearer(kit.url + "/protected"));
            assertEquals(200, status);
            assertEquals("the 401 invalidated the first token", 2, kit.tokenRequests());
        }
    }

    @Test
    public void anOAuthErrorKeepsItsTypeAndCodeAfterShrinking() throws Exception {
        try (TokenSample app = new TokenSample(kit.url + "/scenario/invalid_client/token", "android-app", "wrong")) {
            String failure = offMainThread(app::blockingFailure);
            assertTrue(failure, failure.startsWith("oauth invalid_client:"));
            assertFalse(failure, failure.contains("wrong"));
        }
    }

    /** The cleaner uniffi chose, read from the lazy that holds it. The Lazy class itself is
     * Kotlin's, renamed by R8 as in any shrunk app, so its fields are searched by value. */
    private static String uniffiCleaner() throws Exception {
        Object lib = Class.forName("io.tokenfetch.ffi.UniffiLib").getField("INSTANCE").get(null);
        Field delegate = lib.getClass().getDeclaredField("CLEANER$delegate");
        delegate.setAccessible(true);
        Object lazy = delegate.get(lib);
        for (Field field : lazy.getClass().getDeclaredFields()) {
            field.setAccessible(true);
            Object value = field.get(lazy);
            if (value != null && value.getClass().getName().matches("io\\.tokenfetch\\.ffi\\.\\w*Cleaner")) {
                return value.getClass().getSimpleName();
            }
        }
        throw new AssertionError("no cleaner in " + lazy.getClass());
    }

    @Test
    public void theUniffiCleanerIsAndroidsOwnFromApi34() throws Exception {
        // Objects left to the cleaner are freed without disturbing the library.
        TokenSample.churn(kit.tokenUrl(), 200);
        assertEquals(Build.VERSION.SDK_INT >= 34 ? "AndroidSystemCleaner" : "UniffiJnaCleaner", uniffiCleaner());
        System.gc();
        Thread.sleep(100);
        try (TokenSample app = sample()) {
            assertFalse(offMainThread(app::blockingAccessToken).isEmpty());
        }
    }

    @Test
    public void aRealOpenIdProviderIssuesTokens() throws Exception {
        String issuer = System.getenv("OIDC_URL");
        if (issuer == null && System.getenv("TOKENFETCH_REQUIRE_OIDC") != null) {
            throw new IllegalStateException("TOKENFETCH_REQUIRE_OIDC is set but OIDC_URL is not: run under scripts/with-oidc.sh");
        }
        Assume.assumeNotNull(issuer);
        File fixtures = new File(System.getProperty("workspace.dir"), "testkit/oidc/fixtures.json");
        JSONObject basic = new JSONObject(new String(Files.readAllBytes(fixtures.toPath()), StandardCharsets.UTF_8))
                .getJSONObject("clients").getJSONObject("basic");
        try (TokenSample app = new TokenSample(issuer + "/token", basic.getString("client_id"), basic.getString("client_secret"))) {
            String token = app.awaitAccessToken();
            assertTrue(token.length() >= 20);
            assertEquals("cached", token, offMainThread(app::blockingAccessToken));
        }
        try (TokenSample wrong = new TokenSample(issuer + "/token", basic.getString("client_id"), "not-the-secret-7d1e")) {
            String failure = offMainThread(wrong::blockingFailure);
            assertTrue(failure, failure.startsWith("oauth invalid_client:"));
            assertFalse(failure, failure.contains("not-the-secret-7d1e"));
        }
    }
}
