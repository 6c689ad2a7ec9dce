package com.example

import io.tokenfetch.TokenClient
import io.tokenfetch.TokenClientConfig
import io.tokenfetch.TokenFetchException
import io.tokenfetch.TokenManager
import kotlin.system.exitProcess
import kotlinx.coroutines.runBlocking

/** `Demo <token-url>`: fetch a token through the Kotlin package and show it safely. */
fun main(args: Array<String>) {
    val tokenUrl = args.firstOrNull() ?: System.getenv("TESTKIT_URL")?.let { "$it/token" } ?: error("usage: Demo <token-url>")
    val client = TokenClient(TokenClientConfig(tokenUrl, clientId = "demo-client", clientSecret = "demo-secret", scope = "read write"))
    try {
        val answer = client.requestToken("client_credentials")
        val token = answer.tokenResponse!!
        println("kotlin accessToken   ${token.accessToken.take(8)}… (${token.accessToken.length} chars)")
        println("kotlin tokenType     ${token.tokenType}")
        println("kotlin expiresIn     ${token.expiresIn}")
        println("kotlin scope         ${token.scope}")
        println("kotlin request       ${answer.httpMeta.request.method} ${answer.httpMeta.request.url}")
        println("kotlin response      HTTP ${answer.httpMeta.response?.status} in ${answer.httpMeta.response?.elapsedMs} ms")
        println("kotlin toString      $token")
        val manager = TokenManager(client)
        val header = runBlocking { manager.awaitAuthorizationHeader() }
        println("kotlin manager       ${header.take(15)}… (cached: ${manager.authorizationHeader() == header})")
    } catch (e: TokenFetchException) {
        System.err.println("kotlin: token request failed (${e.kind}): ${e.message}")
        exitProcess(1)
    }
}
