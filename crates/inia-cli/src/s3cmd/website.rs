//! `inia s3 website s3://bucket [--index-document SUFFIX] [--error-document KEY]`: the
//! bucket's static website configuration (`PutBucketWebsite`), as the AWS CLI sets it:
//! only the documents given, nothing printed on success. The bucket may be written
//! `bucket`, `s3://bucket` or `s3://bucket/`.
//!
//! Owns the command. Does not own the call (the `inia` crate).

use super::{presign::with_scheme, url, Args};
use crate::error::CliError;
use inia::{json, Client};

/// Set the website configuration of the bucket `args.paths[0]`.
pub async fn website(client: &Client, args: &Args) -> Result<(), CliError> {
    let (bucket, key) = url::s3(&with_scheme(&args.paths[0]))?;
    if !key.is_empty() {
        return Err(CliError::usage(format!(
            "website: {} is not a bucket (no key allowed)",
            args.paths[0]
        )));
    }
    let mut config = json!({});
    if let Some(suffix) = &args.index_document {
        config["IndexDocument"] = json!({ "Suffix": suffix });
    }
    if let Some(key) = &args.error_document {
        config["ErrorDocument"] = json!({ "Key": key });
    }
    let params = json!({"Bucket": bucket, "WebsiteConfiguration": config});
    client
        .call("PutBucketWebsite", params)
        .await
        .map_err(CliError::from)?;
    Ok(())
}
