//! API Gateway's one customization, as botocore applies it: requests say
//! `Accept: application/json` unless they already say what they accept (API Gateway
//! answers HAL otherwise).
//!
//! Owns that header; `customize` registers it.

use super::CallContext;
use crate::error::Error;
use bytes::Bytes;
use inia_model::Operation;

pub(crate) fn accept_json(
    _: &CallContext<'_>,
    _: &Operation,
    parts: &mut http::request::Parts,
    _: &mut Bytes,
) -> Result<(), Error> {
    if !parts.headers.contains_key(http::header::ACCEPT) {
        parts.headers.insert(
            http::header::ACCEPT,
            http::HeaderValue::from_static("application/json"),
        );
    }
    Ok(())
}
