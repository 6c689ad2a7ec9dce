//! `testkit [--host H] [--port P] [--exit-on-stdin-eof] [--list]`
//!
//! Prints `TESTKIT_URL=http://H:P` on the first line of stdout, then serves until killed
//! (or, with `--exit-on-stdin-eof`, until its parent closes stdin, so a crashed test run
//! cannot leave it behind).

use std::io::{Read, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut host = "127.0.0.1".to_string();
    let mut port = "0".to_string();
    let mut exit_on_eof = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--host" => host = args.next().unwrap_or(host),
            "--port" => port = args.next().unwrap_or(port),
            "--exit-on-stdin-eof" => exit_on_eof = true,
            "--list" => {
                for (name, what) in testkit::SCENARIOS {
                    println!("{name:22} {what}");
                }
                return ExitCode::SUCCESS;
            }
            "-h" | "--help" => {
                println!("usage: testkit [--host 127.0.0.1] [--port 0] [--exit-on-stdin-eof] [--list]");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("testkit: unknown argument {other:?} (try --help)");
                return ExitCode::from(2);
            }
        }
    }
    let server = match testkit::Testkit::bind(&format!("{host}:{port}")) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("testkit: cannot listen on {host}:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("TESTKIT_URL={}", server.url());
    let _ = std::io::stdout().flush();
    if exit_on_eof {
        std::thread::spawn(|| {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
            std::process::exit(0);
        });
    }
    server.wait();
    ExitCode::SUCCESS
}
