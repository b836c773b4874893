//! Typed calls without generated code: parameters from any `serde::Serialize` value and
//! results into the caller's own `serde::Deserialize` types ([`Client::call_as`],
//! [`Client::paginate_as`]). The call itself is the value-based one; this module only
//! converts at the edges, with the model's member names as the field names (use
//! `#[serde(rename_all = "PascalCase")]` for most AWS shapes). Members the type does not
//! declare are ignored, as serde ignores unknown fields by default.
//!
//! Owns the conversions and their error. Does not own calling or paging (`client`,
//! `client_pages`).

use crate::{Client, Error, PageOptions};
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// The parameters as a value; a type that does not serialize to a JSON object is an
/// error naming the operation.
fn params_value(operation: &str, params: &impl Serialize) -> Result<Value, Error> {
    serde_json::to_value(params).map_err(|e| Error::Conversion {
        what: format!("the parameters of {operation}"),
        message: e.to_string(),
    })
}

/// A result value as `T`; a mismatch names the operation and serde's reason (the field
/// and the type it expected).
fn output_as<T: DeserializeOwned>(operation: &str, value: Value) -> Result<T, Error> {
    serde_json::from_value(value).map_err(|e| Error::Conversion {
        what: format!("the output of {operation}"),
        message: e.to_string(),
    })
}

impl Client {
    /// [`Client::call`] with typed parameters and result:
    ///
    /// ```no_run
    /// # async fn run(sts: inia::Client) -> Result<(), inia::Error> {
    /// #[derive(serde::Deserialize)]
    /// #[serde(rename_all = "PascalCase")]
    /// struct Identity {
    ///     account: String,
    ///     arn: String,
    /// }
    /// let me: Identity = sts.call_as("GetCallerIdentity", serde_json::json!({})).await?;
    /// println!("{} in {}", me.arn, me.account);
    /// # Ok(()) }
    /// ```
    ///
    /// Timestamps arrive as RFC 3339 text and blobs as base64 text, as in values.
    pub async fn call_as<T: DeserializeOwned>(
        &self,
        operation: &str,
        params: impl Serialize,
    ) -> Result<T, Error> {
        let params = params_value(operation, &params)?;
        let value = self.call(operation, params).await?;
        output_as(operation, value)
    }

    /// [`Client::pages`] with typed parameters and pages: each page deserialized into
    /// `T` (a page that does not fit is an error item, and the stream ends after it).
    pub fn paginate_as<T: DeserializeOwned + Send + 'static>(
        &self,
        operation: &str,
        params: impl Serialize,
        options: PageOptions,
    ) -> impl Stream<Item = Result<T, Error>> + Send + 'static {
        let name = operation.to_string();
        let start = params_value(operation, &params);
        let pages = match start {
            Ok(params) => Some(self.pages(operation, params, options).0),
            Err(e) => {
                return futures_util::stream::iter([Err(e)]).left_stream();
            }
        };
        let pages = futures_util::stream::iter(pages).flatten();
        pages
            .map(move |page| page.and_then(|v| output_as(&name, v)))
            .scan(false, |failed, item| {
                // Stop after the first error item.
                let done = *failed;
                *failed = *failed || item.is_err();
                std::future::ready((!done).then_some(item))
            })
            .right_stream()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    struct Identity {
        account: String,
        user_id: String,
    }

    #[test]
    fn outputs_convert_and_mismatches_name_the_operation_and_field() {
        let v = json!({"Account": "123", "UserId": "u", "Arn": "a", "ResponseMetadata": {}});
        let id: Identity = output_as("GetCallerIdentity", v).unwrap();
        assert_eq!(id.account, "123");
        let e = output_as::<Identity>("GetCallerIdentity", json!({"Account": 5}))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("the output of GetCallerIdentity") && e.contains("string"),
            "{e}"
        );
    }

    #[test]
    fn parameters_serialize_from_any_type() {
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Get {
            bucket: String,
            key: String,
        }
        let v = params_value(
            "GetObject",
            &Get {
                bucket: "b".into(),
                key: "k".into(),
            },
        )
        .unwrap();
        assert_eq!(v, json!({"Bucket": "b", "Key": "k"}));
    }
}
