//! `inia s3 ls`: the buckets, or the objects and common prefixes under
//! `s3://bucket/prefix`, printed as the AWS CLI prints them: times in the local time zone,
//! sizes right-aligned in 10 columns (`--human-readable`: `1.5 KiB`), `PRE name/` for
//! common prefixes, and with `--summarize` the `Total Objects:` / `Total Size:` lines.
//! A listing under a prefix that finds nothing exits 1; `--page-size` sets the keys per
//! call, `--request-payer` pays for a requester-pays bucket.
//!
//! Owns the listing lines. Does not own the listing calls' paging (the `inia` crate).

use super::url;
use super::Args;
use crate::error::CliError;
use futures_util::StreamExt;
use inia::{json, Client, PageOptions, Value};

/// `ls [s3://bucket[/prefix]]`.
pub async fn ls(client: &Client, args: &Args, page_size: Option<u64>) -> Result<(), CliError> {
    let options = PageOptions {
        page_size,
        ..PageOptions::default()
    };
    let mut summary = Summary::default();
    let arg = args.paths.first().map(String::as_str).unwrap_or("s3://");
    if arg.eq_ignore_ascii_case("s3://") {
        let mut params = json!({});
        if let Some(p) = &args.bucket_name_prefix {
            params["Prefix"] = json!(p);
        }
        if let Some(r) = &args.bucket_region {
            params["BucketRegion"] = json!(r);
        }
        let mut pages = Box::pin(client.pages("ListBuckets", params, options).0);
        while let Some(page) = pages.next().await {
            let page = page.map_err(CliError::from)?;
            for b in page["Buckets"].as_array().into_iter().flatten() {
                let name = b["Name"].as_str().unwrap_or_default();
                println!("{} {name}", local_time(&b["CreationDate"]));
            }
        }
        summary.print(args);
        return Ok(());
    }
    let (bucket, prefix) = url::s3(arg)?;
    let mut params = args.payer(json!({"Bucket": bucket, "Prefix": prefix}));
    if !args.recursive {
        params["Delimiter"] = json!("/");
    }
    let mut pages = Box::pin(client.pages("ListObjectsV2", params, options).0);
    // As the AWS CLI: the listing found nothing when a page came back empty before any
    // page had something.
    let (mut empty, mut first) = (false, true);
    while let Some(page) = pages.next().await {
        let page = page.map_err(CliError::from)?;
        let prefixes = page["CommonPrefixes"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        let contents = page["Contents"].as_array().map_or(&[][..], Vec::as_slice);
        if prefixes.is_empty() && contents.is_empty() {
            empty = true;
            continue;
        }
        for p in prefixes {
            let full = p["Prefix"].as_str().unwrap_or_default();
            let parts: Vec<&str> = full.split('/').collect();
            let name = parts.len().checked_sub(2).map_or("", |i| parts[i]);
            println!("{:>30} {name}/", "PRE");
        }
        for o in contents {
            let key = o["Key"].as_str().unwrap_or_default();
            let shown = if args.recursive {
                key
            } else {
                url::base_name(key)
            };
            let size = o["Size"].as_u64().unwrap_or(0);
            summary.objects += 1;
            summary.bytes += size;
            let size = if args.human_readable {
                human_size(size)
            } else {
                size.to_string()
            };
            println!("{} {size:>10} {shown}", local_time(&o["LastModified"]));
        }
        first = false;
    }
    summary.print(args);
    if !prefix.is_empty() && empty && first {
        // Nothing under the prefix: exit 1, printing nothing more.
        return Err(CliError {
            code: 1,
            message: String::new(),
        });
    }
    Ok(())
}

/// What `--summarize` adds up.
#[derive(Default)]
struct Summary {
    objects: u64,
    bytes: u64,
}

impl Summary {
    fn print(&self, args: &Args) {
        if !args.summarize {
            return;
        }
        let size = if args.human_readable {
            human_size(self.bytes)
        } else {
            self.bytes.to_string()
        };
        println!("\nTotal Objects: {}\n   Total Size: {size}", self.objects);
    }
}

/// A timestamp of an answer as `2026-01-02 03:04:05` in the local time zone.
fn local_time(v: &Value) -> String {
    match inia::protocol::timefmt::from_value(v) {
        Some(t) => t
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        None => format!("{:19}", v.as_str().unwrap_or_default()),
    }
}

/// A size as the AWS CLI's `--human-readable` shows it: `1 Byte`, `10 Bytes`, then one
/// decimal of the largest binary unit that keeps it under 1024 (`1.0 KiB`, `2.5 MiB`).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let value = bytes as f64;
    if bytes == 1 {
        return "1 Byte".into();
    }
    if bytes < 1024 {
        return format!("{bytes} Bytes");
    }
    let mut unit = 1024.0 * 1024.0;
    for suffix in UNITS {
        if (value / unit * 1024.0).round_ties_even() < 1024.0 {
            return format!("{:.1} {suffix}", 1024.0 * value / unit);
        }
        unit *= 1024.0;
    }
    format!("{:.1} EiB", value / (1024f64).powi(6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes_as_the_aws_cli() {
        assert_eq!(human_size(0), "0 Bytes");
        assert_eq!(human_size(1), "1 Byte");
        assert_eq!(human_size(1023), "1023 Bytes");
        assert_eq!(human_size(1024), "1.0 KiB");
        assert_eq!(human_size(1500), "1.5 KiB");
        assert_eq!(human_size(1280), "1.2 KiB");
        assert_eq!(human_size(1024 * 1024 - 1), "1.0 MiB");
        assert_eq!(human_size(1_048_576), "1.0 MiB");
        assert_eq!(human_size(1_050_076), "1.0 MiB");
        assert_eq!(human_size(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }
}
