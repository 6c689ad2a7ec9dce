//! The option table: every option a caller can give a client, declared once.
//!
//! Each row holds the option's name, its type (with the range and default of a number, from
//! the [`NumericOption`]s in the parent module), the default of any other type, one line of
//! doc, whether it carries a credential, and which ways of building a client take it. A
//! binding converts its caller's options into an [`OptionBag`] and hands it to
//! [`build_client`], [`discover_client`] or [`preset_client`]; names, units, ranges, defaults
//! and the unknown-option check all come from here. `make docs` renders the guides' option
//! tables from [`CLIENT_OPTIONS`], and `cargo test` fails while they are stale.
//!
//! # One name in every language
//! The row's name is the Rust and Python spelling. Node spells it in camelCase with `Ms`
//! after a duration (`connectTimeoutMs`); Kotlin and Java in camelCase with a `Duration`
//! (`connectTimeout`). [`Language::spell`] is that rule, and every error names the option
//! as the caller's language spells it.
//!
//! # Adding an option
//! A builder method on [`TokenClientBuilder`]; for a number, a [`NumericOption`] in the
//! parent module with its range and default; a row in [`CLIENT_OPTIONS`]; its tests (a
//! conformance vector for a number); then `make docs`. Each binding's typed surface (the
//! Python keywords, the TypeScript options type, the Kotlin config) gains the name.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::{NumericOption, OptionBag};
use crate::client::{AuthMethod, BodyEncoding, TokenClient, TokenClientBuilder};
use crate::error::{Error, Result};
use crate::jwt::{Algorithm, AssertionAudience};
use crate::manager::ManagerOptions;
use crate::presets::{GustoEnvironment, ProveEnvironment};

/// The languages tokenfetch speaks, for spelling option names and units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Rust,
    Python,
    Node,
    Kotlin,
    Java,
}

impl Language {
    pub const ALL: [Language; 5] = [
        Language::Rust,
        Language::Python,
        Language::Node,
        Language::Kotlin,
        Language::Java,
    ];

    /// The name in a `User-Agent` (`tokenfetch/0.1.0 (python)`); Java shares Kotlin's library.
    pub const fn as_str(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::Node => "node",
            Language::Kotlin | Language::Java => "kotlin",
        }
    }

    /// The `User-Agent` a client sends unless told otherwise.
    pub fn user_agent(self) -> String {
        format!("tokenfetch/{} ({})", crate::VERSION, self.as_str())
    }

    /// An option's name as this language spells it (see the module docs).
    pub fn spell(self, name: &str, is_duration: bool) -> String {
        match self {
            Language::Rust | Language::Python => name.to_string(),
            Language::Node => {
                let camel = camel_case(name);
                if is_duration {
                    format!("{camel}Ms")
                } else {
                    camel
                }
            }
            Language::Kotlin | Language::Java => camel_case(name),
        }
    }

    /// How the binding hands durations to the core: Python in seconds, the others in
    /// milliseconds (Kotlin's and Java's `Duration`s are converted to milliseconds on their
    /// side of the FFI).
    fn seconds(self) -> bool {
        matches!(self, Language::Rust | Language::Python)
    }

    /// A duration as this language's caller would write it, for messages.
    fn show_duration(self, d: Duration) -> String {
        if self.seconds() {
            format!("{} s", d.as_secs_f64())
        } else {
            format!("{} ms", d.as_secs_f64() * 1000.0)
        }
    }
}

fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

type Builder = TokenClientBuilder;

/// What an option holds, and how it reaches what it configures (`T`: a client builder, or a
/// manager's options).
pub enum Kind<T: 'static> {
    Duration(NumericOption, fn(T, Duration) -> T),
    Whole(NumericOption, fn(T, u64) -> Result<T>),
    Flag(fn(T, bool) -> T),
    Text(fn(T, String) -> T),
    /// One of a closed set of names; the setter parses it (and says what is accepted).
    Choice(&'static [&'static str], fn(T, String) -> Result<T>),
    /// A list of strings.
    Texts(fn(T, Vec<String>) -> T),
    /// One string, or a list of them.
    TextOrTexts(fn(T, Vec<String>) -> T),
    /// Name-value pairs (a map, or a list of pairs to repeat a name).
    Pairs(fn(T, Vec<(String, String)>) -> T),
    /// A string, or an object (a JWK) the setter receives as its JSON text.
    TextOrMap(fn(T, String) -> T),
    /// A value only the binding can convert (a store object, a callback), described; the
    /// binding reads it under [`OptionRow::spelled`].
    Binding(&'static str),
}

impl<T> Clone for Kind<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Kind<T> {}

impl<T> Kind<T> {
    pub fn is_duration(&self) -> bool {
        matches!(self, Kind::Duration(..))
    }

    /// The number's range and default, for a numeric option.
    pub fn numeric(&self) -> Option<NumericOption> {
        match self {
            Kind::Duration(o, _) | Kind::Whole(o, _) => Some(*o),
            _ => None,
        }
    }

    /// The value's shape, without the setter.
    pub fn shape(&self) -> Shape {
        match self {
            Kind::Duration(..) | Kind::Whole(..) => Shape::Number,
            Kind::Flag(_) => Shape::Flag,
            Kind::Text(_) | Kind::Choice(..) => Shape::Text,
            Kind::Texts(_) => Shape::Texts,
            Kind::TextOrTexts(_) => Shape::TextOrTexts,
            Kind::Pairs(_) => Shape::Pairs,
            Kind::TextOrMap(_) => Shape::TextOrMap,
            Kind::Binding(_) => Shape::Binding,
        }
    }

    /// What a value of this kind is, for a binding's type error ("timeout must be a number").
    pub fn expects(&self) -> &'static str {
        match self {
            Kind::Duration(..) | Kind::Whole(..) => "a number",
            Kind::Flag(_) => "a boolean",
            Kind::Text(_) | Kind::Choice(..) => "a string",
            Kind::Texts(_) => "a list of strings",
            Kind::TextOrTexts(_) => "a string or a list of strings",
            Kind::Pairs(_) => "a mapping of strings or a list of (name, value) pairs",
            Kind::TextOrMap(_) => "a string or a mapping (a JWK)",
            Kind::Binding(what) => what,
        }
    }

    /// The accepted names of a closed set.
    pub fn choices(&self) -> &'static [&'static str] {
        match self {
            Kind::Choice(names, _) => names,
            _ => &[],
        }
    }
}

/// What a binding converts an option's value into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Number,
    Flag,
    Text,
    Texts,
    TextOrTexts,
    Pairs,
    /// A string, or a map of JSON values (a JWK).
    TextOrMap,
    /// Converted by the binding itself (a store, a callback).
    Binding,
}

/// An option's default, for documentation; numbers take theirs from the [`NumericOption`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionDefault {
    /// Not set unless given.
    Unset,
    /// The [`NumericOption`]'s default.
    Numeric,
    Flag(bool),
    Text(&'static str),
    /// A default that depends on something else, described.
    Described(&'static str),
}

/// The ways of building a client, each taking its own subset of the options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// From the token URL.
    Client,
    /// From an issuer's discovery document.
    Discover,
    /// A preset (`prove`, `gusto`).
    Preset,
    /// A Google service account, from its JSON key file.
    Google,
    /// Microsoft Entra ID workload identity, from its environment variables.
    Entra,
}

impl Way {
    const fn bit(self) -> u8 {
        match self {
            Way::Client => CLIENT,
            Way::Discover => DISCOVER,
            Way::Preset => PRESET,
            Way::Google => GOOGLE,
            Way::Entra => ENTRA,
        }
    }
}

const CLIENT: u8 = 1;
const DISCOVER: u8 = 2;
const PRESET: u8 = 4;
const GOOGLE: u8 = 8;
const ENTRA: u8 = 16;
const BUILT: u8 = CLIENT | DISCOVER;
/// The presets that authenticate with an assertion rather than a secret.
const WORKLOAD: u8 = GOOGLE | ENTRA;
const ALL_WAYS: u8 = CLIENT | DISCOVER | PRESET | WORKLOAD;

/// One row of a table.
pub struct OptionRow<T: 'static> {
    /// The Rust and Python name; [`Language::spell`] gives the others.
    pub name: &'static str,
    pub kind: Kind<T>,
    pub default: OptionDefault,
    /// One line for the guides and the type declarations.
    pub doc: &'static str,
    /// Whether the value is a credential: kept out of every message and `repr`.
    pub secret: bool,
    ways: u8,
    /// The ways of building that cannot do without it.
    required: u8,
    /// The option whose value caps this one's when both are given, and replaces its default
    /// when smaller (`max_retry_wait` and `timeout`).
    pub capped_by: Option<&'static str>,
}

/// A client's option.
pub type ClientOption = OptionRow<TokenClientBuilder>;
/// A manager's option.
pub type ManagerOption = OptionRow<ManagerOptions>;

impl<T> Clone for OptionRow<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for OptionRow<T> {}

impl<T> OptionRow<T> {
    pub fn taken_by(&self, way: Way) -> bool {
        self.ways & way.bit() != 0
    }

    /// Whether `way` cannot do without it (the token URL of a client built from it, a
    /// preset's credentials).
    pub fn required_by(&self, way: Way) -> bool {
        self.required & way.bit() != 0
    }

    /// The name as `language` spells it.
    pub fn spelled(&self, language: Language) -> String {
        language.spell(self.name, self.kind.is_duration())
    }

    /// The default as the guides show it, in `language`'s unit.
    pub fn default_text(&self, language: Language) -> String {
        match self.default {
            OptionDefault::Unset => "not set".into(),
            OptionDefault::Flag(b) => b.to_string(),
            OptionDefault::Text(t) => format!("`{t}`"),
            OptionDefault::Described(d) => d.replace("<language>", language.as_str()),
            OptionDefault::Numeric => match (self.kind.numeric(), self.capped_by) {
                (Some(o), Some(other)) => format!(
                    "{}, or `{}` if shorter",
                    o.show_default(language),
                    language.spell(other, self.kind.is_duration())
                ),
                (Some(o), None) => o.show_default(language),
                (None, _) => "not set".into(),
            },
        }
    }

    /// The accepted range as the guides show it, for a number.
    pub fn range_text(&self, language: Language) -> Option<String> {
        let capped = self
            .capped_by
            .map(|other| language.spell(other, self.kind.is_duration()));
        self.kind.numeric().map(|o| match capped {
            Some(other) => format!("{}, and at most `{other}`", o.show_range(language)),
            None => o.show_range(language),
        })
    }

    /// Reads this option from `bag` under its spelled name and applies it.
    fn apply(&self, bag: &OptionBag, b: T, language: Language) -> Result<T> {
        let name = self.spelled(language);
        Ok(match self.kind {
            Kind::Duration(o, set) => match bag.number(&name)? {
                Some(n) if language.seconds() => set(b, o.duration_from_secs(&name, n)?),
                Some(n) => set(b, o.duration_from_millis(&name, n)?),
                None => b,
            },
            Kind::Whole(o, set) => match bag.whole(&name, o)? {
                Some(n) => set(b, n)?,
                None => b,
            },
            Kind::Flag(set) => match bag.flag(&name)? {
                Some(v) => set(b, v),
                None => b,
            },
            Kind::Text(set) => match bag.text(&name)? {
                Some(v) => set(b, v),
                None => b,
            },
            Kind::Choice(_, set) => match bag.text(&name)? {
                Some(v) => set(b, v)?,
                None => b,
            },
            Kind::Texts(set) => match bag.texts(&name)? {
                Some(v) => set(b, v),
                None => b,
            },
            Kind::TextOrTexts(set) => match bag.text_or_texts(&name)? {
                Some(v) => set(b, v),
                None => b,
            },
            Kind::Pairs(set) => match bag.pairs(&name)? {
                Some(v) => set(b, v),
                None => b,
            },
            Kind::TextOrMap(set) => match bag.text_or_json(&name)? {
                Some(v) => set(b, v),
                None => b,
            },
            Kind::Binding(_) => b,
        })
    }
}

impl<T> fmt::Debug for OptionRow<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OptionRow")
            .field("name", &self.name)
            .field("default", &self.default)
            .field("secret", &self.secret)
            .finish_non_exhaustive()
    }
}

const fn row<T>(
    name: &'static str,
    kind: Kind<T>,
    default: OptionDefault,
    ways: u8,
    doc: &'static str,
) -> OptionRow<T> {
    OptionRow {
        name,
        kind,
        default,
        doc,
        secret: false,
        ways,
        required: 0,
        capped_by: None,
    }
}

const fn capped_by<T>(other: &'static str, mut option: OptionRow<T>) -> OptionRow<T> {
    option.capped_by = Some(other);
    option
}

const fn required<T>(ways: u8, mut option: OptionRow<T>) -> OptionRow<T> {
    option.required = ways;
    option
}

const fn secret<T>(mut option: OptionRow<T>) -> OptionRow<T> {
    option.secret = true;
    option
}

/// The client authentication methods.
pub const AUTH_METHODS: &[&str] = &[
    AuthMethod::ClientSecretBasic.as_str(),
    AuthMethod::ClientSecretPost.as_str(),
    AuthMethod::PrivateKeyJwt.as_str(),
    AuthMethod::ClientSecretJwt.as_str(),
    AuthMethod::None.as_str(),
];
/// The JWS algorithms a client signs with.
pub const SIGNING_ALGORITHMS: &[&str] = &[
    Algorithm::RS256.as_str(),
    Algorithm::PS256.as_str(),
    Algorithm::ES256.as_str(),
    Algorithm::EdDSA.as_str(),
    Algorithm::HS256.as_str(),
];
/// The request body encodings.
pub const BODY_ENCODINGS: &[&str] = &[BodyEncoding::Form.as_str(), BodyEncoding::Json.as_str()];
/// Prove's environments, the default first.
pub const PROVE_ENVIRONMENTS: &[&str] = &[
    ProveEnvironment::UatUs.as_str(),
    ProveEnvironment::ProdUs.as_str(),
    ProveEnvironment::UatEu.as_str(),
    ProveEnvironment::ProdEu.as_str(),
];
/// Gusto's environments, the default first.
pub const GUSTO_ENVIRONMENTS: &[&str] = &[GustoEnvironment::Demo.as_str(), GustoEnvironment::Prod.as_str()];
const PRESET_ENVIRONMENTS: &[&str] = &[
    ProveEnvironment::UatUs.as_str(),
    ProveEnvironment::ProdUs.as_str(),
    ProveEnvironment::UatEu.as_str(),
    ProveEnvironment::ProdEu.as_str(),
    GustoEnvironment::Demo.as_str(),
    GustoEnvironment::Prod.as_str(),
];

/// Every option of a client, in the order the guides list them.
pub const CLIENT_OPTIONS: &[ClientOption] = &[
    required(
        CLIENT,
        row(
            "token_url",
            Kind::Text(|b, v| b.token_url(v)),
            OptionDefault::Unset,
            ALL_WAYS,
            "The token endpoint; given to discovery or a preset, it replaces theirs.",
        ),
    ),
    required(
        PRESET,
        row(
            "client_id",
            Kind::Text(|b, v| b.client_id(v)),
            OptionDefault::Unset,
            BUILT | PRESET | ENTRA,
            "The client's identifier; Entra's preset reads `AZURE_CLIENT_ID` when it is left out.",
        ),
    ),
    required(
        PRESET,
        secret(row(
            "client_secret",
            Kind::Text(|b, v| b.client_secret(v)),
            OptionDefault::Unset,
            BUILT | PRESET,
            "The client's secret.",
        )),
    ),
    row(
        "env",
        Kind::Choice(PRESET_ENVIRONMENTS, |b, _| Ok(b)),
        OptionDefault::Described("`uat-us` for Prove, `demo` for Gusto"),
        PRESET,
        "A preset's environment: Prove's `uat-us`, `prod-us`, `uat-eu`, `prod-eu`; Gusto's `demo`, `prod`.",
    ),
    row(
        "auth_method",
        Kind::Choice(AUTH_METHODS, |b, v| Ok(b.auth_method(AuthMethod::from_str(&v)?))),
        OptionDefault::Described(
            "`client_secret_basic`; from discovery, one the server lists (`none` without a secret)",
        ),
        BUILT,
        "How the client authenticates (RFC 6749 §2.3).",
    ),
    secret(row(
        "private_key",
        Kind::TextOrMap(|b, v| b.private_key(v)),
        OptionDefault::Unset,
        BUILT,
        "The private key for `private_key_jwt` and the JWT bearer grant: PEM (PKCS#8, PKCS#1 or SEC1) or a JWK; parsed once, when the client is built.",
    )),
    row(
        "private_key_file",
        Kind::Text(|b, v| b.private_key_file(v)),
        OptionDefault::Unset,
        BUILT,
        "A file holding `private_key` (PEM or a JWK), read when the client is built.",
    ),
    row(
        "signing_algorithm",
        Kind::Choice(SIGNING_ALGORITHMS, |b, v| Ok(b.signing_algorithm(v.parse()?))),
        OptionDefault::Described("the key's own: RS256 for RSA, ES256, EdDSA; HS256 for `client_secret_jwt`"),
        BUILT,
        "The JWS algorithm; PS256 is the other choice for an RSA key.",
    ),
    row(
        "key_id",
        Kind::Text(|b, v| b.key_id(v)),
        OptionDefault::Described("the JWK's `kid`"),
        BUILT,
        "The `kid` header of every signed JWT.",
    ),
    row(
        "assertion_audience",
        Kind::Text(|b, v| b.assertion_audience(AssertionAudience::parse(&v))),
        OptionDefault::Text("token_endpoint"),
        BUILT,
        "The `aud` of signed assertions: `token_endpoint`, `issuer`, or the value itself.",
    ),
    row(
        "assertion_lifetime",
        Kind::Duration(super::ASSERTION_LIFETIME, |b, v| b.assertion_lifetime(v)),
        OptionDefault::Numeric,
        BUILT | WORKLOAD,
        "How long a signed assertion is valid; each request signs a new one.",
    ),
    row(
        "assertion_subject",
        Kind::Text(|b, v| b.assertion_subject(v)),
        OptionDefault::Described("the client id; none for a Google service account"),
        BUILT | GOOGLE,
        "The `sub` of the JWT bearer grant's assertion: the user to act for (Google's domain-wide delegation).",
    ),
    row(
        "client_assertion_file",
        Kind::Text(|b, v| b.client_assertion_file(v)),
        OptionDefault::Described("for Entra, `AZURE_FEDERATED_TOKEN_FILE`"),
        BUILT | ENTRA,
        "A file holding a client assertion made elsewhere (a Kubernetes projected token), read again for every request.",
    ),
    row(
        "client_assertion",
        Kind::Binding("a function"),
        OptionDefault::Unset,
        BUILT,
        "A function returning a client assertion made elsewhere (GitHub Actions' OIDC token), called for every request.",
    ),
    secret(row(
        "service_account",
        Kind::TextOrMap(|b, _| b),
        OptionDefault::Unset,
        GOOGLE,
        "A Google service account's JSON key (text or mapping); `service_account_file` instead reads it from a file.",
    )),
    row(
        "service_account_file",
        Kind::Text(|b, _| b),
        OptionDefault::Described("`GOOGLE_APPLICATION_CREDENTIALS`"),
        GOOGLE,
        "The path of a Google service account's JSON key file.",
    ),
    row(
        "tenant_id",
        Kind::Text(|b, _| b),
        OptionDefault::Described("`AZURE_TENANT_ID`"),
        ENTRA,
        "The Entra ID tenant.",
    ),
    row(
        "authority_host",
        Kind::Text(|b, _| b),
        OptionDefault::Described("`AZURE_AUTHORITY_HOST`, else `https://login.microsoftonline.com`"),
        ENTRA,
        "The Entra ID authority.",
    ),
    row(
        "body_encoding",
        Kind::Choice(BODY_ENCODINGS, |b, v| Ok(b.body_encoding(BodyEncoding::from_str(&v)?))),
        OptionDefault::Text("form"),
        BUILT,
        "How the request body is encoded.",
    ),
    row(
        "scope",
        Kind::Text(|b, v| b.scope(v)),
        OptionDefault::Unset,
        BUILT | WORKLOAD,
        "The scope of the default grant, space-separated.",
    ),
    row(
        "audience",
        Kind::Texts(|b, v| v.into_iter().fold(b, |b, a| b.audience(a))),
        OptionDefault::Unset,
        BUILT,
        "`audience` parameters to send with every grant.",
    ),
    row(
        "resource",
        Kind::Texts(|b, v| v.into_iter().fold(b, |b, r| b.resource(r))),
        OptionDefault::Unset,
        BUILT,
        "`resource` indicators (RFC 8707) to send with every grant.",
    ),
    row(
        "extra_params",
        Kind::Pairs(|b, v| v.into_iter().fold(b, |b, (k, v)| b.extra_param(k, v))),
        OptionDefault::Unset,
        BUILT | WORKLOAD,
        "Extra form parameters for every token request; secret-looking names are redacted.",
    ),
    row(
        "headers",
        Kind::Pairs(|b, v| v.into_iter().fold(b, |b, (k, v)| b.header(k, v))),
        OptionDefault::Unset,
        BUILT | WORKLOAD,
        "Extra HTTP headers for every request; values are treated as secrets.",
    ),
    row(
        "user_agent",
        Kind::Text(|b, v| b.user_agent(v)),
        OptionDefault::Described("`tokenfetch/<version> (<language>)`"),
        BUILT | WORKLOAD,
        "The `User-Agent` header.",
    ),
    row(
        "timeout",
        Kind::Duration(super::TIMEOUT, |b, v| b.timeout(v)),
        OptionDefault::Numeric,
        ALL_WAYS,
        "The deadline for a whole call, retries and their waits included.",
    ),
    row(
        "connect_timeout",
        Kind::Duration(super::CONNECT_TIMEOUT, |b, v| b.connect_timeout(v)),
        OptionDefault::Numeric,
        BUILT | WORKLOAD,
        "The deadline for a connection (TCP and TLS).",
    ),
    row(
        "max_retries",
        Kind::Whole(super::MAX_RETRIES, |b, v| {
            Ok(b.max_retries(u32::try_from(v).unwrap_or(u32::MAX)))
        }),
        OptionDefault::Numeric,
        ALL_WAYS,
        "Retries after the first attempt, for failures that are safe to retry; 0 turns them off.",
    ),
    capped_by(
        "timeout",
        row(
            "max_retry_wait",
            Kind::Duration(super::MAX_RETRY_WAIT, |b, v| b.max_retry_wait(v)),
            OptionDefault::Numeric,
            ALL_WAYS,
            "The longest `Retry-After` wait honoured; a server asking for longer gets its error returned.",
        ),
    ),
    row(
        "max_backoff",
        Kind::Duration(super::MAX_BACKOFF, |b, v| b.max_backoff(v)),
        OptionDefault::Numeric,
        ALL_WAYS,
        "The longest wait between two retries, which back off exponentially with jitter.",
    ),
    row(
        "max_response_bytes",
        Kind::Whole(super::MAX_RESPONSE_BYTES, |b, v| Ok(b.max_response_bytes(v))),
        OptionDefault::Numeric,
        BUILT | WORKLOAD,
        "The cap on a response body; a longer one is a `decode` error.",
    ),
    row(
        "allow_insecure_http",
        Kind::Flag(|b, v| b.allow_insecure_http(v)),
        OptionDefault::Flag(false),
        BUILT | WORKLOAD,
        "Allows plain `http://` to a host that is not loopback, which sends the secret in clear.",
    ),
    row(
        "root_certificates",
        Kind::TextOrTexts(|b, v| v.into_iter().fold(b, |b, pem| b.root_certificates_pem(pem))),
        OptionDefault::Unset,
        BUILT | WORKLOAD,
        "PEM certificates of authorities to trust besides the bundled roots.",
    ),
    row(
        "use_os_trust_store",
        Kind::Flag(|b, v| b.use_os_trust_store(v)),
        OptionDefault::Flag(false),
        BUILT | WORKLOAD,
        "Trusts the operating system's certificate store instead of the bundled roots.",
    ),
    secret(row(
        "proxy",
        Kind::Text(|b, v| b.proxy(v)),
        OptionDefault::Described("the environment's `HTTPS_PROXY`, `HTTP_PROXY` or `ALL_PROXY`"),
        ALL_WAYS,
        "A proxy for every request but those `no_proxy` lists and loopback ones: `http://`, `https://`, `socks5://` or `socks5h://`, with `user:password@` if it asks; HTTPS goes through it end to end.",
    )),
    row(
        "no_proxy",
        Kind::TextOrTexts(|b, v| b.no_proxy_list(v)),
        OptionDefault::Described("the environment's `NO_PROXY`"),
        ALL_WAYS,
        "Hosts reached without the proxy: `*`, names (with the names under them), IP addresses, CIDR networks, each with an optional `:port`.",
    ),
    row(
        "trust_env",
        Kind::Flag(|b, v| b.trust_env(v)),
        OptionDefault::Flag(true),
        ALL_WAYS,
        "Whether the proxy environment variables apply; they are read when the client is built.",
    ),
    row(
        "issuer",
        Kind::Text(|b, v| b.issuer(v)),
        OptionDefault::Unset,
        CLIENT,
        "The issuer a callback's `iss` must match (RFC 9207); discovery sets it.",
    ),
    row(
        "authorization_endpoint",
        Kind::Text(|b, v| b.authorization_endpoint(v)),
        OptionDefault::Unset,
        BUILT,
        "Where the user signs in; replaces a discovered one.",
    ),
    row(
        "device_authorization_endpoint",
        Kind::Text(|b, v| b.device_authorization_endpoint(v)),
        OptionDefault::Unset,
        BUILT,
        "RFC 8628's device authorization endpoint; replaces a discovered one.",
    ),
    row(
        "revocation_endpoint",
        Kind::Text(|b, v| b.revocation_endpoint(v)),
        OptionDefault::Unset,
        BUILT,
        "RFC 7009's revocation endpoint; replaces a discovered one.",
    ),
    row(
        "introspection_endpoint",
        Kind::Text(|b, v| b.introspection_endpoint(v)),
        OptionDefault::Unset,
        BUILT,
        "RFC 7662's introspection endpoint; replaces a discovered one.",
    ),
    row(
        "userinfo_endpoint",
        Kind::Text(|b, v| b.userinfo_endpoint(v)),
        OptionDefault::Unset,
        BUILT,
        "OpenID Connect's userinfo endpoint; replaces a discovered one.",
    ),
    row(
        "end_session_endpoint",
        Kind::Text(|b, v| b.end_session_endpoint(v)),
        OptionDefault::Unset,
        BUILT,
        "Where a user is signed out at the provider (RP-Initiated Logout); replaces a discovered one.",
    ),
    row(
        "pushed_authorization_request_endpoint",
        Kind::Text(|b, v| b.pushed_authorization_request_endpoint(v)),
        OptionDefault::Unset,
        BUILT,
        "RFC 9126's pushed authorization request endpoint; replaces a discovered one.",
    ),
    row(
        "jwks_uri",
        Kind::Text(|b, v| b.jwks_uri(v)),
        OptionDefault::Described("the discovered `jwks_uri`"),
        BUILT,
        "The issuer's JWK Set; with `issuer` and `client_id` it turns on ID token validation.",
    ),
    row(
        "id_token_algorithms",
        Kind::TextOrTexts(|b, v| b.id_token_algorithm_names(v)),
        OptionDefault::Described(
            "the provider's `id_token_signing_alg_values_supported` within RS256, PS256, ES256 and EdDSA",
        ),
        BUILT,
        "The algorithms an ID token may be signed with; HS256 (checked with the client secret) only when listed.",
    ),
    row(
        "clock_skew",
        Kind::Duration(super::CLOCK_SKEW, |b, v| b.clock_skew(v)),
        OptionDefault::Numeric,
        BUILT,
        "How far this machine's clock may be from the issuer's when an ID token's times are checked.",
    ),
    row(
        "discovery_ttl",
        Kind::Duration(super::DISCOVERY_TTL, |b, v| b.discovery_ttl(v)),
        OptionDefault::Numeric,
        DISCOVER,
        "How long this process reuses a discovery document; 0 reads it every time.",
    ),
];

/// Every option of a manager, in the order the guides list them.
pub const MANAGER_OPTIONS: &[ManagerOption] = &[
    row(
        "scope",
        Kind::Text(|m, _| m),
        OptionDefault::Unset,
        CLIENT,
        "The scope to ask for, space-separated.",
    ),
    row(
        "grant_type",
        Kind::Text(|m, _| m),
        OptionDefault::Described("the client's default grant: client credentials, or the preset's"),
        CLIENT,
        "The grant the manager runs: a grant type or an extension URI; `params` need one.",
    ),
    row(
        "params",
        Kind::Pairs(|m, _| m),
        OptionDefault::Unset,
        CLIENT,
        "The grant's parameters (`username` and `password`, an assertion, a starting refresh token).",
    ),
    row(
        "refresh_skew",
        Kind::Duration(super::REFRESH_SKEW, |m, v| ManagerOptions { refresh_skew: v, ..m }),
        OptionDefault::Numeric,
        CLIENT,
        "How long before expiry a token is refreshed (at most half its lifetime).",
    ),
    row(
        "default_lifetime",
        Kind::Duration(super::DEFAULT_LIFETIME, |m, v| ManagerOptions {
            default_lifetime: v,
            ..m
        }),
        OptionDefault::Numeric,
        CLIENT,
        "How long a token without `expires_in` is used.",
    ),
    row(
        "store",
        Kind::Binding("a file or Redis store"),
        OptionDefault::Unset,
        CLIENT,
        "Where the token is shared with other processes and restarts (a directory, or Redis), so they make one fetch between them; unset, this manager alone holds it. A store that fails never fails a call: the manager fetches alone and its last error says why.",
    ),
    row(
        "store_namespace",
        Kind::Text(|m, v| ManagerOptions {
            store_namespace: Some(v),
            ..m
        }),
        OptionDefault::Unset,
        CLIENT,
        "Keeps this manager's stored entries apart from those of otherwise identical managers. Required for grants that act for one user (a refresh token, an authorization or device code, token exchange, an assertion): name the user.",
    ),
    row(
        "lease_time",
        Kind::Duration(super::LEASE_TIME, |m, v| ManagerOptions {
            lease_time: Some(v),
            ..m
        }),
        OptionDefault::Described("twice the client's timeout plus 5 s, at most an hour"),
        CLIENT,
        "How long one process's fetch through a store may hold the others up; at least the client's timeout plus 5 s.",
    ),
    row(
        "on_token",
        Kind::Binding("a function"),
        OptionDefault::Unset,
        CLIENT,
        "Called with every token this manager fetches (not those read from a store); it must not raise.",
    ),
];

/// A manager's options from `bag`, but the store and the callback, which the binding converts
/// (see [`Kind::Binding`]); and the grant it runs, the client's default when none is given.
#[doc(hidden)]
pub fn manager_options(
    bag: &OptionBag,
    client: &TokenClient,
    language: Language,
) -> Result<(crate::grant::TokenRequest, ManagerOptions)> {
    let known: Vec<String> = MANAGER_OPTIONS.iter().map(|o| o.spelled(language)).collect();
    bag.check_names(&known.iter().map(String::as_str).collect::<Vec<_>>())?;
    let spell = |name| language.spell(name, false);
    let request = bag.grant(
        [&spell("grant_type"), &spell("params"), &spell("scope")],
        client.default_request(),
    )?;
    let mut options = ManagerOptions::default();
    for option in MANAGER_OPTIONS {
        options = option.apply(bag, options, language)?;
    }
    Ok((request, options))
}

/// The names `way` takes, as `language` spells them.
pub fn names(language: Language, way: Way) -> Vec<String> {
    CLIENT_OPTIONS
        .iter()
        .filter(|o| o.taken_by(way))
        .map(|o| o.spelled(language))
        .collect()
}

/// Looks a row up by its Rust name.
pub fn option(name: &str) -> Option<&'static ClientOption> {
    CLIENT_OPTIONS.iter().find(|o| o.name == name)
}

/// What a client option or, with `manager`, a manager option spelled `spelled` in `language`
/// holds, for a binding that converts by type (Python raises `TypeError` for a value of the
/// wrong type, as for any other argument).
#[doc(hidden)]
pub fn shape_of(spelled: &str, language: Language, manager: bool) -> Option<(Shape, &'static str)> {
    if manager {
        MANAGER_OPTIONS
            .iter()
            .find(|o| o.spelled(language) == spelled)
            .map(|o| (o.kind.shape(), o.kind.expects()))
    } else {
        CLIENT_OPTIONS
            .iter()
            .find(|o| o.spelled(language) == spelled)
            .map(|o| (o.kind.shape(), o.kind.expects()))
    }
}

/// The names `way` takes that `given` does not, as a `config` error suggesting the closest.
#[doc(hidden)]
pub fn check_client_names<'a>(given: impl IntoIterator<Item = &'a str>, language: Language, way: Way) -> Result<()> {
    let known = names(language, way);
    super::check_names(given, &known.iter().map(String::as_str).collect::<Vec<_>>())
}

/// [`check_client_names`] for a manager's options.
#[doc(hidden)]
pub fn check_manager_names<'a>(given: impl IntoIterator<Item = &'a str>, language: Language) -> Result<()> {
    let known: Vec<String> = MANAGER_OPTIONS.iter().map(|o| o.spelled(language)).collect();
    super::check_names(given, &known.iter().map(String::as_str).collect::<Vec<_>>())
}

fn check_bag_names(bag: &OptionBag, language: Language, way: Way) -> Result<()> {
    let known = names(language, way);
    bag.check_names(&known.iter().map(String::as_str).collect::<Vec<_>>())
}

fn configure(bag: &OptionBag, mut b: Builder, language: Language, way: Way) -> Result<Builder> {
    check_bag_names(bag, language, way)?;
    b = b.user_agent(language.user_agent());
    for option in CLIENT_OPTIONS.iter().filter(|o| o.taken_by(way)) {
        b = option.apply(bag, b, language)?;
    }
    if let Some(callback) = bag.client_assertion() {
        b = b.assertion_callback(callback);
    }
    if let Some(wait) = b.chosen_retry_wait() {
        let spell = |name| language.spell(name, true);
        check_retry_wait_within(
            language,
            &spell("max_retry_wait"),
            wait,
            &spell("timeout"),
            b.chosen_timeout(),
        )?;
    }
    Ok(b)
}

/// A client from its token URL (`token_url` in the bag), checked and built.
#[doc(hidden)]
pub fn build_client(bag: &OptionBag, language: Language) -> Result<TokenClient> {
    // Names first: `{ token_url }` in Node is a misspelling to point out, not a missing URL.
    check_bag_names(bag, language, Way::Client)?;
    let token_url = bag.required_text(&language.spell("token_url", false))?;
    configure(bag, TokenClient::builder(token_url), language, Way::Client)?.build()
}

/// The builder of a client discovered from `issuer`; its `build()` reads the document, so a
/// binding runs it where blocking is allowed.
#[doc(hidden)]
pub fn discover_client(issuer: &str, bag: &OptionBag, language: Language) -> Result<Builder> {
    configure(bag, TokenClient::discover(issuer), language, Way::Discover)
}

/// The services with a preset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Prove,
    Gusto,
}

/// A preset's client: `client_id` and `client_secret` required, `env` its environment (the
/// preset's own default when left out).
#[doc(hidden)]
pub fn preset_client(preset: Preset, bag: &OptionBag, language: Language) -> Result<TokenClient> {
    // Names first: `{ client_id }` in Node is a misspelling to point out, not a missing id.
    check_bag_names(bag, language, Way::Preset)?;
    let spell = |name| language.spell(name, false);
    let (id, secret) = (
        bag.required_text(&spell("client_id"))?,
        bag.required_text(&spell("client_secret"))?,
    );
    let env = bag.text(&spell("env"))?;
    let builder = match preset {
        Preset::Prove => {
            let env = env.as_deref().map(ProveEnvironment::from_str).transpose()?;
            TokenClientBuilder::prove(env.unwrap_or_default(), id, secret)
        }
        Preset::Gusto => {
            let env = env.as_deref().map(GustoEnvironment::from_str).transpose()?;
            TokenClientBuilder::gusto(env.unwrap_or_default(), id, secret)
        }
    };
    configure(bag, builder, language, Way::Preset)?.build()
}

/// A Google service account's client: its key from `service_account` (the JSON) or
/// `service_account_file` (else the file `GOOGLE_APPLICATION_CREDENTIALS` names), its default
/// grant the JWT bearer grant with the `scope` given.
#[doc(hidden)]
pub fn google_client(bag: &OptionBag, language: Language) -> Result<TokenClient> {
    check_bag_names(bag, language, Way::Google)?;
    let spell = |name| language.spell(name, false);
    let builder = match (
        bag.text_or_json(&spell("service_account"))?,
        bag.text(&spell("service_account_file"))?,
    ) {
        (Some(_), Some(_)) => {
            return Err(Error::config(format!(
                "give {} or {}, not both",
                spell("service_account"),
                spell("service_account_file")
            )))
        }
        (Some(json), None) => TokenClientBuilder::google_service_account(&json)?,
        (None, Some(path)) => TokenClientBuilder::google_service_account_file(path)?,
        (None, None) => match std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS") {
            Some(path) => TokenClientBuilder::google_service_account_file(path)?,
            None => {
                return Err(Error::config(format!(
                    "{} is required (or {}, or GOOGLE_APPLICATION_CREDENTIALS naming the key file)",
                    spell("service_account_file"),
                    spell("service_account")
                )))
            }
        },
    };
    configure(bag, builder, language, Way::Google)?.build()
}

/// A Microsoft Entra ID workload identity client, from the variables the Azure webhook sets
/// (`AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, `AZURE_FEDERATED_TOKEN_FILE`,
/// `AZURE_AUTHORITY_HOST`); an option given replaces its variable.
#[doc(hidden)]
pub fn entra_client(bag: &OptionBag, language: Language) -> Result<TokenClient> {
    check_bag_names(bag, language, Way::Entra)?;
    let given = |option: &str, variable: &str| -> Result<Option<String>> {
        Ok(bag
            .text(&language.spell(option, false))?
            .or_else(|| std::env::var(variable).ok()))
    };
    let settings = crate::presets::EntraSettings {
        client_id: given("client_id", "AZURE_CLIENT_ID")?,
        tenant_id: given("tenant_id", "AZURE_TENANT_ID")?,
        token_file: given("client_assertion_file", "AZURE_FEDERATED_TOKEN_FILE")?,
        authority_host: given("authority_host", "AZURE_AUTHORITY_HOST")?,
    };
    let builder = TokenClientBuilder::entra_workload_identity_with(settings, language)?;
    configure(bag, builder, language, Way::Entra)?.build()
}

/// A chosen cap on `Retry-After` waits longer than the whole call's deadline could never be
/// honoured: a `config` error, named as the caller spelled both options.
pub(crate) fn check_retry_wait_within(
    language: Language,
    wait_name: &str,
    wait: Duration,
    timeout_name: &str,
    timeout: Duration,
) -> Result<()> {
    if wait > timeout {
        return Err(Error::config(format!(
            "{wait_name} must be at most {timeout_name} ({}), got {}",
            language.show_duration(timeout),
            language.show_duration(wait)
        )));
    }
    Ok(())
}

/// [`check_retry_wait_within`] for the Rust builder.
pub(crate) fn check_retry_wait_within_timeout(
    wait_name: &str,
    wait: Duration,
    timeout_name: &str,
    timeout: Duration,
) -> Result<()> {
    check_retry_wait_within(Language::Rust, wait_name, wait, timeout_name, timeout)
}

impl NumericOption {
    /// The default as a guide shows it, in `language`'s unit.
    pub fn show_default(&self, language: Language) -> String {
        match (self.default, self.kind) {
            (None, _) => "computed".into(),
            (Some(ms), super::Kind::Duration) if language.seconds() => format!("{} s", ms as f64 / 1000.0),
            (Some(ms), super::Kind::Duration) => format!("{ms} ms"),
            (Some(n), super::Kind::Bytes) => format!("{n} bytes"),
            (Some(n), super::Kind::Count) => n.to_string(),
        }
    }

    /// The accepted range as a guide shows it, in `language`'s unit.
    pub fn show_range(&self, language: Language) -> String {
        let low = if self.zero_allowed { "0" } else { "> 0" };
        let max = match self.kind {
            super::Kind::Duration if language.seconds() => format!("{} s", self.max as f64 / 1000.0),
            super::Kind::Duration => format!("{} ms", self.max),
            super::Kind::Bytes => format!("{} bytes", self.max),
            super::Kind::Count => self.max.to_string(),
        };
        format!("{low} to {max}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::OptionValue;

    fn bag(entries: &[(&str, OptionValue)]) -> OptionBag {
        OptionBag::new(entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    #[test]
    fn names_follow_one_rule_per_language() {
        let wait = option("max_retry_wait").unwrap();
        assert_eq!(wait.spelled(Language::Python), "max_retry_wait");
        assert_eq!(wait.spelled(Language::Node), "maxRetryWaitMs");
        assert_eq!(wait.spelled(Language::Kotlin), "maxRetryWait");
        assert_eq!(option("max_retries").unwrap().spelled(Language::Node), "maxRetries");
    }

    #[test]
    fn every_row_is_taken_by_some_way_and_named_once() {
        let mut seen = std::collections::HashSet::new();
        for o in CLIENT_OPTIONS {
            assert!(seen.insert(o.name), "{} twice", o.name);
            assert!(o.ways != 0, "{} is taken by no way of building", o.name);
            assert!(
                !o.doc.is_empty() && o.doc.ends_with('.'),
                "{}: one sentence of doc",
                o.name
            );
        }
    }

    #[test]
    fn a_misspelt_option_is_refused_with_the_closest_name() {
        let b = bag(&[
            ("tokenUrl", OptionValue::Text("https://as.example/token".into())),
            ("maxRetryWait", OptionValue::Number(1000.0)),
        ]);
        let e = build_client(&b, Language::Node).unwrap_err();
        assert!(e.to_string().contains("did you mean `maxRetryWaitMs`"), "{e}");
    }

    #[test]
    fn a_misspelt_required_option_is_pointed_out_not_reported_missing() {
        let b = bag(&[("token_url", OptionValue::Text("https://as.example/token".into()))]);
        let e = build_client(&b, Language::Node).unwrap_err();
        assert!(e.to_string().contains("did you mean `tokenUrl`"), "{e}");
        let b = bag(&[
            ("client_id", OptionValue::Text("a".into())),
            ("clientSecret", OptionValue::Text("b".into())),
        ]);
        let e = preset_client(Preset::Prove, &b, Language::Node).unwrap_err();
        assert!(e.to_string().contains("did you mean `clientId`"), "{e}");
    }

    #[test]
    fn a_retry_wait_longer_than_the_timeout_is_refused_in_the_callers_units() {
        let b = bag(&[
            ("token_url", OptionValue::Text("https://as.example/token".into())),
            ("auth_method", OptionValue::Text("none".into())),
            ("client_id", OptionValue::Text("public".into())),
            ("timeout", OptionValue::Number(5.0)),
            ("max_retry_wait", OptionValue::Number(10.0)),
        ]);
        let e = build_client(&b, Language::Python).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid configuration: max_retry_wait must be at most timeout (5 s), got 10 s"
        );
        let b = bag(&[
            ("tokenUrl", OptionValue::Text("https://as.example/token".into())),
            ("clientId", OptionValue::Text("public".into())),
            ("authMethod", OptionValue::Text("none".into())),
            ("timeoutMs", OptionValue::Number(5000.0)),
            ("maxRetryWaitMs", OptionValue::Number(10000.0)),
        ]);
        let e = build_client(&b, Language::Node).unwrap_err();
        assert!(
            e.to_string()
                .contains("maxRetryWaitMs must be at most timeoutMs (5000 ms)"),
            "{e}"
        );
        // Left out, the cap yields to a shorter timeout instead of refusing it.
        let b = bag(&[
            ("token_url", OptionValue::Text("https://as.example/token".into())),
            ("auth_method", OptionValue::Text("none".into())),
            ("client_id", OptionValue::Text("public".into())),
            ("timeout", OptionValue::Number(5.0)),
        ]);
        let client = build_client(&b, Language::Python).unwrap();
        assert_eq!(client.max_retry_wait(), Duration::from_secs(5));
    }

    #[test]
    fn max_backoff_caps_the_wait_between_retries() {
        let b = bag(&[
            ("token_url", OptionValue::Text("https://as.example/token".into())),
            ("client_id", OptionValue::Text("a".into())),
            ("client_secret", OptionValue::Text("b".into())),
            ("max_backoff", OptionValue::Number(1.5)),
        ]);
        let policy = build_client(&b, Language::Python).unwrap().retry_policy().clone();
        assert_eq!(policy.max_backoff, Duration::from_millis(1500));
        assert!((0..20).all(|retry| policy.backoff(retry) <= Duration::from_millis(1500)));
    }

    #[test]
    fn defaults_come_from_the_table() {
        let b = bag(&[
            ("tokenUrl", OptionValue::Text("https://as.example/token".into())),
            ("clientId", OptionValue::Text("public".into())),
            ("authMethod", OptionValue::Text("none".into())),
        ]);
        let client = build_client(&b, Language::Node).unwrap();
        assert_eq!(client.timeout(), super::super::TIMEOUT.default_duration());
        assert_eq!(client.max_retry_wait(), super::super::MAX_RETRY_WAIT.default_duration());
        assert_eq!(
            option("timeout").unwrap().default_text(Language::Python),
            "30 s",
            "what the guides show"
        );
        assert_eq!(option("timeout").unwrap().default_text(Language::Node), "30000 ms");
    }

    #[test]
    fn presets_take_their_environment_default_from_the_core() {
        let b = bag(&[
            ("clientId", OptionValue::Text("id".into())),
            ("clientSecret", OptionValue::Text("secret".into())),
        ]);
        let client = preset_client(Preset::Prove, &b, Language::Node).unwrap();
        assert_eq!(client.token_url(), ProveEnvironment::default().token_url());
        let b = bag(&[("clientId", OptionValue::Text("id".into()))]);
        let e = preset_client(Preset::Gusto, &b, Language::Node).unwrap_err();
        assert!(e.to_string().contains("clientSecret is required"), "{e}");
    }
}
