//! The response-parser targets, one per protocol: the bytes are a response (see
//! [`crate::response`]) to an operation with a rich output shape, parsed with
//! `inia_protocol::parse`. A success must carry `ResponseMetadata` with the status.
//!
//! Owns the operation tables. Does not own the parsers (inia-protocol).

use crate::response;
use crate::specs::{case, Case, Spec};
use serde_json::Value;

const QUERY: &[Case] = &[
    case(Spec::Iam, "GetAccountAuthorizationDetails"),
    case(Spec::Iam, "GetAccountSummary"),
    case(Spec::Iam, "ListUsers"),
    case(Spec::Iam, "GetRole"),
    case(Spec::Iam, "ListAccessKeys"),
    case(Spec::Iam, "GetCredentialReport"),
    case(Spec::Sts, "AssumeRole"),
    case(Spec::Sts, "GetCallerIdentity"),
    case(Spec::Sns, "ListTopics"),
    case(Spec::Sns, "GetTopicAttributes"),
    case(Spec::Sns, "Publish"),
];

const EC2: &[Case] = &[
    case(Spec::Ec2, "DescribeInstances"),
    case(Spec::Ec2, "DescribeVpcs"),
    case(Spec::Ec2, "DescribeSecurityGroups"),
    case(Spec::Ec2, "DescribeImages"),
    case(Spec::Ec2, "DescribeTags"),
    case(Spec::Ec2, "CreateVolume"),
    case(Spec::Ec2, "DescribeSpotPriceHistory"),
    case(Spec::Ec2, "GetConsoleOutput"),
];

const JSON: &[Case] = &[
    case(Spec::DynamoDb, "Query"),
    case(Spec::DynamoDb, "GetItem"),
    case(Spec::DynamoDb, "DescribeTable"),
    case(Spec::DynamoDb, "BatchGetItem"),
    case(Spec::DynamoDb, "ListTables"),
    case(Spec::Sqs, "ReceiveMessage"),
    case(Spec::Sqs, "GetQueueAttributes"),
    case(Spec::Sqs, "ListQueues"),
    case(Spec::Feeds, "SubscribeFeed"),
];

const REST_JSON: &[Case] = &[
    case(Spec::Workshop, "GetWidget"),
    case(Spec::Workshop, "GetWidgetDocument"),
    case(Spec::Workshop, "GetWidgetBlob"),
    case(Spec::Workshop, "DownloadWidget"),
    case(Spec::Workshop, "PutWidget"),
    case(Spec::Workshop, "ListWidgets"),
    case(Spec::Workshop, "WatchWidgets"),
];

const REST_XML: &[Case] = &[
    case(Spec::S3, "ListObjectsV2"),
    case(Spec::S3, "GetObject"),
    case(Spec::S3, "HeadObject"),
    case(Spec::S3, "GetBucketLocation"),
    case(Spec::S3, "ListObjectVersions"),
    case(Spec::S3, "GetObjectAttributes"),
    case(Spec::S3, "GetBucketLifecycleConfiguration"),
    case(Spec::S3, "ListMultipartUploads"),
    case(Spec::S3, "GetObjectAcl"),
    case(Spec::S3, "GetBucketPolicy"),
    case(Spec::S3, "SelectObjectContent"),
    case(Spec::AzureBlob, "ListBlobs"),
    case(Spec::AzureBlob, "GetBlockList"),
    case(Spec::AzureBlob, "GetBlobProperties"),
];

/// In the order `cargo xtask fuzz` relies on to seed vector bodies (see
/// [`crate::cbor_seeds`]).
pub(crate) const CBOR: &[Case] = &[
    case(Spec::Gauges, "SimpleScalarProperties"),
    case(Spec::Gauges, "RpcV2CborLists"),
    case(Spec::Gauges, "RpcV2CborDenseMaps"),
    case(Spec::Gauges, "RpcV2CborSparseMaps"),
    case(Spec::Gauges, "RecursiveShapes"),
    case(Spec::Gauges, "FractionalSeconds"),
    case(Spec::Gauges, "Float16"),
    case(Spec::Gauges, "GreetingWithErrors"),
    case(Spec::Gauges, "HttpPayloadWithUnion"),
];

/// The operation tables by target name, for tests.
#[cfg(test)]
const TABLES: &[(&str, &[Case])] = &[
    ("parse_query", QUERY),
    ("parse_ec2", EC2),
    ("parse_json", JSON),
    ("parse_rest_json", REST_JSON),
    ("parse_rest_xml", REST_XML),
    ("parse_cbor", CBOR),
];

/// Parse the response `data` describes for the operation it picks from `table`.
pub(crate) fn run(table: &[Case], data: &[u8]) {
    let Some(r) = response::decode(data) else {
        return;
    };
    let Some(case) = crate::pick(table, r.operation) else {
        return;
    };
    let Ok(model) = case.spec.model() else {
        return;
    };
    let Ok(op) = model.operation(case.operation) else {
        return;
    };
    if let Ok(out) = inia_protocol::parse(model, &op, r.status, &r.headers, r.body) {
        let status = &out["ResponseMetadata"]["HTTPStatusCode"];
        assert_eq!(
            status,
            &Value::from(r.status),
            "a parsed output carries its status"
        );
    }
}

/// A `query` response (IAM, STS, SNS).
pub fn parse_query(data: &[u8]) {
    run(QUERY, data);
}

/// An `ec2` response.
pub fn parse_ec2(data: &[u8]) {
    run(EC2, data);
}

/// A `json` response (DynamoDB, SQS, and an event stream with an initial response).
pub fn parse_json(data: &[u8]) {
    run(JSON, data);
}

/// A `rest-json` response (the hand-written Workshop model).
pub fn parse_rest_json(data: &[u8]) {
    run(REST_JSON, data);
}

/// A `rest-xml` response (S3, Azure Blob).
pub fn parse_rest_xml(data: &[u8]) {
    run(REST_XML, data);
}

/// A `smithy-rpc-v2-cbor` response (the hand-written Gauges model).
pub fn parse_cbor(data: &[u8]) {
    run(CBOR, data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_exists_and_parses_an_empty_success() {
        for (name, table) in TABLES {
            assert!(table.len() <= 32, "{name}: byte 0 reaches 32 operations");
            for c in *table {
                let model = c.spec.model().unwrap();
                let op = model
                    .operation(c.operation)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(op.output.is_some(), "{name}: {} has no output", c.operation);
            }
        }
    }
}
