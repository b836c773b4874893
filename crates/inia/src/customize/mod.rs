//! Service customizations, in one table as botocore's handler table keeps them:
//! (stage, service id, operation) → function. The call path asks this module at each
//! stage; no stage tests a service's name itself. A service id of `*` is every service.
//!
//! Stages, in the order a call meets them (botocore's event in brackets):
//! - `Params` [before-parameter-build]: rewrites or refuses the input before validation,
//!   and may leave [`Notes`] for the later stages;
//! - `Presign` [before-call]: fills a cross-region presigned URL into the input
//!   (`cross_region`), after validation;
//! - `Builtins` [before-endpoint-resolution]: adjusts the endpoint rule-set built-ins;
//! - `Path`: rewrites the serialized path before it is joined onto the endpoint;
//! - `HostPrefix`: decides whether the model's host prefix is applied;
//! - `Request` [before-call, request-created]: the serialized, addressed request's
//!   headers, URL, method and in-memory body, before the payload stage and signing;
//! - `TreeHash` [before-call]: Glacier's payload checksums, which read the body;
//! - `Response` [before-parse]: the answer's status, headers and body before parsing,
//!   and members to add to the parsed output;
//! - `Output` [after-call]: the parsed output of a successful call.
//!
//! Per service, not per call: `S3Config`, the profile's `s3 =` section configures the
//! service (its client context parameters and `use_dualstack_endpoint`), as botocore's
//! `s3` config does for S3 and S3 Control.
//!
//! Owns the table and the stage runners. The rewrites live in one file per service
//! (`s3`, `s3_answers`, `route53`, `iam`, `ec2`, `glacier`, `cloudformation`, `logs`,
//! `cloudsearch_domain`, `machine_learning`, `api_gateway`, `sso_oidc`), the
//! cross-region presigned URLs of EC2, RDS, Neptune and DocumentDB in `cross_region`,
//! what every service gets in `every_service`; S3 Express One Zone's session
//! credentials, which the signing stage asks for, in `s3_express`. Which botocore
//! handlers are not here, and why: docs/cli.md, "botocore's handlers".

mod api_gateway;
mod cloudformation;
mod cloudsearch_domain;
pub(crate) mod cross_region;
mod ec2;
mod every_service;
mod glacier;
mod iam;
mod logs;
mod machine_learning;
mod route53;
pub(crate) mod s3;
mod s3_answers;
pub(crate) mod s3_express;
mod sso_oidc;

use crate::error::Error;
use bytes::Bytes;
use inia_auth::config::Env;
use inia_endpoint::Val;
use inia_http::Body;
use inia_model::{Operation, ServiceModel};
use serde_json::{Map, Value};

/// What a customization may know about the call.
pub(crate) struct CallContext<'a> {
    pub(crate) model: &'a ServiceModel,
    pub(crate) region: Option<&'a str>,
    /// The endpoint comes from a rule set (AWS), not a provider's template.
    pub(crate) rules: bool,
    /// The session's environment variables.
    pub(crate) env: &'a Env,
    /// S3 bucket names are checked (`SessionBuilder::validate_bucket_names`).
    pub(crate) validate_bucket_names: bool,
}

/// What the `Params` stage noted for the later stages of the same call (carried in the
/// request's extensions, as botocore's request context carries it).
#[derive(Debug, Clone, Default)]
pub(crate) struct Notes {
    /// `EncodingType=url` was added by the call path, not asked for by the caller: the
    /// answer's keys are decoded.
    pub(crate) url_encoding_added: bool,
}

/// An answer before it is parsed (`Response` stage).
pub(crate) struct Answer<'a> {
    pub(crate) status: u16,
    pub(crate) headers: &'a mut http::HeaderMap,
    /// The body, when it was read (not for a streamed output).
    pub(crate) body: Option<&'a mut Bytes>,
    /// Members added to the parsed output of a successful call, after the others.
    pub(crate) extra: Map<String, Value>,
}

type ParamsFn = fn(&CallContext<'_>, &Operation, Value, &mut Notes) -> Result<Value, Error>;
/// Built-ins, copied only by a hook that changes them.
pub(crate) type Builtins<'a> = std::borrow::Cow<'a, [(&'static str, Val)]>;
type BuiltinsFn = fn(&Operation, &Value, &mut Builtins<'_>);
type PathFn = fn(&CallContext<'_>, &Operation, &mut String);
type RequestFn =
    fn(&CallContext<'_>, &Operation, &mut http::request::Parts, &mut Bytes) -> Result<(), Error>;
type ResponseFn = fn(&ServiceModel, &Operation, &mut Answer<'_>);
type OutputFn = fn(&ServiceModel, &Operation, &Notes, &mut Value);

enum Hook {
    Params(ParamsFn),
    Presign(&'static cross_region::Spec),
    Builtins(BuiltinsFn),
    Path(PathFn),
    /// The model's host prefix is not applied (the rules put it in the URL).
    NoHostPrefix,
    Request(RequestFn),
    /// Glacier's SHA-256 and tree-hash headers, computed over the payload.
    TreeHash,
    Response(ResponseFn),
    Output(OutputFn),
    /// The profile's `s3 =` section configures this service.
    S3Config,
    /// The entry's operation is an older name of this one (botocore's method aliases).
    OperationAlias(&'static str),
}

struct Entry {
    service_id: &'static str,
    /// `None`: every operation.
    operation: Option<&'static str>,
    hook: Hook,
}

/// An entry for one operation.
const fn op(service_id: &'static str, operation: &'static str, hook: Hook) -> Entry {
    Entry {
        service_id,
        operation: Some(operation),
        hook,
    }
}

/// An entry for every operation of a service.
const fn all(service_id: &'static str, hook: Hook) -> Entry {
    Entry {
        service_id,
        operation: None,
        hook,
    }
}

use cross_region::{EC2_COPY_SNAPSHOT, RDS};
use Hook::{Output, Params, Presign, Request, Response};

const TABLE: &[Entry] = &[
    // Every service.
    all("*", Request(every_service::recursion_detection)),
    all("*", Request(every_service::endpoint_operation_version)),
    // S3.
    all("S3", Params(s3::bucket_name)),
    op("S3", "CopyObject", Params(s3::copy_source)),
    op("S3", "UploadPartCopy", Params(s3::copy_source)),
    op("S3", "CopyObject", Params(s3::ascii_metadata)),
    op("S3", "PutObject", Params(s3::ascii_metadata)),
    op("S3", "CreateMultipartUpload", Params(s3::ascii_metadata)),
    op("S3", "HeadObject", Params(s3::sse_customer_key)),
    op("S3", "GetObject", Params(s3::sse_customer_key)),
    op("S3", "PutObject", Params(s3::sse_customer_key)),
    op("S3", "CopyObject", Params(s3::sse_customer_key)),
    op("S3", "CopyObject", Params(s3::copy_source_sse_customer_key)),
    op("S3", "CreateMultipartUpload", Params(s3::sse_customer_key)),
    op("S3", "UploadPart", Params(s3::sse_customer_key)),
    op("S3", "UploadPartCopy", Params(s3::sse_customer_key)),
    op(
        "S3",
        "UploadPartCopy",
        Params(s3::copy_source_sse_customer_key),
    ),
    op(
        "S3",
        "CompleteMultipartUpload",
        Params(s3::sse_customer_key),
    ),
    op("S3", "SelectObjectContent", Params(s3::sse_customer_key)),
    op("S3", "ListObjects", Params(s3::url_encoding)),
    op("S3", "ListObjectsV2", Params(s3::url_encoding)),
    op("S3", "ListObjectVersions", Params(s3::url_encoding)),
    op("S3", "CreateBucket", Params(s3::location_constraint)),
    all("S3", Hook::Builtins(s3::addressing_builtins)),
    all("S3", Hook::Path(s3::bucket_out_of_path)),
    op("S3", "DeleteObjects", Request(s3::escape_line_breaks)),
    op(
        "S3",
        "PutBucketLifecycleConfiguration",
        Request(s3::escape_line_breaks),
    ),
    all("S3", Response(s3_answers::error_in_200)),
    all("S3", Response(s3_answers::expires_string)),
    op(
        "S3",
        "GetBucketLocation",
        Output(s3_answers::bucket_location),
    ),
    op("S3", "ListObjects", Output(s3_answers::decode_list_objects)),
    op(
        "S3",
        "ListObjectsV2",
        Output(s3_answers::decode_list_objects_v2),
    ),
    op(
        "S3",
        "ListObjectVersions",
        Output(s3_answers::decode_list_object_versions),
    ),
    all("S3", Hook::S3Config),
    all("S3 Control", Hook::NoHostPrefix),
    all("S3 Control", Hook::S3Config),
    // Other services, by service id.
    all("Route 53", Params(route53::trim_ids)),
    all("IAM", Output(iam::decode_policies)),
    all("EC2", Params(ec2::filter_alias)),
    op("EC2", "RunInstances", Params(ec2::base64_user_data)),
    op("EC2", "CopySnapshot", Presign(&EC2_COPY_SNAPSHOT)),
    op(
        "EC2",
        "GetConsoleOutput",
        Output(ec2::decode_console_output),
    ),
    op(
        "Auto Scaling",
        "CreateLaunchConfiguration",
        Params(ec2::base64_user_data),
    ),
    op("RDS", "CopyDBClusterSnapshot", Presign(&RDS)),
    op("RDS", "CreateDBCluster", Presign(&RDS)),
    op("RDS", "CopyDBSnapshot", Presign(&RDS)),
    op("RDS", "CreateDBInstanceReadReplica", Presign(&RDS)),
    op(
        "RDS",
        "StartDBInstanceAutomatedBackupsReplication",
        Presign(&RDS),
    ),
    op("Neptune", "CopyDBClusterSnapshot", Presign(&RDS)),
    op("Neptune", "CreateDBCluster", Presign(&RDS)),
    op("DocDB", "CopyDBClusterSnapshot", Presign(&RDS)),
    op("DocDB", "CreateDBCluster", Presign(&RDS)),
    all("Glacier", Params(glacier::account_id)),
    all("Glacier", Request(glacier::api_version)),
    op("Glacier", "UploadArchive", Hook::TreeHash),
    op("Glacier", "UploadMultipartPart", Hook::TreeHash),
    op(
        "CloudFormation",
        "GetTemplate",
        Output(cloudformation::decode_template_body),
    ),
    op(
        "CloudWatch Logs",
        "CreateExportTask",
        Params(logs::from_alias),
    ),
    op(
        "CloudSearch Domain",
        "Search",
        Params(cloudsearch_domain::return_alias),
    ),
    op(
        "CloudSearch Domain",
        "Search",
        Request(cloudsearch_domain::get_to_post),
    ),
    op(
        "Machine Learning",
        "Predict",
        Request(machine_learning::predict_endpoint),
    ),
    all("API Gateway", Request(api_gateway::accept_json)),
    all("SSO OIDC", Response(sso_oidc::oauth2_message)),
    // Older names botocore's clients still answer to.
    op(
        "SocialMessaging",
        "DeleteWhatsAppMediaMessage",
        Hook::OperationAlias("DeleteWhatsAppMessageMedia"),
    ),
    // Operations botocore's clients leave out: they need HTTP/2 bidirectional streams.
    op(
        "Lex Runtime V2",
        "StartConversation",
        Params(every_service::needs_http2),
    ),
    op("QBusiness", "Chat", Params(every_service::needs_http2)),
    op(
        "Bedrock Runtime",
        "InvokeModelWithBidirectionalStream",
        Params(every_service::needs_http2),
    ),
    op(
        "ConnectHealth",
        "StartMedicalScribeListeningSession",
        Params(every_service::needs_http2),
    ),
    op(
        "Polly",
        "StartSpeechSynthesisStream",
        Params(every_service::needs_http2),
    ),
];

fn entries<'a>(
    model: &'a ServiceModel,
    op: &'a Operation,
) -> impl Iterator<Item = &'static Hook> + 'a {
    let id = model.metadata().service_id.as_deref().unwrap_or("");
    TABLE
        .iter()
        .filter(move |e| {
            (e.service_id == id || e.service_id == "*") && e.operation.is_none_or(|o| o == op.name)
        })
        .map(|e| &e.hook)
}

/// Stage `Params`: the input rewritten, or refused; notes for the later stages.
pub(crate) fn params(
    ctx: &CallContext<'_>,
    op: &Operation,
    mut params: Value,
    notes: &mut Notes,
) -> Result<Value, Error> {
    for hook in entries(ctx.model, op) {
        if let Hook::Params(f) = hook {
            params = f(ctx, op, params, notes)?;
        }
    }
    Ok(params)
}

/// Stage `Presign`: the cross-region presigned URL this operation gets, if any.
pub(crate) fn presign(model: &ServiceModel, op: &Operation) -> Option<&'static cross_region::Spec> {
    entries(model, op).find_map(|h| match h {
        Hook::Presign(spec) => Some(*spec),
        _ => None,
    })
}

/// Stage `Builtins`.
pub(crate) fn builtins(
    model: &ServiceModel,
    op: &Operation,
    params: &Value,
    builtins: &mut Builtins<'_>,
) {
    for hook in entries(model, op) {
        if let Hook::Builtins(f) = hook {
            f(op, params, builtins);
        }
    }
}

/// Stage `Path`.
pub(crate) fn path(ctx: &CallContext<'_>, op: &Operation, path_and_query: &mut String) {
    for hook in entries(ctx.model, op) {
        if let Hook::Path(f) = hook {
            f(ctx, op, path_and_query);
        }
    }
}

/// Stage `HostPrefix`: false when the rules already carry the prefix.
pub(crate) fn host_prefix(ctx: &CallContext<'_>, op: &Operation) -> bool {
    !(ctx.rules && entries(ctx.model, op).any(|h| matches!(h, Hook::NoHostPrefix)))
}

/// Stage `Request`: the serialized and addressed request, its in-memory body beside it.
pub(crate) fn request(
    ctx: &CallContext<'_>,
    op: &Operation,
    parts: &mut http::request::Parts,
    body: &mut Bytes,
) -> Result<(), Error> {
    for hook in entries(ctx.model, op) {
        if let Hook::Request(f) = hook {
            f(ctx, op, parts, body)?;
        }
    }
    Ok(())
}

/// Stage `TreeHash`: checksum headers computed over the payload (which is read ahead).
pub(crate) async fn payload(
    model: &ServiceModel,
    op: &Operation,
    parts: &mut http::request::Parts,
    body: &Body,
) -> Result<(), Error> {
    if entries(model, op).any(|h| matches!(h, Hook::TreeHash)) {
        glacier::checksums(parts, body).await?;
    }
    Ok(())
}

/// Stage `Response`: the answer before parsing.
pub(crate) fn response(model: &ServiceModel, op: &Operation, answer: &mut Answer<'_>) {
    for hook in entries(model, op) {
        if let Hook::Response(f) = hook {
            f(model, op, answer);
        }
    }
}

/// Stage `Output`: the parsed output of a successful call.
pub(crate) fn output(model: &ServiceModel, op: &Operation, notes: &Notes, value: &mut Value) {
    for hook in entries(model, op) {
        if let Hook::Output(f) = hook {
            f(model, op, notes, value);
        }
    }
}

/// Per service: the profile's `s3 =` section configures it (client context parameters,
/// `use_dualstack_endpoint`).
pub(crate) fn s3_config(model: &ServiceModel) -> bool {
    let id = model.metadata().service_id.as_deref().unwrap_or("");
    TABLE
        .iter()
        .any(|e| e.service_id == id && matches!(e.hook, Hook::S3Config))
}

/// The operation `name` is an older name of, by `key` (the client's loose spelling:
/// `delete_whatsapp_media_message`).
pub(crate) fn operation_alias(
    model: &ServiceModel,
    name: &str,
    key: impl Fn(&str) -> String,
) -> Option<&'static str> {
    let id = model.metadata().service_id.as_deref().unwrap_or("");
    let wanted = key(name);
    TABLE.iter().find_map(|e| match (&e.hook, e.operation) {
        (Hook::OperationAlias(to), Some(from)) if e.service_id == id && key(from) == wanted => {
            Some(*to)
        }
        _ => None,
    })
}

/// The input structure's shape of `op`, if it has one.
fn input_shape(model: &ServiceModel, op: &Operation) -> Option<std::sync::Arc<inia_model::Shape>> {
    model.target(op.input.as_ref()?, &op.name).ok()
}

/// A parameter refused: the error botocore's parameter validation would raise.
fn refuse(path: &str, message: impl Into<String>) -> Error {
    Error::Param {
        path: path.to_string(),
        message: message.into(),
    }
}

/// `params` renamed from `alias` to `name` when the operation's input has a member
/// `name` and the caller used the alias (botocore's `ParameterAlias`).
fn alias(
    ctx: &CallContext<'_>,
    op: &Operation,
    mut params: Value,
    name: &str,
    alias: &str,
) -> Result<Value, Error> {
    let modeled = input_shape(ctx.model, op).is_some_and(|s| s.members.contains_key(name));
    if let (true, Some(obj)) = (modeled, params.as_object_mut()) {
        if let Some(v) = obj.shift_remove(alias) {
            if obj.contains_key(name) {
                return Err(refuse(
                    alias,
                    format!("give {name} or its alias {alias}, not both"),
                ));
            }
            obj.insert(name.to_string(), v);
        }
    }
    Ok(params)
}

/// Test helpers: a model from JSON, and the stages as the call path runs them.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    pub(crate) fn model(
        service_id: &str,
        protocol: &str,
        ops: Value,
        shapes: Value,
    ) -> ServiceModel {
        let text = serde_json::json!({
            "metadata": {"protocol": protocol, "apiVersion": "2012-06-01", "serviceId": service_id},
            "operations": ops,
            "shapes": shapes,
        });
        ServiceModel::from_string(text.to_string(), "test").unwrap()
    }

    pub(crate) fn params(m: &ServiceModel, op: &str, v: Value) -> Result<(Value, Notes), Error> {
        let env = Env::empty();
        let ctx = CallContext {
            model: m,
            region: Some("us-east-1"),
            rules: true,
            env: &env,
            validate_bucket_names: true,
        };
        let op = m.operation(op).unwrap();
        let mut notes = Notes::default();
        let v = super::params(&ctx, &op, v, &mut notes)?;
        Ok((v, notes))
    }

    pub(crate) fn output(m: &ServiceModel, op: &str, notes: &Notes, mut v: Value) -> Value {
        let op = m.operation(op).unwrap();
        super::output(m, &op, notes, &mut v);
        v
    }
}

#[cfg(test)]
mod tests {
    use inia_model::SpecPath;

    #[test]
    fn the_s3_section_configures_the_services_the_table_names() {
        let specs = SpecPath::embedded_only();
        let s3 = specs.load_service("s3").unwrap();
        let sts = specs.load_service("sts").unwrap();
        assert!(super::s3_config(&s3));
        assert!(!super::s3_config(&sts));
    }

    #[test]
    fn older_operation_names_are_aliases() {
        let m = super::testing::model(
            "SocialMessaging",
            "rest-json",
            serde_json::json!({"DeleteWhatsAppMessageMedia": {"name": "DeleteWhatsAppMessageMedia",
                "http": {"method": "DELETE", "requestUri": "/"}}}),
            serde_json::json!({}),
        );
        let key = |s: &str| s.replace(['_', '-'], "").to_lowercase();
        assert_eq!(
            super::operation_alias(&m, "delete_whatsapp_media_message", key),
            Some("DeleteWhatsAppMessageMedia")
        );
        assert_eq!(super::operation_alias(&m, "delete_media", key), None);
    }

    #[test]
    fn every_table_entry_names_a_service_id_and_operation_botocore_has() {
        // The table's keys are spelled as the models spell them: a typo would silently
        // switch a customization off. Checked against botocore's models when the test
        // pipeline has fetched them.
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../.cache/botocore-1.44.5-wheel/botocore/data");
        if !data.join("sts").is_dir() {
            eprintln!(
                "skipped: {} is absent (cargo xtask test fetches it)",
                data.display()
            );
            return;
        }
        let specs = SpecPath::new(vec![inia_model::Root::Dir(data)]);
        let folders = [
            ("S3", "s3"),
            ("S3 Control", "s3control"),
            ("Route 53", "route53"),
            ("IAM", "iam"),
            ("EC2", "ec2"),
            ("Auto Scaling", "autoscaling"),
            ("RDS", "rds"),
            ("Neptune", "neptune"),
            ("DocDB", "docdb"),
            ("Glacier", "glacier"),
            ("CloudFormation", "cloudformation"),
            ("CloudWatch Logs", "logs"),
            ("CloudSearch Domain", "cloudsearchdomain"),
            ("Machine Learning", "machinelearning"),
            ("API Gateway", "apigateway"),
            ("SSO OIDC", "sso-oidc"),
            ("Lex Runtime V2", "lexv2-runtime"),
            ("QBusiness", "qbusiness"),
            ("Bedrock Runtime", "bedrock-runtime"),
            ("ConnectHealth", "connecthealth"),
            ("Polly", "polly"),
            ("SocialMessaging", "socialmessaging"),
        ];
        for e in super::TABLE.iter().filter(|e| e.service_id != "*") {
            let (_, folder) = folders
                .iter()
                .find(|(id, _)| *id == e.service_id)
                .unwrap_or_else(|| panic!("{:?}: which botocore folder?", e.service_id));
            let m = specs.load_service(folder).unwrap();
            assert_eq!(m.metadata().service_id.as_deref(), Some(e.service_id));
            let operation = match e.hook {
                super::Hook::OperationAlias(to) => {
                    assert!(
                        m.operation(e.operation.unwrap()).is_err(),
                        "an alias hides {to}"
                    );
                    Some(to)
                }
                _ => e.operation,
            };
            if let Some(o) = operation {
                assert!(m.operation(o).is_ok(), "{} has no {o}", e.service_id);
            }
        }
    }
}
