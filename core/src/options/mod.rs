//! Numeric options: one validation for every language.
//!
//! # The rule
//! Every duration and count a caller can set has a range, listed here once. A value outside it
//! (negative, NaN, infinite, fractional where a whole number is needed, or above the maximum)
//! is a `config` error that names the option as the caller spelled it (`timeout` in Rust,
//! Python and Kotlin, `timeoutMs` in Node) and says what range is accepted. Nothing is wrapped,
//! clamped or silently replaced: `-1` never becomes 49 days, and `2**32 + 5` never becomes 5.
//!
//! Bindings receive numbers in their own unit (seconds as a float in Python, milliseconds in
//! Node and Kotlin) and turn them into durations with [`NumericOption::duration_from_secs`] or
//! [`NumericOption::duration_from_millis`]; the Rust builder checks the same table in
//! `build()`. The maxima are generous for real use and small enough that no deadline,
//! backoff or expiry computed from them can overflow.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::grant::TokenRequest;

pub mod table;

/// What an option accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NumericOption {
    /// The Rust (and Python) name, used in the docs.
    pub name: &'static str,
    /// Whether 0 is allowed (`refresh_skew: 0` means "refresh at expiry"; a 0 timeout means
    /// nothing sensible).
    pub zero_allowed: bool,
    /// The largest value, in the option's base unit: milliseconds for durations, the count
    /// itself for counts and sizes.
    pub max: u64,
    pub kind: Kind,
    /// The value when the caller gives none, in the base unit; `None` where the default is
    /// computed (a lease's floor follows the client's timeout). The only place a default is
    /// written: the builders, the bindings' docs and the guides all read it from here.
    pub default: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Duration,
    Count,
    Bytes,
}

const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 24 * HOUR_MS;

/// The whole-call deadline, retries and waits included. Default 30 s, at most a day.
pub const TIMEOUT: NumericOption = duration("timeout", false, DAY_MS, Some(30_000));
/// Establishing the connection (TCP and TLS). Default 10 s, at most a day.
pub const CONNECT_TIMEOUT: NumericOption = duration("connect_timeout", false, DAY_MS, Some(10_000));
/// Retries after the first attempt. Default 2, at most 10.
pub const MAX_RETRIES: NumericOption = NumericOption {
    name: "max_retries",
    zero_allowed: true,
    max: 10,
    kind: Kind::Count,
    default: Some(2),
};
/// The response body cap. Default 1 MiB, at least 1 byte, at most 64 MiB.
pub const MAX_RESPONSE_BYTES: NumericOption = NumericOption {
    name: "max_response_bytes",
    zero_allowed: false,
    max: 64 * 1024 * 1024,
    kind: Kind::Bytes,
    default: Some(1024 * 1024),
};
/// The first retry's wait. Default 200 ms, at most an hour.
pub const INITIAL_BACKOFF: NumericOption = duration("initial_backoff", true, HOUR_MS, Some(200));
/// The longest wait between retries. Default 5 s, at most an hour.
pub const MAX_BACKOFF: NumericOption = duration("max_backoff", true, HOUR_MS, Some(5_000));
/// The longest `Retry-After` wait honoured; a server asking for more gets its error returned
/// at once. Default 30 s, at most an hour here and, when given, at most the client's timeout
/// (checked when the client is built, since no wait can outlast the call's deadline).
pub const MAX_RETRY_WAIT: NumericOption = duration("max_retry_wait", true, HOUR_MS, Some(30_000));
/// How long before expiry the cache refreshes. Default a minute, at most a day.
pub const REFRESH_SKEW: NumericOption = duration("refresh_skew", true, DAY_MS, Some(60_000));
/// The lifetime assumed for a token without `expires_in`. Default 5 minutes, at most ten
/// years, the longest lifetime a response may claim.
pub const DEFAULT_LIFETIME: NumericOption = duration(
    "default_lifetime",
    false,
    crate::parse::MAX_LIFETIME_SECS * 1000,
    Some(300_000),
);
/// The pause after a failed early refresh. Default 1 s, at most an hour.
pub const FAILURE_COOLDOWN: NumericOption = duration("failure_cooldown", true, HOUR_MS, Some(1_000));

/// How long a discovery document is reused. Default an hour; zero reads it for every client;
/// at most a day. Not in [`ALL`]: it applies to discovered clients only, and the shared
/// vectors predate it.
pub const DISCOVERY_TTL: NumericOption = duration("discovery_ttl", true, DAY_MS, Some(3_600_000));

/// How long a signed assertion is valid. Default a minute, at most 5 minutes: an assertion is
/// made for one request, and a long-lived one is a replayable credential. Not in [`ALL`].
pub const ASSERTION_LIFETIME: NumericOption = duration("assertion_lifetime", false, 300_000, Some(60_000));

/// How far this machine's clock may be from the issuer's when an ID token's `exp`, `iat`,
/// `nbf` and `auth_time` are checked. Default a minute, at most ten minutes. Not in [`ALL`].
pub const CLOCK_SKEW: NumericOption = duration("clock_skew", true, 600_000, Some(60_000));

/// OpenID Connect's `max_age` on an authorization request: how long ago the user may have
/// signed in. Sent in whole seconds (rounded down); zero asks the user to sign in again; at
/// most a year. No default: sent only when given. Not in [`ALL`].
pub const MAX_AGE: NumericOption = duration("max_age", true, 366 * DAY_MS, None);

/// How long a manager waits for another process's fetch through a shared store. By default
/// twice the client's timeout plus 5 s; at least the client's timeout plus 5 s; at most an hour. Not in [`ALL`], like
/// `discovery_ttl`.
pub const LEASE_TIME: NumericOption = duration("lease_time", false, HOUR_MS, None);

/// How long a `RedisStore` waits for each command and for connecting. Default 500 ms, at most
/// a minute: a store slower than that is down, and the manager should fetch on its own. Not in
/// [`ALL`].
pub const STORE_TIMEOUT: NumericOption = duration("store_timeout", false, 60_000, Some(500));

/// Every option, for docs and the conformance runner.
pub const ALL: [NumericOption; 10] = [
    TIMEOUT,
    CONNECT_TIMEOUT,
    MAX_RETRIES,
    MAX_RESPONSE_BYTES,
    INITIAL_BACKOFF,
    MAX_BACKOFF,
    MAX_RETRY_WAIT,
    REFRESH_SKEW,
    DEFAULT_LIFETIME,
    FAILURE_COOLDOWN,
];

const fn duration(name: &'static str, zero_allowed: bool, max_ms: u64, default_ms: Option<u64>) -> NumericOption {
    NumericOption {
        name,
        zero_allowed,
        max: max_ms,
        kind: Kind::Duration,
        default: default_ms,
    }
}

/// Checks option names a caller passed (a Node options object's keys, say) against the ones
/// its API knows, spelled its way. An unknown name is a `config` error that suggests the
/// closest known one, so `{ timeout: 5 }` says "did you mean `timeoutMs`?".
#[doc(hidden)]
pub fn check_names<'a>(given: impl IntoIterator<Item = &'a str>, known: &[&str]) -> Result<()> {
    for name in given {
        if known.contains(&name) {
            continue;
        }
        let closest = known
            .iter()
            .map(|k| (edit_distance(&name.to_ascii_lowercase(), &k.to_ascii_lowercase()), *k))
            .min();
        let hint = match closest {
            Some((d, k)) if d <= 3 || k.to_ascii_lowercase().starts_with(&name.to_ascii_lowercase()) => {
                format!("; did you mean `{k}`?")
            }
            _ => format!("; known options: {}", known.join(", ")),
        };
        return Err(Error::config(format!("unknown option `{name}`{hint}")));
    }
    Ok(())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// A value from a binding's options object (a Node object, say), converted but not yet
/// checked: [`OptionBag`] checks names, types and ranges, so each binding only converts.
#[derive(Clone, Debug, PartialEq)]
#[doc(hidden)]
pub enum OptionValue {
    /// `undefined` or `null`: the option is not set.
    Absent,
    Bool(bool),
    /// Any number, NaN and infinities included (they are refused by the range checks).
    Number(f64),
    Text(String),
    List(Vec<OptionValue>),
    Map(Vec<(String, OptionValue)>),
    /// A value of some other type, named as the caller's language names it (`function`).
    Other(String),
}

impl OptionValue {
    /// The value as JSON: a JWK given as a map reaches the key parser as its text.
    fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            OptionValue::Absent | OptionValue::Other(_) => Value::Null,
            OptionValue::Bool(b) => Value::Bool(*b),
            OptionValue::Number(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
            OptionValue::Text(s) => Value::String(s.clone()),
            OptionValue::List(items) => Value::Array(items.iter().map(OptionValue::to_json).collect()),
            OptionValue::Map(entries) => Value::Object(entries.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }

    fn type_name(&self) -> String {
        match self {
            OptionValue::Absent => "nothing".into(),
            OptionValue::Bool(_) => "a boolean".into(),
            OptionValue::Number(_) => "a number".into(),
            OptionValue::Text(_) => "a string".into(),
            OptionValue::List(_) => "an array".into(),
            OptionValue::Map(_) => "an object".into(),
            OptionValue::Other(name) => format!("a {name}"),
        }
    }
}

/// A caller's options object, read by name with the checks every binding shares: unknown
/// names, wrong types and out-of-range numbers are `config` errors naming the option as the
/// caller spelled it.
#[derive(Clone, Debug, Default)]
#[doc(hidden)]
pub struct OptionBag {
    entries: Vec<(String, OptionValue)>,
    client_assertion: AssertionCallbackSlot,
}

/// The `client_assertion` callback a binding converted (a `Kind::Binding` option).
#[derive(Clone, Default)]
struct AssertionCallbackSlot(Option<std::sync::Arc<crate::jwt::AssertionCallback>>);

impl std::fmt::Debug for AssertionCallbackSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Some(callback)" } else { "None" })
    }
}

impl OptionBag {
    pub fn new(entries: Vec<(String, OptionValue)>) -> Self {
        OptionBag {
            entries,
            client_assertion: AssertionCallbackSlot::default(),
        }
    }

    /// The `client_assertion` option, which only the binding can convert: a function of its
    /// language, wrapped to return the assertion or a message.
    pub fn with_client_assertion(mut self, callback: std::sync::Arc<crate::jwt::AssertionCallback>) -> Self {
        self.client_assertion = AssertionCallbackSlot(Some(callback));
        self
    }

    pub(crate) fn client_assertion(&self) -> Option<std::sync::Arc<crate::jwt::AssertionCallback>> {
        self.client_assertion.0.clone()
    }

    /// A string, or an object (a JWK) as its JSON text.
    pub fn text_or_json(&self, name: &str) -> Result<Option<String>> {
        match self.get(name) {
            None => Ok(None),
            Some(OptionValue::Text(s)) => Ok(Some(s.clone())),
            Some(map @ OptionValue::Map(_)) => Ok(Some(map.to_json().to_string())),
            Some(other) => Err(Self::wrong_type(name, "a string or an object", other)),
        }
    }

    /// The bag for a whole options argument: an object, or nothing (no options); anything
    /// else is a `config` error naming the argument.
    pub fn from_value(name: &str, value: OptionValue) -> Result<Self> {
        match value {
            OptionValue::Absent => Ok(OptionBag::default()),
            OptionValue::Map(entries) => Ok(OptionBag::new(entries)),
            other => Err(Self::wrong_type(name, "an object", &other)),
        }
    }

    /// Refuses any name not in `known` (see [`check_names`]).
    pub fn check_names(&self, known: &[&str]) -> Result<()> {
        check_names(
            self.entries
                .iter()
                .filter(|(_, v)| *v != OptionValue::Absent)
                .map(|(k, _)| k.as_str()),
            known,
        )
    }

    fn get(&self, name: &str) -> Option<&OptionValue> {
        self.entries
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .filter(|v| **v != OptionValue::Absent)
    }

    fn wrong_type(name: &str, expected: &str, got: &OptionValue) -> Error {
        Error::config(format!("{name} must be {expected}, got {}", got.type_name()))
    }

    pub fn text(&self, name: &str) -> Result<Option<String>> {
        match self.get(name) {
            None => Ok(None),
            Some(OptionValue::Text(s)) => Ok(Some(s.clone())),
            Some(other) => Err(Self::wrong_type(name, "a string", other)),
        }
    }

    /// A required string.
    pub fn required_text(&self, name: &str) -> Result<String> {
        self.text(name)?
            .ok_or_else(|| Error::config(format!("{name} is required")))
    }

    pub fn flag(&self, name: &str) -> Result<Option<bool>> {
        match self.get(name) {
            None => Ok(None),
            Some(OptionValue::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(Self::wrong_type(name, "a boolean", other)),
        }
    }

    pub fn number(&self, name: &str) -> Result<Option<f64>> {
        match self.get(name) {
            None => Ok(None),
            Some(OptionValue::Number(n)) => Ok(Some(*n)),
            Some(other) => Err(Self::wrong_type(name, "a number", other)),
        }
    }

    /// An array of strings.
    pub fn texts(&self, name: &str) -> Result<Option<Vec<String>>> {
        match self.get(name) {
            None => Ok(None),
            Some(OptionValue::List(items)) => items
                .iter()
                .map(|item| match item {
                    OptionValue::Text(s) => Ok(s.clone()),
                    other => Err(Self::wrong_type(&format!("each of {name}"), "a string", other)),
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(other) => Err(Self::wrong_type(name, "an array of strings", other)),
        }
    }

    /// One string, or an array of strings.
    pub fn text_or_texts(&self, name: &str) -> Result<Option<Vec<String>>> {
        match self.get(name) {
            Some(OptionValue::Text(s)) => Ok(Some(vec![s.clone()])),
            Some(OptionValue::List(_)) | None => self.texts(name),
            Some(other) => Err(Self::wrong_type(name, "a string or an array of strings", other)),
        }
    }

    /// An object of strings (`{ "X-Api-Key": "..." }`), or an array of `[name, value]` pairs
    /// to repeat a name.
    pub fn pairs(&self, name: &str) -> Result<Option<Vec<(String, String)>>> {
        let expected = "an object of strings or an array of [name, value] pairs";
        match self.get(name) {
            None => Ok(None),
            Some(OptionValue::Map(entries)) => entries
                .iter()
                .filter(|(_, v)| *v != OptionValue::Absent)
                .map(|(k, v)| match v {
                    OptionValue::Text(s) => Ok((k.clone(), s.clone())),
                    other => Err(Self::wrong_type(&format!("{name}.{k}"), "a string", other)),
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(OptionValue::List(items)) => items
                .iter()
                .map(|item| match item {
                    OptionValue::List(pair) => match pair.as_slice() {
                        [OptionValue::Text(k), OptionValue::Text(v)] => Ok((k.clone(), v.clone())),
                        _ => Err(Error::config(format!(
                            "each pair in {name} must be [name, value] strings"
                        ))),
                    },
                    other => Err(Self::wrong_type(
                        &format!("each of {name}"),
                        "a [name, value] pair",
                        other,
                    )),
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(other) => Err(Self::wrong_type(name, expected, other)),
        }
    }

    /// The grant a manager runs ([`TokenRequest::for_manager`]), from the options object. The
    /// three names are the caller's spellings (`grantType`, `params`, `scope` in Node).
    pub fn grant(&self, names: [&str; 3], default: TokenRequest) -> Result<TokenRequest> {
        let [grant_type, params, scope] = names;
        let pairs = self.pairs(params)?;
        let grant = self.text(grant_type)?;
        let scope = self.text(scope)?;
        TokenRequest::for_manager(grant.as_deref(), pairs, scope.as_deref(), default, names)
    }

    /// A duration in milliseconds, checked against `option`'s range.
    pub fn millis(&self, name: &str, option: NumericOption) -> Result<Option<Duration>> {
        self.number(name)?
            .map(|ms| option.duration_from_millis(name, ms))
            .transpose()
    }

    /// A whole number, checked against `option`'s range.
    pub fn whole(&self, name: &str, option: NumericOption) -> Result<Option<u64>> {
        self.number(name)?.map(|n| option.whole(name, n)).transpose()
    }
}

/// An HTTP status code given to [`crate::parse_response`] by a binding: 100 to 599.
#[doc(hidden)]
pub fn status_code(spelled: &str, value: f64) -> Result<u16> {
    if value.fract() == 0.0 && (100.0..=599.0).contains(&value) {
        Ok(value as u16)
    } else {
        Err(Error::config(format!(
            "{spelled} must be an HTTP status code from 100 to 599, got {value}"
        )))
    }
}

/// A receive time given to [`crate::parse_response`] by a binding, in epoch seconds: from
/// 0 to the end of year 9999, fractions rounded down.
#[doc(hidden)]
pub fn epoch_seconds(spelled: &str, value: f64) -> Result<u64> {
    const YEAR_10000: f64 = 253_402_300_800.0;
    if (0.0..YEAR_10000).contains(&value) {
        Ok(value.floor() as u64)
    } else {
        Err(Error::config(format!(
            "{spelled} must be epoch seconds from 0 to the year 9999, got {value}"
        )))
    }
}

/// Looks an option up by its Rust name.
pub fn by_name(name: &str) -> Option<NumericOption> {
    ALL.into_iter().find(|o| o.name == name)
}

impl NumericOption {
    /// The default of a duration option with one. A `const fn`, so the builders' defaults
    /// (`DEFAULT_TIMEOUT` and the rest) are this table's values and cannot drift from it.
    pub const fn default_duration(&self) -> Duration {
        match self.default {
            Some(ms) => Duration::from_millis(ms),
            None => panic!("this option's default is computed, not a constant"),
        }
    }

    /// The default of a count or size option with one.
    pub const fn default_whole(&self) -> u64 {
        match self.default {
            Some(n) => n,
            None => panic!("this option's default is computed, not a constant"),
        }
    }

    /// A duration given in seconds (Python's convention), named `spelled` in errors.
    pub fn duration_from_secs(&self, spelled: &str, seconds: f64) -> Result<Duration> {
        self.check_number(spelled, seconds, 1000.0, "seconds")?;
        self.not_rounded_to_zero(spelled, seconds, "seconds", Duration::from_secs_f64(seconds))
    }

    /// A duration given in milliseconds (Node's and Kotlin's convention), named `spelled`.
    pub fn duration_from_millis(&self, spelled: &str, millis: f64) -> Result<Duration> {
        self.check_number(spelled, millis, 1.0, "milliseconds")?;
        self.not_rounded_to_zero(
            spelled,
            millis,
            "milliseconds",
            Duration::from_secs_f64(millis / 1000.0),
        )
    }

    /// A positive value below a nanosecond would become a zero `Duration`, which a
    /// non-zero option refuses; say so under the caller's name, not later under Rust's.
    fn not_rounded_to_zero(&self, spelled: &str, value: f64, unit: &str, d: Duration) -> Result<Duration> {
        if d.is_zero() && !self.zero_allowed {
            return Err(self.out_of_range(spelled, value, unit));
        }
        Ok(d)
    }

    /// A whole number (a count or a size), named `spelled` in errors.
    pub fn whole(&self, spelled: &str, value: f64) -> Result<u64> {
        let unit = match self.kind {
            Kind::Bytes => "bytes",
            _ => "",
        };
        self.check_number(spelled, value, 1.0, unit)?;
        if value.fract() != 0.0 {
            return Err(self.out_of_range(spelled, value, unit));
        }
        Ok(value as u64)
    }

    /// Checks a duration the Rust API was given directly.
    pub fn check_duration(&self, spelled: &str, value: Duration) -> Result<Duration> {
        let millis = value.as_secs_f64() * 1000.0;
        self.check_number(spelled, millis, 1.0, "milliseconds")?;
        Ok(value)
    }

    /// Checks a count or size the Rust API was given directly.
    pub fn check_whole(&self, spelled: &str, value: u64) -> Result<u64> {
        if (value == 0 && !self.zero_allowed) || value > self.max {
            return Err(self.out_of_range(spelled, value as f64, ""));
        }
        Ok(value)
    }

    /// `value` is in a unit of which `per_base` make one base unit (ms, or a count).
    fn check_number(&self, spelled: &str, value: f64, per_base: f64, unit: &str) -> Result<()> {
        let in_base = value * per_base;
        let ok =
            value.is_finite() && (value > 0.0 || (value == 0.0 && self.zero_allowed)) && in_base <= self.max as f64;
        if ok {
            Ok(())
        } else {
            Err(self.out_of_range(spelled, value, unit))
        }
    }

    fn out_of_range(&self, spelled: &str, value: f64, unit: &str) -> Error {
        let unit_suffix = if unit.is_empty() {
            String::new()
        } else {
            format!(" {unit}")
        };
        let max = match (self.kind, unit) {
            (Kind::Duration, "seconds") => format!("{}", self.max as f64 / 1000.0),
            _ => format!("{}", self.max),
        };
        let low = if self.zero_allowed { "0" } else { "greater than 0" };
        let whole = if self.kind == Kind::Duration {
            ""
        } else {
            "a whole number "
        };
        let range = if self.zero_allowed {
            format!("{whole}from {low} to {max}{unit_suffix}")
        } else {
            format!("{whole}{low} and at most {max}{unit_suffix}")
        };
        Error::config(format!("{spelled} must be {range}, got {value}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_number_is_a_config_error_naming_the_option_as_spelled() {
        for bad in [-1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e19, 0.0] {
            let e = TIMEOUT.duration_from_millis("timeoutMs", bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Config);
            assert!(e.to_string().contains("timeoutMs"), "{e}");
        }
        // One spelling of NaN in every language's message, whatever sign bit it carries.
        for nan in [f64::NAN, -f64::NAN] {
            let e = TIMEOUT.duration_from_secs("timeout", nan).unwrap_err();
            assert!(e.to_string().ends_with("got NaN"), "{e}");
            let e = status_code("status", nan).unwrap_err();
            assert!(e.to_string().ends_with("got NaN"), "{e}");
            let e = epoch_seconds("received_at", nan).unwrap_err();
            assert!(e.to_string().ends_with("got NaN"), "{e}");
        }
        let e = TIMEOUT.duration_from_secs("timeout", 1e19).unwrap_err();
        assert!(
            e.to_string()
                .contains("timeout must be greater than 0 and at most 86400 seconds"),
            "{e}"
        );
    }

    #[test]
    fn values_in_range_keep_their_meaning() {
        assert_eq!(
            TIMEOUT.duration_from_secs("timeout", 2.5).unwrap(),
            Duration::from_millis(2500)
        );
        assert_eq!(
            TIMEOUT.duration_from_millis("timeoutMs", 2500.0).unwrap(),
            Duration::from_millis(2500)
        );
        assert_eq!(
            REFRESH_SKEW.duration_from_secs("refresh_skew", 0.0).unwrap(),
            Duration::ZERO
        );
        assert_eq!(MAX_RETRIES.whole("maxRetries", 3.0).unwrap(), 3);
        assert!(MAX_RETRIES.whole("maxRetries", 2.5).is_err());
        assert!(MAX_RETRIES.whole("maxRetries", 4_294_967_301.0).is_err());
        assert!(TIMEOUT.check_duration("timeout", Duration::MAX).is_err());
        let e = TIMEOUT.duration_from_millis("timeoutMs", 1e-9).unwrap_err();
        assert!(e.to_string().contains("timeoutMs"), "{e}");
    }

    #[test]
    fn unknown_names_are_refused_with_the_closest_known_one() {
        let known = ["tokenUrl", "timeoutMs", "maxRetries"];
        assert!(check_names(["tokenUrl", "timeoutMs"], &known).is_ok());
        let e = check_names(["timeout"], &known).unwrap_err();
        assert!(e.to_string().contains("did you mean `timeoutMs`"), "{e}");
        let e = check_names(["retries"], &known).unwrap_err();
        assert!(e.to_string().contains("`maxRetries`"), "{e}");
        let e = check_names(["colour"], &known).unwrap_err();
        assert!(e.to_string().contains("known options: tokenUrl"), "{e}");
    }

    #[test]
    fn a_bag_checks_types_and_ranges_by_the_callers_names() {
        let bag = OptionBag::new(vec![
            ("timeoutMs".into(), OptionValue::Number(-1.0)),
            ("maxRetries".into(), OptionValue::Text("3".into())),
            (
                "headers".into(),
                OptionValue::Map(vec![("X-Key".into(), OptionValue::Number(1.0))]),
            ),
            ("scope".into(), OptionValue::Absent),
        ]);
        let e = bag.millis("timeoutMs", TIMEOUT).unwrap_err();
        assert!(e.to_string().contains("timeoutMs must be greater than 0"), "{e}");
        let e = bag.whole("maxRetries", MAX_RETRIES).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid configuration: maxRetries must be a number, got a string"
        );
        let e = bag.pairs("headers").unwrap_err();
        assert!(e.to_string().contains("headers.X-Key must be a string"), "{e}");
        assert_eq!(bag.text("scope").unwrap(), None);
        assert!(
            bag.check_names(&["timeoutMs", "maxRetries", "headers"]).is_ok(),
            "absent keys are not checked"
        );
    }
}
