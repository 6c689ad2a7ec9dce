//! [`Secret`]: a credential that never shows itself.
//!
//! A value held in a `Secret` prints as `[redacted]` in `Debug` and `Display`, so a struct
//! holding one can derive `Debug` and still never leak it into a log, a panic message or an
//! error. The value is reachable only through [`Secret::expose_secret`], whose name makes
//! every place that needs the real value easy to find and to review (the oauth2 and secrecy
//! crates' convention).

use std::fmt;

use crate::redact::REDACTED;

/// A credential: a client secret, a PKCE verifier, a device code, a store key.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Secret<T = String>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The value itself, for the one place that sends or uses it.
    pub fn expose_secret(&self) -> &T {
        &self.0
    }

    /// The value itself, taken out, for the one place that hands it on.
    pub fn into_exposed(self) -> T {
        self.0
    }
}

impl Secret<String> {
    /// The value as text, for the one place that sends it.
    pub fn expose_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret<String> {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_itself_but_says_it_is_there() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            name: &'static str,
            secret: Secret,
            missing: Option<Secret>,
            present: Option<Secret>,
        }
        let holder = Holder {
            name: "visible",
            secret: Secret::from("hunter2"),
            missing: None,
            present: Some("s3cr3t".into()),
        };
        let shown = format!("{holder:?} {holder:#?} {}", holder.secret);
        assert!(!shown.contains("hunter2") && !shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("visible") && shown.contains("missing: None") && shown.contains("Some([redacted])"));
        assert_eq!(holder.secret.expose_str(), "hunter2");
        assert_eq!(format!("{:?}", Secret::new([7u8; 32])), "[redacted]");
    }
}
