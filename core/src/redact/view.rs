//! One redacted view per model: the fields every debug and string form shows, secrets as
//! `[redacted]`.
//!
//! A model says once, here in the core, which of its fields are shown and which are secret
//! ([`Redacted::redacted_view`]). Rust's `Debug`, Python's `repr`, Node's `toJSON` and
//! `util.inspect`, and Kotlin's `toString` all render that one view, each in its own syntax
//! and spelling ([`RedactedView::render`], [`RedactedView::to_json`]); no binding keeps a list
//! of secret fields, so a new secret field cannot be forgotten in one language.

use std::fmt;

use serde_json::{Map, Value};

use crate::options::table::Language;
use crate::redact::{redact_json_map, REDACTED};

/// A model that shows itself only through a [`RedactedView`].
pub trait Redacted {
    fn redacted_view(&self) -> RedactedView;
}

/// The fields of one model as they may be shown: plain values, secrets as `[redacted]` (or
/// absent), the server's extra members with their secret members redacted at any depth.
#[derive(Clone, PartialEq)]
pub struct RedactedView {
    model: &'static str,
    fields: Vec<(&'static str, Shown)>,
}

/// One field's value, as shown.
#[derive(Clone, PartialEq)]
pub enum Shown {
    Value(Value),
    /// Another model, shown through its own view (the PKCE pair of an authorization request).
    View(RedactedView),
}

impl RedactedView {
    pub fn new(model: &'static str) -> Self {
        RedactedView {
            model,
            fields: Vec::new(),
        }
    }

    /// A field that is never secret.
    pub fn show(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        self.fields.push((name, Shown::Value(value.into())));
        self
    }

    /// A secret field: `[redacted]` when it holds a value, absent (null) when it holds none,
    /// so the view still tells whether, say, a refresh token was issued.
    pub fn secret(mut self, name: &'static str, present: bool) -> Self {
        let value = if present { Value::from(REDACTED) } else { Value::Null };
        self.fields.push((name, Shown::Value(value)));
        self
    }

    /// Members as a server sent them, which may echo a credential: secret-named members are
    /// redacted at any depth.
    pub fn members(mut self, name: &'static str, members: &Map<String, Value>) -> Self {
        self.fields
            .push((name, Shown::Value(Value::Object(redact_json_map(members)))));
        self
    }

    /// A field holding another model.
    pub fn nested(mut self, name: &'static str, view: Option<RedactedView>) -> Self {
        let shown = view.map_or(Shown::Value(Value::Null), Shown::View);
        self.fields.push((name, shown));
        self
    }

    /// The model's name, the same in every language.
    pub fn model(&self) -> &'static str {
        self.model
    }

    /// The fields in core (snake_case) names, in the order every language shows them.
    pub fn fields(&self) -> &[(&'static str, Shown)] {
        &self.fields
    }

    /// The view as `language` prints a value: Python's `repr`
    /// (`TokenResponse(access_token='[redacted]', expires_in=3600, scope=None)`), Kotlin's and
    /// Java's `toString` (`TokenResponse(accessToken=[redacted], expiresIn=3600, scope=null)`),
    /// Node's as JSON text, Rust's as `Debug`.
    pub fn render(&self, language: Language) -> String {
        match language {
            Language::Rust => format!("{self:?}"),
            Language::Node => self.to_json(language).to_string(),
            Language::Python | Language::Kotlin | Language::Java => {
                let mut out = String::new();
                self.render_call(language, &mut out);
                out
            }
        }
    }

    /// The view as a JSON object in `language`'s field names, for Node's `toJSON`.
    pub fn to_json(&self, language: Language) -> Value {
        let object = self
            .fields
            .iter()
            .map(|(name, shown)| {
                let value = match shown {
                    Shown::Value(v) => v.clone(),
                    Shown::View(view) => view.to_json(language),
                };
                (language.spell(name, false), value)
            })
            .collect();
        Value::Object(object)
    }

    fn render_call(&self, language: Language, out: &mut String) {
        out.push_str(self.model);
        out.push('(');
        for (i, (name, shown)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&language.spell(name, false));
            out.push('=');
            match shown {
                Shown::View(view) => view.render_call(language, out),
                Shown::Value(value) if language == Language::Python => python_repr(value, out),
                Shown::Value(value) => kotlin_string(value, out),
            }
        }
        out.push(')');
    }
}

/// Rust's form, through `debug_struct`, so `{:#?}` pretty-prints it.
impl fmt::Debug for RedactedView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct(self.model);
        for (name, shown) in &self.fields {
            match shown {
                Shown::Value(value) => s.field(name, &DebugValue(value)),
                Shown::View(view) => s.field(name, view),
            };
        }
        s.finish()
    }
}

/// A JSON value as Rust's `Debug` shows the value it stands for: `None`, `"text"`, `3600`.
struct DebugValue<'a>(&'a Value);

impl fmt::Debug for DebugValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Null => f.write_str("None"),
            Value::Bool(b) => fmt::Debug::fmt(b, f),
            Value::Number(n) => fmt::Display::fmt(n, f),
            Value::String(s) => fmt::Debug::fmt(s, f),
            Value::Array(items) => f.debug_list().entries(items.iter().map(DebugValue)).finish(),
            Value::Object(map) => f
                .debug_map()
                .entries(map.iter().map(|(k, v)| (k, DebugValue(v))))
                .finish(),
        }
    }
}

/// A JSON value as Python's `repr` shows the value it becomes: `None`, `True`, `'text'`,
/// `[...]`, `{'key': ...}`.
fn python_repr(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => python_str_repr(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_repr(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_str_repr(k, out);
                out.push_str(": ");
                python_repr(v, out);
            }
            out.push('}');
        }
    }
}

/// Python's `repr` of a `str`: single quotes (double when the text holds a single quote and
/// no double one), with backslashes, the quote and control characters escaped.
fn python_str_repr(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// A JSON value as a Kotlin data class's `toString` shows a field: `null`, text unquoted,
/// lists as `[a, b]`; an object (a server's members) as compact JSON.
fn kotlin_string(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                kotlin_string(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// `Debug` through the model's [`RedactedView`]: the one way a model with a secret (or with
/// members a server may have echoed a secret into) prints itself in Rust.
macro_rules! debug_through_redacted_view {
    ($($model:ty),+ $(,)?) => {$(
        impl ::std::fmt::Debug for $model {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&$crate::redact::view::Redacted::redacted_view(self), f)
            }
        }
    )+};
}
pub(crate) use debug_through_redacted_view;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> RedactedView {
        let extra = json!({"note": "it's", "client_secret": "hunter2", "nested": {"password": "p"}});
        RedactedView::new("Sample")
            .secret("access_token", true)
            .secret("refresh_token", false)
            .show("expires_in", 3600)
            .show("scope", Value::Null)
            .show("aud", vec!["a", "b"])
            .show("active", true)
            .members("extra", extra.as_object().unwrap())
            .nested(
                "pkce",
                Some(
                    RedactedView::new("Pkce")
                        .secret("verifier", true)
                        .show("method", "S256"),
                ),
            )
    }

    #[test]
    fn every_language_renders_the_one_view_without_its_secrets() {
        let view = sample();
        let python = view.render(Language::Python);
        assert_eq!(
            python,
            "Sample(access_token='[redacted]', refresh_token=None, expires_in=3600, scope=None, \
             aud=['a', 'b'], active=True, extra={'client_secret': '[redacted]', 'nested': \
             {'password': '[redacted]'}, 'note': \"it's\"}, pkce=Pkce(verifier='[redacted]', method='S256'))"
        );
        let kotlin = view.render(Language::Kotlin);
        assert_eq!(
            kotlin,
            "Sample(accessToken=[redacted], refreshToken=null, expiresIn=3600, scope=null, aud=[a, b], \
             active=true, extra={\"client_secret\":\"[redacted]\",\"nested\":{\"password\":\"[redacted]\"},\
             \"note\":\"it's\"}, pkce=Pkce(verifier=[redacted], method=S256))"
        );
        let node: Value = serde_json::from_str(&view.render(Language::Node)).unwrap();
        assert_eq!(node["accessToken"], "[redacted]");
        assert_eq!(node["refreshToken"], Value::Null);
        assert_eq!(
            node["extra"]["client_secret"], "[redacted]",
            "server member names stay as sent"
        );
        assert_eq!(node["pkce"]["verifier"], "[redacted]");
        let rust = format!("{view:?} {view:#?}");
        assert!(
            rust.starts_with("Sample { access_token: \"[redacted]\", refresh_token: None, expires_in: 3600"),
            "{rust}"
        );
        for shown in [python, kotlin, rust, node.to_string()] {
            assert!(
                !shown.contains("hunter2") && !shown.contains("\"p\"") && !shown.contains("'p'"),
                "{shown}"
            );
        }
    }

    #[test]
    fn python_repr_escapes_as_python_does() {
        let mut out = String::new();
        python_str_repr("a\\b'c\"d\n\u{1}é", &mut out);
        assert_eq!(out, r#"'a\\b\'c"d\n\x01é'"#);
    }
}
