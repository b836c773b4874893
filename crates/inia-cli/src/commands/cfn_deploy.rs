//! `inia cloudformation deploy --template-file T --stack-name S [--parameter-overrides
//! K=V ...] [--capabilities ...] [--no-execute-changeset] [--s3-bucket B] [--tags K=V
//! ...] [--role-arn R] [--notification-arns ...] [--disable-rollback]
//! [--fail-on-empty-changeset]`, as the AWS CLI deploys:
//!
//! - the stack is looked up (DescribeStacks; one in `REVIEW_IN_PROGRESS` counts as
//!   absent), and a change set `awscli-cloudformation-package-deploy-<epoch>` of type
//!   CREATE or UPDATE is made with the template's body (or, with `--s3-bucket`, its
//!   uploaded copy's URL; required over 51,200 bytes); every template parameter is sent,
//!   overridden or `UsePreviousValue` (left out where that is not allowed);
//! - the change set is polled every 5 s; one that failed for having no changes prints
//!   `No changes to deploy. Stack S is up to date` and exits 0 (v2's default; 255 with
//!   `--fail-on-empty-changeset`, v1's); another failure exits 255 with its reason;
//! - it is executed (unless `--no-execute-changeset`, which prints how to review it) and
//!   the stack waited for (every 30 s, up to 120 times), printing the AWS CLI's lines.
//!
//! Owns the command. Does not own reading templates (`cfn_package::parse_template`) or
//! uploads (`cfn_upload`).

use super::cfn_package::parse_template;
use super::cfn_upload::{TempFile, Uploader};
use super::yaml_load::Node;
use super::{command_error, key_values, Args};
use crate::error::CliError;
use crate::globals::Globals;
use inia::{json, Client, Value, WaitOptions};
use std::time::Duration;

/// Templates larger than this must go through S3.
const MAX_BODY: u64 = 51_200;
const CHANGE_SET_PREFIX: &str = "awscli-cloudformation-package-deploy-";
const CHANGE_SET_DELAY: Duration = Duration::from_secs(5);
const CHANGE_SET_ATTEMPTS: u32 = 120;
const STACK_DELAY: Duration = Duration::from_secs(30);
const STACK_ATTEMPTS: u32 = 120;

pub async fn deploy(g: &Globals, args: &Args) -> Result<(), CliError> {
    let path = args.get("--template-file").unwrap_or_default();
    let stack = args.get("--stack-name").unwrap_or_default();
    if !std::path::Path::new(path).is_file() {
        return Err(command_error(format!("Invalid template path {path}")));
    }
    let body =
        std::fs::read_to_string(path).map_err(|e| CliError::other(format!("{path}: {e}")))?;
    let overrides = key_values(args.list("--parameter-overrides"), "parameter-overrides")?;
    let tags: Vec<Value> = key_values(args.list("--tags"), "tags")?
        .into_iter()
        .map(|(k, v)| json!({"Key": k, "Value": v}))
        .collect();
    let template = parse_template(&body)?;
    let parameters = merge_parameters(&template, &overrides);
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let bucket = args.get("--s3-bucket");
    if size > MAX_BODY && bucket.is_none() {
        return Err(command_error(
            "Templates with a size greater than 51,200 bytes must be deployed via an S3 Bucket. Please add the --s3-bucket parameter to your command. The local template will be copied to that S3 bucket and then deployed.",
        ));
    }
    let uploader = match bucket {
        Some(b) => Some(Uploader::new(
            g,
            b,
            args.get("--s3-prefix"),
            args.get("--kms-key-id"),
            args.flag("--force-upload"),
            Vec::new(),
        )?),
        None => None,
    };
    let session = crate::run::session(g)?;
    let cfn = session.client("cloudformation").map_err(CliError::from)?;
    let fail_on_empty = args.flag("--fail-on-empty-changeset");
    let mut request = ChangeSetRequest {
        stack,
        body: &body,
        parameters,
        capabilities: args.list("--capabilities"),
        tags,
        role_arn: args.get("--role-arn"),
        notification_arns: args.values.get("--notification-arns").map(Vec::as_slice),
        uploader: uploader.as_ref(),
    };
    let (id, kind) = create_change_set(&cfn, &mut request).await?;
    println!("\nWaiting for changeset to be created..");
    match wait_for_change_set(&cfn, &id, stack).await? {
        ChangeSet::Ready => {}
        ChangeSet::Empty => {
            let message = format!("No changes to deploy. Stack {stack} is up to date");
            if fail_on_empty {
                return Err(command_error(message));
            }
            println!("\n{message}");
            return Ok(());
        }
    }
    if args.flag("--no-execute-changeset") {
        println!("Changeset created successfully. Run the following command to review changes:\ninia cloudformation describe-change-set --change-set-name {id}");
        return Ok(());
    }
    let disable_rollback = args.flag("--disable-rollback") && !args.flag("--no-disable-rollback");
    cfn.call(
        "ExecuteChangeSet",
        json!({"ChangeSetName": id, "StackName": stack, "DisableRollback": disable_rollback}),
    )
    .await
    .map_err(CliError::from)?;
    println!("Waiting for stack create/update to complete");
    let waiter = if kind == "CREATE" {
        "StackCreateComplete"
    } else {
        "StackUpdateComplete"
    };
    let options = WaitOptions {
        delay: Some(STACK_DELAY),
        max_attempts: Some(STACK_ATTEMPTS),
    };
    if cfn
        .wait(waiter, json!({"StackName": stack}), options)
        .await
        .is_err()
    {
        return Err(command_error(format!(
            "Failed to create/update the stack. Run the following command\nto fetch the list of events leading up to the failure\ninia cloudformation describe-stack-events --stack-name {stack}"
        )));
    }
    println!("Successfully created/updated stack - {stack}");
    Ok(())
}

/// Every template parameter: overridden, or `UsePreviousValue`.
fn merge_parameters(template: &Node, overrides: &[(String, String)]) -> Vec<Value> {
    let Some(Node::Map(params)) = template.get("Parameters") else {
        return Vec::new();
    };
    params
        .iter()
        .map(|(k, _)| {
            let key = match k {
                Node::Str(s) => s.clone(),
                other => other.to_json().to_string(),
            };
            match overrides.iter().find(|(name, _)| *name == key) {
                Some((_, v)) => json!({"ParameterKey": key, "ParameterValue": v}),
                None => json!({"ParameterKey": key, "UsePreviousValue": true}),
            }
        })
        .collect()
}

struct ChangeSetRequest<'a> {
    stack: &'a str,
    body: &'a str,
    parameters: Vec<Value>,
    capabilities: &'a [String],
    tags: Vec<Value>,
    role_arn: Option<&'a str>,
    notification_arns: Option<&'a [String]>,
    uploader: Option<&'a Uploader>,
}

/// Whether the stack exists (one under review does not count).
async fn has_stack(cfn: &Client, stack: &str) -> Result<bool, CliError> {
    match cfn
        .call("DescribeStacks", json!({"StackName": stack}))
        .await
    {
        Ok(out) => match out["Stacks"].as_array().map(Vec::as_slice) {
            Some([one]) => Ok(one["StackStatus"].as_str() != Some("REVIEW_IN_PROGRESS")),
            _ => Ok(false),
        },
        Err(e)
            if e.to_string()
                .contains(&format!("Stack with id {stack} does not exist")) =>
        {
            Ok(false)
        }
        Err(e) => Err(CliError::from(e)),
    }
}

/// Create the change set; its id and type (`CREATE` or `UPDATE`).
async fn create_change_set(
    cfn: &Client,
    r: &mut ChangeSetRequest<'_>,
) -> Result<(String, &'static str), CliError> {
    let now = chrono::Utc::now();
    let description = format!(
        "Created by inia at {} UTC",
        now.format("%Y-%m-%dT%H:%M:%S%.6f")
    );
    let name = format!("{CHANGE_SET_PREFIX}{}", now.timestamp());
    let previous = |p: &Value| p["UsePreviousValue"] == json!(true);
    let kind = if has_stack(cfn, r.stack).await? {
        let summary = cfn
            .call("GetTemplateSummary", json!({"StackName": r.stack}))
            .await
            .map_err(CliError::from)?;
        let existing: Vec<&str> = summary["Parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["ParameterKey"].as_str())
            .collect();
        r.parameters.retain(|p| {
            !previous(p)
                || p["ParameterKey"]
                    .as_str()
                    .is_some_and(|k| existing.contains(&k))
        });
        "UPDATE"
    } else {
        r.parameters.retain(|p| !previous(p));
        "CREATE"
    };
    let mut params = json!({
        "ChangeSetName": name,
        "StackName": r.stack,
        "TemplateBody": r.body,
        "ChangeSetType": kind,
        "Parameters": r.parameters,
        "Capabilities": r.capabilities,
        "Description": description,
        "Tags": r.tags,
    });
    if let Some(up) = r.uploader {
        let tmp = TempFile(super::cfn_upload::temp_path("template-"));
        std::fs::write(&tmp.0, r.body).map_err(|e| CliError::other(e.to_string()))?;
        let url = up.upload_with_dedup(&tmp.0, Some("template")).await?;
        let key = url
            .strip_prefix(&format!("s3://{}/", up.bucket))
            .unwrap_or_default()
            .to_string();
        if let Some(obj) = params.as_object_mut() {
            obj.shift_remove("TemplateBody");
        }
        params["TemplateURL"] = json!(up.path_style_url(&key, None).await?);
    }
    if let Some(role) = r.role_arn {
        params["RoleARN"] = json!(role);
    }
    if let Some(arns) = r.notification_arns {
        params["NotificationARNs"] = json!(arns);
    }
    let out = cfn
        .call("CreateChangeSet", params)
        .await
        .map_err(CliError::from)?;
    let id = out["Id"].as_str().unwrap_or_default().to_string();
    Ok((id, kind))
}

enum ChangeSet {
    Ready,
    /// Failed for having no changes.
    Empty,
}

/// Poll the change set until it is created or has failed.
async fn wait_for_change_set(cfn: &Client, id: &str, stack: &str) -> Result<ChangeSet, CliError> {
    for attempt in 1..=CHANGE_SET_ATTEMPTS {
        let out = cfn
            .call(
                "DescribeChangeSet",
                json!({"ChangeSetName": id, "StackName": stack}),
            )
            .await
            .map_err(CliError::from)?;
        let status = out["Status"].as_str().unwrap_or_default();
        let reason = out["StatusReason"].as_str().unwrap_or_default();
        match status {
            "CREATE_COMPLETE" => return Ok(ChangeSet::Ready),
            "FAILED" => {
                if reason.contains("The submitted information didn't contain changes.")
                    || reason.contains("No updates are to be performed")
                {
                    return Ok(ChangeSet::Empty);
                }
                return Err(command_error(format!(
                    "Failed to create the changeset: Waiter ChangeSetCreateComplete failed: Waiter encountered a terminal failure state: For expression \"Status\" we matched expected path: \"FAILED\" Status: {status}. Reason: {reason}"
                )));
            }
            _ => {}
        }
        if attempt < CHANGE_SET_ATTEMPTS {
            tokio::time::sleep(CHANGE_SET_DELAY).await;
        }
    }
    Err(command_error(
        "Failed to create the changeset: Waiter ChangeSetCreateComplete failed: Max attempts exceeded",
    ))
}
