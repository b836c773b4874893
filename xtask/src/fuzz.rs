//! `cargo xtask fuzz [--seconds N] [target...]`: runs inia's fuzz targets under libFuzzer
//! (cargo-fuzz, on the nightly toolchain), each for N seconds (60 by default), one after
//! the other, and prints one line per target with its executions and corpus size.
//!
//! Each run reads the committed seeds (`fuzz/corpus/<target>/`, read only) and grows a
//! git-ignored working corpus (`fuzz/work/<target>/`), so a run leaves the repository
//! as it was. A crash stops the task: libFuzzer's input is in `fuzz/artifacts/<target>/`;
//! once fixed, its minimized form belongs in `fuzz/regressions/<target>/`, which plain
//! `cargo test` replays (`fuzz/targets/tests/replay.rs`).
//!
//! `parse_cbor`'s working corpus also gets botocore's rpcv2Cbor vector bodies first (see
//! `fuzz_seeds`). Installs what is missing: the nightly toolchain (rustup) and `cargo-fuzz` (crates.io).
//! Owns running the targets. Does not own the targets (`fuzz/targets`) or the replay.

use std::path::Path;
use std::process::Command;

/// Seconds per target when `--seconds` is not given.
const DEFAULT_SECONDS: u64 = 60;

/// What `--seconds` and the target names ask for.
struct Plan {
    seconds: u64,
    targets: Vec<String>,
}

fn plan(args: &[String], known: &[String]) -> Result<Plan, String> {
    let mut seconds = DEFAULT_SECONDS;
    let mut targets = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--seconds" {
            let value = it.next().ok_or("--seconds needs a number")?;
            seconds = value
                .parse()
                .map_err(|_| format!("--seconds {value}: not a whole number of seconds"))?;
        } else if known.contains(arg) {
            targets.push(arg.clone());
        } else {
            return Err(format!(
                "unknown fuzz target {arg:?}; the targets are: {}",
                known.join(", ")
            ));
        }
    }
    if targets.is_empty() {
        targets = known.to_vec();
    }
    Ok(Plan { seconds, targets })
}

/// The targets `fuzz/fuzz_targets/` holds, sorted.
fn known_targets(fuzz: &Path) -> Result<Vec<String>, String> {
    let dir = fuzz.join("fuzz_targets");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rs").map(str::to_string)
        })
        .collect();
    names.sort();
    Ok(names)
}

fn succeeded(cmd: &mut Command) -> bool {
    cmd.output().is_ok_and(|o| o.status.success())
}

/// The nightly toolchain and cargo-fuzz, installed when missing.
fn ensure_tools() -> Result<(), String> {
    if !succeeded(Command::new("rustup").args(["run", "nightly", "rustc", "--version"])) {
        println!("==> rustup toolchain install nightly --profile minimal");
        run(Command::new("rustup").args([
            "toolchain",
            "install",
            "nightly",
            "--profile",
            "minimal",
        ]))?;
    }
    if !succeeded(crate::cargo::proxy().args(["fuzz", "--version"])) {
        println!("==> cargo install cargo-fuzz --locked");
        run(crate::cargo::proxy().args(["install", "cargo-fuzz", "--locked"]))?;
    }
    Ok(())
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed ({status})"))
    }
}

/// libFuzzer's closing statistics (`-print_final_stats=1`): executions and corpus units.
fn final_stats(stderr: &str) -> (Option<u64>, Option<u64>) {
    let stat = |key: &str| {
        stderr.lines().find_map(|l| {
            let rest = l.strip_prefix(key)?.trim_start_matches(':').trim();
            rest.parse().ok()
        })
    };
    (
        stat("stat::number_of_executed_units"),
        stat("stat::new_units_added"),
    )
}

pub fn run_all(workspace: &Path, args: &[String]) -> Result<(), String> {
    let fuzz = workspace.join("fuzz");
    let known = known_targets(&fuzz)?;
    let plan = plan(args, &known)?;
    ensure_tools()?;
    if plan.targets.iter().any(|t| t == "parse_cbor") {
        // botocore's vector bodies join the working corpus (see `fuzz_seeds`).
        match crate::fuzz_seeds::write_vectors(&fuzz) {
            Ok(n) => println!("==> parse_cbor: {n} vector seeds in fuzz/work/parse_cbor/"),
            Err(e) => println!("==> parse_cbor: no vector seeds ({e})"),
        }
    }
    println!("==> cargo +nightly fuzz build ({} targets)", known.len());
    run(crate::cargo::proxy()
        .current_dir(&fuzz)
        .args(["+nightly", "fuzz", "build", "--release"]))?;
    let mut rows = Vec::new();
    for target in &plan.targets {
        let work = fuzz.join("work").join(target);
        std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
        let seeds = fuzz.join("corpus").join(target);
        println!("==> {target}: {} s", plan.seconds);
        let out = crate::cargo::proxy()
            .current_dir(&fuzz)
            .args(["+nightly", "fuzz", "run", "--release", target])
            .arg(&work)
            .arg(&seeds)
            .arg("--")
            .arg(format!("-max_total_time={}", plan.seconds))
            .args(["-print_final_stats=1", "-rss_limit_mb=4096", "-timeout=20"])
            .output()
            .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let (execs, added) = final_stats(&stderr);
        if !out.status.success() {
            let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!(
                "{target} found a failure ({}); its input is in fuzz/artifacts/{target}/\n{}",
                out.status,
                tail.join("\n")
            ));
        }
        let units = std::fs::read_dir(&work).map(|d| d.count()).unwrap_or(0);
        let row = format!(
            "{target}: {} s, {} executions, {} new units, {units} in the working corpus, no crash",
            plan.seconds,
            execs.map_or("?".into(), |n| n.to_string()),
            added.map_or("?".into(), |n| n.to_string()),
        );
        println!("{row}");
        rows.push(row);
    }
    println!("==> fuzz summary");
    for row in &rows {
        println!("{row}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn plans_read_seconds_and_targets() {
        let known = names(&["ini", "xml"]);
        let p = plan(&names(&["--seconds", "5", "xml"]), &known).unwrap();
        assert_eq!((p.seconds, p.targets), (5, names(&["xml"])));
        let p = plan(&[], &known).unwrap();
        assert_eq!((p.seconds, p.targets), (DEFAULT_SECONDS, known.clone()));
        let e = plan(&names(&["json"]), &known).err().unwrap();
        assert!(e.contains("\"json\"") && e.contains("ini, xml"), "{e}");
        assert!(plan(&names(&["--seconds", "x"]), &known).is_err());
        assert!(plan(&names(&["--seconds"]), &known).is_err());
    }

    #[test]
    fn final_stats_are_read_from_libfuzzer_output() {
        let err = "#123 DONE\nstat::number_of_executed_units: 98765\nstat::average_exec_per_sec:     1646\nstat::new_units_added:          42\n";
        assert_eq!(final_stats(err), (Some(98765), Some(42)));
        assert_eq!(final_stats("nothing"), (None, None));
    }
}
