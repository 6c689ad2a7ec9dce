package com.example.tokensample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** The testkit token server, started for a test class and stopped by its process. */
final class Testkit implements AutoCloseable {
    private final Process process;
    final String url;

    Testkit() throws IOException {
        String bin = System.getProperty("testkit.bin");
        if (bin == null) throw new IllegalStateException("set -Dtestkit.bin");
        process = new ProcessBuilder(bin, "--exit-on-stdin-eof").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (line == null || !line.startsWith("TESTKIT_URL=")) throw new IllegalStateException("testkit printed " + line);
        url = line.substring("TESTKIT_URL=".length());
    }

    String tokenUrl() {
        return url + "/token";
    }

    /** The server's count of token requests, from GET /__stats. */
    int tokenRequests() throws IOException {
        String stats = get("/__stats");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"token_requests\":(\\d+)").matcher(stats);
        if (!m.find()) throw new IllegalStateException("no token_requests in " + stats);
        return Integer.parseInt(m.group(1));
    }

    void reset() throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url + "/__reset").openConnection();
        c.setRequestMethod("POST");
        c.getInputStream().close();
    }

    private String get(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url + path).openConnection();
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        process.getOutputStream().close();
        process.destroy();
        process.waitFor();
    }
}
