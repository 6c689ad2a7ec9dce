//! The echo scenarios: the request as the server saw it, in the encodings a careless server
//! would echo a credential in (JSON, form, HTML, text, headers), for the secret scans.

use base64::Engine as _;
use serde_json::json;

use crate::http::{Reply, Request};
use crate::Scenario;

/// A 200 answer whose fields are the request as received (body, Authorization header), for
/// checking that nothing the client sent comes back out of a successful answer.
pub(crate) fn echo_200(request: &Request) -> Reply {
    let body = String::from_utf8_lossy(&request.body).into_owned();
    let auth = request.header("authorization").unwrap_or("").to_string();
    let decoded = auth
        .strip_prefix("Basic ")
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let echo = json!({ "body": body, "authorization": auth, "basic_decoded": decoded });
    if request.path.ends_with("introspect") {
        return Reply::json(
            200,
            json!({ "active": true, "scope": body, "username": auth, "sub": decoded, "aud": [body], "echo": echo }),
        );
    }
    Reply::json(
        200,
        json!({ "device_code": "dc-echo", "user_code": body, "verification_uri": format!("http://x/{auth}"),
                "verification_uri_complete": format!("http://x/?{decoded}"), "expires_in": 600, "echo": echo }),
    )
}

/// Everything the request carried, as a server that echoes it would show it: the target, every
/// header, the body, and the Basic pair decoded once (`urlencode(id):urlencode(secret)`) and
/// fully (`id:secret`).
pub(crate) fn echoed_request(request: &Request) -> String {
    let mut lines = vec![format!("{} {}", request.method, request.target)];
    for (name, value) in &request.headers {
        lines.push(format!("{name}: {value}"));
    }
    lines.push(String::from_utf8_lossy(&request.body).into_owned());
    if let Some(basic) = request.header("authorization").and_then(|v| v.strip_prefix("Basic ")) {
        if let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(basic.trim()) {
            lines.push(format!("basic pair: {}", String::from_utf8_lossy(&raw)));
        }
    }
    if let (Some(id), Some(secret)) = request.client_credentials() {
        lines.push(format!("client: {id}:{secret}"));
    }
    lines.push(format!("decoded target: {}", percent_decode(&request.target)));
    for (k, v) in request.params() {
        lines.push(format!("param {k} = {v}"));
    }
    lines.join("\n")
}

pub(crate) fn percent_decode(text: &str) -> String {
    form_urlencoded::parse(format!("x={}", text.replace('&', "%26")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

pub(crate) fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

pub(crate) fn echo_reply(scenario: Scenario, request: &Request) -> Reply {
    let echoed = echoed_request(request);
    match scenario {
        Scenario::EchoHtml => Reply::text(
            500,
            "text/html",
            &format!(
                "<html><body><h1>Internal error</h1><pre>{}</pre></body></html>",
                html_escape(&echoed)
            ),
        ),
        Scenario::EchoJson => Reply::oauth_error(400, "invalid_request", &echoed),
        Scenario::EchoForm => {
            let body = form_urlencoded::Serializer::new(String::new())
                .append_pair("error", "invalid_request")
                .append_pair("error_description", &echoed)
                .finish();
            Reply::text(400, "application/x-www-form-urlencoded", &body)
        }
        Scenario::EchoText => Reply::text(502, "text/plain", &echoed),
        _ => {
            // Header values must be one line of visible ASCII: echo each credential-bearing
            // request header, the decoded pair percent-encoded, and the body form-encoded.
            let mut reply = Reply::oauth_error(401, "invalid_client", "Client authentication failed");
            let one_line = |v: &str| -> String {
                v.chars()
                    .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' })
                    .collect()
            };
            if let Some(auth) = request.header("authorization") {
                reply = reply.header("X-Debug-Auth", &one_line(auth));
            }
            if let (Some(id), Some(secret)) = request.client_credentials() {
                let pair: String = form_urlencoded::byte_serialize(format!("{id}:{secret}").as_bytes()).collect();
                reply = reply.header(
                    "WWW-Authenticate",
                    &format!("Basic realm=\"testkit\", error_description=\"{pair}\""),
                );
            }
            // A signed assertion, base64-encoded, as a debugging gateway might log it.
            let params = request.params();
            for name in ["client_assertion", "assertion"] {
                if let Some(value) = params.get(name) {
                    let encoded = base64::engine::general_purpose::STANDARD.encode(value.as_bytes());
                    reply = reply.header(&format!("X-Echo-{name}-b64"), &encoded);
                }
            }
            for (name, value) in &request.headers {
                if name.starts_with("x-") && !name.starts_with("x-testkit-") {
                    reply = reply.header(&format!("X-Echo-{name}"), &one_line(value));
                }
            }
            reply.header("X-Echo-Target", &one_line(&request.target)).header(
                "X-Echo-Body",
                &form_urlencoded::byte_serialize(&request.body).collect::<String>(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_decoded_and_escaped_as_a_careless_server_would_echo_it() {
        assert_eq!(percent_decode("a%20b+c%2Fd"), "a b c/d");
        assert_eq!(html_escape("<s>&\"'"), "&lt;s&gt;&amp;&quot;&#39;");
    }
}
