//! Amazon Machine Learning's one customization, as botocore applies it: Predict goes to
//! the model's real-time endpoint, the `PredictEndpoint` of its input (scheme and host
//! from it, the path from the model).
//!
//! Owns that rewrite; `customize` registers it.

use super::CallContext;
use crate::error::Error;
use bytes::Bytes;
use inia_model::Operation;

pub(crate) fn predict_endpoint(
    _: &CallContext<'_>,
    _: &Operation,
    parts: &mut http::request::Parts,
    body: &mut Bytes,
) -> Result<(), Error> {
    let Ok(input) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Ok(());
    };
    let Some(target) = input["PredictEndpoint"].as_str().filter(|s| !s.is_empty()) else {
        return Ok(());
    };
    let bad = || Error::Param {
        path: "PredictEndpoint".into(),
        message: format!("{target:?} is not an endpoint URL (scheme://host)"),
    };
    let new: http::Uri = target.parse().map_err(|_| bad())?;
    let (Some(scheme), Some(authority)) = (new.scheme(), new.authority()) else {
        return Err(bad());
    };
    let mut p = http::uri::Parts::from(parts.uri.clone());
    p.scheme = Some(scheme.clone());
    p.authority = Some(authority.clone());
    parts.uri = http::Uri::from_parts(p).map_err(|_| bad())?;
    parts.headers.remove(http::header::HOST);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predict_goes_to_the_models_endpoint() {
        let m = crate::customize::testing::model(
            "Machine Learning",
            "json",
            serde_json::json!({"Predict": {"name": "Predict", "http": {"method": "POST", "requestUri": "/"}}}),
            serde_json::json!({}),
        );
        let op = m.operation("Predict").unwrap();
        let env = inia_auth::config::Env::empty();
        let ctx = CallContext {
            model: &m,
            region: None,
            rules: true,
            env: &env,
            validate_bucket_names: true,
        };
        let request = |body: &'static str| {
            let mut parts = http::Request::post("https://machinelearning.us-east-1.amazonaws.com/")
                .body(())
                .unwrap()
                .into_parts()
                .0;
            let mut b = Bytes::from_static(body.as_bytes());
            crate::customize::request(&ctx, &op, &mut parts, &mut b).map(|_| parts.uri.to_string())
        };
        assert_eq!(
            request(r#"{"MLModelId":"m","Record":{},"PredictEndpoint":"https://realtime.machinelearning.us-east-1.amazonaws.com"}"#)
                .unwrap(),
            "https://realtime.machinelearning.us-east-1.amazonaws.com/"
        );
        assert_eq!(
            request(r#"{"MLModelId":"m"}"#).unwrap(),
            "https://machinelearning.us-east-1.amazonaws.com/"
        );
        assert!(request(r#"{"PredictEndpoint":"no host"}"#).is_err());
    }
}
