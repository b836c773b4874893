//! Driving paginators for a client: [`Client::paginate`] yields pages as a `Stream`,
//! holding one page at a time so memory stays flat however long the listing;
//! [`Client::paginate_all`] adds them up as botocore's `build_full_result`. Page size is
//! set by giving the operation's limit member (`MaxResults`, `MaxKeys`) in the params.
//!
//! Owns the loop. Does not own the token rules (see `paginate`).

use crate::client::Client;
use crate::error::Error;
use crate::paginate::{FullResult, Paginator};
use futures_util::stream::{self, Stream, StreamExt};
use serde_json::Value;

impl Client {
    /// The paginator of `operation`, from the service's `paginators-1.json`.
    pub fn paginator(&self, operation: &str) -> Result<Option<Paginator>, Error> {
        let name = self.operation_name(operation)?;
        let file = self
            .inner
            .session
            .specs()
            .load_json(&self.inner.service, "paginators-1")?;
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
        let client = self.clone();
        let operation = operation.to_string();
        struct State {
            paginator: Option<Option<Paginator>>,
            params: Option<Value>,
            previous: Option<Vec<Value>>,
        }
        let start = State {
            paginator: None,
            params: Some(params),
            previous: None,
        };
        stream::try_unfold(start, move |mut st| {
            let client = client.clone();
            let operation = operation.clone();
            async move {
                let Some(params) = st.params.take() else {
                    return Ok(None);
                };
                if st.paginator.is_none() {
                    st.paginator = Some(client.paginator(&operation)?);
                }
                let page = client.call(&operation, params.clone()).await?;
                if let Some(Some(p)) = &st.paginator {
                    if let Some((next, tokens)) =
                        p.next_params(&params, &page, st.previous.as_deref())?
                    {
                        st.params = Some(next);
                        st.previous = Some(tokens);
                    }
                }
                Ok(Some((page, st)))
            }
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
        let Some(p) = self.paginator(operation)? else {
            return self.call(operation, params).await;
        };
        let mut full = FullResult::new();
        let mut items = 0usize;
        let mut pages = Box::pin(self.paginate(operation, params));
        while let Some(page) = pages.next().await {
            let page = page?;
            full.add(&p, &page);
            items += p
                .result_keys()
                .first()
                .map_or(0, |k| k.search(&page).as_array().map_or(0, Vec::len));
            if max_items.is_some_and(|m| items >= m) {
                if let Some(tokens) = p.next_tokens(&page) {
                    full.set_next_token(p.resume_token(&tokens));
                }
                break;
            }
        }
        Ok(full.finish())
    }
}
