//! CloudSearch Domain's customizations, as botocore applies them: Search's `return`
//! (a keyword in many languages) is also taken as `returnFields`; and Search, modeled
//! as a GET with its parameters in the query string, is sent as a POST with them in a
//! form body, so that long queries fit.
//!
//! Owns those rewrites; `customize` registers them.

use super::{CallContext, Notes};
use crate::error::Error;
use bytes::Bytes;
use inia_model::Operation;
use serde_json::Value;

pub(crate) fn return_alias(
    ctx: &CallContext<'_>,
    op: &Operation,
    params: Value,
    _: &mut Notes,
) -> Result<Value, Error> {
    super::alias(ctx, op, params, "return", "returnFields")
}

pub(crate) fn get_to_post(
    _: &CallContext<'_>,
    _: &Operation,
    parts: &mut http::request::Parts,
    body: &mut Bytes,
) -> Result<(), Error> {
    let Some(query) = parts.uri.query() else {
        return Ok(());
    };
    if parts.method != http::Method::GET {
        return Ok(());
    }
    let form = Bytes::copy_from_slice(query.as_bytes());
    let mut without = http::uri::Parts::from(parts.uri.clone());
    let path = parts.uri.path().to_string();
    without.path_and_query = Some(
        path.parse()
            .map_err(|e| Error::Unsupported(format!("Search path {path:?}: {e}")))?,
    );
    parts.uri = http::Uri::from_parts(without)
        .map_err(|e| Error::Unsupported(format!("Search URL: {e}")))?;
    parts.method = http::Method::POST;
    parts.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    *body = form;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_goes_as_a_form_post() {
        let m = crate::customize::testing::model(
            "CloudSearch Domain",
            "rest-json",
            serde_json::json!({"Search": {"name": "Search",
                "http": {"method": "GET", "requestUri": "/2013-01-01/search?format=sdk&pretty=true"}}}),
            serde_json::json!({}),
        );
        let op = m.operation("Search").unwrap();
        let env = inia_auth::config::Env::empty();
        let ctx = CallContext {
            model: &m,
            region: None,
            rules: false,
            env: &env,
            validate_bucket_names: true,
        };
        let mut parts = http::Request::get(
            "https://d.cloudsearch.amazonaws.com/2013-01-01/search?format=sdk&pretty=true&q=a%20b",
        )
        .body(())
        .unwrap()
        .into_parts()
        .0;
        let mut body = Bytes::new();
        crate::customize::request(&ctx, &op, &mut parts, &mut body).unwrap();
        assert_eq!(parts.method, http::Method::POST);
        assert_eq!(
            parts.uri.to_string(),
            "https://d.cloudsearch.amazonaws.com/2013-01-01/search"
        );
        assert_eq!(&body[..], b"format=sdk&pretty=true&q=a%20b");
        assert_eq!(
            parts.headers[http::header::CONTENT_TYPE],
            "application/x-www-form-urlencoded"
        );
    }
}
