//! Arguments the AWS CLI adds by hand that set one member nested in another top-level
//! member: `lambda create-function --zip-file fileb://f.zip` sets `Code.ZipFile`, and
//! `lambda publish-layer-version --zip-file` sets `Content.ZipFile`. The nested member is
//! left out of the parent argument (`--code ZipFile=...` is refused, as the AWS CLI
//! refuses it), so the zip file is always given one way.
//!
//! Owns the table of such arguments and where their value goes. Does not own parsing the
//! words (see `params` and `values`).

use crate::error::CliError;
use crate::params::Param;
use inia::model::{Operation, ServiceModel};
use serde_json::{Map, Value};

/// (serviceId, operation, flag, parent member, nested member).
const TABLE: &[(&str, &str, &str, &str, &str)] = &[
    ("Lambda", "CreateFunction", "zip-file", "Code", "ZipFile"),
    (
        "Lambda",
        "PublishLayerVersion",
        "zip-file",
        "Content",
        "ZipFile",
    ),
];

/// The hand-added arguments of `op`, each naming where its value goes.
pub fn params(model: &ServiceModel, op: &Operation) -> Result<Vec<Param>, CliError> {
    let sid = model.metadata().service_id.as_deref().unwrap_or_default();
    let err = |e: inia::model::ModelError| CliError::other(e.to_string());
    let mut out = Vec::new();
    for (service, name, flag, parent, child) in TABLE {
        if *service != sid || *name != op.name {
            continue;
        }
        let Some(input) = &op.input else { continue };
        let input = model.target(input, &op.name).map_err(err)?;
        let Some(parent_ref) = input.members.get(*parent) else {
            continue;
        };
        let parent_shape = model.target(parent_ref, parent).map_err(err)?;
        let Some(child_ref) = parent_shape.members.get(*child) else {
            continue;
        };
        out.push(Param {
            member: format!("{parent}.{child}"),
            flag: flag.to_string(),
            shape: model.target(child_ref, child).map_err(err)?,
            required: false,
            negatable: false,
            upload: false,
            nested: Some((parent.to_string(), child.to_string())),
            no_flag: format!("no-{flag}"),
            custom: None,
        });
    }
    Ok(out)
}

/// Put `value` at `parent.child` in `params`, refusing a `child` already given through
/// the parent's own argument.
pub fn place(
    params: &mut Map<String, Value>,
    (parent, child): &(String, String),
    flag: &str,
    value: Value,
) -> Result<(), CliError> {
    let slot = params
        .entry(parent.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(obj) = slot.as_object_mut() else {
        return Err(CliError::usage(format!(
            "{flag} cannot be combined with a non-structure --{}",
            crate::names::kebab(parent)
        )));
    };
    if obj.contains_key(child) {
        return Err(CliError::usage(format!(
            "{child} cannot be provided as part of the --{} argument; use {flag} instead",
            crate::names::kebab(parent)
        )));
    }
    obj.insert(child.clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lambda() -> ServiceModel {
        let text = json!({
            "metadata": {"protocol": "rest-json", "apiVersion": "2015-03-31", "serviceId": "Lambda"},
            "operations": {"CreateFunction": {
                "name": "CreateFunction",
                "http": {"method": "POST", "requestUri": "/2015-03-31/functions"},
                "input": {"shape": "CreateFunctionRequest"}
            }},
            "shapes": {
                "CreateFunctionRequest": {"type": "structure", "required": ["FunctionName", "Code"],
                    "members": {
                        "FunctionName": {"shape": "Name"},
                        "Code": {"shape": "FunctionCode"}
                    }},
                "FunctionCode": {"type": "structure", "members": {
                    "ZipFile": {"shape": "Blob"},
                    "S3Bucket": {"shape": "Name"}
                }},
                "Blob": {"type": "blob"},
                "Name": {"type": "string"}
            }
        });
        ServiceModel::from_string(text.to_string(), "test").unwrap()
    }

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn zip_file_sets_code_zip_file_and_satisfies_code() {
        let m = lambda();
        let op = m.operation("CreateFunction").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("f.zip");
        std::fs::write(&zip, b"PK\x03\x04zip").unwrap();
        let desc = crate::params::describe("lambda", &m, &op).unwrap();
        let file = format!("fileb://{}", zip.display());
        let parsed = desc
            .parse(
                &m,
                &op,
                &words(&["--function-name", "f", "--zip-file", &file]),
            )
            .unwrap();
        assert_eq!(
            parsed.params,
            json!({"FunctionName": "f", "Code": {"ZipFile": "UEsDBHppcA=="}})
        );
        // Merged into the other members of --code.
        let parsed = desc
            .parse(
                &m,
                &op,
                &words(&[
                    "--function-name",
                    "f",
                    "--code",
                    "S3Bucket=b",
                    "--zip-file",
                    &file,
                ]),
            )
            .unwrap();
        assert_eq!(
            parsed.params["Code"],
            json!({"S3Bucket": "b", "ZipFile": "UEsDBHppcA=="})
        );
    }

    #[test]
    fn zip_file_twice_is_a_usage_error() {
        let m = lambda();
        let op = m.operation("CreateFunction").unwrap();
        let desc = crate::params::describe("lambda", &m, &op).unwrap();
        let e = desc
            .parse(
                &m,
                &op,
                &words(&[
                    "--function-name",
                    "f",
                    "--code",
                    "ZipFile=QQ==",
                    "--zip-file",
                    "QQ==",
                ]),
            )
            .err()
            .unwrap();
        assert_eq!(e.code, 252);
        assert!(e.message.contains("--zip-file"), "{}", e.message);
        // Inside --code alone too.
        let e = desc
            .parse(
                &m,
                &op,
                &words(&["--function-name", "f", "--code", "ZipFile=QQ=="]),
            )
            .err()
            .unwrap();
        assert_eq!(e.code, 252);
        assert!(
            e.message
                .contains("ZipFile cannot be provided as part of the --code argument"),
            "{}",
            e.message
        );
    }
}
