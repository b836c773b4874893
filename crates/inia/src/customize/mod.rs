//! Service customizations, in one table as botocore's handler table keeps them:
//! (stage, service id, operation) → function. The call path asks this module at each
//! stage; no stage tests a service's name itself.
//!
//! Stages: `Params` rewrites the input before validation; `Builtins` adjusts the endpoint
//! rule-set built-ins for one call; `Path` rewrites the serialized path before it is
//! joined onto the endpoint; `HostPrefix` decides whether the model's host prefix is
//! applied. Per service, not per call: `S3Config`, the profile's `s3 =` section
//! configures the service (its client context parameters and `use_dualstack_endpoint`),
//! as botocore's `s3` config does for S3 and S3 Control.
//!
//! Owns the table. The rewrites live in one file per service (`s3`, `route53`); S3
//! Express One Zone's session credentials, which the signing stage asks for, in
//! `s3_express`.

mod route53;
pub(crate) mod s3;
pub(crate) mod s3_express;

use inia_endpoint::Val;
use inia_model::{Operation, ServiceModel};
use serde_json::Value;

/// What a customization may know about the call.
pub(crate) struct CallContext<'a> {
    pub(crate) model: &'a ServiceModel,
    pub(crate) region: Option<&'a str>,
    /// The endpoint comes from a rule set (AWS), not a provider's template.
    pub(crate) rules: bool,
}

type ParamsFn = fn(&CallContext<'_>, &Operation, Value) -> Value;
/// Built-ins, copied only by a hook that changes them.
pub(crate) type Builtins<'a> = std::borrow::Cow<'a, [(&'static str, Val)]>;
type BuiltinsFn = fn(&Operation, &Value, &mut Builtins<'_>);
type PathFn = fn(&CallContext<'_>, &Operation, &mut String);

enum Hook {
    Params(ParamsFn),
    Builtins(BuiltinsFn),
    Path(PathFn),
    /// The model's host prefix is not applied (the rules put it in the URL).
    NoHostPrefix,
    /// The profile's `s3 =` section configures this service.
    S3Config,
}

struct Entry {
    service_id: &'static str,
    /// `None`: every operation.
    operation: Option<&'static str>,
    hook: Hook,
}

fn route53_ids(ctx: &CallContext<'_>, op: &Operation, params: Value) -> Value {
    route53::trim_ids(ctx.model, op, params)
}

const TABLE: &[Entry] = &[
    Entry {
        service_id: "S3",
        operation: Some("CopyObject"),
        hook: Hook::Params(s3::copy_source),
    },
    Entry {
        service_id: "S3",
        operation: Some("UploadPartCopy"),
        hook: Hook::Params(s3::copy_source),
    },
    Entry {
        service_id: "S3",
        operation: Some("CreateBucket"),
        hook: Hook::Params(s3::location_constraint),
    },
    Entry {
        service_id: "S3",
        operation: None,
        hook: Hook::Builtins(s3::addressing_builtins),
    },
    Entry {
        service_id: "S3",
        operation: None,
        hook: Hook::Path(s3::bucket_out_of_path),
    },
    Entry {
        service_id: "S3",
        operation: None,
        hook: Hook::S3Config,
    },
    Entry {
        service_id: "S3 Control",
        operation: None,
        hook: Hook::NoHostPrefix,
    },
    Entry {
        service_id: "S3 Control",
        operation: None,
        hook: Hook::S3Config,
    },
    Entry {
        service_id: "Route 53",
        operation: None,
        hook: Hook::Params(route53_ids),
    },
];

fn entries<'a>(
    model: &'a ServiceModel,
    op: &'a Operation,
) -> impl Iterator<Item = &'static Hook> + 'a {
    let id = model.metadata().service_id.as_deref().unwrap_or("");
    TABLE
        .iter()
        .filter(move |e| e.service_id == id && e.operation.is_none_or(|o| o == op.name))
        .map(|e| &e.hook)
}

/// Stage `Params`.
pub(crate) fn params(ctx: &CallContext<'_>, op: &Operation, mut params: Value) -> Value {
    for hook in entries(ctx.model, op) {
        if let Hook::Params(f) = hook {
            params = f(ctx, op, params);
        }
    }
    params
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

/// Per service: the profile's `s3 =` section configures it (client context parameters,
/// `use_dualstack_endpoint`).
pub(crate) fn s3_config(model: &ServiceModel) -> bool {
    let id = model.metadata().service_id.as_deref().unwrap_or("");
    TABLE
        .iter()
        .any(|e| e.service_id == id && matches!(e.hook, Hook::S3Config))
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
}
