//! The request-serializer targets, one per protocol. Byte 0 picks an operation from the
//! target's table (wrapping around); the rest must be JSON (anything else is rejected
//! before inia sees it): the call's parameters. They are validated as
//! `inia_protocol::serialize` does, then serialized with `serialize_operation_with`
//! whatever validation said: it takes unchecked parameters, and must answer bad ones with
//! an error too. Idempotency tokens are a fixed string, so a run can be replayed.
//!
//! Owns the operation tables. Does not own the serializers (inia-protocol).

use crate::specs::{case, Case, Spec};
use inia_protocol::{validate, SerializeOptions};
use serde_json::Value;

const QUERY: &[Case] = &[
    case(Spec::Iam, "CreateRole"),
    case(Spec::Iam, "PutRolePolicy"),
    case(Spec::Iam, "TagUser"),
    case(Spec::Iam, "UpdateAssumeRolePolicy"),
    case(Spec::Sts, "AssumeRole"),
    case(Spec::Sts, "AssumeRoleWithWebIdentity"),
    case(Spec::Sns, "Publish"),
    case(Spec::Sns, "PublishBatch"),
    case(Spec::Sns, "CreateTopic"),
    case(Spec::Sns, "SetSubscriptionAttributes"),
];

const EC2: &[Case] = &[
    case(Spec::Ec2, "RunInstances"),
    case(Spec::Ec2, "DescribeInstances"),
    case(Spec::Ec2, "CreateTags"),
    case(Spec::Ec2, "AuthorizeSecurityGroupIngress"),
    case(Spec::Ec2, "ModifyInstanceAttribute"),
    case(Spec::Ec2, "DescribeSpotPriceHistory"),
];

const JSON: &[Case] = &[
    case(Spec::DynamoDb, "PutItem"),
    case(Spec::DynamoDb, "Query"),
    case(Spec::DynamoDb, "BatchWriteItem"),
    case(Spec::DynamoDb, "TransactWriteItems"),
    case(Spec::DynamoDb, "UpdateItem"),
    case(Spec::DynamoDb, "CreateTable"),
    case(Spec::Sqs, "SendMessageBatch"),
    case(Spec::Sqs, "SendMessage"),
    case(Spec::Sqs, "SetQueueAttributes"),
    case(Spec::Feeds, "SubscribeFeed"),
];

const REST_JSON: &[Case] = &[
    case(Spec::Workshop, "GetWidget"),
    case(Spec::Workshop, "PutWidget"),
    case(Spec::Workshop, "PutWidgetDocument"),
    case(Spec::Workshop, "UploadWidgetBlob"),
    case(Spec::Workshop, "ListWidgets"),
];

const REST_XML: &[Case] = &[
    case(Spec::S3, "PutObject"),
    case(Spec::S3, "PutBucketTagging"),
    case(Spec::S3, "DeleteObjects"),
    case(Spec::S3, "PutBucketLifecycleConfiguration"),
    case(Spec::S3, "CopyObject"),
    case(Spec::S3, "CompleteMultipartUpload"),
    case(Spec::S3, "PutObjectAcl"),
    case(Spec::S3, "PutBucketPolicy"),
    case(Spec::S3, "UploadPart"),
    case(Spec::S3, "ListObjectsV2"),
    case(Spec::S3, "SelectObjectContent"),
    case(Spec::AzureBlob, "PutBlockList"),
    case(Spec::AzureBlob, "PutBlob"),
    case(Spec::AzureBlob, "ListBlobs"),
];

/// The operation tables by target name, for tests.
#[cfg(test)]
const TABLES: &[(&str, &[Case])] = &[
    ("serialize_query", QUERY),
    ("serialize_ec2", EC2),
    ("serialize_json", JSON),
    ("serialize_rest_json", REST_JSON),
    ("serialize_rest_xml", REST_XML),
];

fn options() -> SerializeOptions {
    SerializeOptions {
        idempotency_token: || "00000000-0000-4000-8000-000000000000".to_string(),
        ..SerializeOptions::default()
    }
}

fn check<B>(req: &http::Request<B>) {
    assert!(
        req.uri().path().starts_with('/'),
        "a request path starts with '/': {}",
        req.uri()
    );
}

/// Serialize the parameters `data` holds for the operation it picks from `table`.
pub(crate) fn run(table: &[Case], data: &[u8]) {
    let Some((selector, json)) = crate::split_first(data) else {
        return;
    };
    let Ok(params) = serde_json::from_slice::<Value>(json) else {
        return;
    };
    let Some(case) = crate::pick(table, usize::from(selector)) else {
        return;
    };
    let Ok(model) = case.spec.model() else {
        return;
    };
    let Ok(op) = model.operation(case.operation) else {
        return;
    };
    // What `inia_protocol::serialize` does, validation first; the serializer then runs
    // whatever validation said, since `serialize_operation_with` takes unchecked input.
    let _ = validate::validate(model, &op, &params);
    if let Ok(req) = inia_protocol::serialize_operation_with(model, &op, &params, &options()) {
        check(&req);
    }
}

/// `query` requests (IAM, STS, SNS).
pub fn serialize_query(data: &[u8]) {
    run(QUERY, data);
}

/// `ec2` requests.
pub fn serialize_ec2(data: &[u8]) {
    run(EC2, data);
}

/// `json` requests (DynamoDB, SQS).
pub fn serialize_json(data: &[u8]) {
    run(JSON, data);
}

/// `rest-json` requests (the hand-written Workshop model).
pub fn serialize_rest_json(data: &[u8]) {
    run(REST_JSON, data);
}

/// `rest-xml` requests (S3, Azure Blob).
pub fn serialize_rest_xml(data: &[u8]) {
    run(REST_XML, data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_exists() {
        for (name, table) in TABLES {
            for c in *table {
                let model = c.spec.model().unwrap();
                let op = model
                    .operation(c.operation)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(op.input.is_some(), "{name}: {} has no input", c.operation);
            }
        }
    }
}
