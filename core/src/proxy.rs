//! Which proxy, if any, each request goes through.
//!
//! A client's own `proxy` is used for every URL. Without one, and unless `trust_env` is
//! off, the standard variables are, read once when the client is built (a client's route
//! never changes under it, and a fetch reads no environment):
//! - an `https://` URL: `https_proxy`, `HTTPS_PROXY`, then `all_proxy`, `ALL_PROXY`;
//! - an `http://` URL: `http_proxy`, `HTTP_PROXY`, then `all_proxy`, `ALL_PROXY`. Under CGI
//!   (`REQUEST_METHOD` set) the upper-case `HTTP_PROXY` is ignored: a request's `Proxy:`
//!   header arrives as that variable ("httpoxy"), as curl and Python's urllib also rule.
//!
//! The lower-case name wins over the upper-case one, and an empty value counts as unset.
//!
//! `no_proxy` (else `no_proxy`/`NO_PROXY` when the environment is trusted) lists the hosts
//! that are reached directly, whichever proxy applies. Entries are separated by commas or
//! spaces:
//! - `*`: every host;
//! - `example.com`, `.example.com`, `*.example.com`: that name and every name under it
//!   (curl's rule);
//! - `10.1.2.3`, `::1`: that address, written as an address in the URL;
//! - `10.0.0.0/8`, `fd00::/8`: any address in that network;
//! - any of the above with `:port` (`[::1]:8443` for IPv6): only that port.
//!
//! No name is resolved to check `no_proxy`: `localhost` and `127.0.0.1` are separate entries,
//! as in curl. The environment's `NO_PROXY` applies to a client's own proxy too, unless the
//! client has its own `no_proxy`. A loopback URL goes direct unless the proxy is on this
//! machine as well (see [`Routes::for_url`]). An entry the client was given that matches none of these forms is a `config`
//! error; one in `NO_PROXY` is skipped, as every other tool does, so that a request meant for
//! the proxy is not sent around it by a typo.
//!
//! HTTPS goes through an HTTP proxy with `CONNECT`, so TLS stays end to end and the proxy
//! sees only the host and port; plain `http://` is tunnelled the same way. SOCKS5 resolves
//! the name on this machine (`socks5://`) or at the proxy (`socks5h://`).

use std::net::IpAddr;

use url::Url;

use crate::error::{Error, Result};
use crate::redact::{self, Secrets};
use crate::secret::Secret;

/// The proxy settings a client is given (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct ProxyOptions {
    /// `proxy`: a URL that may hold a password.
    pub proxy: Option<Secret>,
    /// `no_proxy`, each entry as given (an entry may itself hold several).
    pub no_proxy: Option<Vec<String>>,
    /// `trust_env`: whether the environment's proxy variables apply.
    pub trust_env: bool,
}

impl Default for ProxyOptions {
    fn default() -> Self {
        ProxyOptions {
            proxy: None,
            no_proxy: None,
            trust_env: true,
        }
    }
}

/// One proxy, ready for the HTTP library.
#[derive(Clone)]
pub(crate) struct Proxy {
    pub(crate) ureq: ureq::Proxy,
    /// `scheme://host:port`: never the user or the password.
    pub shown: String,
    /// The user and password, percent-decoded as they are sent.
    credentials: Option<(String, Secret)>,
    /// The password as written in the URL (percent-encoded), for scrubbing.
    written_password: Option<Secret>,
    /// Whether the proxy runs on this machine (a loopback address, `localhost`).
    local: bool,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// The proxies a client's requests take, decided when it is built.
#[derive(Clone, Debug, Default)]
pub(crate) struct Routes {
    https: Option<Proxy>,
    http: Option<Proxy>,
    bypass: Vec<Rule>,
}

impl Routes {
    /// The routes `options` give, reading the environment through `env` where it is trusted.
    pub fn new(options: &ProxyOptions, env: impl Fn(&str) -> Option<String>) -> Result<Routes> {
        let read = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let first = |names: &[&'static str]| names.iter().find_map(|n| read(n).map(|v| (*n, v)));

        let bypass = match (&options.no_proxy, options.trust_env) {
            (Some(entries), _) => parse_rules(entries.iter().map(String::as_str), true)?,
            (None, true) => match first(&["no_proxy", "NO_PROXY"]) {
                Some((_, value)) => parse_rules(std::iter::once(value.as_str()), false)?,
                None => Vec::new(),
            },
            (None, false) => Vec::new(),
        };
        if let Some(url) = &options.proxy {
            let proxy = Proxy::parse(url.expose_str(), "proxy", false)?;
            return Ok(Routes {
                https: Some(proxy.clone()),
                http: Some(proxy),
                bypass,
            });
        }
        if !options.trust_env {
            return Ok(Routes::default());
        }
        let cgi = read("REQUEST_METHOD").is_some();
        let http_names: &[&'static str] = if cgi {
            &["http_proxy", "all_proxy", "ALL_PROXY"]
        } else {
            &["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
        };
        let from = |names: &[&'static str]| {
            first(names)
                .map(|(name, value)| Proxy::parse(&value, name, true))
                .transpose()
        };
        Ok(Routes {
            https: from(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"])?,
            http: from(http_names)?,
            bypass,
        })
    }

    /// Whether no request goes through a proxy.
    pub fn is_direct(&self) -> bool {
        self.https.is_none() && self.http.is_none()
    }

    /// The proxy for a request to `url`, or `None` to go direct.
    ///
    /// A loopback URL (`localhost`, 127.0.0.0/8, `::1`) goes direct unless the proxy is on
    /// this machine too: plain `http://` is allowed there only because it never leaves the
    /// machine, and a remote proxy would carry it, secret and all, across the network to
    /// reach its own loopback (Go's `net/http` rule). A URL that cannot be read takes the
    /// proxy: a request the client cannot place is not sent around it.
    pub fn for_url(&self, url: &str) -> Option<&Proxy> {
        if self.is_direct() {
            return None;
        }
        let parsed = Url::parse(url).ok();
        let proxy = match parsed.as_ref().map(Url::scheme) {
            Some("https") => self.https.as_ref(),
            Some(_) => self.http.as_ref(),
            None => self.https.as_ref().or(self.http.as_ref()),
        }?;
        let Some(url) = parsed else { return Some(proxy) };
        let (Some(host), Some(port)) = (url.host(), url.port_or_known_default()) else {
            return Some(proxy);
        };
        if is_loopback_host(Some(host.clone())) && !proxy.local {
            return None;
        }
        let target = match host {
            url::Host::Domain(name) => Target::Name(name.trim_end_matches('.').to_ascii_lowercase()),
            url::Host::Ipv4(ip) => Target::Ip(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => Target::Ip(IpAddr::V6(ip)),
        };
        if self.bypass.iter().any(|rule| rule.matches(&target, port)) {
            return None;
        }
        Some(proxy)
    }

    /// Adds every proxy password, in every form it travels, to `secrets`.
    pub fn add_secrets(&self, secrets: &mut Secrets) {
        for proxy in self.https.iter().chain(self.http.iter()) {
            if let Some((user, password)) = &proxy.credentials {
                secrets.add_basic(user, password.expose_str());
                // `http://APIKEY@proxy`: a key given as the user is the credential.
                if password.expose_str().is_empty() {
                    secrets.add(user);
                }
            }
            if let Some(written) = &proxy.written_password {
                secrets.add(written.expose_str());
            }
        }
    }

    /// The proxies in use, as messages may show them.
    pub fn shown(&self) -> Option<String> {
        match (&self.https, &self.http) {
            (None, None) => None,
            (Some(a), Some(b)) if a.shown == b.shown => Some(a.shown.clone()),
            (a, b) => Some(format!(
                "https: {}, http: {}",
                a.as_ref().map_or("direct", |p| p.shown.as_str()),
                b.as_ref().map_or("direct", |p| p.shown.as_str())
            )),
        }
    }
}

/// The schemes a proxy URL may have.
const SCHEMES: &[&str] = &["http", "https", "socks5", "socks5h"];

impl Proxy {
    /// Reads a proxy URL; `origin` is where it came from (`proxy`, or a variable's name),
    /// and a variable's value may leave out `http://`, as curl allows. No message shows the
    /// URL's user or password, nor a value that is not a URL at all.
    fn parse(text: &str, origin: &str, from_env: bool) -> Result<Proxy> {
        let text = text.trim();
        let fix = if from_env {
            format!("fix {origin}, or set trust_env to false to ignore the proxy environment variables")
        } else {
            format!("fix {origin}")
        };
        let with_scheme = match text.contains("://") {
            true => text.to_string(),
            false if from_env => format!("http://{text}"),
            false => {
                return Err(Error::config(format!(
                    "{origin} has no scheme; write it as http://host:port (or https://, socks5://, socks5h://)"
                )))
            }
        };
        let url = Url::parse(&with_scheme).map_err(|e| {
            Error::config(format!(
                "{origin} is not a proxy URL ({e}); write it as http://host:port, https://, socks5:// or socks5h://; {fix}"
            ))
        })?;
        let scheme = url.scheme().to_ascii_lowercase();
        let host = url.host_str().filter(|h| !h.is_empty());
        // Until the URL is known to be well formed, a message names only its scheme: a
        // password with an unencoded `/`, `?` or `@` moves part of itself into what the
        // parser takes for the host or port.
        if !SCHEMES.contains(&scheme.as_str()) {
            return Err(Error::config(format!(
                "{origin} has scheme {}; a proxy is http://, https://, socks5:// or socks5h://; {fix}",
                redact::shown_choice(&scheme)
            )));
        }
        if host.is_none() {
            return Err(Error::config(format!("{origin} ({scheme}://) names no host; {fix}")));
        }
        if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
            return Err(Error::config(format!(
                "{origin} ({scheme}://...) has a path, query or fragment; a proxy URL is scheme://[user:password@]host[:port], with any `/`, `?`, `#` or `@` in the password percent-encoded; {fix}"
            )));
        }
        let shown = match (host, url.port()) {
            (Some(host), Some(port)) => format!("{scheme}://{host}:{port}"),
            (Some(host), None) => format!("{scheme}://{host}"),
            (None, _) => format!("{scheme}://"),
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|v| v.into_owned())
                .map_err(|_| {
                    Error::config(format!(
                        "{origin} ({shown}): its user or password is not UTF-8 once decoded; {fix}"
                    ))
                })
        };
        let user = decode(url.username())?;
        let password = url.password().map(decode).transpose()?;
        let credentials = (!user.is_empty() || password.is_some())
            .then(|| (user.clone(), Secret::new(password.clone().unwrap_or_default())));
        let written_password = url.password().map(|p| Secret::new(p.to_string()));
        // Built from parts, not from the text: the text's own user and password reach ureq
        // only through its builder, so no parse of it can differ from ours.
        let protocol = match scheme.as_str() {
            "http" => ureq::ProxyProtocol::Http,
            "https" => ureq::ProxyProtocol::Https,
            "socks5" => ureq::ProxyProtocol::Socks5,
            _ => ureq::ProxyProtocol::Socks5h,
        };
        // An IPv6 address keeps its brackets: ureq writes `host:port` into a URI.
        let mut builder = ureq::Proxy::builder(protocol).host(host.unwrap_or_default());
        if let Some(port) = url.port() {
            builder = builder.port(port);
        }
        if let Some((user, password)) = &credentials {
            builder = builder.username(user).password(password.expose_str());
        }
        let ureq = builder
            .build()
            .map_err(|e| Error::config(format!("{origin} ({shown}) is not a usable proxy: {e}; {fix}")))?;
        let local = is_loopback_host(url.host());
        Ok(Proxy {
            ureq,
            shown,
            credentials,
            written_password,
            local,
        })
    }
}

/// Whether a URL's host is this machine: `localhost` (or a name under it, RFC 6761), a
/// loopback address.
fn is_loopback_host(host: Option<url::Host<&str>>) -> bool {
    match host {
        Some(url::Host::Domain(name)) => {
            // A socks5:// URL's host is opaque to the URL parser, addresses included.
            let bare = name.trim_start_matches('[').trim_end_matches(']');
            if let Ok(ip) = bare.parse::<IpAddr>() {
                return ip.is_loopback();
            }
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A request's host, as the URL writes it.
enum Target {
    Name(String),
    Ip(IpAddr),
}

/// One `no_proxy` entry.
#[derive(Clone, Debug, PartialEq)]
enum Rule {
    All,
    /// A name and every name under it.
    Domain {
        name: String,
        port: Option<u16>,
    },
    /// An address (`prefix` its full length) or a network.
    Network {
        address: IpAddr,
        prefix: u8,
        port: Option<u16>,
    },
}

impl Rule {
    fn matches(&self, target: &Target, port: u16) -> bool {
        let port_matches = |wanted: &Option<u16>| wanted.is_none_or(|p| p == port);
        match (self, target) {
            (Rule::All, _) => true,
            (Rule::Domain { name, port: p }, Target::Name(host)) => {
                port_matches(p)
                    && (host == name || host.strip_suffix(name.as_str()).is_some_and(|head| head.ends_with('.')))
            }
            (
                Rule::Network {
                    address,
                    prefix,
                    port: p,
                },
                Target::Ip(ip),
            ) => port_matches(p) && in_network(*ip, *address, *prefix),
            _ => false,
        }
    }
}

fn in_network(ip: IpAddr, network: IpAddr, prefix: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// The rules in `entries` (each may hold several, separated by commas or spaces). With
/// `strict`, an entry that is none of the forms is an error; otherwise it is skipped.
fn parse_rules<'a>(entries: impl Iterator<Item = &'a str>, strict: bool) -> Result<Vec<Rule>> {
    let mut rules = Vec::new();
    for entry in entries.flat_map(|e| e.split([',', ' ', '\t', '\n'])) {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        match parse_rule(entry) {
            Some(rule) => rules.push(rule),
            None if strict => {
                let shown: String = entry.chars().take(80).collect();
                return Err(Error::config(format!(
                    "no_proxy entry {shown:?} is not a host name, an IP address, a CIDR network (10.0.0.0/8) or *, each with an optional :port"
                )));
            }
            None => {}
        }
    }
    Ok(rules)
}

fn parse_rule(entry: &str) -> Option<Rule> {
    let entry = entry.to_ascii_lowercase();
    if entry == "*" {
        return Some(Rule::All);
    }
    if let Some((address, bits)) = entry.split_once('/') {
        let address: IpAddr = address.trim_start_matches('[').trim_end_matches(']').parse().ok()?;
        let prefix: u8 = bits.parse().ok()?;
        let full = if address.is_ipv4() { 32 } else { 128 };
        return (prefix <= full).then_some(Rule::Network {
            address,
            prefix,
            port: None,
        });
    }
    let exact = |address: IpAddr, port| Rule::Network {
        address,
        prefix: if address.is_ipv4() { 32 } else { 128 },
        port,
    };
    if let Ok(address) = entry.parse::<IpAddr>() {
        return Some(exact(address, None));
    }
    // `[::1]` or `[::1]:8443`.
    if let Some(rest) = entry.strip_prefix('[') {
        let (address, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?.parse().ok()?),
        };
        return Some(exact(address.parse().ok()?, port));
    }
    let (host, port) = match entry.rsplit_once(':') {
        Some((host, port)) => (host, Some(port.parse::<u16>().ok()?)),
        None => (entry.as_str(), None),
    };
    if let Ok(address) = host.parse::<IpAddr>() {
        return Some(exact(address, port));
    }
    let name = host
        .trim_start_matches("*.")
        .trim_start_matches('.')
        .trim_end_matches('.');
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    valid.then(|| Rule::Domain {
        name: name.to_string(),
        port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(proxy: Option<&str>, no_proxy: Option<&[&str]>, trust_env: bool, env: &[(&str, &str)]) -> Result<Routes> {
        let options = ProxyOptions {
            proxy: proxy.map(Secret::from),
            no_proxy: no_proxy.map(|list| list.iter().map(|s| s.to_string()).collect()),
            trust_env,
        };
        Routes::new(&options, |name| {
            env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
        })
    }

    fn via(routes: &Routes, url: &str) -> Option<String> {
        routes.for_url(url).map(|p| p.shown.clone())
    }

    #[test]
    fn no_proxy_takes_names_addresses_networks_and_ports() {
        let r = routes(
            Some("http://proxy.corp:3128"),
            Some(&[
                "internal.example, .corp.test *.wild.test",
                "10.0.0.0/8",
                "192.168.1.7",
                "[fd00::1]:8443",
                "fe80::/10",
                "auth.example.com:8443",
            ]),
            true,
            &[],
        )
        .unwrap();
        let proxied = Some("http://proxy.corp:3128".to_string());
        for direct in [
            "https://internal.example/token",
            "https://a.b.internal.example/token",
            "https://INTERNAL.example./token",
            "https://corp.test/token",
            "https://x.corp.test/token",
            "https://wild.test/token",
            "https://10.200.3.4/token",
            "http://192.168.1.7:8080/token",
            "https://[fd00::1]:8443/token",
            "https://[fe80::9]/token",
            "https://auth.example.com:8443/token",
        ] {
            assert_eq!(via(&r, direct), None, "{direct}");
        }
        for through in [
            "https://notinternal.example/token",
            "https://internal.example.com/token",
            "https://11.0.0.1/token",
            "https://192.168.1.8/token",
            "https://[fd00::1]/token",
            "https://[fd00::2]:8443/token",
            "https://auth.example.com/token",
            // A name is never resolved to be checked against an address.
            "https://10-0-0-1.internal.test/token",
        ] {
            assert_eq!(via(&r, through), proxied, "{through}");
        }
        let all = routes(Some("http://p:1"), Some(&["*"]), false, &[]).unwrap();
        assert_eq!(via(&all, "https://anything.example/token"), None);
    }

    #[test]
    fn loopback_goes_direct_unless_the_proxy_is_on_this_machine_too() {
        let remote = routes(Some("http://proxy.corp:3128"), None, false, &[]).unwrap();
        for url in [
            "http://127.0.0.1:8080/token",
            "http://127.9.9.9/token",
            "http://[::1]:8080/token",
            "http://localhost:8080/token",
            "http://auth.localhost./token",
        ] {
            assert_eq!(via(&remote, url), None, "{url}");
        }
        for proxy in ["http://127.0.0.1:3128", "socks5h://[::1]:1080", "http://localhost:3128"] {
            let local = routes(Some(proxy), None, false, &[]).unwrap();
            assert_eq!(via(&local, "http://127.0.0.1:8080/token"), Some(proxy.to_string()));
        }
        // A URL that cannot be read is not sent around the proxy.
        assert_eq!(via(&remote, "not a url"), Some("http://proxy.corp:3128".into()));
        // Only HTTP_PROXY set: an https URL goes direct.
        let http_only = routes(None, None, true, &[("HTTP_PROXY", "http://p:1")]).unwrap();
        assert_eq!(via(&http_only, "https://a.test/t"), None);
    }

    #[test]
    fn an_ipv6_proxy_keeps_its_brackets() {
        let r = routes(Some("http://[fd00::10]:3128"), None, false, &[]).unwrap();
        assert_eq!(via(&r, "https://a.test/t"), Some("http://[fd00::10]:3128".into()));
    }

    #[test]
    fn a_given_no_proxy_entry_that_is_no_form_is_an_error_and_one_from_the_environment_is_skipped() {
        for bad in ["10.0.0.0/33", "host:99999", "bad host!", "[::1", "1.2.3.4/x"] {
            let e = routes(Some("http://p:1"), Some(&[bad]), true, &[]).unwrap_err();
            assert!(e.to_string().contains("no_proxy entry"), "{bad}: {e}");
        }
        let r = routes(
            None,
            None,
            true,
            &[("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", "10.0.0.0/33,ok.test")],
        )
        .unwrap();
        assert_eq!(via(&r, "https://ok.test/t"), None);
        assert_eq!(via(&r, "https://10.0.0.1/t"), Some("http://p:1".into()));
    }

    #[test]
    fn the_environment_is_read_by_scheme_lower_case_first_and_only_when_trusted() {
        let env = [
            ("HTTPS_PROXY", "http://upper-https:1"),
            ("https_proxy", "http://lower-https:1"),
            ("HTTP_PROXY", "http://upper-http:1"),
            ("ALL_PROXY", "socks5h://all:1080"),
        ];
        let r = routes(None, None, true, &env).unwrap();
        assert_eq!(via(&r, "https://a.test/t"), Some("http://lower-https:1".into()));
        assert_eq!(via(&r, "http://a.test/t"), Some("http://upper-http:1".into()));
        let untrusted = routes(None, None, false, &env).unwrap();
        assert!(untrusted.is_direct());
        // ALL_PROXY covers what the scheme's own variable leaves out; an empty one is unset.
        let r = routes(
            None,
            None,
            true,
            &[("HTTP_PROXY", ""), ("ALL_PROXY", "socks5h://all:1080")],
        )
        .unwrap();
        assert_eq!(via(&r, "http://a.test/t"), Some("socks5h://all:1080".into()));
        // Under CGI, HTTP_PROXY may come from a request's `Proxy:` header.
        let cgi = routes(
            None,
            None,
            true,
            &[("HTTP_PROXY", "http://evil:1"), ("REQUEST_METHOD", "POST")],
        )
        .unwrap();
        assert_eq!(via(&cgi, "http://a.test/t"), None);
        // A value without a scheme is HTTP, as curl reads it.
        let bare = routes(None, None, true, &[("HTTPS_PROXY", "proxy.corp:3128")]).unwrap();
        assert_eq!(via(&bare, "https://a.test/t"), Some("http://proxy.corp:3128".into()));
        // The client's own proxy wins over the environment, whose NO_PROXY still applies.
        let own = routes(
            Some("http://own:1"),
            None,
            true,
            &[("HTTPS_PROXY", "http://env:1"), ("no_proxy", "a.test")],
        )
        .unwrap();
        assert_eq!(via(&own, "https://a.test/t"), None);
        assert_eq!(via(&own, "https://b.test/t"), Some("http://own:1".into()));
    }

    #[test]
    fn a_bad_proxy_url_is_a_config_error_that_never_shows_its_password() {
        for (url, says) in [
            ("ftp://user:hunter2@p:21", "scheme"),
            ("http://user:hunter2@p:1/path", "path"),
            ("http://user:hunter2@p:1?q=1", "path"),
            // An unencoded `?` or `/` moves part of the password into the port or the host.
            ("http://svc:4242?x@p:1", "path"),
            ("http://svc:Tr0ub4dor@vault/9@p:1", "path"),
            ("proxy.corp:3128", "scheme"),
            ("http://user:hunter2@p:99999", "not a proxy URL"),
            ("hunter2", "scheme"),
        ] {
            let e = routes(Some(url), None, false, &[]).unwrap_err();
            let text = e.to_string();
            assert!(text.contains(says) && text.contains("proxy"), "{url}: {text}");
            for part in ["hunter2", "4242", "vault", "Tr0ub4dor"] {
                assert!(!text.contains(part), "{url}: {text}");
            }
        }
        let e = routes(None, None, true, &[("HTTPS_PROXY", "gopher://u:hunter2@p:1")]).unwrap_err();
        assert!(
            e.to_string().contains("HTTPS_PROXY") && e.to_string().contains("trust_env"),
            "{e}"
        );
        assert!(!e.to_string().contains("hunter2"));
    }

    #[test]
    fn a_proxy_password_is_scrubbed_as_written_decoded_and_in_basic_form() {
        let r = routes(Some("http://me:p%40ss%3Aw0rd@p:1"), None, false, &[]).unwrap();
        let proxy = r.for_url("https://a.test/t").unwrap();
        assert_eq!(proxy.ureq.password(), Some("p@ss:w0rd"));
        assert_eq!(proxy.ureq.username(), Some("me"));
        assert_eq!(format!("{proxy:?} {r:?}").matches("w0rd").count(), 0);
        let mut secrets = Secrets::new();
        r.add_secrets(&mut secrets);
        let basic = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "me:p@ss:w0rd");
        for echo in ["p@ss:w0rd", "p%40ss%3Aw0rd", basic.as_str()] {
            assert!(!secrets.scrub(&format!("said {echo} here")).contains(echo), "{echo}");
        }
        let key_as_user = routes(Some("http://pk_live_51ABCDEF@p:1"), None, false, &[]).unwrap();
        let mut secrets = Secrets::new();
        key_as_user.add_secrets(&mut secrets);
        assert!(!secrets.scrub("said pk_live_51ABCDEF").contains("pk_live_51ABCDEF"));
    }
}
