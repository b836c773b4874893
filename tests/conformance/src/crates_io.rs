//! The pinned `aws-sigv4` crate, fetched from crates.io at test time into the git-ignored
//! `.cache/` folder, for the AWS signing test suite it ships (`aws-signing-test-suite/`,
//! taken from the CRT's: `v4/` and `v4a/` cases). The download is checked against the
//! SHA-256 that the crates.io index publishes for the release, then only the suite's
//! folders are unpacked.
//!
//! Owns that download and unpacking, with inia's own HTTP client (proxies from the
//! environment as for every inia request; the operating system's CA roots trusted too). Does not own running the cases (`sigv4a_suite`).
//! Nothing fetched here is ever committed.

use crate::botocore::cache_dir;
use std::path::{Path, PathBuf};

/// The aws-sigv4 release whose signing test suite inia is held to.
pub const AWS_SIGV4_VERSION: &str = "1.6.4";
/// Its `cksum` in the crates.io index.
const AWS_SIGV4_SHA256: &str = "f385da9b7757ed4c8214797ad663ff534fb622006143530aa80e21f8e06ff85c";

fn crate_url() -> String {
    format!("https://static.crates.io/crates/aws-sigv4/aws-sigv4-{AWS_SIGV4_VERSION}.crate")
}

/// `.cache/aws-sigv4-<version>/aws-signing-test-suite`, fetched and unpacked on first use;
/// it holds the `v4` and `v4a` folders.
pub fn signing_test_suite() -> Result<PathBuf, String> {
    let root = cache_dir().join(format!("aws-sigv4-{AWS_SIGV4_VERSION}"));
    let suite = root.join("aws-signing-test-suite");
    if suite.join("v4a/get-vanilla/context.json").is_file()
        && suite.join("v4/get-vanilla/context.json").is_file()
    {
        return Ok(suite);
    }
    let archive = download(&cache_dir().join("downloads"))?;
    let file = std::fs::File::open(&archive).map_err(|e| format!("{}: {e}", archive.display()))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let prefix = format!("aws-sigv4-{AWS_SIGV4_VERSION}/aws-signing-test-suite/");
    let entries = tar.entries().map_err(|e| e.to_string())?;
    for entry in entries {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path().map_err(|e| e.to_string())?.into_owned();
        let Ok(rest) = path.strip_prefix(&prefix) else {
            continue;
        };
        if !(rest.starts_with("v4") || rest.starts_with("v4a")) {
            continue;
        }
        let dest = suite.join(rest);
        if !dest.starts_with(&suite) || rest.components().any(|c| c.as_os_str() == "..") {
            return Err(format!("unsafe path in archive: {}", path.display()));
        }
        if entry.header().entry_type().is_dir() {
            continue;
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        entry
            .unpack(&dest)
            .map_err(|e| format!("{}: {e}", dest.display()))?;
    }
    if !suite.join("v4a/get-vanilla/context.json").is_file() {
        return Err(format!(
            "{} has no aws-signing-test-suite/v4a folder",
            archive.display()
        ));
    }
    Ok(suite)
}

/// The `.crate` file in `dir`, downloaded when missing; its checksum checked either way.
fn download(dir: &Path) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let dest = dir.join(format!("aws-sigv4-{AWS_SIGV4_VERSION}.crate"));
    if let Ok(bytes) = std::fs::read(&dest) {
        if checksum_ok(&bytes) {
            return Ok(dest);
        }
    }
    let bytes = fetch(&crate_url())?;
    if !checksum_ok(&bytes) {
        return Err(format!(
            "{}: the download's SHA-256 is not the crates.io index's {AWS_SIGV4_SHA256}",
            crate_url()
        ));
    }
    let partial = dest.with_extension("crate.partial");
    std::fs::write(&partial, &bytes).map_err(|e| format!("{}: {e}", partial.display()))?;
    std::fs::rename(&partial, &dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    Ok(dest)
}

fn checksum_ok(bytes: &[u8]) -> bool {
    inia_auth::sign::canonical::sha256_hex(bytes) == AWS_SIGV4_SHA256
}

/// GET `url` with inia's HTTP client, following up to five redirects.
fn fetch(url: &str) -> Result<Vec<u8>, String> {
    use inia::connection::{Body, HttpClient, HttpConfig};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    rt.block_on(async {
        // The operating system's roots too, as pip and curl use them: a network that
        // inspects TLS has its CA there, not among the built-in roots.
        let mut config = HttpConfig::default();
        config.platform_roots = true;
        let client = HttpClient::new(config).map_err(|e| e.to_string())?;
        let mut url = url.to_string();
        for _ in 0..6 {
            let request = http::Request::get(url.as_str())
                .body(Body::empty())
                .map_err(|e| format!("{url}: {e}"))?;
            let response = client
                .send(request)
                .await
                .map_err(|e| format!("GET {url}: {e}"))?;
            let status = response.status();
            if status.is_redirection() {
                let next = response
                    .headers()
                    .get(http::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| format!("GET {url}: {status} without a Location"))?;
                url = next.to_string();
                continue;
            }
            if !status.is_success() {
                return Err(format!("GET {url}: {status}"));
            }
            let bytes = response
                .into_body()
                .bytes()
                .await
                .map_err(|e| format!("GET {url}: {e}"))?;
            return Ok(bytes.to_vec());
        }
        Err(format!("GET {url}: too many redirects"))
    })
}
