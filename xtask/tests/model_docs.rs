//! The generated model docs and type checks match `core/src/model.rs`.

#[test]
fn generated_model_docs_are_current() {
    let root = xtask::workspace_root();
    let files = xtask::model_docs(&root).unwrap_or_else(|e| panic!("model-docs: {e}"));
    let stale = xtask::stale(&root, &files);
    let orphans = xtask::orphans(&root, &files);
    assert!(
        stale.is_empty() && orphans.is_empty(),
        "these disagree with core/src/model.rs: {stale:?}; no longer generated: {orphans:?}. \
         Run `make docs` and commit the result."
    );
}

#[test]
fn every_model_and_seed_name_has_a_page() {
    let root = xtask::workspace_root();
    let files = xtask::model_docs(&root).unwrap();
    let pages: Vec<String> = files
        .iter()
        .filter_map(|f| f.path.strip_prefix("docs/models").ok().map(|p| p.display().to_string()))
        .collect();
    for name in [
        "TokenResponse",
        "TokenRequestResponse",
        "HttpMetadata",
        "V3TokenResponse",
        "PostTokenResponse",
        "Authentication",
        "V3TokenRequestResponse",
        "HTTPMetadata",
    ] {
        assert!(pages.contains(&format!("{name}.md")), "no page for {name}: {pages:?}");
    }
}
