//! How each language spells the models: names, types, and the few places a binding differs.
//!
//! Every type string here is also written into that language's generated type check
//! (`typecheck_models.py`, `models.generated.ts`, `ModelFieldsGenerated.kt`), which its
//! compiler or type checker verifies against the binding. A wrong string fails `make test`.

use crate::source::Ty;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Rust,
    Python,
    Node,
    Kotlin,
    /// The same classes as Kotlin, as Java sees them: getters, boxed optionals, no typealiases.
    Java,
}

/// A field a binding names or types differently from the rule, and why.
struct Override {
    lang: Lang,
    model: &'static str,
    field: &'static str,
    name: &'static str,
    ty: &'static str,
    note: &'static str,
}

const OVERRIDES: &[Override] = &[
    Override {
        lang: Lang::Kotlin,
        model: "TokenResponse",
        field: "extra",
        name: "extraJson",
        ty: "String",
        note: "Kotlin has no standard JSON type, so the members come as the text of one JSON object.",
    },
    Override {
        lang: Lang::Java,
        model: "TokenResponse",
        field: "extra",
        name: "getExtraJson()",
        ty: "String",
        note: "Java has no standard JSON type, so the members come as the text of one JSON object.",
    },
    Override {
        lang: Lang::Kotlin,
        model: "IdTokenClaims",
        field: "extra",
        name: "extraJson",
        ty: "String",
        note: "Kotlin has no standard JSON type, so the claims come as the text of one JSON object.",
    },
    Override {
        lang: Lang::Java,
        model: "IdTokenClaims",
        field: "extra",
        name: "getExtraJson()",
        ty: "String",
        note: "Java has no standard JSON type, so the claims come as the text of one JSON object.",
    },
];

/// A property one binding adds for its users' convenience, documented with the fields.
pub struct Addition {
    pub lang: Lang,
    pub model: &'static str,
    pub name: &'static str,
    pub ty: &'static str,
    pub doc: &'static str,
}

pub const ADDITIONS: &[Addition] = &[Addition {
    lang: Lang::Python,
    model: "HttpResponseMeta",
    name: "elapsed",
    ty: "float",
    doc: "`elapsed_ms` in seconds, as Python's time APIs count.",
}];

/// Models that Node exposes as plain-object interfaces (types only) rather than classes.
const NODE_INTERFACES: &[&str] = &["HttpMetadata", "HttpRequestMeta", "HttpResponseMeta", "IdTokenClaims"];

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::Rust, Lang::Python, Lang::Node, Lang::Kotlin, Lang::Java];

    pub fn title(self) -> &'static str {
        match self {
            Lang::Rust => "Rust",
            Lang::Python => "Python",
            Lang::Node => "Node",
            Lang::Kotlin => "Kotlin",
            Lang::Java => "Java",
        }
    }

    /// The name of a field of the core model in this language.
    pub fn field_name(self, model: &str, field: &str) -> String {
        if let Some(o) = self.override_for(model, field) {
            return o.name.to_string();
        }
        self.member_name(field)
    }

    /// A snake_case core name in this language's convention.
    pub fn member_name(self, snake: &str) -> String {
        match self {
            Lang::Rust | Lang::Python => snake.to_string(),
            Lang::Node | Lang::Kotlin => camel_case(snake),
            Lang::Java => java_getter(&camel_case(snake)),
        }
    }

    /// The field's type as a user of this language writes it.
    pub fn field_type(self, model: &str, field: &str, ty: &Ty) -> String {
        if let Some(o) = self.override_for(model, field) {
            return o.ty.to_string();
        }
        self.type_name(ty)
    }

    /// What this language's table adds to the core description of a field.
    pub fn field_note(self, model: &str, field: &str) -> Option<&'static str> {
        self.override_for(model, field).map(|o| o.note)
    }

    pub fn type_name(self, ty: &Ty) -> String {
        use Lang::*;
        match (self, ty) {
            (Rust, Ty::String) | (Kotlin, Ty::String) => "String".into(),
            (Python, Ty::String) => "str".into(),
            (Node, Ty::String) => "string".into(),
            (Rust, Ty::U16) => "u16".into(),
            (Rust, Ty::U64) => "u64".into(),
            (Python, Ty::U16 | Ty::U64) => "int".into(),
            (Node, Ty::U16 | Ty::U64) => "number".into(),
            // An HTTP status fits an Int, which Kotlin compares with literals; seconds and
            // milliseconds need a Long.
            (Kotlin, Ty::U16) => "Int".into(),
            (Kotlin, Ty::U64) => "Long".into(),
            (Rust, Ty::Bool) => "bool".into(),
            (Python, Ty::Bool) => "bool".into(),
            (Node, Ty::Bool) => "boolean".into(),
            (Kotlin, Ty::Bool) => "Boolean".into(),
            (Rust, Ty::StringMap) => "BTreeMap<String, String>".into(),
            (Python, Ty::StringMap) => "dict[str, str]".into(),
            (Node, Ty::StringMap) => "Record<string, string>".into(),
            (Kotlin, Ty::StringMap) => "Map<String, String>".into(),
            (Rust, Ty::StringList) => "Vec<String>".into(),
            (Python, Ty::StringList) => "list[str]".into(),
            (Node, Ty::StringList) => "string[]".into(),
            (Kotlin | Java, Ty::StringList) => "List<String>".into(),
            (Rust, Ty::JsonMap) => "Map<String, Value>".into(),
            (Python, Ty::JsonMap) => "dict[str, Any]".into(),
            (Node, Ty::JsonMap) => "Record<string, JsonValue>".into(),
            // Only reachable through an override; a new JSON field needs a Kotlin decision.
            (Kotlin, Ty::JsonMap) => "String".into(),
            (_, Ty::Model(name)) => name.clone(),
            (Rust, Ty::Option(inner)) => format!("Option<{}>", self.type_name(inner)),
            (Python, Ty::Option(inner)) => format!("{} | None", self.type_name(inner)),
            (Node, Ty::Option(inner)) => format!("{} | null", self.type_name(inner)),
            (Kotlin, Ty::Option(inner)) => format!("{}?", self.type_name(inner)),
            // Kotlin's non-null Int, Long and Boolean are Java primitives; nullable ones are boxed.
            (Java, Ty::String) => "String".into(),
            (Java, Ty::U16) => "int".into(),
            (Java, Ty::U64) => "long".into(),
            (Java, Ty::Bool) => "boolean".into(),
            (Java, Ty::StringMap) => "Map<String, String>".into(),
            (Java, Ty::JsonMap) => "String".into(),
            (Java, Ty::Option(inner)) => match inner.as_ref() {
                Ty::U16 => "Integer".into(),
                Ty::U64 => "Long".into(),
                Ty::Bool => "Boolean".into(),
                other => self.type_name(other),
            },
        }
    }

    /// Where a user finds the model or alias `name`.
    pub fn qualified(self, name: &str) -> String {
        match self {
            Lang::Rust => format!("`tokenfetch::{name}`"),
            Lang::Python => format!("`tokenfetch.{name}`"),
            Lang::Node => format!("`{name}` from `'tokenfetch'`"),
            Lang::Kotlin | Lang::Java => format!("`io.tokenfetch.{name}`"),
        }
    }

    /// What kind of thing a model is in this language, for the name tables.
    pub fn model_kind(self, model: &str) -> &'static str {
        match self {
            Lang::Rust => "struct",
            Lang::Python => "class",
            Lang::Node if NODE_INTERFACES.contains(&model) => "interface (a plain object)",
            Lang::Node => "class",
            Lang::Kotlin if model.starts_with("Http") => "data class",
            Lang::Kotlin => "class",
            Lang::Java if model.starts_with("Http") => "final class with value equality",
            Lang::Java => "final class",
        }
    }

    /// How a seed name is bound to its model in this language.
    pub fn alias_kind(self, target: &str) -> &'static str {
        match self {
            Lang::Rust => "`pub type`",
            Lang::Python => "the same class object",
            Lang::Node if NODE_INTERFACES.contains(&target) => "type alias",
            Lang::Node => "the same class, as a value and a type",
            Lang::Kotlin => "`typealias`",
            Lang::Java => "the model's own name: Java does not see Kotlin's `typealias`",
        }
    }

    /// Where a user of this language finds the model a seed name stands for.
    pub fn alias_qualified(self, alias: &str, target: &str) -> String {
        match self {
            Lang::Java => self.qualified(target),
            _ => self.qualified(alias),
        }
    }

    pub fn is_node_interface(model: &str) -> bool {
        NODE_INTERFACES.contains(&model)
    }

    pub fn additions(self, model: &str) -> impl Iterator<Item = &'static Addition> + '_ {
        let model = model.to_string();
        ADDITIONS.iter().filter(move |a| a.lang == self && a.model == model)
    }

    fn override_for(self, model: &str, field: &str) -> Option<&'static Override> {
        OVERRIDES
            .iter()
            .find(|o| o.lang == self && o.model == model && o.field == field)
    }
}

/// A field's name in Node's and Kotlin's style: the rule the core spells option names by.
pub fn camel_case(snake: &str) -> String {
    tokenfetch::options::table::Language::Kotlin.spell(snake, false)
}

/// `accessToken` -> `getAccessToken()`, the getter Kotlin compiles a property to.
pub fn java_getter(camel: &str) -> String {
    let mut chars = camel.chars();
    let first = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_default();
    format!("get{first}{}()", chars.as_str())
}

/// `TokenResponse` -> `token_response`, for Python function names.
pub fn snake_case(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    let chars: Vec<char> = camel.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower = i > 0 && !chars[i - 1].is_uppercase();
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if i > 0 && (prev_lower || next_lower) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_each_convention() {
        assert_eq!(camel_case("refresh_expires_in"), "refreshExpiresIn");
        assert_eq!(camel_case("v3_token_response"), "v3TokenResponse");
        assert_eq!(snake_case("TokenRequestResponse"), "token_request_response");
        assert_eq!(snake_case("HTTPMetadata"), "http_metadata");
        assert_eq!(snake_case("V3TokenResponse"), "v3_token_response");
    }

    #[test]
    fn optional_types_in_each_language() {
        let ty = Ty::Option(Box::new(Ty::U64));
        let spelled: Vec<String> = Lang::ALL.iter().map(|l| l.type_name(&ty)).collect();
        assert_eq!(spelled, ["Option<u64>", "int | None", "number | null", "Long?", "Long"]);
        assert_eq!(Lang::Java.type_name(&Ty::U64), "long");
    }

    #[test]
    fn kotlin_names_extra_as_json_text() {
        assert_eq!(Lang::Kotlin.field_name("TokenResponse", "extra"), "extraJson");
        assert_eq!(
            Lang::Kotlin.field_type("TokenResponse", "extra", &Ty::JsonMap),
            "String"
        );
        assert_eq!(Lang::Node.field_name("TokenResponse", "extra"), "extra");
        assert_eq!(Lang::Java.field_name("TokenResponse", "extra"), "getExtraJson()");
        assert_eq!(Lang::Java.field_name("TokenResponse", "expires_in"), "getExpiresIn()");
        assert_eq!(Lang::Java.member_name("v3_token_response"), "getV3TokenResponse()");
    }
}
