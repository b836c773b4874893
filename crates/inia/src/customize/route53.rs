//! Route 53's one input customization, as botocore applies it: a member whose shape is
//! `ResourceId`, `DelegationSetId` or `ChangeId` keeps only what follows its last `/`.
//! Route 53 answers ids as paths (`/hostedzone/Z123`, `/change/C456`) but takes the bare
//! id in request URIs, so without this the `Id` one call returns cannot be passed to the
//! next (`get-hosted-zone --id /hostedzone/Z123` would ask for `hostedzone%2FZ123`).
//!
//! Owns that rewrite; registered in `customize` for every Route 53 operation.

use super::{CallContext, Notes};
use crate::error::Error;
use inia_model::Operation;
use serde_json::Value;

/// The target shapes whose values are trimmed to their last path segment.
const ID_SHAPES: &[&str] = &["ResourceId", "DelegationSetId", "ChangeId"];

/// `params` with Route 53 ids trimmed.
pub(crate) fn trim_ids(
    ctx: &CallContext<'_>,
    op: &Operation,
    mut params: Value,
    _: &mut Notes,
) -> Result<Value, Error> {
    let Some(shape) = super::input_shape(ctx.model, op) else {
        return Ok(params);
    };
    let Some(obj) = params.as_object_mut() else {
        return Ok(params);
    };
    for (name, member) in &shape.members {
        if !ID_SHAPES.contains(&member.shape.as_str()) {
            continue;
        }
        if let Some(Value::String(s)) = obj.get_mut(name) {
            if let Some((_, last)) = s.rsplit_once('/') {
                *s = last.to_string();
            }
        }
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use inia_model::ServiceModel;
    use serde_json::json;

    fn model(service_id: &str) -> ServiceModel {
        let text = json!({
            "metadata": {"protocol": "rest-xml", "apiVersion": "2013-04-01", "serviceId": service_id},
            "operations": {"GetHostedZone": {
                "name": "GetHostedZone",
                "http": {"method": "GET", "requestUri": "/2013-04-01/hostedzone/{Id}"},
                "input": {"shape": "GetHostedZoneRequest"}
            }},
            "shapes": {
                "GetHostedZoneRequest": {"type": "structure", "required": ["Id"], "members": {
                    "Id": {"shape": "ResourceId", "location": "uri", "locationName": "Id"},
                    "Other": {"shape": "Name"}
                }},
                "ResourceId": {"type": "string"},
                "Name": {"type": "string"}
            }
        });
        ServiceModel::from_string(text.to_string(), "test").unwrap()
    }

    /// Through the registry, as the call path applies it.
    fn customize_params(
        m: &ServiceModel,
        op: &Operation,
        v: serde_json::Value,
    ) -> serde_json::Value {
        let env = inia_auth::config::Env::empty();
        let ctx = crate::customize::CallContext {
            model: m,
            region: None,
            rules: true,
            env: &env,
            validate_bucket_names: true,
        };
        crate::customize::params(&ctx, op, v, &mut Default::default()).unwrap()
    }

    #[test]
    fn route53_ids_keep_their_last_segment_only() {
        let m = model("Route 53");
        let op = m.operation("GetHostedZone").unwrap();
        let out = customize_params(&m, &op, json!({"Id": "/hostedzone/Z123", "Other": "a/b"}));
        assert_eq!(out, json!({"Id": "Z123", "Other": "a/b"}));
        let bare = customize_params(&m, &op, json!({"Id": "Z123"}));
        assert_eq!(bare, json!({"Id": "Z123"}));
    }

    #[test]
    fn other_services_are_untouched() {
        let m = model("Not Route 53");
        let op = m.operation("GetHostedZone").unwrap();
        let out = customize_params(&m, &op, json!({"Id": "/hostedzone/Z123"}));
        assert_eq!(out, json!({"Id": "/hostedzone/Z123"}));
    }
}
