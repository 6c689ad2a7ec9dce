//! The workspace's pinned uniffi-bindgen, with one addition: the Kotlin it writes is made
//! `internal` to the module.
//!
//! uniffi makes every generated declaration public, so `io.tokenfetch.ffi.TokenResponseData`
//! (a data class whose `toString` prints the tokens) and records with settable fields would be
//! part of the jar's API, and an IDE could import `io.tokenfetch.ffi.parseTokenResponse` for
//! `io.tokenfetch.parseTokenResponse`. uniffi has no visibility option, so after generating,
//! each top-level declaration is given the `internal` modifier. Kotlin then refuses to compile
//! any public hand-written API that exposes a generated type, which keeps it that way.

use std::path::{Path, PathBuf};

fn main() {
    uniffi::uniffi_bindgen_main();
    let args: Vec<String> = std::env::args().collect();
    let is_kotlin = args.windows(2).any(|w| w[0] == "--language" && w[1] == "kotlin");
    let out_dir = args
        .windows(2)
        .find(|w| w[0] == "--out-dir")
        .map(|w| PathBuf::from(&w[1]));
    if let (true, Some(dir)) = (is_kotlin, out_dir) {
        if let Err(e) = internalize_dir(&dir) {
            eprintln!("uniffi-bindgen: could not make the generated Kotlin internal: {e}");
            std::process::exit(1);
        }
    }
}

fn internalize_dir(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            internalize_dir(&path)?;
        } else if path.extension().is_some_and(|e| e == "kt") {
            let text = std::fs::read_to_string(&path)?;
            std::fs::write(&path, internalize(&text))?;
        }
    }
    Ok(())
}

/// Keywords that begin a declaration.
const DECLARATIONS: &[&str] = &[
    "class ",
    "data class ",
    "sealed class ",
    "enum class ",
    "open class ",
    "abstract class ",
    "annotation class ",
    "interface ",
    "sealed interface ",
    "fun interface ",
    "object ",
    "data object ",
    "fun ",
    "inline fun ",
    "val ",
    "var ",
    "const val ",
    "typealias ",
];

/// Adds `internal` to every declaration at brace depth 0. A declaration may follow the end
/// of its KDoc (`*/ fun ...`) or annotations (`@Throws(...) fun ...`) on the same line,
/// as uniffi writes them unformatted.
fn internalize(kotlin: &str) -> String {
    let mut depth: i64 = 0;
    let mut in_block_comment = false;
    let mut out = String::with_capacity(kotlin.len() + 4096);
    for line in kotlin.lines() {
        let mut line = line.to_string();
        if depth == 0 {
            if let Some(at) = declaration_start(&line, in_block_comment) {
                let rest = line[at..].strip_prefix("public ").unwrap_or(&line[at..]).to_string();
                line = format!("{}internal {rest}", &line[..at]);
            }
        }
        depth += brace_balance(&line, &mut in_block_comment);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Where the declaration on this line begins, if one does.
fn declaration_start(line: &str, in_block_comment: bool) -> Option<usize> {
    let mut at = 0;
    let bytes = line.as_bytes();
    let skip_spaces = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    at = skip_spaces(at);
    if in_block_comment {
        let end = line.find("*/")?;
        at = skip_spaces(end + 2);
    }
    // Annotations: `@Name` or `@Name(...)`.
    while bytes.get(at) == Some(&b'@') {
        let mut i = at + 1;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.') {
            i += 1;
        }
        if bytes.get(i) == Some(&b'(') {
            i += line[i..].find(')')? + 1;
        }
        at = skip_spaces(i);
    }
    let rest = &line[at..];
    let bare = rest.strip_prefix("public ").unwrap_or(rest);
    DECLARATIONS.iter().any(|d| bare.starts_with(d)).then_some(at)
}

/// `{` minus `}` on a line, outside strings, char literals and comments.
fn brace_balance(line: &str, in_block_comment: &mut bool) -> i64 {
    let mut balance = 0;
    let mut chars = line.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if *in_block_comment {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                *in_block_comment = false;
            }
            continue;
        }
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '\'' => {
                // A char literal: skip to its closing quote.
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => break,
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                *in_block_comment = true;
            }
            '{' => balance += 1,
            '}' => balance -= 1,
            _ => {}
        }
    }
    balance
}

#[cfg(test)]
mod tests {
    use super::internalize;

    #[test]
    fn top_level_declarations_become_internal_and_nested_ones_stay() {
        let generated = "package io.tokenfetch.ffi\n\
                         public class A {\n    fun nested() { val s = \"}\" }\n}\n\
                         data class B(var x: Int)\n\
                         /**\n * Docs with a { brace\n         */ fun parseTokenResponse() {}\n\
                         @Throws(E::class) fun parse() {}\n\
                         private fun helper() {}\n";
        let out = internalize(generated);
        assert!(out.contains("internal class A {\n    fun nested() {"), "{out}");
        assert!(out.contains("internal data class B(var x: Int)"), "{out}");
        assert!(out.contains("*/ internal fun parseTokenResponse()"), "{out}");
        assert!(out.contains("@Throws(E::class) internal fun parse()"), "{out}");
        assert!(out.contains("\nprivate fun helper()"), "{out}");
    }
}
