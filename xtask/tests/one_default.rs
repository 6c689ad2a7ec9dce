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
    "bindings-kotlin/src",
];
/// Under a root, what is not binding source: tests, and the pinned uniffi-bindgen.
const NOT_SOURCES: &[&str] = &["test", "bin"];
const GENERATED: &[&str] = &["_options.pyi", "_choices.py", "options.d.ts", "TokenClientConfig.kt"];
/// The language guides: their generated regions are skipped.
const GUIDES: &[&str] = &[
    "docs/python.md",
    "docs/node.md",
    "docs/kotlin.md",
    "docs/java.md",
    "README.md",
];

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
                    if !NOT_SOURCES.contains(&name.as_str()) {
                        stack.push(p);
                    }
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

/// A duration default as prose writes it (`30 s`, `5 minutes`), with the option's names in
/// every language: a line naming the option beside its default restates the table.
fn prose_defaults() -> Vec<(String, Vec<String>)> {
    use tokenfetch::options::table::Language;
    let rows = CLIENT_OPTIONS
        .iter()
        .map(|r| (r.name, r.kind.numeric(), r.kind.is_duration()))
        .chain(
            MANAGER_OPTIONS
                .iter()
                .map(|r| (r.name, r.kind.numeric(), r.kind.is_duration())),
        );
    let mut out = Vec::new();
    for (name, numeric, is_duration) in rows {
        let (Some(o), true) = (numeric, is_duration) else {
            continue;
        };
        let Some(ms) = o.default else { continue };
        if ms % 1000 != 0 {
            continue;
        }
        let secs = ms / 1000;
        let mut prose = vec![format!("{secs} s"), format!("{secs}s")];
        if secs % 60 == 0 {
            let minutes = secs / 60;
            prose.push(format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" }));
        }
        let names: Vec<String> = [Language::Rust, Language::Node, Language::Kotlin]
            .iter()
            .map(|l| l.spell(name, true))
            .chain([name.replace('_', " "), Language::Kotlin.spell(name, false)])
            .collect();
        for p in prose {
            out.push((p, names.clone()));
        }
    }
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
            // The guides' generated regions, and the ones `make docs` writes into Kotlin sources.
            let marker = line.trim_start().trim_start_matches(['*', '/', ' ']);
            if line.starts_with("<!-- options:start")
                || line.starts_with("<!-- model-fields:start")
                || (marker.starts_with("manager-options:") && marker.contains(":start"))
            {
                generated = true;
            } else if line.starts_with("<!-- options:end")
                || line.starts_with("<!-- model-fields:end")
                || (marker.starts_with("manager-options:") && marker.ends_with(":end"))
            {
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
            let prose = prose_defaults().into_iter().any(|(default, names)| {
                line.contains(&default) && names.iter().any(|n| lower.contains(&n.to_ascii_lowercase()))
            });
            if stated || literal.is_some() || prose {
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
