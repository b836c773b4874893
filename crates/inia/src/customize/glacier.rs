//! Glacier's customizations, as botocore applies them:
//! - `accountId`, required in every path, defaults to `-` (the caller's account);
//! - every request names the API version in `x-amz-glacier-version`;
//! - UploadArchive and UploadMultipartPart carry the payload's SHA-256
//!   (`x-amz-content-sha256`, also what the signature covers) and its tree hash
//!   (`x-amz-sha256-tree-hash`: SHA-256 over 1 MiB chunks, then over each pair of
//!   digests, level by level, an odd one carried up), unless the caller set them (the
//!   tree hash is the `checksum` member).
//!
//! Owns those rewrites and the tree hash; `customize` registers them.

use super::{CallContext, Notes};
use crate::error::Error;
use crate::payload::PayloadHash;
use bytes::Bytes;
use inia_http::Body;
use inia_model::Operation;
use ring::digest::{Context, Digest, SHA256};
use serde_json::Value;

const CONTENT_SHA256: &str = "x-amz-content-sha256";
const TREE_HASH: &str = "x-amz-sha256-tree-hash";
/// The tree hash's leaf size.
const MIB: usize = 1 << 20;

pub(crate) fn account_id(
    _: &CallContext<'_>,
    _: &Operation,
    mut params: Value,
    _: &mut Notes,
) -> Result<Value, Error> {
    if let Some(obj) = params.as_object_mut() {
        if obj.get("accountId").is_none_or(Value::is_null) {
            obj.insert("accountId".into(), Value::String("-".into()));
        }
    }
    Ok(params)
}

pub(crate) fn api_version(
    ctx: &CallContext<'_>,
    _: &Operation,
    parts: &mut http::request::Parts,
    _: &mut Bytes,
) -> Result<(), Error> {
    let version = ctx.model.metadata().api_version.as_deref().unwrap_or("");
    let value = http::HeaderValue::from_str(version)
        .map_err(|_| Error::Unsupported(format!("Glacier API version {version:?}")))?;
    parts.headers.insert("x-amz-glacier-version", value);
    Ok(())
}

/// SHA-256 and tree hash of a payload, fed in pieces of any size.
struct TreeHasher {
    whole: Context,
    leaves: Vec<Digest>,
    leaf: Context,
    in_leaf: usize,
}

impl TreeHasher {
    fn new() -> Self {
        TreeHasher {
            whole: Context::new(&SHA256),
            leaves: Vec::new(),
            leaf: Context::new(&SHA256),
            in_leaf: 0,
        }
    }

    fn update(&mut self, mut data: &[u8]) {
        self.whole.update(data);
        while !data.is_empty() {
            let take = (MIB - self.in_leaf).min(data.len());
            self.leaf.update(&data[..take]);
            self.in_leaf += take;
            data = &data[take..];
            if self.in_leaf == MIB {
                let full = std::mem::replace(&mut self.leaf, Context::new(&SHA256));
                self.leaves.push(full.finish());
                self.in_leaf = 0;
            }
        }
    }

    /// (SHA-256, tree hash), hex.
    fn finish(mut self) -> (String, String) {
        let whole = self.whole.finish();
        if self.in_leaf > 0 {
            self.leaves.push(self.leaf.finish());
        }
        let mut level = self.leaves;
        // An empty payload: its tree hash is its SHA-256.
        let tree = loop {
            match level.len() {
                0 => break whole,
                1 => break level[0],
                _ => {}
            }
            level = level
                .chunks(2)
                .filter_map(|pair| match pair {
                    [a, b] => {
                        let mut c = Context::new(&SHA256);
                        c.update(a.as_ref());
                        c.update(b.as_ref());
                        Some(c.finish())
                    }
                    [a] => Some(*a),
                    _ => None,
                })
                .collect();
        };
        (hex(whole.as_ref()), hex(tree.as_ref()))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Add the SHA-256 and tree-hash headers the request lacks, reading the payload ahead.
pub(crate) async fn checksums(parts: &mut http::request::Parts, body: &Body) -> Result<(), Error> {
    if parts.headers.contains_key(CONTENT_SHA256) && parts.headers.contains_key(TREE_HASH) {
        return Ok(());
    }
    let mut hasher = TreeHasher::new();
    match body.bytes() {
        Some(bytes) => hasher.update(bytes),
        None => {
            let read = body
                .scan(|chunk| hasher.update(chunk))
                .await
                .map_err(Error::Transport)?;
            if !read {
                return Err(Error::Param {
                    path: "body".into(),
                    message: "Glacier needs the payload's SHA-256 tree hash before it is sent: \
                              give a file or bytes, not a one-shot stream (or give checksum)"
                        .into(),
                });
            }
        }
    }
    let (sha256, tree) = hasher.finish();
    let value =
        |s: &str| http::HeaderValue::from_str(s).map_err(|e| Error::Unsupported(e.to_string()));
    if !parts.headers.contains_key(CONTENT_SHA256) {
        parts.headers.insert(CONTENT_SHA256, value(&sha256)?);
        parts.extensions.insert(PayloadHash(sha256.into()));
    }
    if !parts.headers.contains_key(TREE_HASH) {
        parts.headers.insert(TREE_HASH, value(&tree)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(data: &[u8], piece: usize) -> (String, String) {
        let mut h = TreeHasher::new();
        for chunk in data.chunks(piece.max(1)) {
            h.update(chunk);
        }
        h.finish()
    }

    #[test]
    fn tree_hashes_are_glaciers() {
        // Expected values from botocore's `calculate_tree_hash` and `hashlib.sha256`.
        let data: Vec<u8> = (0..3 * MIB + 5).map(|i| (i % 251) as u8).collect();
        for piece in [7, 65_536, MIB, 5 * MIB] {
            assert_eq!(
                hashes(&data, piece),
                (
                    "b01669d77761c4dfdfc8fb927821087bcf5c9ef1f917c4f1f8504e529f19edab".into(),
                    "c9e0c11a00161b193e0a1b3692ec553d4033a887f2086a7cadd4cd722d87f09f".into()
                ),
                "fed {piece} bytes at a time"
            );
        }
        let hello = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        assert_eq!(hashes(b"hello", 2), (hello.into(), hello.into()));
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(hashes(b"", 1), (empty.into(), empty.into()));
    }

    #[tokio::test]
    async fn uploads_get_both_headers_unless_given() {
        let mut parts =
            http::Request::post("https://glacier.us-east-1.amazonaws.com/-/vaults/v/archives")
                .header(TREE_HASH, "given")
                .body(())
                .unwrap()
                .into_parts()
                .0;
        checksums(&mut parts, &Body::from("hello")).await.unwrap();
        assert_eq!(
            parts.headers[CONTENT_SHA256],
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(parts.headers[TREE_HASH], "given");
    }

    #[test]
    fn the_account_defaults_to_the_callers() {
        let m = inia_model::ServiceModel::from_string(
            serde_json::json!({
                "metadata": {"protocol": "rest-json", "apiVersion": "2012-06-01", "serviceId": "Glacier"},
                "operations": {"ListVaults": {"name": "ListVaults",
                    "http": {"method": "GET", "requestUri": "/{accountId}/vaults"}}},
                "shapes": {}
            })
            .to_string(),
            "test",
        )
        .unwrap();
        let p = |v| {
            crate::customize::testing::params(&m, "ListVaults", v)
                .unwrap()
                .0
        };
        assert_eq!(
            p(serde_json::json!({})),
            serde_json::json!({"accountId": "-"})
        );
        assert_eq!(
            p(serde_json::json!({"accountId": null})),
            serde_json::json!({"accountId": "-"})
        );
        assert_eq!(
            p(serde_json::json!({"accountId": "123456789012"})),
            serde_json::json!({"accountId": "123456789012"})
        );
    }
}
