//! Driving paginators for a client, with botocore's page-iterator rules:
//! [`Client::pages`] yields pages as a `Stream`, holding one page at a time so memory
//! stays flat however long the listing; [`Client::paginate_all`] adds them up as
//! botocore's `build_full_result`.
//!
//! [`PageOptions`]: `page_size` sets the operation's limit member (`MaxResults`,
//! `MaxKeys`); `max_items` stops after that many items of the first result key, cutting
//! the last page if needed, and leaves a resume token; `starting_token` resumes from such
//! a token (skipping the items of its page already returned). Tokens are botocore's (see
//! `resume_token`), so they work across inia, the AWS CLI and boto3.
//!
//! One deliberate difference: resuming inside a page empties that page's secondary result
//! keys (the earlier listing returned them), as botocore does; resuming on a page boundary
//! keeps them, where botocore empties them too and so loses, for example, the first page's
//! `CommonPrefixes`.
//!
//! Owns the client's page loop. Does not own the paginator rules (see `paginate`) or the
//! token text (see `resume_token`).

use crate::client::Client;
use crate::error::Error;
use crate::paginate::{FullResult, PaginationError, Paginator};
use crate::resume_token::{self, ResumePoint};
use futures_util::stream::{self, Stream, StreamExt};
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex};

/// How to page (see the module doc). The default pages everything with the service's
/// own page size.
#[derive(Debug, Clone, Default)]
pub struct PageOptions {
    /// Items per call (the operation's limit member), unless the params set it.
    pub page_size: Option<u64>,
    /// Stop after this many items of the first result key.
    pub max_items: Option<usize>,
    /// Resume where a `NextToken` of an earlier listing stopped.
    pub starting_token: Option<String>,
}

/// Where a listing stopped by `max_items` can resume; set when the stream has ended.
#[derive(Debug, Clone, Default)]
pub struct ResumeSlot(Arc<Mutex<Option<String>>>);

impl ResumeSlot {
    /// The `NextToken` to resume from, once the stream has ended early.
    pub fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set(&self, token: String) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(token);
    }
}

/// The state of one listing between pages.
struct Walk {
    client: Client,
    operation: String,
    paginator: Option<Paginator>,
    /// The params of the next call; `None` when done.
    params: Option<Value>,
    /// The input tokens that fetched the page being read (null when none).
    current: Map<String, Value>,
    previous: Option<Vec<Value>>,
    max_items: Option<usize>,
    total: usize,
    first: bool,
    /// Items of the first page a starting token says were already returned.
    skip: usize,
    resume: ResumeSlot,
}

impl Walk {
    async fn next_page(mut self) -> Result<Option<(Value, Walk)>, Error> {
        let Some(params) = self.params.take() else {
            return Ok(None);
        };
        let options = crate::client::CallOptions {
            feature: Some(crate::sdk_headers::feature::PAGINATOR),
            ..Default::default()
        };
        let mut page = self
            .client
            .send(&self.operation, params.clone(), None, &options)
            .await?
            .value;
        let Some(p) = &self.paginator else {
            return Ok(Some((page, self)));
        };
        let Some(primary) = p.result_keys().first() else {
            self.follow(&params, &page)?;
            return Ok(Some((page, self)));
        };
        let skip = std::mem::take(&mut self.skip);
        if self.first && skip > 0 {
            // Resuming inside a page: drop what was returned, and the secondary result
            // keys, which the earlier listing already gave in full.
            match primary.search(&page) {
                Value::Array(a) => {
                    primary.set(&mut page, Value::Array(a.into_iter().skip(skip).collect()))
                }
                Value::String(s) => {
                    primary.set(&mut page, Value::String(s.chars().skip(skip).collect()))
                }
                _ => primary.set(&mut page, Value::Null),
            }
            for key in &p.result_keys()[1..] {
                let empty = match key.search(&page) {
                    Value::Array(_) => Value::Array(Vec::new()),
                    Value::String(_) => Value::String(String::new()),
                    // Counts stay: they say what the server evaluated (botocore keeps them).
                    n @ Value::Number(_) => n,
                    _ => Value::Null,
                };
                key.set(&mut page, empty);
            }
        }
        self.first = false;
        let n = match primary.search(&page) {
            Value::Array(a) => a.len(),
            Value::String(s) => s.chars().count(),
            _ => 0,
        };
        if let Some(max) = self.max_items {
            if self.total + n > max {
                // Cut this page; resume inside it later.
                let keep = max - self.total;
                match primary.search(&page) {
                    Value::Array(mut a) => {
                        a.truncate(keep);
                        primary.set(&mut page, Value::Array(a));
                    }
                    Value::String(s) => {
                        primary.set(&mut page, Value::String(s.chars().take(keep).collect()))
                    }
                    _ => {}
                }
                self.resume
                    .set(resume_token::encode(&self.current, Some(keep + skip)));
                return Ok(Some((page, self)));
            }
        }
        self.total += n;
        self.follow(&params, &page)?;
        if let (Some(max), Some(_)) = (self.max_items, &self.params) {
            if self.total == max {
                // On a page boundary: the next page's tokens resume exactly.
                self.params = None;
                self.resume.set(resume_token::encode(&self.current, None));
            }
        }
        Ok(Some((page, self)))
    }

    /// Set up the call after `page` (or finish).
    fn follow(&mut self, params: &Value, page: &Value) -> Result<(), PaginationError> {
        let Some(p) = &self.paginator else {
            return Ok(());
        };
        if let Some((next, tokens)) = p.next_params(params, page, self.previous.as_deref())? {
            self.current = p
                .input_tokens()
                .iter()
                .cloned()
                .zip(tokens.iter().cloned())
                .map(|(k, v)| (k, if empty(&v) { Value::Null } else { v }))
                .collect();
            self.params = Some(next);
            self.previous = Some(tokens);
        }
        Ok(())
    }
}

fn empty(v: &Value) -> bool {
    matches!(v, Value::Null) || v.as_str() == Some("")
}

impl Client {
    /// The paginator of `operation`, from the service's `paginators-1.json`.
    pub fn paginator(&self, operation: &str) -> Result<Option<Paginator>, Error> {
        let name = self.operation_name(operation)?;
        // The file is read once per client (a failed read is tried again next time).
        let file = match self.inner.paginators.get() {
            Some(f) => f.clone(),
            None => {
                let f = self
                    .inner
                    .session
                    .specs()
                    .load_json(&self.inner.service, "paginators-1")?
                    .map(Arc::new);
                self.inner.paginators.get_or_init(|| f).clone()
            }
        };
        let Some(spec) = file.as_ref().and_then(|f| f["pagination"].get(&name)) else {
            return Ok(None);
        };
        Ok(Some(Paginator::from_spec(&name, spec)?))
    }

    /// The pages of `operation`, one call each, as a stream. An operation without a
    /// paginator gives one page.
    pub fn paginate(
        &self,
        operation: &str,
        params: Value,
    ) -> impl Stream<Item = Result<Value, Error>> + Send + 'static {
        self.pages(operation, params, PageOptions::default()).0
    }

    /// The pages of `operation` with [`PageOptions`], and the slot that holds the resume
    /// token once the stream has ended early because of `max_items`.
    pub fn pages(
        &self,
        operation: &str,
        params: Value,
        options: PageOptions,
    ) -> (
        impl Stream<Item = Result<Value, Error>> + Send + 'static,
        ResumeSlot,
    ) {
        let resume = ResumeSlot::default();
        let start = self.start_walk(operation, params, options, resume.clone());
        let pages = stream::once(async move { start })
            .map(|walk| {
                stream::try_unfold(walk, |walk| async move {
                    match walk {
                        Ok(w) => w.next_page().await.map(|o| o.map(|(p, w)| (p, Ok(w)))),
                        Err(e) => Err(e),
                    }
                })
            })
            .flatten();
        (pages, resume)
    }

    fn start_walk(
        &self,
        operation: &str,
        params: Value,
        options: PageOptions,
        resume: ResumeSlot,
    ) -> Result<Walk, Error> {
        let paginator = self.paginator(operation)?;
        let mut params = params;
        let mut current = Map::new();
        let mut skip = 0;
        if let (Some(p), Value::Object(obj)) = (&paginator, &mut params) {
            current = p
                .input_tokens()
                .iter()
                .map(|n| (n.clone(), Value::Null))
                .collect();
            if let (Some(limit), Some(size)) = (p.limit_key(), options.page_size) {
                obj.entry(limit.to_string()).or_insert(Value::from(size));
            }
            if let Some(token) = &options.starting_token {
                let ResumePoint { tokens, truncate } =
                    resume_token::decode(token, p.input_tokens()).map_err(|message| {
                        Error::Param {
                            path: "starting_token".into(),
                            message: format!("not a resume token of {operation}: {message}"),
                        }
                    })?;
                for (name, v) in &tokens {
                    if empty(v) || v.as_str() == Some("None") {
                        obj.shift_remove(name);
                    } else {
                        obj.insert(name.clone(), v.clone());
                    }
                }
                current.extend(tokens);
                skip = truncate;
            }
        }
        Ok(Walk {
            client: self.clone(),
            operation: operation.to_string(),
            paginator,
            params: Some(params),
            current,
            previous: None,
            max_items: options.max_items,
            total: 0,
            first: true,
            skip,
            resume,
        })
    }

    /// All pages added up into one result (`result_key` lists joined), like botocore's
    /// `build_full_result`. `max_items` stops early and records a `NextToken`.
    pub async fn paginate_all(
        &self,
        operation: &str,
        params: Value,
        max_items: Option<usize>,
    ) -> Result<Value, Error> {
        let options = PageOptions {
            max_items,
            ..PageOptions::default()
        };
        self.paginate_all_with(operation, params, options).await
    }

    /// [`Client::paginate_all`] with every [`PageOptions`].
    pub async fn paginate_all_with(
        &self,
        operation: &str,
        params: Value,
        options: PageOptions,
    ) -> Result<Value, Error> {
        let Some(p) = self.paginator(operation)? else {
            return self.call(operation, params).await;
        };
        let mut full = FullResult::new();
        let (pages, resume) = self.pages(operation, params, options);
        let mut pages = Box::pin(pages);
        while let Some(page) = pages.next().await {
            full.add(&p, &page?);
        }
        if let Some(token) = resume.get() {
            full.set_next_token(token);
        }
        Ok(full.finish())
    }
}
