//! Finding a secret in text a server sent back, in whatever form it was echoed.
//!
//! # What counts as the secret appearing
//! A server may echo what it received in an error page, a gateway message or a debug header,
//! after encoding it once or twice. [`Secrets::scrub`] replaces a secret when the text holds
//! it:
//! - raw;
//! - percent- or form-encoded, `+` or `%20` for a space, in either hex case, any mix of
//!   encoded and plain characters;
//! - JSON-escaped (`\"`, `\\`, `\/`, `\n`, `\u00e9`, surrogate pairs);
//! - HTML-escaped (`&amp;`, `&quot;`, `&#39;`, `&#x40;`, ...);
//! - encoded twice (a form-encoded secret inside a percent-encoded echo of the body);
//! - for the client secret: inside the HTTP Basic pair `urlencode(id):urlencode(secret)`,
//!   and as that pair's base64, standard or URL-safe, with or without padding.
//!
//! The matcher reads each escape as the character it stands for and compares characters, so
//! the combinations above need no list of pre-computed variants.
//!
//! Secrets shorter than [`MIN_SCRUB_LEN`] bytes are not scrubbed from free text: replacing
//! every `"ab"` in a message would garble it without protecting anything worth protecting.

use base64::Engine as _;

use super::REDACTED;
use crate::secret::Secret;

/// The shortest secret scrubbed from free text, in bytes.
pub const MIN_SCRUB_LEN: usize = 4;

/// The credentials of one request, ready to be scrubbed from what the server sent back.
#[derive(Clone, Debug, Default)]
pub(crate) struct Secrets {
    /// Longest first, so a Basic pair is replaced whole before the secret inside it.
    /// Each a `Secret`, so that a `Debug` of a request's secrets shows none of them.
    needles: Vec<Secret<Vec<u8>>>,
}

impl Secrets {
    pub fn new() -> Self {
        Self::default()
    }

    /// A credential, in every form the matcher does not already see through: its form
    /// encoding (for an echo that encodes it a second time).
    pub fn add(&mut self, secret: &str) {
        if secret.len() < MIN_SCRUB_LEN {
            return;
        }
        self.push(secret.as_bytes().to_vec());
        let encoded = form_encode(secret);
        if encoded != secret {
            self.push(encoded.into_bytes());
        }
    }

    /// A credential a server may echo base64-encoded as well (a signed assertion in a debug
    /// header): [`Self::add`], and its base64 in both alphabets, with and without padding.
    pub fn add_encoded(&mut self, secret: &str) {
        self.add(secret);
        if secret.len() < MIN_SCRUB_LEN {
            return;
        }
        for engine in [
            &base64::engine::general_purpose::STANDARD,
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            self.push(engine.encode(secret.as_bytes()).into_bytes());
        }
    }

    /// `text` cut at a limit and ended with `…`, scrubbed: also the start of a secret that the
    /// cut left at its end, which no whole-secret match can see.
    pub fn scrub_cut(&self, text: &str) -> String {
        let scrubbed = self.scrub(text);
        let Some(body) = scrubbed.strip_suffix('…') else {
            return scrubbed;
        };
        for start in body.char_indices().map(|(i, _)| i) {
            let tail = &body.as_bytes()[start..];
            if tail.len() >= MIN_SCRUB_LEN
                && self
                    .needles
                    .iter()
                    .any(|n| n.expose_secret().len() > tail.len() && n.expose_secret().starts_with(tail))
            {
                return format!("{}{}…", &body[..start], super::REDACTED);
            }
        }
        scrubbed
    }

    /// The client's Basic credentials: the secret itself, the pair as sent, and its base64.
    pub fn add_basic(&mut self, client_id: &str, client_secret: &str) {
        self.add(client_secret);
        if client_secret.is_empty() {
            return;
        }
        let pair = format!("{}:{}", form_encode(client_id), form_encode(client_secret));
        let raw_pair = format!("{client_id}:{client_secret}");
        for text in [pair, raw_pair] {
            for engine in [
                &base64::engine::general_purpose::STANDARD,
                &base64::engine::general_purpose::STANDARD_NO_PAD,
                &base64::engine::general_purpose::URL_SAFE,
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            ] {
                self.push(engine.encode(text.as_bytes()).into_bytes());
            }
            self.add(&text);
        }
    }

    fn push(&mut self, needle: Vec<u8>) {
        if needle.len() < MIN_SCRUB_LEN || self.needles.iter().any(|n| *n.expose_secret() == needle) {
            return;
        }
        let at = self
            .needles
            .partition_point(|n| n.expose_secret().len() >= needle.len());
        self.needles.insert(at, Secret::new(needle));
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// The longest needle, in bytes.
    pub fn longest(&self) -> usize {
        self.needles.first().map_or(0, |n| n.expose_secret().len())
    }

    /// `text` with every echo of every secret replaced by `[redacted]`.
    pub fn scrub(&self, text: &str) -> String {
        if self.needles.is_empty() {
            return text.to_string();
        }
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut copied_from = 0;
        let mut i = 0;
        while i < bytes.len() {
            let found = self
                .needles
                .iter()
                .find_map(|n| match_at(bytes, i, n.expose_secret()))
                .filter(|&end| text.is_char_boundary(end));
            match found {
                Some(end) => {
                    out.push_str(&text[copied_from..i]);
                    out.push_str(REDACTED);
                    i = end;
                    copied_from = end;
                }
                None => i += 1,
            }
        }
        out.push_str(&text[copied_from..]);
        out
    }
}

/// `application/x-www-form-urlencoded`, as `form_urlencoded` writes it (space as `+`).
fn form_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Where a match of `needle` starting at `text[start]` ends, if it does.
///
/// At each step the text may hold the needle's next character plainly or as an escape, and
/// both readings can fit (`%25` is an escape for `%`, and also a plain `%`), so this is a
/// search over `(text position, needle position)` pairs. Pairs already tried are remembered
/// once the search branches, so a run of ambiguous characters costs time in proportion to
/// its length, not exponentially.
fn match_at(text: &[u8], start: usize, needle: &[u8]) -> Option<usize> {
    if text[start..].starts_with(needle) {
        return Some(start + needle.len());
    }
    let mut pending = vec![(start, 0usize)];
    let mut tried: Option<std::collections::HashSet<(usize, usize)>> = None;
    while let Some((i, j)) = pending.pop() {
        if j == needle.len() {
            return Some(i);
        }
        if i >= text.len() {
            continue;
        }
        if let Some(tried) = tried.as_mut() {
            if !tried.insert((i, j)) {
                continue;
            }
        }
        let want = needle[j];
        let plain = text[i] == want || (want == b' ' && text[i] == b'+');
        let escaped = decode_escape(&text[i..])
            .filter(|(decoded, _)| needle[j..].starts_with(decoded.as_bytes()))
            .map(|(decoded, used)| (i + used, j + decoded.len()));
        if plain && escaped.is_some() && tried.is_none() {
            tried = Some(std::collections::HashSet::new());
        }
        if plain {
            pending.push((i + 1, j + 1));
        }
        // Pushed last, so the escaped reading is tried first.
        if let Some(next) = escaped {
            pending.push(next);
        }
    }
    None
}

/// The character an escape at the start of `text` stands for, and how many bytes it uses.
fn decode_escape(text: &[u8]) -> Option<(Char, usize)> {
    match text.first()? {
        b'%' => {
            let byte = hex_byte(text.get(1..3)?)?;
            Some((Char::byte(byte), 3))
        }
        b'\\' => match text.get(1)? {
            b'"' => Some((Char::byte(b'"'), 2)),
            b'\\' => Some((Char::byte(b'\\'), 2)),
            b'/' => Some((Char::byte(b'/'), 2)),
            b'n' => Some((Char::byte(b'\n'), 2)),
            b'r' => Some((Char::byte(b'\r'), 2)),
            b't' => Some((Char::byte(b'\t'), 2)),
            b'b' => Some((Char::byte(0x08), 2)),
            b'f' => Some((Char::byte(0x0c), 2)),
            b'u' => {
                let first = hex_u16(text.get(2..6)?)?;
                if (0xD800..0xDC00).contains(&first) {
                    if text.get(6..8)? != b"\\u" {
                        return None;
                    }
                    let second = hex_u16(text.get(8..12)?)?;
                    let c = char::decode_utf16([first, second]).next()?.ok()?;
                    Some((Char::from(c), 12))
                } else {
                    Some((Char::from(char::from_u32(u32::from(first))?), 6))
                }
            }
            _ => None,
        },
        b'&' => {
            let end = text.iter().take(12).position(|&b| b == b';')?;
            let entity = std::str::from_utf8(&text[1..end]).ok()?;
            let c = match named_entity(entity) {
                Some(c) => c,
                None => {
                    let code = if let Some(hex) = entity.strip_prefix("#x").or_else(|| entity.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok()?
                    } else {
                        entity.strip_prefix('#')?.parse::<u32>().ok()?
                    };
                    char::from_u32(code)?
                }
            };
            Some((Char::from(c), end + 1))
        }
        _ => None,
    }
}

/// HTML's named character references for ASCII punctuation and Latin-1 letters: what
/// `htmlentities` and template engines write for the characters secrets hold.
fn named_entity(name: &str) -> Option<char> {
    const NAMES: &[(&str, char)] = &[
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("nbsp", '\u{a0}'),
        ("excl", '!'),
        ("num", '#'),
        ("dollar", '$'),
        ("percnt", '%'),
        ("lpar", '('),
        ("rpar", ')'),
        ("ast", '*'),
        ("plus", '+'),
        ("comma", ','),
        ("period", '.'),
        ("sol", '/'),
        ("colon", ':'),
        ("semi", ';'),
        ("equals", '='),
        ("quest", '?'),
        ("commat", '@'),
        ("lsqb", '['),
        ("bsol", '\\'),
        ("rsqb", ']'),
        ("Hat", '^'),
        ("lowbar", '_'),
        ("grave", '`'),
        ("lcub", '{'),
        ("verbar", '|'),
        ("rcub", '}'),
        ("tilde", '~'),
        ("hyphen", '-'),
        ("dash", '-'),
        ("iexcl", '¡'),
        ("cent", '¢'),
        ("pound", '£'),
        ("curren", '¤'),
        ("yen", '¥'),
        ("brvbar", '¦'),
        ("sect", '§'),
        ("uml", '¨'),
        ("copy", '©'),
        ("ordf", 'ª'),
        ("laquo", '«'),
        ("not", '¬'),
        ("shy", '\u{ad}'),
        ("reg", '®'),
        ("macr", '¯'),
        ("deg", '°'),
        ("plusmn", '±'),
        ("sup2", '²'),
        ("sup3", '³'),
        ("acute", '´'),
        ("micro", 'µ'),
        ("para", '¶'),
        ("middot", '·'),
        ("cedil", '¸'),
        ("sup1", '¹'),
        ("ordm", 'º'),
        ("raquo", '»'),
        ("frac14", '¼'),
        ("frac12", '½'),
        ("frac34", '¾'),
        ("iquest", '¿'),
        ("Agrave", 'À'),
        ("Aacute", 'Á'),
        ("Acirc", 'Â'),
        ("Atilde", 'Ã'),
        ("Auml", 'Ä'),
        ("Aring", 'Å'),
        ("AElig", 'Æ'),
        ("Ccedil", 'Ç'),
        ("Egrave", 'È'),
        ("Eacute", 'É'),
        ("Ecirc", 'Ê'),
        ("Euml", 'Ë'),
        ("Igrave", 'Ì'),
        ("Iacute", 'Í'),
        ("Icirc", 'Î'),
        ("Iuml", 'Ï'),
        ("ETH", 'Ð'),
        ("Ntilde", 'Ñ'),
        ("Ograve", 'Ò'),
        ("Oacute", 'Ó'),
        ("Ocirc", 'Ô'),
        ("Otilde", 'Õ'),
        ("Ouml", 'Ö'),
        ("times", '×'),
        ("Oslash", 'Ø'),
        ("Ugrave", 'Ù'),
        ("Uacute", 'Ú'),
        ("Ucirc", 'Û'),
        ("Uuml", 'Ü'),
        ("Yacute", 'Ý'),
        ("THORN", 'Þ'),
        ("szlig", 'ß'),
        ("agrave", 'à'),
        ("aacute", 'á'),
        ("acirc", 'â'),
        ("atilde", 'ã'),
        ("auml", 'ä'),
        ("aring", 'å'),
        ("aelig", 'æ'),
        ("ccedil", 'ç'),
        ("egrave", 'è'),
        ("eacute", 'é'),
        ("ecirc", 'ê'),
        ("euml", 'ë'),
        ("igrave", 'ì'),
        ("iacute", 'í'),
        ("icirc", 'î'),
        ("iuml", 'ï'),
        ("eth", 'ð'),
        ("ntilde", 'ñ'),
        ("ograve", 'ò'),
        ("oacute", 'ó'),
        ("ocirc", 'ô'),
        ("otilde", 'õ'),
        ("ouml", 'ö'),
        ("divide", '÷'),
        ("oslash", 'ø'),
        ("ugrave", 'ù'),
        ("uacute", 'ú'),
        ("ucirc", 'û'),
        ("uuml", 'ü'),
        ("yacute", 'ý'),
        ("thorn", 'þ'),
        ("yuml", 'ÿ'),
        ("euro", '€'),
    ];
    NAMES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// One decoded character as UTF-8 bytes (a percent escape decodes to one byte, which may be
/// part of a multi-byte character).
struct Char {
    buf: [u8; 4],
    len: usize,
}

impl Char {
    fn byte(b: u8) -> Self {
        Char {
            buf: [b, 0, 0, 0],
            len: 1,
        }
    }
    fn len(&self) -> usize {
        self.len
    }
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl From<char> for Char {
    fn from(c: char) -> Self {
        let mut buf = [0; 4];
        let len = c.encode_utf8(&mut buf).len();
        Char { buf, len }
    }
}

fn hex_byte(two: &[u8]) -> Option<u8> {
    let hi = (two[0] as char).to_digit(16)?;
    let lo = (two[1] as char).to_digit(16)?;
    Some((hi * 16 + lo) as u8)
}

fn hex_u16(four: &[u8]) -> Option<u16> {
    u16::from_str_radix(std::str::from_utf8(four).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "p@ss w0rd&x+=/%\"\\:é";

    fn secrets() -> Secrets {
        let mut s = Secrets::new();
        s.add_basic("my id", SECRET);
        s
    }

    fn assert_scrubbed(echo: &str) {
        let text = format!("before {echo} after");
        let scrubbed = secrets().scrub(&text);
        assert_eq!(scrubbed, "before [redacted] after", "echo {echo:?}");
    }

    #[test]
    fn a_secret_cut_off_at_the_end_of_an_excerpt_is_scrubbed() {
        let mut secrets = Secrets::new();
        secrets.add("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJjIn0.c2lnbmF0dXJl");
        let cut = "upstream said: eyJhbGciOiJSUzI1NiJ9.eyJpc3M…";
        assert_eq!(secrets.scrub_cut(cut), "upstream said: [redacted]…");
        // Text that merely ends like the start of a secret's first characters is kept when
        // shorter than a needle could be.
        assert_eq!(secrets.scrub_cut("ok e…"), "ok e…");
        assert_eq!(secrets.scrub_cut("no cut here"), "no cut here");
    }

    #[test]
    fn an_assertion_echoed_in_base64_is_scrubbed() {
        use base64::Engine as _;
        let assertion = "eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ4In0.c2ln";
        let mut secrets = Secrets::new();
        secrets.add_encoded(assertion);
        for engine in [
            &base64::engine::general_purpose::STANDARD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            let echo = format!("x-debug: {}", engine.encode(assertion));
            assert!(!secrets.scrub(&echo).contains(&engine.encode(assertion)));
        }
    }

    #[test]
    fn raw_and_encoded_echoes_are_scrubbed() {
        let form = form_encode(SECRET);
        assert_scrubbed(SECRET);
        assert_scrubbed(&form);
        assert_scrubbed(&form.replace('+', "%20"));
        assert_scrubbed(&form.to_lowercase());
        assert_scrubbed(serde_json::to_string(SECRET).unwrap().trim_matches('"'));
        assert_scrubbed(r#"p@ss w0rd&x+=\/%\"\\:\u00e9"#);
        assert_scrubbed("p&#64;ss w0rd&amp;x+=/%&quot;\\:&#xe9;");
        // Encoded twice: the form-encoded secret, percent-encoded again.
        let twice: String = form_urlencoded::byte_serialize(form.as_bytes()).collect();
        assert_scrubbed(&twice);
    }

    #[test]
    fn the_basic_pair_and_its_base64_are_scrubbed() {
        let pair = format!("{}:{}", form_encode("my id"), form_encode(SECRET));
        assert_scrubbed(&pair);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&pair);
        assert_scrubbed(&b64);
        assert_scrubbed(b64.trim_end_matches('='));
        assert_scrubbed(&base64::engine::general_purpose::URL_SAFE.encode(&pair));
        assert_scrubbed(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&pair));
    }

    #[test]
    fn text_without_a_secret_is_unchanged() {
        let text = "100% of p@ss w0rd attempts fail &amp; \\u0041 %zz";
        assert_eq!(secrets().scrub(text), text);
    }

    #[test]
    fn short_secrets_are_not_scrubbed() {
        let mut s = Secrets::new();
        s.add("ab");
        assert!(s.is_empty());
    }

    #[test]
    fn an_escape_that_stands_for_the_secrets_own_character_is_read_both_ways() {
        for (secret, echo) in [
            ("100%25\"off", "100%25&quot;off"),
            ("it's\\ok", "it&#39;s\\ok"),
            ("pa\\\\ss\"word", "pa\\\\ss&quot;word"),
            ("x\\u005cy\"zz", "x\\u005cy&quot;zz"),
            ("tab\t&amp;x", "tab\\t&amp;x"),
            ("x&amp;y\"z", "x&amp;y\\\"z"),
        ] {
            let mut s = Secrets::new();
            s.add(secret);
            assert_eq!(
                s.scrub(&format!("<{echo}>")),
                "<[redacted]>",
                "{secret:?} echoed as {echo:?}"
            );
        }
    }

    #[test]
    fn named_html_entities_are_read() {
        let mut s = Secrets::new();
        s.add("hunter2-Pässwörd/+&x");
        let echo = "<p>hunter2-P&auml;ssw&ouml;rd&sol;&plus;&amp;x</p>";
        assert_eq!(s.scrub(echo), "<p>[redacted]</p>");
    }

    #[test]
    fn a_long_run_of_ambiguous_characters_stays_fast() {
        // Every backslash can be read plainly or as half of an escaped one; the secret's last
        // character never comes, so every reading must be tried and fail.
        let secret = "\\".repeat(60) + "y";
        let mut s = Secrets::new();
        s.add(&secret);
        let echo = "\\\\".repeat(59) + "x";
        assert_eq!(s.scrub(&echo), echo, "no match, and no exponential search either");
    }

    #[test]
    fn a_literal_percent_sequence_in_a_secret_still_matches_raw() {
        let mut s = Secrets::new();
        s.add("x%41y%25z");
        assert_eq!(s.scrub("<x%41y%25z>"), "<[redacted]>");
    }
}
