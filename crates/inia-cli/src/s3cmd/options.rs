//! The options of each `inia s3` command, as the AWS CLI's `s3` commands spell them:
//! which command takes which option, flags, options with a value (`--acl private` or
//! `--acl=private`), options whose value may be left out (`--sse` means `AES256`,
//! `--request-payer` means `requester`), the values each accepts, and the request
//! parameters they become (`--cache-control` → `CacheControl`, ...).
//!
//! Owns reading the words after the command and checking them. Does not own running the
//! commands (`mod` and the command modules) or `--page-size` (a global option, in
//! `globals`).

use crate::error::CliError;
use inia::{json, UploadOptions, Value};
use std::collections::BTreeMap;

/// The options of one `s3` command.
#[derive(Debug, Default)]
pub struct Args {
    pub paths: Vec<String>,
    pub recursive: bool,
    pub force: bool,
    pub dryrun: bool,
    /// `--quiet`: nothing printed at all.
    pub quiet: bool,
    /// `--only-show-errors`: failures and warnings only.
    pub only_show_errors: bool,
    /// `--no-progress`: the lines, no progress bar.
    pub no_progress: bool,
    /// `sync --delete`.
    pub delete: bool,
    /// `sync --exact-timestamps`.
    pub exact_timestamps: bool,
    /// `sync --size-only`.
    pub size_only: bool,
    /// `--no-follow-symlinks` (the default follows them, `--follow-symlinks`).
    pub no_follow_symlinks: bool,
    /// `--exclude` (false) and `--include` (true) patterns, in order.
    pub filters: Vec<(bool, String)>,
    /// What uploads and copies store with the object (`--acl`, `--metadata`,
    /// `--content-type`; `--sse`, `--storage-class`, `--cache-control`... in `extra`).
    pub upload: UploadOptions,
    /// `--metadata-directive COPY|REPLACE` (copies).
    pub metadata_directive: Option<String>,
    /// `--request-payer [requester]`.
    pub request_payer: Option<String>,
    /// `cp - s3://... --expected-size N`: the stream's announced length.
    pub expected_size: Option<u64>,
    pub ignore_glacier_warnings: bool,
    pub force_glacier_transfer: bool,
    /// `ls --human-readable`.
    pub human_readable: bool,
    /// `ls --summarize`.
    pub summarize: bool,
    /// `ls --bucket-name-prefix`, `--bucket-region` (bucket listing).
    pub bucket_name_prefix: Option<String>,
    pub bucket_region: Option<String>,
    /// `presign --expires-in` (seconds; default 3600).
    pub expires_in: Option<u64>,
    /// `website --index-document`, `--error-document`.
    pub index_document: Option<String>,
    pub error_document: Option<String>,
}

/// How an option takes its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Flag,
    Value,
    /// A value that may be left out: then this one.
    Optional(&'static str),
}

/// Every option of the `s3` commands: its kind and, when it has a fixed set, its values.
const OPTIONS: &[(&str, Kind, &[&str])] = &[
    ("--recursive", Kind::Flag, &[]),
    ("--force", Kind::Flag, &[]),
    ("--dryrun", Kind::Flag, &[]),
    ("--quiet", Kind::Flag, &[]),
    ("--only-show-errors", Kind::Flag, &[]),
    ("--no-progress", Kind::Flag, &[]),
    ("--delete", Kind::Flag, &[]),
    ("--exact-timestamps", Kind::Flag, &[]),
    ("--size-only", Kind::Flag, &[]),
    ("--follow-symlinks", Kind::Flag, &[]),
    ("--no-follow-symlinks", Kind::Flag, &[]),
    ("--ignore-glacier-warnings", Kind::Flag, &[]),
    ("--force-glacier-transfer", Kind::Flag, &[]),
    ("--human-readable", Kind::Flag, &[]),
    ("--summarize", Kind::Flag, &[]),
    ("--exclude", Kind::Value, &[]),
    ("--include", Kind::Value, &[]),
    ("--metadata", Kind::Value, &[]),
    ("--content-type", Kind::Value, &[]),
    ("--cache-control", Kind::Value, &[]),
    ("--content-disposition", Kind::Value, &[]),
    ("--content-encoding", Kind::Value, &[]),
    ("--content-language", Kind::Value, &[]),
    ("--expires", Kind::Value, &[]),
    ("--website-redirect", Kind::Value, &[]),
    ("--sse-kms-key-id", Kind::Value, &[]),
    ("--expected-size", Kind::Value, &[]),
    ("--expires-in", Kind::Value, &[]),
    ("--index-document", Kind::Value, &[]),
    ("--error-document", Kind::Value, &[]),
    ("--bucket-name-prefix", Kind::Value, &[]),
    ("--bucket-region", Kind::Value, &[]),
    (
        "--acl",
        Kind::Value,
        &[
            "private",
            "public-read",
            "public-read-write",
            "authenticated-read",
            "aws-exec-read",
            "bucket-owner-read",
            "bucket-owner-full-control",
            "log-delivery-write",
        ],
    ),
    (
        "--storage-class",
        Kind::Value,
        &[
            "STANDARD",
            "REDUCED_REDUNDANCY",
            "STANDARD_IA",
            "ONEZONE_IA",
            "INTELLIGENT_TIERING",
            "GLACIER",
            "DEEP_ARCHIVE",
            "GLACIER_IR",
        ],
    ),
    ("--metadata-directive", Kind::Value, &["COPY", "REPLACE"]),
    (
        "--sse",
        Kind::Optional("AES256"),
        &["AES256", "aws:kms", "aws:kms:dsse"],
    ),
    (
        "--request-payer",
        Kind::Optional("requester"),
        &["requester"],
    ),
];

/// The options every copying command (`cp`, `mv`, `sync`) takes.
const TRANSFER: &[&str] = &[
    "--dryrun",
    "--quiet",
    "--include",
    "--exclude",
    "--acl",
    "--follow-symlinks",
    "--no-follow-symlinks",
    "--sse",
    "--sse-kms-key-id",
    "--storage-class",
    "--website-redirect",
    "--content-type",
    "--cache-control",
    "--content-disposition",
    "--content-encoding",
    "--content-language",
    "--expires",
    "--only-show-errors",
    "--no-progress",
    "--ignore-glacier-warnings",
    "--force-glacier-transfer",
    "--request-payer",
    "--metadata",
    "--metadata-directive",
];

/// The options of `command` besides [`TRANSFER`]'s, whether it takes those, and how many
/// paths it takes (least, most); `None` for a word that is no command.
pub fn command(command: &str) -> Option<(&'static [&'static str], bool, usize, usize)> {
    Some(match command {
        "mb" => (&[], false, 1, 1),
        "rb" => (&["--force"], false, 1, 1),
        "ls" => (
            &[
                "--recursive",
                "--human-readable",
                "--summarize",
                "--request-payer",
                "--bucket-name-prefix",
                "--bucket-region",
            ],
            false,
            0,
            1,
        ),
        "rm" => (
            &[
                "--recursive",
                "--quiet",
                "--dryrun",
                "--exclude",
                "--include",
                "--only-show-errors",
                "--request-payer",
            ],
            false,
            1,
            1,
        ),
        "cp" => (&["--recursive", "--expected-size"], true, 2, 2),
        "mv" => (&["--recursive"], true, 2, 2),
        "sync" => (
            &["--delete", "--exact-timestamps", "--size-only"],
            true,
            2,
            2,
        ),
        "presign" => (&["--expires-in"], false, 1, 1),
        "website" => (&["--index-document", "--error-document"], false, 1, 1),
        _ => return None,
    })
}

/// The option names `command` accepts, for its usage line.
pub fn names(command_name: &str) -> Vec<&'static str> {
    let Some((own, transfer, ..)) = command(command_name) else {
        return Vec::new();
    };
    let mut all: Vec<&'static str> = own.to_vec();
    if transfer {
        let more: Vec<&'static str> = TRANSFER
            .iter()
            .copied()
            .filter(|n| !all.contains(n))
            .collect();
        all.extend(more);
    }
    all
}

/// The words after the command; only the options of `command_name` are accepted.
pub fn parse(command_name: &str, words: &[String]) -> Result<Args, CliError> {
    let allowed = names(command_name);
    let mut a = Args::default();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if !w.starts_with("--") {
            a.paths.push(w.clone());
            continue;
        }
        let (name, inline) = match w.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (w.as_str(), None),
        };
        let known = OPTIONS.iter().find(|(n, ..)| *n == name);
        let Some(&(name, kind, choices)) = known.filter(|(n, ..)| allowed.contains(n)) else {
            return Err(CliError::usage(format!("Unknown options: {w}")));
        };
        let value = match kind {
            Kind::Flag => {
                if inline.is_some() {
                    return Err(CliError::usage(format!("{name} takes no value")));
                }
                set_flag(&mut a, name);
                continue;
            }
            Kind::Value => match inline {
                Some(v) => v,
                None => {
                    let Some(v) = words.get(i) else {
                        return Err(CliError::usage(format!(
                            "argument {name}: expected one argument"
                        )));
                    };
                    i += 1;
                    v.clone()
                }
            },
            // Like argparse's `nargs='?'`: the next word is the value unless it is an
            // option.
            Kind::Optional(default) => match inline {
                Some(v) => v,
                None => match words.get(i) {
                    Some(v) if !v.starts_with('-') => {
                        i += 1;
                        v.clone()
                    }
                    _ => default.to_string(),
                },
            },
        };
        if !choices.is_empty() && !choices.contains(&value.as_str()) {
            return Err(CliError::usage(format!(
                "argument {name}: Invalid choice '{value}', valid choices are: {}",
                choices.join(" | ")
            )));
        }
        set_value(&mut a, name, value)?;
    }
    Ok(a)
}

fn set_flag(a: &mut Args, name: &str) {
    match name {
        "--recursive" => a.recursive = true,
        "--force" => a.force = true,
        "--dryrun" => a.dryrun = true,
        "--quiet" => a.quiet = true,
        "--only-show-errors" => a.only_show_errors = true,
        "--no-progress" => a.no_progress = true,
        "--delete" => a.delete = true,
        "--exact-timestamps" => a.exact_timestamps = true,
        "--size-only" => a.size_only = true,
        "--follow-symlinks" => a.no_follow_symlinks = false,
        "--no-follow-symlinks" => a.no_follow_symlinks = true,
        "--ignore-glacier-warnings" => a.ignore_glacier_warnings = true,
        "--force-glacier-transfer" => a.force_glacier_transfer = true,
        "--human-readable" => a.human_readable = true,
        _ => a.summarize = true,
    }
}

fn set_value(a: &mut Args, name: &str, value: String) -> Result<(), CliError> {
    let integer = |value: &str| {
        value.trim().parse::<u64>().map_err(|_| {
            CliError::usage(format!("argument {name}: invalid integer value: '{value}'"))
        })
    };
    // The object properties, by the request member they become.
    let member = match name {
        "--cache-control" => Some("CacheControl"),
        "--content-disposition" => Some("ContentDisposition"),
        "--content-encoding" => Some("ContentEncoding"),
        "--content-language" => Some("ContentLanguage"),
        "--expires" => Some("Expires"),
        "--website-redirect" => Some("WebsiteRedirectLocation"),
        "--sse" => Some("ServerSideEncryption"),
        "--sse-kms-key-id" => Some("SSEKMSKeyId"),
        "--storage-class" => Some("StorageClass"),
        _ => None,
    };
    if let Some(member) = member {
        a.upload.extra.insert(member.into(), Value::String(value));
        return Ok(());
    }
    match name {
        "--metadata" => a.upload.metadata = metadata(&value)?,
        "--acl" => a.upload.acl = Some(value),
        "--content-type" => a.upload.content_type = Some(value),
        "--exclude" => a.filters.push((false, value)),
        "--include" => a.filters.push((true, value)),
        "--metadata-directive" => a.metadata_directive = Some(value),
        "--request-payer" => a.request_payer = Some(value),
        "--expected-size" => a.expected_size = Some(integer(&value)?),
        "--expires-in" => a.expires_in = Some(integer(&value)?),
        "--index-document" => a.index_document = Some(value),
        "--error-document" => a.error_document = Some(value),
        "--bucket-name-prefix" => a.bucket_name_prefix = Some(value),
        _ => a.bucket_region = Some(value),
    }
    Ok(())
}

/// `--metadata`: `k=v,k2=v2` or a JSON object of strings.
fn metadata(text: &str) -> Result<BTreeMap<String, String>, CliError> {
    let bad = || CliError::usage(format!("Error parsing parameter '--metadata': {text}"));
    if text.trim_start().starts_with('{') {
        let v: Value = serde_json::from_str(text).map_err(|_| bad())?;
        let obj = v.as_object().ok_or_else(bad)?;
        return obj
            .iter()
            .map(|(k, v)| Ok((k.clone(), v.as_str().ok_or_else(bad)?.to_string())))
            .collect();
    }
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').ok_or_else(bad)?;
            if k.trim().is_empty() {
                return Err(bad());
            }
            Ok((k.trim().to_string(), v.to_string()))
        })
        .collect()
}

impl Args {
    /// `RequestPayer`, when asked for, added to a call's parameters.
    pub fn payer(&self, mut params: Value) -> Value {
        if let Some(p) = &self.request_payer {
            params["RequestPayer"] = json!(p);
        }
        params
    }

    /// What uploads store: the options, with `RequestPayer`.
    pub fn upload_options(&self) -> UploadOptions {
        let mut o = self.upload.clone();
        if let Some(p) = &self.request_payer {
            o.extra.insert("RequestPayer".into(), json!(p));
        }
        o
    }

    /// The `CopyObject` parameters the options add: the object properties and, as the
    /// AWS CLI, `MetadataDirective: REPLACE` when `--metadata` is given (else S3 keeps
    /// the source's metadata and content headers unless `--metadata-directive REPLACE`).
    pub fn copy_params(&self, params: &mut Value) {
        let o = &self.upload;
        let directive = self
            .metadata_directive
            .clone()
            .or_else(|| (!o.metadata.is_empty()).then(|| "REPLACE".to_string()));
        if let Some(d) = directive {
            params["MetadataDirective"] = json!(d);
        }
        if !o.metadata.is_empty() {
            params["Metadata"] = json!(o.metadata);
        }
        if let Some(ct) = &o.content_type {
            params["ContentType"] = json!(ct);
        }
        if let Some(acl) = &o.acl {
            params["ACL"] = json!(acl);
        }
        for (k, v) in &o.extra {
            params[k.as_str()] = v.clone();
        }
        if let Some(p) = &self.request_payer {
            params["RequestPayer"] = json!(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn options() {
        let a = parse(
            "cp",
            &words("a s3://b/ --recursive --metadata k=v,k2=v2 --acl=public-read"),
        )
        .unwrap();
        assert_eq!(a.paths, words("a s3://b/"));
        assert!(a.recursive);
        assert_eq!(a.upload.metadata.get("k2").map(String::as_str), Some("v2"));
        assert_eq!(a.upload.acl.as_deref(), Some("public-read"));
        assert_eq!(parse("ls", &words("--force")).unwrap_err().code, 252);
        assert_eq!(parse("cp", &words("--acl")).unwrap_err().code, 252);
        assert_eq!(parse("cp", &words("--acl bogus")).unwrap_err().code, 252);
        assert_eq!(metadata("novalue").unwrap_err().code, 252);
        assert_eq!(metadata(r#"{"a":"b"}"#).unwrap().len(), 1);
    }

    #[test]
    fn optional_values_and_properties() {
        let a = parse("cp", &words("a s3://b/ --sse --request-payer")).unwrap();
        assert_eq!(a.upload.extra["ServerSideEncryption"], "AES256");
        assert_eq!(a.request_payer.as_deref(), Some("requester"));
        let a = parse("sync", &words("--sse aws:kms --sse-kms-key-id k a s3://b/")).unwrap();
        assert_eq!(a.paths.len(), 2);
        assert_eq!(a.upload.extra["ServerSideEncryption"], "aws:kms");
        assert_eq!(a.upload.extra["SSEKMSKeyId"], "k");
        let a = parse("cp", &words("- s3://b/k --expected-size 1000")).unwrap();
        assert_eq!(a.expected_size, Some(1000));
        assert_eq!(
            parse("cp", &words("--expected-size x")).unwrap_err().code,
            252
        );
        // sync has no --recursive; rm has no --acl.
        assert!(parse("sync", &words("--recursive")).is_err());
        assert!(parse("rm", &words("--acl private")).is_err());
        let a = parse("cp", &words("--cache-control max-age=1 --content-type t/x")).unwrap();
        let mut p = json!({});
        a.copy_params(&mut p);
        assert_eq!(p["MetadataDirective"], Value::Null);
        assert_eq!(p["CacheControl"], "max-age=1");
        let a = parse("cp", &words("--metadata k=v")).unwrap();
        let mut p = json!({});
        a.copy_params(&mut p);
        assert_eq!(p["MetadataDirective"], "REPLACE");
    }
}
