//! The `operationInputs` of botocore's endpoint tests, run through inia's client path:
//! the case's `builtInParams` and `clientParams` set on a session (as botocore's test
//! sets them: only those built-ins, none from settings; host prefixes off), the
//! operation's params customized, validated, bound, resolved, serialized and addressed
//! by [`inia::Client::prepare`] (nothing is sent), and the request's URL compared with the
//! expected endpoint's (botocore's own check: the URL starts with it), or the expected
//! error raised before anything would be sent, with the rule's exact message. S3's
//! bucket-name check is off, so that the rules see every name: botocore's own runner
//! skips the cases whose names its `validate_bucket_name` handler refuses.
//!
//! Owns turning a case's settings into a session.

use inia::endpoint_rules::Val;
use inia::{Credentials, Session};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A runner for one input of a case: `(service, operationInput, expect)`.
pub fn runner(data: &Path) -> impl Fn(&str, &Value, &Value) -> Result<(), String> {
    let data: PathBuf = data.to_path_buf();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok();
    move |service: &str, input: &Value, expect: &Value| {
        let rt = rt.as_ref().ok_or("no tokio runtime")?;
        run_one(rt, &data, service, input, expect)
    }
}

fn run_one(
    rt: &tokio::runtime::Runtime,
    data: &Path,
    service: &str,
    input: &Value,
    expect: &Value,
) -> Result<(), String> {
    let builtins = input["builtInParams"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let region = builtins
        .get("AWS::Region")
        .and_then(Value::as_str)
        .unwrap_or("us-east-1");
    let mut b = Session::builder()
        .env(inia::auth::config::Env::empty())
        .spec_dir(data)
        .region(region)
        .credentials(Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        ))
        .endpoint_builtins_from_settings(false)
        .inject_host_prefix(false)
        .validate_bucket_names(false);
    for (k, v) in builtins
        .iter()
        .chain(input["clientParams"].as_object().into_iter().flatten())
    {
        let val =
            Val::from_json(v).ok_or_else(|| format!("unsupported parameter value {k}={v}"))?;
        b = b.endpoint_param(k.clone(), val);
    }
    let session = b.build().map_err(|e| format!("session: {e}"))?;
    let client = session
        .client(service)
        .map_err(|e| format!("client: {e}"))?;
    let op = input["operationName"].as_str().ok_or("no operationName")?;
    let params = input
        .get("operationParams")
        .cloned()
        .unwrap_or_else(|| Value::Object(Default::default()));
    let result = rt.block_on(client.prepare(op, params, None));
    match (result, expect.get("endpoint"), expect.get("error")) {
        (Ok(req), Some(want), _) => {
            let url = req.uri().to_string();
            let want = want["url"].as_str().unwrap_or_default();
            if url.starts_with(want) {
                Ok(())
            } else {
                Err(format!("request URL {url} does not start with {want}"))
            }
        }
        (Err(inia::Error::Endpoint(e)), _, Some(want)) => {
            if want.as_str() == Some(e.to_string().as_str()) {
                Ok(())
            } else {
                Err(format!("error {:?} != {want}", e.to_string()))
            }
        }
        (Ok(req), None, _) => Err(format!(
            "prepared {} where an error was expected",
            req.uri()
        )),
        (Err(e), _, _) => Err(format!("error: {e}")),
    }
}
