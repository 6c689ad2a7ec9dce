package bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import io.tokenfetch.TokenClient;
import io.tokenfetch.TokenClientConfig;
import io.tokenfetch.TokenManager;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * {@code JvmBench <BENCH_URL> [--smoke]}: the tokenfetch jar against its JVM peers. Prints one
 * JSON object per line, as rust-bench does; bench/run.py reads them. Every fetch case is
 * checked against the server's request count; cases run in rounds, rotated, after a warm-up
 * long enough for the JIT to compile each client's hot path.
 */
public final class JvmBench {
    private static final String CLIENT_ID = "bench-client";
    private static final String CLIENT_SECRET = "bench-secret";
    private static final String BASIC = "Basic "
            + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
    private static final String BODY = "grant_type=client_credentials";
    private static final ObjectMapper JSON = new ObjectMapper();

    private JvmBench() {}

    public static void main(String[] args) throws Exception {
        String base = args[0];
        boolean smoke = args.length > 1 && args[1].equals("--smoke");
        emit(Map.of("case", "versions", "java", System.getProperty("java.version"),
                "nimbus", packageVersion(TokenRequest.class), "okhttp", okhttp3.OkHttp.VERSION));
        fetches(base, smoke ? 1 : 3, smoke ? 20 : 2000, smoke ? 20 : 5000);
        cachedRead(base, smoke ? 1000 : 2_000_000);
        System.exit(0);
    }

    private static String packageVersion(Class<?> type) {
        String version = type.getPackage().getImplementationVersion();
        return version == null ? "?" : version;
    }

    private static void emit(Map<String, Object> fields) throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("language", "jvm");
        line.putAll(fields);
        System.out.println(JSON.writeValueAsString(line));
    }

    private static long requests(String base) throws IOException {
        URI uri = URI.create(base);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.getOutputStream().write(("GET /__stats HTTP/1.1\r\nhost: " + uri.getAuthority()
                    + "\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).get("requests").asLong();
        }
    }

    private static List<Map.Entry<String, Callable<String>>> fetchers(String base) throws IOException {
        String tokenUrl = base + "/token";
        List<Map.Entry<String, Callable<String>>> cases = new ArrayList<>();

        TokenClient ours = new TokenClient(TokenClientConfig.builder(tokenUrl).clientId(CLIENT_ID).clientSecret(CLIENT_SECRET).build());
        cases.add(Map.entry("tokenfetch", () -> ours.clientCredentials().getAccessToken()));

        ClientSecretBasic auth = new ClientSecretBasic(new ClientID(CLIENT_ID), new Secret(CLIENT_SECRET));
        URI endpoint = URI.create(tokenUrl);
        cases.add(Map.entry("Nimbus oauth2-oidc-sdk", () -> {
            TokenRequest request = new TokenRequest(endpoint, auth, new ClientCredentialsGrant(), null);
            return com.nimbusds.oauth2.sdk.TokenResponse.parse(request.toHTTPRequest().send())
                    .toSuccessResponse().getTokens().getAccessToken().getValue();
        }));

        OkHttpClient okhttp = new OkHttpClient();
        MediaType form = MediaType.get("application/x-www-form-urlencoded");
        cases.add(Map.entry("OkHttp + Jackson", () -> {
            Request request = new Request.Builder().url(tokenUrl).header("authorization", BASIC)
                    .post(RequestBody.create(BODY, form)).build();
            try (Response response = okhttp.newCall(request).execute()) {
                return JSON.readTree(response.body().byteStream()).get("access_token").asText();
            }
        }));

        RawSocket raw = new RawSocket(URI.create(base));
        cases.add(Map.entry("raw socket", raw::fetch));
        return cases;
    }

    /** The floor: one kept-alive socket, a request written as bytes, the body read by length. */
    private static final class RawSocket {
        private final OutputStream out;
        private final InputStream in;
        private final byte[] request;

        RawSocket(URI base) throws IOException {
            Socket socket = new Socket(base.getHost(), base.getPort());
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
            request = ("POST /token HTTP/1.1\r\nhost: " + base.getAuthority() + "\r\nauthorization: " + BASIC
                    + "\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: " + BODY.length()
                    + "\r\n\r\n" + BODY).getBytes(StandardCharsets.US_ASCII);
        }

        String fetch() throws IOException {
            out.write(request);
            int length = 0;
            String line;
            while (!(line = readLine()).isEmpty()) {
                if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            return new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.US_ASCII);
        }
    }

    private static void fetches(String base, int rounds, int perRound, int warmup) throws Exception {
        List<Map.Entry<String, Callable<String>>> cases = fetchers(base);
        List<List<Double>> samples = new ArrayList<>();
        for (Map.Entry<String, Callable<String>> c : cases) {
            samples.add(new ArrayList<>());
            for (int i = 0; i < warmup; i++) {
                c.getValue().call();
            }
        }
        for (int round = 0; round < rounds; round++) {
            for (int offset = 0; offset < cases.size(); offset++) {
                int index = (round + offset) % cases.size();
                Callable<String> fetch = cases.get(index).getValue();
                long before = requests(base);
                for (int i = 0; i < perRound; i++) {
                    long start = System.nanoTime();
                    fetch.call();
                    samples.get(index).add((System.nanoTime() - start) / 1000.0);
                }
                long made = requests(base) - before;
                if (made != perRound) {
                    throw new IllegalStateException(cases.get(index).getKey() + ": " + made + " requests for " + perRound);
                }
            }
        }
        for (int i = 0; i < cases.size(); i++) {
            double[] sorted = samples.get(i).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("case", "fetch");
            line.put("client", cases.get(i).getKey());
            line.put("p50_us", at(sorted, 0.5));
            line.put("p90_us", at(sorted, 0.9));
            line.put("p99_us", at(sorted, 0.99));
            line.put("n", sorted.length);
            emit(line);
        }
    }

    private static double at(double[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    private static void cachedRead(String base, int reads) throws IOException {
        TokenClient client = new TokenClient(TokenClientConfig.builder(base + "/token")
                .clientId(CLIENT_ID).clientSecret(CLIENT_SECRET).build());
        TokenManager manager = new TokenManager(client);
        manager.accessToken();
        double[] batches = new double[5];
        for (int batch = 0; batch < batches.length; batch++) {
            long start = System.nanoTime();
            for (int i = 0; i < reads; i++) {
                manager.accessToken();
            }
            batches[batch] = (System.nanoTime() - start) / (double) reads;
        }
        Arrays.sort(batches);
        emit(Map.of("case", "cached read", "client", "tokenfetch", "p50_ns", batches[2], "n", reads * 5));
    }
}
