//! No secret in any output, in any encoding: every credential a request carries, against a
//! server that echoes the request back in every way servers do.
//!
//! Each credential holds `space & + = / % " \ : @ é`, so every encoding differs from the raw
//! text. Every output a user could print (error messages, `Debug`, metadata and its JSON,
//! serde of results, the client's `Debug` and URL) is scanned for every form of every
//! credential: raw, form-encoded (`+` and `%20`), percent-encoded in either hex case,
//! JSON-escaped (UTF-8 and `\u00e9`), HTML-escaped, the decoded Basic pair, and the Basic
//! base64 (standard and URL-safe, with and without padding). Every event logging would see
//! is scanned too: each test's scan includes what a DEBUG sink heard so far.

use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use testkit::Testkit;
use tokenfetch::events::{self, Event, EventSink, Level};
use tokenfetch::{AuthMethod, BodyEncoding, RetryPolicy, TokenClient, TokenRequest};

const HOSTILE: &str = "s p&c+e=/%\"\\:@é";
const CLIENT_ID: &str = "my id:é";

fn credential(tag: &str) -> String {
    format!("{tag}-{HOSTILE}-end")
}

/// Every form a server may echo `secret` in.
fn forms(secret: &str) -> Vec<String> {
    let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let uri: String = secret
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let json = serde_json::to_string(secret).unwrap();
    let json = json.trim_matches('"').to_string();
    let json_ascii: String = json
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("\\u{:04x}", c as u32)
            }
        })
        .collect();
    let html = secret.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    let mut all = vec![
        secret.to_string(),
        form.clone(),
        form.replace('+', "%20"),
        lower_hex(&form),
        uri.clone(),
        lower_hex(&uri),
        json,
        json_ascii,
        html,
    ];
    all.dedup();
    all
}

fn lower_hex(encoded: &str) -> String {
    let mut out = String::new();
    let mut chars = encoded.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            for _ in 0..2 {
                if let Some(h) = chars.next() {
                    out.push(h.to_ascii_lowercase());
                }
            }
        }
    }
    out
}

/// The client secret's Basic forms: the pair as sent and fully decoded, and its base64.
fn basic_forms(id: &str, secret: &str) -> Vec<String> {
    let enc = |s: &str| -> String { form_urlencoded::byte_serialize(s.as_bytes()).collect() };
    let pair = format!("{}:{}", enc(id), enc(secret));
    let mut all = vec![pair.clone(), format!("{id}:{secret}")];
    for engine in [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ] {
        all.push(engine.encode(&pair));
    }
    all
}

/// Every event, at DEBUG, from every test in this binary, as a log line would show it.
#[derive(Default)]
struct Heard(Mutex<Vec<String>>);

impl EventSink for Heard {
    fn emit(&self, event: &Event) {
        let line = format!("{} {} {:?}", event.level.as_str(), event.message, event.fields);
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(line);
    }
}

fn heard() -> &'static Arc<Heard> {
    static HEARD: OnceLock<Arc<Heard>> = OnceLock::new();
    HEARD.get_or_init(|| {
        let heard = Arc::new(Heard::default());
        events::set_sink(Some(heard.clone() as Arc<dyn EventSink>), Level::Debug);
        heard
    })
}

struct Scan {
    forbidden: Vec<(String, String)>,
    printed: Vec<(String, String)>,
}

impl Scan {
    fn new() -> Self {
        heard();
        Scan {
            forbidden: Vec::new(),
            printed: Vec::new(),
        }
    }

    fn secret(&mut self, what: &str, value: &str) {
        for form in forms(value) {
            self.forbidden.push((what.to_string(), form));
        }
    }

    fn print(&mut self, source: String, text: String) {
        self.printed.push((source, text));
    }

    fn leaks(&self) -> Vec<String> {
        let mut leaks = Vec::new();
        let lines = heard().0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let events = lines.into_iter().map(|line| ("an event".to_string(), line));
        for (source, text) in self.printed.iter().cloned().chain(events) {
            for (what, form) in &self.forbidden {
                if text.contains(form.as_str()) {
                    leaks.push(format!("{what} appears as {form:?} in {source}:\n{text}"));
                }
            }
        }
        leaks
    }

    fn assert_clean(&self) {
        let leaks = self.leaks();
        assert!(leaks.is_empty(), "{} leaks, the first: {}", leaks.len(), leaks[0]);
    }
}

fn client(kit: &Testkit, scenario: &str, auth: AuthMethod, body: BodyEncoding, secrets: &Secrets) -> TokenClient {
    let url = format!("{}?api_key={}", kit.scenario_url(scenario), enc(&secrets.query));
    TokenClient::builder(url)
        .client_id(CLIENT_ID)
        .client_secret(secrets.client.as_str())
        .auth_method(auth)
        .body_encoding(body)
        .extra_param("client_assertion", secrets.assertion.as_str())
        .header("X-Api-Key", secrets.api_key.as_str())
        .header("Ocp-Apim-Subscription-Key", secrets.subscription.as_str())
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

struct Secrets {
    client: String,
    query: String,
    assertion: String,
    api_key: String,
    subscription: String,
    password: String,
    refresh: String,
    code: String,
    verifier: String,
    device: String,
    subject: String,
    actor: String,
}

impl Secrets {
    fn new() -> Self {
        Secrets {
            client: credential("client-secret"),
            query: credential("query-key"),
            assertion: credential("assertion"),
            api_key: credential("api-key"),
            subscription: credential("subscription"),
            password: credential("password"),
            refresh: credential("refresh"),
            code: credential("code"),
            verifier: credential("verifier"),
            device: credential("device"),
            subject: credential("subject"),
            actor: credential("actor"),
        }
    }

    fn requests(&self) -> Vec<TokenRequest> {
        vec![
            TokenRequest::client_credentials(),
            TokenRequest::password("ann", self.password.as_str()),
            TokenRequest::refresh_token(self.refresh.as_str()),
            TokenRequest::authorization_code(self.code.as_str(), Some("app://cb"), Some(&self.verifier)),
            TokenRequest::device_code(self.device.as_str()),
            TokenRequest::token_exchange(self.subject.as_str(), tokenfetch::grant::token_type::JWT)
                .param("actor_token", self.actor.as_str()),
        ]
    }

    fn scan(&self) -> Scan {
        let mut scan = Scan::new();
        for (what, value) in [
            ("client secret", &self.client),
            ("query value", &self.query),
            ("client assertion", &self.assertion),
            ("X-Api-Key", &self.api_key),
            ("Ocp-Apim-Subscription-Key", &self.subscription),
            ("password", &self.password),
            ("refresh token", &self.refresh),
            ("code", &self.code),
            ("code verifier", &self.verifier),
            ("device code", &self.device),
            ("subject token", &self.subject),
            ("actor token", &self.actor),
        ] {
            scan.secret(what, value);
        }
        for form in basic_forms(CLIENT_ID, &self.client) {
            scan.forbidden.push(("Basic credentials".into(), form));
        }
        scan
    }
}

#[test]
fn no_credential_is_echoed_back_in_any_encoding() {
    let kit = Testkit::start().unwrap();
    let secrets = Secrets::new();
    let mut scan = secrets.scan();
    for scenario in [
        "echo_html",
        "echo_json",
        "echo_form",
        "echo_text",
        "echo_headers",
        "echo",
    ] {
        let mut redactions = 0;
        for auth in [AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost] {
            for body in [BodyEncoding::Form, BodyEncoding::Json] {
                let client = client(&kit, scenario, auth, body, &secrets);
                let at = format!("{scenario}/{}/{}", auth.as_str(), body.as_str());
                scan.print(format!("{at}: client Debug"), format!("{client:?}"));
                scan.print(format!("{at}: token_url()"), client.token_url().to_string());
                for request in secrets.requests() {
                    let at = format!("{at}/{}", request.grant_type());
                    scan.print(format!("{at}: request Debug"), format!("{request:?}"));
                    let outputs = match client.request_token(&request) {
                        Ok(answer) => vec![
                            format!("{answer:?}"),
                            serde_json::to_string(&answer).unwrap(),
                            serde_json::to_string(&answer.http_meta).unwrap(),
                            answer.token_response.as_ref().unwrap().to_string(),
                        ],
                        Err(e) => {
                            let meta = e.http_meta().expect("an answered request has metadata");
                            vec![e.to_string(), format!("{e:?}"), serde_json::to_string(meta).unwrap()]
                        }
                    };
                    for text in outputs {
                        redactions += text.matches(tokenfetch::REDACTED).count();
                        scan.print(at.clone(), text);
                    }
                }
            }
        }
        assert!(redactions > 0, "{scenario} echoed nothing, so it tested nothing");
    }
    let lines = heard().0.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert!(
        lines.iter().any(|l| l.contains("request.end") && l.contains("echo")),
        "the DEBUG sink heard these requests, so its events were scanned"
    );
    scan.assert_clean();
}

#[test]
fn the_scan_catches_each_form_it_claims_to() {
    let secrets = Secrets::new();
    let scan = secrets.scan();
    let client = &secrets.client;
    for leaked in forms(client).into_iter().chain(basic_forms(CLIENT_ID, client)) {
        let probe = Scan {
            forbidden: scan.forbidden.clone(),
            printed: vec![("probe".into(), format!("... {leaked} ..."))],
        };
        assert!(!probe.leaks().is_empty(), "the scan missed {leaked:?}");
    }
}

#[test]
fn a_url_with_credentials_is_never_echoed_in_a_config_error() {
    for url in [
        "https://id:s3cr3t-pw@auth.example/token",
        "https://id:s3cr3t-pw@[::1/token",
        "https://id:s3cr3t-pw@auth.example:99999/token",
    ] {
        let e = TokenClient::builder(url)
            .client_id("x")
            .client_secret("y")
            .build()
            .unwrap_err();
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
        assert!(!format!("{e:?}").contains("s3cr3t"), "{e:?}");
    }
}

#[test]
fn a_token_serialises_redacted_unless_asked_for_raw() {
    let token = tokenfetch::TokenResponse::from_json(
        r#"{"access_token":"AT-secret-1","refresh_token":"RT-secret-2","id_token":"ID-secret-3","scope":"a","nested":{"client_secret":"CS-4"}}"#,
    )
    .unwrap();
    let logged = serde_json::to_string(&token).unwrap();
    for secret in ["AT-secret-1", "RT-secret-2", "ID-secret-3", "CS-4"] {
        assert!(!logged.contains(secret), "{logged}");
    }
    assert!(logged.contains(r#""scope":"a""#), "{logged}");
    let stored = token.to_json();
    assert!(stored.contains("AT-secret-1") && stored.contains("CS-4"), "{stored}");
    assert_eq!(tokenfetch::TokenResponse::from_json(&stored).unwrap(), token);
}

#[test]
fn a_callers_own_basic_header_is_scrubbed_decoded_too() {
    use base64::Engine as _;
    let kit = Testkit::start().unwrap();
    let pair = "svc-user:S3cret-pass-9z";
    let header = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair));
    let client = TokenClient::builder(kit.scenario_url("echo_text"))
        .client_id("public")
        .auth_method(AuthMethod::None)
        .header("Authorization", header)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = client.client_credentials(None).unwrap_err();
    let printed = format!("{e} {e:?} {}", serde_json::to_string(e.http_meta().unwrap()).unwrap());
    assert!(printed.contains("[redacted]"), "{printed}");
    assert!(!printed.contains("S3cret-pass-9z"), "{printed}");
}

#[test]
fn a_credential_a_server_copies_into_a_token_is_scrubbed_from_its_non_secret_fields() {
    let kit = Testkit::start().unwrap();
    let secret = credential("api-key");
    let client = TokenClient::builder(kit.scenario_url("echo"))
        .client_id("id")
        .client_secret("client-secret-1234")
        .header("X-Custom", secret.as_str())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let answer = client.request_token(&TokenRequest::client_credentials()).unwrap();
    let token = answer.token_response.as_ref().unwrap();
    let mut scan = Scan::new();
    scan.secret("X-Custom", &secret);
    scan.print("token Debug".into(), format!("{token:?}"));
    scan.print("token Display".into(), token.to_string());
    scan.print("answer JSON".into(), serde_json::to_string(&answer).unwrap());
    assert_eq!(token.extra["echo"]["headers"]["x-custom"], tokenfetch::REDACTED);
    scan.assert_clean();
}
