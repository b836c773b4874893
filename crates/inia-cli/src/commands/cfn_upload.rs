//! Uploading CloudFormation artifacts as the AWS CLI's `S3Uploader` does, for
//! `cloudformation package` and `deploy --s3-bucket`: the object is named by the file's
//! MD5 (hex), with an extension when asked (`.template`) and under `--s3-prefix`; it is
//! not uploaded again when an object of that name exists (HeadObject), unless
//! `--force-upload`; uploads ask for server-side encryption (`AES256`, or `aws:kms` with
//! `--kms-key-id`) and carry `--metadata`. A folder is zipped first (deflated, its files
//! only, paths relative to it, links followed), to a temporary file removed afterwards.
//! The S3 client is built without the global `--endpoint-url`, as the AWS CLI builds it
//! (`AWS_ENDPOINT_URL_S3` and the profile's `services` still apply).
//!
//! Owns naming, uploading and zipping artifacts. Does not own which template properties
//! are artifacts (`cfn_package`).

use crate::error::CliError;
use crate::globals::Globals;
use inia::transfer::UploadOptions;
use inia::{json, Client};
use md5::{Digest, Md5};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where and how artifacts are uploaded.
pub struct Uploader {
    /// The client, or why it could not be made (reported at the first upload: a template
    /// without local artifacts needs no S3, nor a region).
    s3: Result<Client, (i32, String)>,
    pub bucket: String,
    prefix: Option<String>,
    kms_key_id: Option<String>,
    force: bool,
    metadata: Vec<(String, String)>,
}

impl Uploader {
    pub fn new(
        g: &Globals,
        bucket: &str,
        prefix: Option<&str>,
        kms_key_id: Option<&str>,
        force: bool,
        metadata: Vec<(String, String)>,
    ) -> Result<Uploader, CliError> {
        let s3_globals = Globals {
            endpoint_url: None,
            ..g.clone()
        };
        let s3 = crate::run::session(&s3_globals)
            .and_then(|s| s.client("s3").map_err(CliError::from))
            .map_err(|e| (e.code, e.message));
        Ok(Uploader {
            s3,
            bucket: bucket.to_string(),
            prefix: prefix.filter(|p| !p.is_empty()).map(str::to_string),
            kms_key_id: kms_key_id.filter(|k| !k.is_empty()).map(str::to_string),
            force,
            metadata,
        })
    }

    /// Upload `path` under its MD5 (and `extension`); its `s3://` URL.
    pub async fn upload_with_dedup(
        &self,
        path: &Path,
        extension: Option<&str>,
    ) -> Result<String, CliError> {
        let mut name = file_md5(path)?;
        if let Some(ext) = extension {
            name = format!("{name}.{ext}");
        }
        self.upload(path, &name).await
    }

    fn s3(&self) -> Result<&Client, CliError> {
        self.s3.as_ref().map_err(|(code, message)| CliError {
            code: *code,
            message: message.clone(),
        })
    }

    async fn upload(&self, path: &Path, name: &str) -> Result<String, CliError> {
        let key = match &self.prefix {
            Some(p) => format!("{p}/{name}"),
            None => name.to_string(),
        };
        let url = format!("s3://{}/{key}", self.bucket);
        let s3 = self.s3()?;
        if !self.force && self.exists(s3, &key).await {
            return Ok(url);
        }
        let mut options = UploadOptions::new();
        match &self.kms_key_id {
            Some(k) => {
                options
                    .extra
                    .insert("ServerSideEncryption".into(), json!("aws:kms"));
                options.extra.insert("SSEKMSKeyId".into(), json!(k));
            }
            None => {
                options
                    .extra
                    .insert("ServerSideEncryption".into(), json!("AES256"));
            }
        }
        for (k, v) in &self.metadata {
            options = options.metadata(k, v);
        }
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        s3.transfer()
            .upload_file(&self.bucket, &key, path, &options)
            .await
            .map_err(|e| match &e {
                inia::Error::Service { error, .. } if error.code == "NoSuchBucket" => {
                    super::command_error(format!(
                        "S3 Bucket does not exist. Execute the command to create a new bucket\ninia s3 mb s3://{}",
                        self.bucket
                    ))
                }
                _ => CliError::from(e),
            })?;
        if size > 0 {
            // The AWS CLI's progress line, as it stands when the upload is done.
            eprint!("\rUploading to {key}  {size} / {size}.0  (100.00%)");
        }
        Ok(url)
    }

    async fn exists(&self, s3: &Client, key: &str) -> bool {
        s3.call("HeadObject", json!({"Bucket": self.bucket, "Key": key}))
            .await
            .is_ok()
    }

    /// `https://<S3 endpoint>/<bucket>/<key>[?versionId=V]`, the form `TemplateURL` takes.
    pub async fn path_style_url(
        &self,
        key: &str,
        version: Option<&str>,
    ) -> Result<String, CliError> {
        let request = self
            .s3()?
            .prepare("ListBuckets", json!({}), None)
            .await
            .map_err(CliError::from)?;
        let uri = request.uri();
        let mut base = match (uri.scheme_str(), uri.authority()) {
            (Some(s), Some(a)) => format!("{s}://{a}"),
            _ => return Err(CliError::other(format!("S3 endpoint {uri} has no host"))),
        };
        // botocore's S3 endpoint for us-east-1 is the global one.
        if base == "https://s3.us-east-1.amazonaws.com" {
            base = "https://s3.amazonaws.com".into();
        }
        let mut url = format!("{base}/{}/{key}", self.bucket);
        if let Some(v) = version {
            url.push_str(&format!("?versionId={v}"));
        }
        Ok(url)
    }
}

/// The file's MD5, hex.
fn file_md5(path: &Path) -> Result<String, CliError> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| CliError::other(format!("{}: {e}", path.display())))?;
    let mut h = Md5::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| CliError::other(format!("{}: {e}", path.display())))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether the file is a zip archive (its central directory can be read).
pub fn is_zip(path: &Path) -> bool {
    std::fs::File::open(path)
        .ok()
        .is_some_and(|f| zip::ZipArchive::new(f).is_ok())
}

/// A temporary file that is removed when dropped.
pub struct TempFile(pub PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A new temporary path (`<tmp>/<prefix><random>`).
pub fn temp_path(prefix: &str) -> PathBuf {
    let n: u128 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::env::temp_dir().join(format!("{prefix}{:x}{:x}", n, std::process::id()))
}

/// Zip `folder` (its files, relative paths, symbolic links followed) into a temporary
/// file.
pub fn zip_folder(folder: &Path) -> Result<TempFile, CliError> {
    let out = TempFile(temp_path("data-").with_extension("zip"));
    let fail = |e: String| CliError::other(format!("cannot zip {}: {e}", folder.display()));
    let file = std::fs::File::create(&out.0).map_err(|e| fail(e.to_string()))?;
    let mut zip = zip::ZipWriter::new(file);
    let mut files = Vec::new();
    walk(folder, folder, &mut files, 0).map_err(|e| fail(e.to_string()))?;
    for (full, relative) in files {
        let meta = std::fs::metadata(&full).map_err(|e| fail(e.to_string()))?;
        let mut options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(meta.len() >= 0xFFFF_FFFF);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            options = options.unix_permissions(meta.permissions().mode());
        }
        if let Some(t) = meta.modified().ok().and_then(zip_time) {
            options = options.last_modified_time(t);
        }
        zip.start_file(relative, options)
            .map_err(|e| fail(e.to_string()))?;
        let mut src = std::fs::File::open(&full).map_err(|e| fail(e.to_string()))?;
        std::io::copy(&mut src, &mut zip).map_err(|e| fail(e.to_string()))?;
    }
    zip.finish().map_err(|e| fail(e.to_string()))?;
    Ok(out)
}

/// A file's local modification time as a zip time (1980 to 2107).
fn zip_time(t: std::time::SystemTime) -> Option<zip::DateTime> {
    use chrono::{Datelike, Timelike};
    let local: chrono::DateTime<chrono::Local> = t.into();
    zip::DateTime::from_date_and_time(
        u16::try_from(local.year()).ok()?,
        local.month() as u8,
        local.day() as u8,
        local.hour() as u8,
        local.minute() as u8,
        local.second() as u8,
    )
    .ok()
}

/// The files under `dir`, sorted by path, as (full path, path relative to `root` with
/// `/`); links followed (to a depth of 40, against loops).
fn walk(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(PathBuf, String)>,
    depth: usize,
) -> std::io::Result<()> {
    if depth > 40 {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(root, &path, out, depth + 1)?;
        } else if meta.is_file() {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((path, relative));
        }
    }
    Ok(())
}
