//! The pinned botocore release, fetched from PyPI at test time into the git-ignored
//! `.cache/` folder: the source distribution (test suites) and the wheel (data models).
//!
//! Owns download and unpacking. Nothing fetched here is ever committed.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The botocore release whose published test data and models inia is held to.
pub const VERSION: &str = "1.44.5";

/// `<workspace>/.cache`.
pub fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache")
}

fn pip_download(dir: &Path, sdist: bool) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let pattern = if sdist { ".tar.gz" } else { ".whl" };
    let existing = |dir: &Path| {
        std::fs::read_dir(dir).ok().and_then(|rd| {
            rd.flatten().map(|e| e.path()).find(|p| {
                p.to_string_lossy().ends_with(pattern) && p.to_string_lossy().contains(VERSION)
            })
        })
    };
    if let Some(p) = existing(dir) {
        return Ok(p);
    }
    let mut cmd = Command::new(std::env::var("PYTHON").unwrap_or_else(|_| "python3".into()));
    cmd.args(["-m", "pip", "download", "--quiet", "--no-deps", "-d"])
        .arg(dir);
    if sdist {
        cmd.args(["--no-binary", ":all:"]);
    }
    cmd.arg(format!("botocore=={VERSION}"));
    let out = cmd.output().map_err(|e| format!("cannot run pip: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "pip download botocore=={VERSION} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    existing(dir).ok_or_else(|| format!("pip left no {pattern} in {}", dir.display()))
}

/// The unpacked `tests/` tree of the botocore sdist, fetched on first use.
pub fn sdist_tests() -> Result<PathBuf, String> {
    let root = cache_dir().join(format!("botocore-{VERSION}"));
    let tests = root.join("tests");
    if tests.join("unit/protocols").is_dir() {
        return Ok(tests);
    }
    let archive = pip_download(&cache_dir().join("downloads"), true)?;
    let file = std::fs::File::open(&archive).map_err(|e| format!("{}: {e}", archive.display()))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let prefix = format!("botocore-{VERSION}/tests/");
    let entries = tar.entries().map_err(|e| e.to_string())?;
    for entry in entries {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path().map_err(|e| e.to_string())?.into_owned();
        let Ok(rest) = path.strip_prefix(&prefix) else {
            continue;
        };
        let dest = tests.join(rest);
        if !dest.starts_with(&tests) {
            return Err(format!("unsafe path in archive: {}", path.display()));
        }
        if rest.as_os_str().is_empty() || entry.header().entry_type().is_dir() {
            continue;
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        entry
            .unpack(&dest)
            .map_err(|e| format!("{}: {e}", dest.display()))?;
    }
    Ok(tests)
}

/// The unpacked `botocore/data` folder of the wheel, fetched on first use.
pub fn wheel_data() -> Result<PathBuf, String> {
    let root = cache_dir().join(format!("botocore-{VERSION}-wheel"));
    let data = root.join("botocore/data");
    if data.join("sts").is_dir() {
        return Ok(data);
    }
    let wheel = pip_download(&cache_dir().join("downloads"), false)?;
    let file = std::fs::File::open(&wheel).map_err(|e| format!("{}: {e}", wheel.display()))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| e.to_string())?;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| e.to_string())?;
        let Some(name) = f.enclosed_name() else {
            continue;
        };
        if !name.starts_with("botocore/data") || f.is_dir() {
            continue;
        }
        let dest = root.join(name);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).map_err(|e| e.to_string())?;
        std::fs::write(&dest, buf).map_err(|e| format!("{}: {e}", dest.display()))?;
    }
    Ok(data)
}
