//! The S3 side of `inia s3`: the objects under a prefix (`ListObjectsV2`, a page of
//! `--page-size` keys at a time, with `--request-payer`) and one named object
//! (`HeadObject`, whose 404 reads `Key "k" does not exist` as in the AWS CLI), each with
//! what the commands compare and check: size, `LastModified` and whether it is an
//! archived (Glacier) object that cannot be read before it is restored.
//!
//! Owns those two calls and what is read from their answers. Does not own what is done
//! with the objects (`copy`, `sync`, `ls`).

use super::Args;
use crate::error::CliError;
use futures_util::StreamExt;
use inia::{json, Client, PageOptions, Value};

/// One object.
#[derive(Debug, Clone)]
pub struct Object {
    pub key: String,
    /// The key after the listed prefix (the base name for one named object).
    pub rel: String,
    pub size: u64,
    /// `LastModified`, in microseconds since the epoch.
    pub modified: i64,
    /// In an archive storage class (`GLACIER`, `DEEP_ARCHIVE`) and not restored.
    pub archived: bool,
}

impl Object {
    /// An empty object whose key ends with `/`: a folder as consoles make them, which
    /// copies and downloads leave out.
    pub fn is_folder_marker(&self) -> bool {
        self.size == 0 && self.key.ends_with('/')
    }
}

/// The microseconds since the epoch of a timestamp in an answer (0 when absent).
pub fn micros(v: &Value) -> i64 {
    inia::protocol::timefmt::from_value(v).map_or(0, |t| t.timestamp_micros())
}

fn archived(v: &Value) -> bool {
    let class = v["StorageClass"].as_str().unwrap_or_default();
    let restored = v["Restore"]
        .as_str()
        .is_some_and(|r| r.contains("ongoing-request=\"false\""));
    matches!(class, "GLACIER" | "DEEP_ARCHIVE") && !restored
}

/// Every object under `prefix` of `bucket`, in key order; the reason as the AWS CLI
/// prints it when the listing fails.
pub async fn list(
    client: &Client,
    args: &Args,
    page_size: Option<u64>,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<Object>, String> {
    let params = args.payer(json!({"Bucket": bucket, "Prefix": prefix}));
    let options = PageOptions {
        page_size,
        ..PageOptions::default()
    };
    let mut pages = Box::pin(client.pages("ListObjectsV2", params, options).0);
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CliError::from(e).message)?;
        for o in page["Contents"].as_array().into_iter().flatten() {
            let Some(key) = o["Key"].as_str() else {
                continue;
            };
            let Some(rel) = key.strip_prefix(prefix) else {
                continue;
            };
            out.push(Object {
                key: key.to_string(),
                rel: rel.to_string(),
                size: o["Size"].as_u64().unwrap_or(0),
                modified: micros(&o["LastModified"]),
                archived: archived(o),
            });
        }
    }
    Ok(out)
}

/// The object `key` of `bucket` (`HeadObject`); the reason as the AWS CLI prints it when
/// it cannot be read.
pub async fn head(client: &Client, args: &Args, bucket: &str, key: &str) -> Result<Object, String> {
    let params = args.payer(json!({"Bucket": bucket, "Key": key}));
    let head = match client.call("HeadObject", params).await {
        Ok(v) => v,
        Err(e) if e.status() == Some(404) => {
            let code = e.code().unwrap_or("404");
            return Err(format!(
                "An error occurred ({code}) when calling the HeadObject operation: Key \"{key}\" does not exist"
            ));
        }
        Err(e) => return Err(CliError::from(e).message),
    };
    Ok(Object {
        key: key.to_string(),
        rel: super::url::base_name(key).to_string(),
        size: head["ContentLength"].as_u64().unwrap_or(0),
        modified: micros(&head["LastModified"]),
        archived: archived(&head),
    })
}
