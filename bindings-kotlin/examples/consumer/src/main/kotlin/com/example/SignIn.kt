package com.example

import io.tokenfetch.AuthorizationRequest
import io.tokenfetch.IdTokenClaims
import io.tokenfetch.IdTokenException
import io.tokenfetch.TokenClient
import io.tokenfetch.TokenClientConfig
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import kotlin.system.exitProcess

/**
 * `SignInKt <testkit-url>`: a whole OpenID Connect sign-in against testkit's provider, the
 * guide's Ktor handlers without the web server. The browser's part (following the
 * authorization URL to the redirect) is played with java.net.http; in a web app it is the
 * user's browser, and the two halves are two requests.
 */
fun signIn(base: String): IdTokenClaims {
    val client = TokenClient.discover("$base/op/main", TokenClientConfig(clientId = "rp", clientSecret = "rp-secret"))
    val request = client.authorizationUrl("http://app.example/callback", scope = "openid profile")
    val kept = request.toSessionJson() // what a web app keeps in its session between the two requests
    val callbackUrl = browser(request.url)
    val token = client.exchangeCode(AuthorizationRequest.fromSessionJson(kept), callbackUrl)
    return checkNotNull(token.idTokenClaims) { "a validating client returns the claims it checked" }
}

/** Where the provider redirects the user's browser (testkit signs the user in at once). */
private fun browser(url: String): String {
    val http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
    val answer = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
    return answer.headers().firstValue("location").orElseThrow { IllegalStateException("the provider did not redirect") }
}

fun main(args: Array<String>) {
    val base = args.firstOrNull() ?: System.getenv("TESTKIT_URL") ?: error("usage: SignInKt <testkit-url>")
    try {
        val claims = signIn(base)
        println("kotlin signed in     sub=${claims.sub} iss=${claims.iss}")
    } catch (e: IdTokenException) {
        System.err.println("kotlin: sign-in refused (${e.idTokenCheck}): ${e.message}")
        exitProcess(1)
    }
}
