//! The instance metadata tree: [`ImdsClient::tree`] and [`get_instance_metadata`] walk
//! the listings under `/latest/meta-data/` (or `dynamic/`) into one value, as boto's
//! `get_instance_metadata` does, bounded in depth and in requests.
//!
//! Owns the walk and how listings and leaves become values. Does not own the exchange with
//! IMDS (tokens, timeouts, attempts: `imds`) or credentials.

use super::imds::{ImdsClient, ImdsError};
use inia_auth::config::Env;
use serde_json::{Map, Value};

/// Bounds of a tree walk.
const MAX_DEPTH: usize = 16;
const MAX_REQUESTS: usize = 4096;

impl ImdsClient {
    /// The tree under `meta-data/`, as boto's `get_instance_metadata` builds it.
    pub async fn instance_metadata(&self) -> Result<Value, ImdsError> {
        self.tree("meta-data/").await
    }

    /// The tree under `/latest/<prefix>` (`meta-data/`, `dynamic/`). Listings become
    /// objects: a line ending in `/` is a subtree, `0=name` (public keys) a leaf `name`
    /// read from `0/openssh-key`, any other line a leaf. A leaf starting with `{` is parsed
    /// as JSON, one with several lines becomes a list of lines, others stay text; a leaf
    /// answering 404 is an empty string (as in boto).
    pub async fn tree(&self, prefix: &str) -> Result<Value, ImdsError> {
        let token = self.token().await?;
        let mut prefix = prefix.trim_start_matches('/').to_string();
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        let mut budget = MAX_REQUESTS;
        self.walk(&prefix, token.as_deref(), 0, &mut budget).await
    }

    async fn counted_get(
        &self,
        path: &str,
        token: Option<&str>,
        budget: &mut usize,
    ) -> Result<String, ImdsError> {
        *budget = budget
            .checked_sub(1)
            .ok_or_else(|| ImdsError::BadResponse {
                path: path.to_string(),
                detail: format!("the tree needs more than {MAX_REQUESTS} requests"),
            })?;
        self.get_with(path, token).await
    }

    fn walk<'a>(
        &'a self,
        dir: &'a str,
        token: Option<&'a str>,
        depth: usize,
        budget: &'a mut usize,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Value, ImdsError>> + Send + 'a>>
    {
        Box::pin(async move {
            if depth > MAX_DEPTH {
                return Err(ImdsError::BadResponse {
                    path: dir.to_string(),
                    detail: format!("the tree is deeper than {MAX_DEPTH} levels"),
                });
            }
            let listing = self.counted_get(dir, token, budget).await?;
            let mut out = Map::new();
            for line in listing.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if let Some(sub) = line.strip_suffix('/') {
                    let child = format!("{dir}{sub}/");
                    let value = self.walk(&child, token, depth + 1, budget).await?;
                    out.insert(sub.to_string(), value);
                    continue;
                }
                let (key, resource) = match line.split_once('=') {
                    Some((index, name)) if !index.is_empty() => {
                        (name.to_string(), format!("{index}/openssh-key"))
                    }
                    _ => (line.to_string(), line.to_string()),
                };
                let value = match self
                    .counted_get(&format!("{dir}{resource}"), token, budget)
                    .await
                {
                    Ok(text) => leaf_value(text),
                    Err(ImdsError::NotFound { .. }) => Value::String(String::new()),
                    Err(e) => return Err(e),
                };
                out.insert(key, value);
            }
            Ok(Value::Object(out))
        })
    }
}

fn leaf_value(text: String) -> Value {
    if text.starts_with('{') {
        if let Ok(v) = serde_json::from_str::<Value>(&text) {
            return v;
        }
    }
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() > 1 {
        return Value::Array(lines.into_iter().map(|l| l.to_string().into()).collect());
    }
    Value::String(text)
}

/// The `meta-data/` tree of this instance as a value (boto's `get_instance_metadata`),
/// with settings from `env` (see the module documentation).
pub async fn get_instance_metadata(env: Env) -> Result<Value, ImdsError> {
    ImdsClient::from_env(env)?.instance_metadata().await
}
