//! EC2's customizations (and Auto Scaling's, which shares one), as botocore applies them:
//! - `UserData` of RunInstances (and Auto Scaling's CreateLaunchConfiguration) is given
//!   as text and sent base64-encoded, as the API wants it;
//! - operations whose input has a `Filter` member take it as `Filters` too;
//! - GetConsoleOutput's `Output`, base64 on the wire, comes out decoded (bytes that are
//!   not UTF-8 become U+FFFD); left as sent when it is not base64.
//!
//! CopySnapshot's presigned URL is in `cross_region`. Owns those rewrites; `customize`
//! registers them.

use super::{CallContext, Notes};
use crate::error::Error;
use base64::Engine;
use inia_model::{Operation, ServiceModel};
use serde_json::Value;

pub(crate) fn base64_user_data(
    _: &CallContext<'_>,
    _: &Operation,
    mut params: Value,
    _: &mut Notes,
) -> Result<Value, Error> {
    if let Some(Value::String(text)) = params.get_mut("UserData") {
        *text = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    }
    Ok(params)
}

pub(crate) fn filter_alias(
    ctx: &CallContext<'_>,
    op: &Operation,
    params: Value,
    _: &mut Notes,
) -> Result<Value, Error> {
    super::alias(ctx, op, params, "Filter", "Filters")
}

pub(crate) fn decode_console_output(_: &ServiceModel, _: &Operation, _: &Notes, v: &mut Value) {
    let Some(Value::String(text)) = v.get_mut("Output") else {
        return;
    };
    // Line breaks and other characters outside the alphabet are skipped, as a lenient
    // base64 reader skips them.
    let data: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect();
    if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) {
        *text = String::from_utf8_lossy(&bytes).into_owned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::testing;
    use serde_json::json;

    fn ec2() -> ServiceModel {
        inia_model::SpecPath::embedded_only()
            .load_service("ec2")
            .unwrap()
    }

    #[test]
    fn user_data_is_sent_base64() {
        let m = ec2();
        let (v, _) = testing::params(
            &m,
            "RunInstances",
            json!({"ImageId": "ami-1", "MinCount": 1, "MaxCount": 1, "UserData": "#!/bin/sh\necho hi"}),
        )
        .unwrap();
        assert_eq!(v["UserData"], "IyEvYmluL3NoCmVjaG8gaGk=");
        // Only RunInstances' (ModifyInstanceAttribute takes its own blob).
        let (v, _) = testing::params(&m, "DescribeInstances", json!({"UserData": "x"})).unwrap();
        assert_eq!(v["UserData"], "x");
    }

    #[test]
    fn filters_is_an_alias_of_filter() {
        let m = ec2();
        let f = json!([{"Name": "state", "Values": ["available"]}]);
        let (v, _) = testing::params(&m, "DescribeNatGateways", json!({"Filters": f})).unwrap();
        assert_eq!(v, json!({"Filter": f}));
        let e = testing::params(
            &m,
            "DescribeNatGateways",
            json!({"Filters": f, "Filter": f}),
        )
        .unwrap_err();
        assert!(
            matches!(&e, Error::Param { path, .. } if path == "Filters"),
            "{e}"
        );
        // DescribeInstances' member is `Filters` itself: nothing to rename.
        let (v, _) = testing::params(&m, "DescribeInstances", json!({"Filters": f})).unwrap();
        assert_eq!(v, json!({"Filters": f}));
    }

    #[test]
    fn console_output_is_decoded() {
        let m = ec2();
        let n = Notes::default();
        let out = testing::output(
            &m,
            "GetConsoleOutput",
            &n,
            json!({"InstanceId": "i-1", "Output": "TGludXgg\ndmVyc2lvbiDp"}),
        );
        assert_eq!(out["Output"], "Linux version \u{fffd}");
        let odd = json!({"Output": "not base64!"});
        assert_eq!(
            testing::output(&m, "GetConsoleOutput", &n, odd.clone()),
            odd
        );
    }
}
