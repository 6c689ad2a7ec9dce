//! Reads the models out of `core/src/model.rs`: the structs, their fields, types, doc comments
//! and serde aliases, and the seed-name type aliases. The Rust source is the one source of
//! truth; nothing here restates a field.

use std::collections::BTreeSet;

use syn::{Attribute, Expr, Fields, GenericArgument, Item, Lit, LitStr, PathArguments, Type, Visibility};

/// A public struct of the model module.
#[derive(Debug)]
pub struct Model {
    pub name: String,
    /// The doc comment, one string per paragraph.
    pub doc: Vec<String>,
    pub fields: Vec<Field>,
}

#[derive(Debug)]
pub struct Field {
    /// The Rust (and wire, and Python) name.
    pub name: String,
    pub ty: Ty,
    /// The doc comment as one paragraph.
    pub doc: String,
    /// Another name the field is read and offered under (`#[serde(alias = "...")]`).
    pub alias: Option<String>,
}

/// A `pub type Seed = Model;` line: a seed document's name for one of the models.
#[derive(Debug)]
pub struct Alias {
    pub name: String,
    pub target: String,
    pub doc: Vec<String>,
}

/// The field types the models use. A new one is a decision for every language, so an unknown
/// type stops the generator instead of being guessed.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    String,
    U16,
    U64,
    Bool,
    /// `BTreeMap<String, String>`: HTTP headers.
    StringMap,
    /// `serde_json::Map<String, Value>`: members kept as the server sent them.
    JsonMap,
    /// `Vec<String>`: a list of names (audiences, methods).
    StringList,
    Model(String),
    Option(Box<Ty>),
}

impl Ty {
    pub fn is_required(&self) -> bool {
        !matches!(self, Ty::Option(_))
    }
}

pub struct Source {
    pub models: Vec<Model>,
    pub aliases: Vec<Alias>,
}

impl Source {
    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.name == name)
    }

    pub fn aliases_of<'a>(&'a self, model: &'a str) -> impl Iterator<Item = &'a Alias> + 'a {
        self.aliases.iter().filter(move |a| a.target == model)
    }
}

pub fn parse(path_for_errors: &str, text: &str) -> Result<Source, String> {
    let file = syn::parse_file(text).map_err(|e| format!("{path_for_errors}: {e}"))?;
    let struct_names: BTreeSet<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) if is_pub(&s.vis) => Some(s.ident.to_string()),
            _ => None,
        })
        .collect();

    let mut models = Vec::new();
    let mut aliases = Vec::new();
    for item in &file.items {
        match item {
            Item::Struct(s) if is_pub(&s.vis) => {
                let name = s.ident.to_string();
                let Fields::Named(named) = &s.fields else {
                    return Err(format!("{path_for_errors}: model {name} must have named fields"));
                };
                let mut fields = Vec::new();
                for f in named.named.iter().filter(|f| is_pub(&f.vis)) {
                    let field_name = f.ident.as_ref().map(ToString::to_string).unwrap_or_default();
                    let at = || format!("{path_for_errors}: {name}.{field_name}");
                    let doc = doc_paragraphs(&f.attrs).join(" ");
                    if doc.is_empty() {
                        return Err(format!("{}: has no doc comment; the model docs are made from it", at()));
                    }
                    fields.push(Field {
                        ty: ty(&f.ty, &struct_names).map_err(|e| format!("{}: {e}", at()))?,
                        alias: serde_alias(&f.attrs).map_err(|e| format!("{}: {e}", at()))?,
                        name: field_name,
                        doc,
                    });
                }
                let doc = doc_paragraphs(&s.attrs);
                if doc.is_empty() {
                    return Err(format!("{path_for_errors}: model {name} has no doc comment"));
                }
                models.push(Model { name, doc, fields });
            }
            Item::Type(t) if is_pub(&t.vis) => {
                let name = t.ident.to_string();
                let target = match &*t.ty {
                    Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                    _ => None,
                }
                .filter(|target| struct_names.contains(target))
                .ok_or_else(|| format!("{path_for_errors}: alias {name} must name one of the models"))?;
                let doc = doc_paragraphs(&t.attrs);
                if doc.is_empty() {
                    return Err(format!("{path_for_errors}: alias {name} has no doc comment"));
                }
                aliases.push(Alias { name, target, doc });
            }
            _ => {}
        }
    }
    Ok(Source { models, aliases })
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn ty(ty: &Type, models: &BTreeSet<String>) -> Result<Ty, String> {
    let Type::Path(path) = ty else {
        return Err("unsupported field type".into());
    };
    let segment = path.path.segments.last().ok_or("empty type path")?;
    let args: Vec<&Type> = match &segment.arguments {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|arg| match arg {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let name = segment.ident.to_string();
    Ok(match (name.as_str(), args.as_slice()) {
        ("String", []) => Ty::String,
        ("u16", []) => Ty::U16,
        ("u64", []) => Ty::U64,
        ("bool", []) => Ty::Bool,
        ("Option", [inner]) => Ty::Option(Box::new(self::ty(inner, models)?)),
        ("Vec", [inner]) if is_string(inner) => Ty::StringList,
        ("BTreeMap", [k, v]) if is_string(k) && is_string(v) => Ty::StringMap,
        ("Map", [k, Type::Path(v)]) if is_string(k) && v.path.is_ident("Value") => Ty::JsonMap,
        (other, []) if models.contains(other) => Ty::Model(other.to_string()),
        _ => {
            return Err(format!(
                "type `{name}` is new to the model docs: teach xtask/src/languages.rs how each language spells it"
            ))
        }
    })
}

fn is_string(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.is_ident("String"))
}

fn serde_alias(attrs: &[Attribute]) -> Result<Option<String>, String> {
    let mut alias = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("alias") {
                alias = Some(meta.value()?.parse::<LitStr>()?.value());
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<Expr>()?;
            }
            Ok(())
        })
        .map_err(|e| format!("unreadable #[serde] attribute: {e}"))?;
    }
    Ok(alias)
}

/// The doc comment's paragraphs, each joined into one line, with rustdoc's intra-doc links
/// turned into plain code spans (their targets mean nothing outside rustdoc).
fn doc_paragraphs(attrs: &[Attribute]) -> Vec<String> {
    let mut paragraphs = vec![String::new()];
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        let syn::Meta::NameValue(nv) = &attr.meta else { continue };
        let Expr::Lit(lit) = &nv.value else { continue };
        let Lit::Str(s) = &lit.lit else { continue };
        let line = s.value();
        let line = line.strip_prefix(' ').unwrap_or(&line).trim_end();
        let current = paragraphs.last_mut().expect("never empty");
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(String::new());
            }
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(line);
        }
    }
    paragraphs.retain(|p| !p.is_empty());
    paragraphs.iter().map(|p| strip_intra_doc_links(p)).collect()
}

/// ``[`X`](crate::y)`` and ``[`X`]`` become `` `X` ``.
fn strip_intra_doc_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("[`") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(close) = after.find("`]") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let code = &after[..close + 1];
        out.push_str(code);
        rest = &after[close + 2..];
        if rest.starts_with('(') {
            if let Some(end) = rest.find(')') {
                rest = &rest[end + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intra_doc_links_become_code_spans() {
        assert_eq!(
            strip_intra_doc_links("see [`TokenClient::send`](crate::TokenClient::send) and [`crate::parse`]."),
            "see `TokenClient::send` and `crate::parse`."
        );
        assert_eq!(strip_intra_doc_links("a [`dangling"), "a [`dangling");
    }

    #[test]
    fn a_field_without_a_doc_comment_is_refused() {
        let err = parse("m.rs", "/// M.\npub struct M { pub a: String }").err().unwrap();
        assert!(err.contains("M.a: has no doc comment"), "{err}");
    }

    #[test]
    fn an_unknown_type_is_refused_not_guessed() {
        let err = parse("m.rs", "/// M.\npub struct M { /// A.\n pub a: f32 }")
            .err()
            .unwrap();
        assert!(err.contains("`f32` is new to the model docs"), "{err}");
    }

    #[test]
    fn reads_types_aliases_and_serde_aliases() {
        let src = parse(
            "m.rs",
            r#"
            /// Inner.
            pub struct Inner { /// S.
                pub s: Option<String> }
            /// Outer.
            ///
            /// Second paragraph.
            pub struct Outer {
                /// I.
                #[serde(default, skip_serializing_if = "Option::is_none", alias = "old_name")]
                pub inner: Option<Inner>,
                /// H.
                pub headers: BTreeMap<String, String>,
                private: u8,
            }
            /// Seed name.
            pub type Seed = Outer;
            "#,
        )
        .unwrap();
        let outer = src.model("Outer").unwrap();
        assert_eq!(outer.doc, vec!["Outer.", "Second paragraph."]);
        assert_eq!(outer.fields.len(), 2);
        assert_eq!(outer.fields[0].ty, Ty::Option(Box::new(Ty::Model("Inner".into()))));
        assert_eq!(outer.fields[0].alias.as_deref(), Some("old_name"));
        assert_eq!(outer.fields[1].ty, Ty::StringMap);
        assert_eq!(
            src.aliases_of("Outer").map(|a| a.name.as_str()).collect::<Vec<_>>(),
            ["Seed"]
        );
    }
}
