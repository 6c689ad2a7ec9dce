//! Token introspection (RFC 7662): what the server says about a token it issued.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::parse;
use crate::redact::view::{debug_through_redacted_view, Redacted, RedactedView};

/// An introspection response (RFC 7662 §2.2). Only `active` is always present: a server says
/// nothing else about a token that is not active (revoked, expired, unknown, or not the
/// caller's to ask about).
#[derive(Clone, PartialEq)]
pub struct Introspection {
    pub active: bool,
    pub scope: Option<String>,
    pub client_id: Option<String>,
    pub username: Option<String>,
    pub token_type: Option<String>,
    /// Expiry, in epoch seconds.
    pub exp: Option<u64>,
    /// Issue time, in epoch seconds.
    pub iat: Option<u64>,
    /// Not-before time, in epoch seconds.
    pub nbf: Option<u64>,
    pub sub: Option<String>,
    /// The audiences (a single string from the server becomes one entry).
    pub aud: Vec<String>,
    pub iss: Option<String>,
    pub jti: Option<String>,
    /// Every other member, as the server sent it.
    pub extra: Map<String, Value>,
}

impl Redacted for Introspection {
    /// `extra` keeps secret-named members raw for the caller (a server may echo the request's
    /// `Authorization` there), so the view shows them redacted.
    fn redacted_view(&self) -> RedactedView {
        RedactedView::new("Introspection")
            .show("active", self.active)
            .show("scope", self.scope.as_deref())
            .show("client_id", self.client_id.as_deref())
            .show("username", self.username.as_deref())
            .show("token_type", self.token_type.as_deref())
            .show("exp", self.exp)
            .show("iat", self.iat)
            .show("nbf", self.nbf)
            .show("sub", self.sub.as_deref())
            .show("aud", self.aud.clone())
            .show("iss", self.iss.as_deref())
            .show("jti", self.jti.as_deref())
            .members("extra", &self.extra)
    }
}

debug_through_redacted_view!(Introspection);

impl Introspection {
    /// Removes every credential the request carried (the token itself, the client secret)
    /// from what the server sent back.
    pub(crate) fn scrubbed(mut self, secrets: &crate::redact::Secrets) -> Self {
        let scrub = |value: Option<String>| value.map(|v| secrets.scrub(&v));
        self.scope = scrub(self.scope);
        self.client_id = scrub(self.client_id);
        self.username = scrub(self.username);
        self.token_type = scrub(self.token_type);
        self.sub = scrub(self.sub);
        self.iss = scrub(self.iss);
        self.jti = scrub(self.jti);
        self.aud = self.aud.iter().map(|a| secrets.scrub(a)).collect();
        self.extra = crate::redact::scrub_members(self.extra, secrets);
        self
    }

    /// Reads an introspection body's members, with the token parser's leniency for numbers
    /// (`"1700000000"` is read as a number; `active: "true"` as `true`).
    pub(crate) fn from_members(mut members: Map<String, Value>) -> Result<Introspection> {
        // `active` decides whether a token is honoured: only a JSON boolean counts.
        let active = match members.remove("active") {
            Some(Value::Bool(b)) => b,
            None => {
                return Err(Error::decode(
                    "the introspection response has no active member (RFC 7662 §2.2)",
                ))
            }
            Some(other) => {
                return Err(Error::decode(format!(
                    "the introspection response's active is {}, not a JSON boolean (RFC 7662 §2.2)",
                    parse::json_type(&other)
                )))
            }
        };
        let scope_value = members.remove("scope");
        let mut text = |name: &str| parse::optional_string(members.remove(name), name);
        let client_id = text("client_id")?;
        let username = text("username")?;
        let token_type = text("token_type")?;
        let sub = text("sub")?;
        let iss = text("iss")?;
        let jti = text("jti")?;
        let aud = match members.remove("aud") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s],
            Some(Value::Array(items)) => items
                .into_iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s),
                    _ => None,
                })
                .collect(),
            Some(other) => {
                return Err(Error::decode(format!(
                    "the introspection response's aud is {}, not a string or an array",
                    parse::json_type(&other)
                )))
            }
        };
        Ok(Introspection {
            active,
            scope: parse::scope(scope_value)?,
            client_id,
            username,
            token_type,
            exp: parse::epoch_seconds(members.remove("exp"), "exp")?,
            iat: parse::epoch_seconds(members.remove("iat"), "iat")?,
            nbf: parse::epoch_seconds(members.remove("nbf"), "nbf")?,
            sub,
            aud,
            iss,
            jti,
            extra: members,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(value: Value) -> Result<Introspection> {
        match value {
            Value::Object(map) => Introspection::from_members(map),
            _ => unreachable!(),
        }
    }

    #[test]
    fn an_inactive_token_needs_only_active() {
        let i = read(json!({"active": false})).unwrap();
        assert!(!i.active);
        assert!(i.aud.is_empty() && i.extra.is_empty());
    }

    #[test]
    fn members_are_typed_and_the_rest_kept() {
        let i = read(json!({
            "active": true, "scope": "read write", "client_id": "c", "exp": "1700000000",
            "iat": 1699996400, "aud": "api", "cnf": {"jkt": "x"}
        }))
        .unwrap();
        assert_eq!(i.exp, Some(1_700_000_000));
        assert_eq!(i.aud, ["api"]);
        assert_eq!(i.scope.as_deref(), Some("read write"));
        assert!(i.extra.contains_key("cnf"));
        assert!(read(json!({"scope": "x"})).is_err());
        assert!(read(json!({"active": 1})).is_err());
        assert!(read(json!({"active": "true"})).is_err());
    }
}
