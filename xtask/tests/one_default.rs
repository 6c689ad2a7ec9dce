//! Defaults are decided once, in the core's option table: no hand-written binding source
//! states one. A binding passes "not given" for an option its caller left out, and what its
//! docs show of a default is generated (`make docs`).

use std::fs;
use std::path::{Path, PathBuf};

use tokenfetch::options::table::{Kind, CLIENT_OPTIONS, MANAGER_OPTIONS};
use tokenfetch::options::{self, NumericOption};

/// Hand-written binding sources; the generated ones are written from the table.
const ROOTS: &[&str] = &[
    "bindings-python/src",
    "bindings-python/python/tokenfetch",
    "bindings-node/src",
    "bindings-node/lib",
    "bindings-kotlin/src/main/kotlin",
    "bindings-kotlin/src/client.rs",
    "bindings-kotlin/src/convert.rs",
    "bindings-kotlin/src/error.rs",
];
const GENERATED: &[&str] = &["_options.pyi", "_choices.py", "options.d.ts", "TokenClientConfig.kt"];
/// The language guides: their generated regions are skipped.
const GUIDES: &[&str] = &["docs/python.md", "docs/node.md", "docs/kotlin.md", "docs/java.md"];

fn sources(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for rel in ROOTS {
        let path = root.join(rel);
        if path.is_file() {
            found.push(path);
            continue;
        }
        let mut stack = vec![path];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir).unwrap().flatten() {
                let p = entry.path();
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                if p.is_dir() {
                    stack.push(p);
                } else if !GENERATED.contains(&name.as_str())
                    && [".rs", ".py", ".pyi", ".js", ".ts", ".kt"]
                        .iter()
                        .any(|e| name.ends_with(e))
                {
                    found.push(p);
                }
            }
        }
    }
    found
}

/// Every numeric default, as the bindings would write it: seconds (`30.0`), milliseconds
/// (`30000`), Kotlin (`30.seconds`), and counts and sizes as they are.
fn spellings() -> Vec<String> {
    let numeric: Vec<NumericOption> = CLIENT_OPTIONS
        .iter()
        .filter_map(|o| o.kind.numeric())
        .chain(MANAGER_OPTIONS.iter().filter_map(|o| o.kind.numeric()))
        .chain([options::STORE_TIMEOUT])
        .collect();
    let mut out = Vec::new();
    for o in numeric {
        let Some(d) = o.default else { continue };
        match o.kind {
            options::Kind::Duration => {
                let secs = d as f64 / 1000.0;
                out.push(format!("= {secs:?}"));
                out.push(format!("={secs:?}"));
                out.push(format!("= {}.seconds", secs));
                if d >= 1000 {
                    out.push(format!("= {d}"));
                    out.push(format!("Default {d}"));
                }
            }
            _ if d > 10 => out.push(d.to_string()),
            _ => out.push(format!("{d}f64")),
        }
    }
    out.extend(["1024L * 1024L".into(), "1024 * 1024".into()]);
    out
}

#[test]
fn no_binding_source_states_a_default() {
    let root = xtask::workspace_root();
    let spellings = spellings();
    let mut found = Vec::new();
    let guides = GUIDES.iter().map(|g| root.join(g));
    for path in sources(&root).into_iter().chain(guides) {
        let text = fs::read_to_string(&path).unwrap();
        let mut generated = false;
        for (n, line) in text.lines().enumerate() {
            if line.starts_with("<!-- options:start") || line.starts_with("<!-- model-fields:start") {
                generated = true;
            } else if line.starts_with("<!-- options:end") || line.starts_with("<!-- model-fields:end") {
                generated = false;
            }
            if generated {
                continue;
            }
            let lower = line.to_ascii_lowercase();
            // "default 60 s", "Default 30000", "(default 500 ms)" in a doc comment.
            let stated = lower.match_indices("default").any(|(at, _)| {
                let after = &lower[at + "default".len()..];
                let after = after.trim_start_matches([' ', ':', '(']);
                after.starts_with(|c: char| c.is_ascii_digit())
            });
            let literal = spellings.iter().find(|s| line.contains(s.as_str()));
            if stated || literal.is_some() {
                found.push(format!(
                    "{}:{}: {}",
                    path.strip_prefix(&root).unwrap().display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "binding sources state defaults the core's option table decides (pass \"not given\" \
         instead, and let `make docs` show the default):\n{}",
        found.join("\n")
    );
}

#[test]
fn presets_default_environments_are_the_cores() {
    let root = xtask::workspace_root();
    let mut found = Vec::new();
    for path in sources(&root) {
        let text = fs::read_to_string(&path).unwrap();
        for env in ["\"uat-us\"", "\"demo\""] {
            for pattern in [format!("= {env}"), format!("={env}"), format!("unwrap_or({env})")] {
                if text.contains(&pattern) {
                    found.push(format!("{}: {pattern}", path.strip_prefix(&root).unwrap().display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:?}");
    // The table's rows are what the check knows; a new kind of value needs a spelling above.
    assert!(CLIENT_OPTIONS.iter().any(|o| matches!(o.kind, Kind::Choice(..))));
}
