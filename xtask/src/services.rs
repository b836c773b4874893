//! Installing what the end-to-end tests need, so that `cargo xtask test` works on a fresh
//! machine: the pinned moto (PyPI) in `.cache/moto-venv`, and tinyproxy (Debian). Each
//! step does nothing when the thing is already there.

use std::path::Path;
use std::process::Command;

const MOTO: &str = "moto[server]==5.2.5";

fn run(program: &str, args: &[&str]) -> Result<(), String> {
    println!("==> {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} {} failed ({status})", args.join(" ")))
    }
}

/// moto_server from PyPI, pinned, in a venv under `.cache/`.
pub fn ensure_moto(cache: &Path) -> Result<(), String> {
    let venv = cache.join("moto-venv");
    if venv.join("bin/moto_server").is_file() {
        return Ok(());
    }
    let venv_s = venv.to_string_lossy().into_owned();
    run("python3", &["-m", "venv", &venv_s])?;
    let pip = venv.join("bin/pip").to_string_lossy().into_owned();
    run(&pip, &["install", "--quiet", MOTO])
}

fn on_path(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// tinyproxy from Debian's packages (the proxy tests need a real proxy).
pub fn ensure_tinyproxy() -> Result<(), String> {
    if on_path("tinyproxy") || Path::new("/usr/bin/tinyproxy").is_file() {
        return Ok(());
    }
    run("apt-get", &["update", "-qq"])?;
    run("apt-get", &["install", "-y", "-qq", "tinyproxy"])
}
