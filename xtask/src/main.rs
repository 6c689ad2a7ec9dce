use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["model-docs"] => write_model_docs(false),
        ["model-docs", "--check"] => write_model_docs(true),
        _ => {
            eprintln!("usage: cargo run -p xtask -- model-docs [--check]");
            eprintln!("  writes docs/models/, the guides' field tables and the bindings' type checks");
            eprintln!("  from core/src/model.rs; --check only reports stale files");
            ExitCode::from(2)
        }
    }
}

fn write_model_docs(check_only: bool) -> ExitCode {
    let root = xtask::workspace_root();
    let files = match xtask::model_docs(&root) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("model-docs: {e}");
            return ExitCode::FAILURE;
        }
    };
    let stale = xtask::stale(&root, &files);
    let orphans = xtask::orphans(&root, &files);
    if check_only {
        for path in &stale {
            eprintln!("stale: {}", path.display());
        }
        for path in &orphans {
            eprintln!("no longer generated: {}", path.display());
        }
        return if stale.is_empty() && orphans.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    for file in files.iter().filter(|f| stale.contains(&f.path)) {
        let path = root.join(&file.path);
        if let Err(e) = path
            .parent()
            .map(std::fs::create_dir_all)
            .transpose()
            .and_then(|_| std::fs::write(&path, &file.contents))
        {
            eprintln!("model-docs: {}: {e}", file.path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", file.path.display());
    }
    for path in &orphans {
        if let Err(e) = std::fs::remove_file(root.join(path)) {
            eprintln!("model-docs: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("removed {}", path.display());
    }
    ExitCode::SUCCESS
}
