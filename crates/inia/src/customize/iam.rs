//! IAM's one output customization, as botocore applies it: IAM answers policy documents
//! (`AssumeRolePolicyDocument`, `PolicyDocument`, `Document`: every member whose shape
//! is `policyDocumentType`, at any depth of the output, in lists too) as URL-encoded
//! JSON text; they come out URL-decoded and parsed, as JSON objects. A document that
//! does not parse stays the text IAM sent.
//!
//! Owns that rewrite; registered in `customize` for every IAM operation.

use super::Notes;
use inia_model::{Operation, ServiceModel, Shape, ShapeType};
use serde_json::Value;

/// The shape IAM gives its policy documents.
const POLICY_SHAPE: &str = "policyDocumentType";

pub(crate) fn decode_policies(model: &ServiceModel, op: &Operation, _: &Notes, value: &mut Value) {
    if let Some(shape) = op
        .output
        .as_ref()
        .and_then(|o| model.target(o, &op.name).ok())
    {
        walk(model, &shape, value);
    }
}

/// Decode the policy documents in `value`, shaped by `shape`.
fn walk(model: &ServiceModel, shape: &Shape, value: &mut Value) {
    match shape.kind {
        ShapeType::Structure => {
            for (name, member) in &shape.members {
                let Some(v) = value.get_mut(name) else {
                    continue;
                };
                let Ok(target) = model.target(member, name) else {
                    continue;
                };
                if member.shape == POLICY_SHAPE && target.kind == ShapeType::String {
                    decode(v);
                } else {
                    walk(model, &target, v);
                }
            }
        }
        ShapeType::List => {
            let (Some(member), Value::Array(items)) = (&shape.member, value) else {
                return;
            };
            if let Ok(target) = model.target(member, "member") {
                for item in items {
                    walk(model, &target, item);
                }
            }
        }
        _ => {}
    }
}

/// A URL-encoded JSON text, parsed; left as it is when it is not JSON.
fn decode(v: &mut Value) {
    let Value::String(text) = v else {
        return;
    };
    let plain = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
    if let Ok(doc) = serde_json::from_str::<Value>(&plain) {
        *v = doc;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::testing;
    use serde_json::json;

    fn iam() -> ServiceModel {
        inia_model::SpecPath::embedded_only()
            .load_service("iam")
            .unwrap()
    }

    #[test]
    fn policy_documents_are_decoded_at_any_depth() {
        let m = iam();
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/a+b c"}]});
        let encoded = "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%7B\
            %22Effect%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22s3%3AGetObject%22%2C%20\
            %22Resource%22%3A%20%22arn%3Aaws%3As3%3A%3A%3Ab/a+b%20c%22%7D%5D%7D";
        let n = Notes::default();
        let out = testing::output(
            &m,
            "GetRole",
            &n,
            json!({"Role": {"RoleName": "r", "AssumeRolePolicyDocument": encoded}}),
        );
        assert_eq!(out["Role"]["AssumeRolePolicyDocument"], doc);
        assert_eq!(out["Role"]["RoleName"], "r");
        let out = testing::output(
            &m,
            "GetRolePolicy",
            &n,
            json!({"RoleName": "r", "PolicyName": "p", "PolicyDocument": encoded}),
        );
        assert_eq!(out["PolicyDocument"], doc);
        let out = testing::output(
            &m,
            "ListPolicyVersions",
            &n,
            json!({"Versions": [{"Document": encoded, "VersionId": "v1"}]}),
        );
        assert_eq!(out["Versions"][0]["Document"], doc);
        let out = testing::output(
            &m,
            "GetAccountAuthorizationDetails",
            &n,
            json!({"RoleDetailList": [{"RolePolicyList": [{"PolicyDocument": encoded}]}]}),
        );
        assert_eq!(
            out["RoleDetailList"][0]["RolePolicyList"][0]["PolicyDocument"],
            doc
        );
    }

    #[test]
    fn text_that_is_not_json_stays() {
        let m = iam();
        let out = testing::output(
            &m,
            "GetRolePolicy",
            &Notes::default(),
            json!({"PolicyDocument": "not%20json"}),
        );
        assert_eq!(out["PolicyDocument"], "not%20json");
        // Members of other shapes are not touched, even when they look encoded.
        let out = testing::output(
            &m,
            "GetRole",
            &Notes::default(),
            json!({"Role": {"Description": "%7B%7D"}}),
        );
        assert_eq!(out["Role"]["Description"], "%7B%7D");
    }
}
