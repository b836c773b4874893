//! `cargo xtask bench`: every benchmark with its baseline measured in the same run,
//! printed as Markdown rows for docs/performance.md. Medians of repeated runs; nothing
//! here asserts a timing.

mod cbor;
mod checksums;
mod cli;
mod endpoints;
mod load;
mod protocol;
mod s3_sink;
mod sdk;
mod sigv4;
mod sigv4a;

use std::time::{Duration, Instant};

/// Median wall time of `runs` calls of `f`, after one warm-up call.
pub fn median(mut f: impl FnMut(), runs: usize) -> Duration {
    f();
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed()
        })
        .collect();
    t.sort();
    t[t.len() / 2]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The load benchmark runs each client in a process of its own: this binary again.
    if args.first().map(String::as_str) == Some("load-child") {
        if let Err(e) = load::child(&args[1..]) {
            eprintln!("{e}");
            std::process::exit(1);
        }
        return;
    }
    println!("| benchmark | inia | baseline (same run) | ratio |");
    println!("|---|---|---|---|");
    let mut failed = false;
    // Names given on the command line pick benchmarks (`cargo run --release -- cli`).
    let only = args;
    for (name, run) in [
        ("protocol", protocol::run as fn() -> Result<(), String>),
        ("sigv4", sigv4::run),
        ("sigv4a", sigv4a::run),
        ("endpoints", endpoints::run),
        ("sdk", sdk::run),
        ("cli", cli::run),
        ("load", load::run),
        ("checksums", checksums::run),
        ("cbor", cbor::run),
    ] {
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        if let Err(e) = run() {
            eprintln!("bench {name}: {e}");
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
}
