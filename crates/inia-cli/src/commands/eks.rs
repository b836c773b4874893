//! `inia eks get-token` and `inia eks update-kubeconfig`, as the AWS CLI makes them.
//!
//! - `get-token --cluster-name C [--role-arn R]` (or `--cluster-id` for a local Outposts
//!   cluster): a GET of STS GetCallerIdentity presigned for 60 s with the header
//!   `x-k8s-aws-id: C` signed, base64url without padding after `k8s-aws-v1.`, printed as
//!   a Kubernetes `ExecCredential` (its `apiVersion` taken from `KUBERNETES_EXEC_INFO`,
//!   `v1beta1` by default; expiring in 14 minutes) in the output format chosen. With
//!   `--role-arn`, the URL is signed with the credentials of AssumeRole (session name
//!   `EKSGetTokenAuth`). As in the AWS CLI, the STS endpoint is STS's own (the region's,
//!   `AWS_ENDPOINT_URL_STS`, the profile's `services`), never the global `--endpoint-url`.
//! - `update-kubeconfig --name C [--kubeconfig F] [--alias A] [--user-alias U]
//!   [--role-arn R] [--proxy-url P] [--dry-run] [--verbose]`: DescribeCluster, then the
//!   cluster (CA data, endpoint), a user running `<this program> --region R eks get-token
//!   --cluster-name C --output json` and a context go into the kubeconfig (`kubeconfig`).
//!
//! Owns the two commands. Does not own signing (`presign`) or the file (`kubeconfig`).

use super::kubeconfig;
use super::presign::{self, Presign};
use super::yaml_dump::dump;
use super::yaml_load::Node;
use super::Args;
use crate::error::CliError;
use crate::globals::Globals;
use crate::output::{self, Choice, Query};
use base64::Engine;
use chrono::{DateTime, Utc};
use inia::auth::config::{Env, SelectedProfile};
use inia::json;
use std::time::{Duration, SystemTime};

const TOKEN_PREFIX: &str = "k8s-aws-v1.";
const URL_TIMEOUT: Duration = Duration::from_secs(60);
const TOKEN_LIFETIME_MINUTES: i64 = 14;
const BETA_API: &str = "client.authentication.k8s.io/v1beta1";
const V1_API: &str = "client.authentication.k8s.io/v1";
const ALPHA_API: &str = "client.authentication.k8s.io/v1alpha1";

pub async fn get_token(g: &Globals, args: &Args) -> Result<(), CliError> {
    let id = match (args.get("--cluster-name"), args.get("--cluster-id")) {
        (Some(_), Some(_)) => {
            return Err(CliError::usage(
                "The following arguments are mutually exclusive: --cluster-name, --cluster-id",
            ))
        }
        (Some(id), None) | (None, Some(id)) => id,
        (None, None) => {
            return Err(CliError::usage(
                "Either parameter --cluster-name or --cluster-id must be specified.",
            ))
        }
    };
    // STS's own endpoint: the global --endpoint-url is for the EKS API.
    let mut sts_globals = Globals {
        endpoint_url: None,
        ..g.clone()
    };
    let mut session = crate::run::session(&sts_globals)?;
    // Without a region botocore signs for us-east-1 at STS's global endpoint.
    let global = session.region().is_none();
    if global {
        sts_globals.region = Some("us-east-1".into());
        session = crate::run::session(&sts_globals)?;
    }
    let sts = session.client("sts").map_err(CliError::from)?;
    let creds = match args.get("--role-arn") {
        Some(role) => assumed(&sts, role, "EKSGetTokenAuth").await?,
        None => super::credentials(&session).await?,
    };
    let request = sts
        .prepare("GetCallerIdentity", json!({}), None)
        .await
        .map_err(CliError::from)?;
    let uri = request.uri();
    let mut origin = match (uri.scheme_str(), uri.authority()) {
        (Some(s), Some(a)) => format!("{s}://{a}"),
        _ => return Err(CliError::other(format!("STS endpoint {uri} has no host"))),
    };
    if global && origin == "https://sts.us-east-1.amazonaws.com" {
        origin = "https://sts.amazonaws.com".into();
    }
    let region = session.region().unwrap_or("us-east-1").to_string();
    let now = SystemTime::now();
    let body = String::from_utf8_lossy(request.body());
    let token = token(&origin, uri.path(), &body, id, &region, &creds, now)?;
    let credential = exec_credential(&token, now)?;
    let query = g.query.as_deref().map(Query::compile).transpose()?;
    let choice = Choice::resolve(g.output, session.profile_value("output"), "get-token")?;
    output::print(credential, query.as_ref(), &choice)?;
    // The AWS CLI prints a blank line after the formatted object.
    println!();
    Ok(())
}

/// The credentials of `role`, assumed with `sts`.
async fn assumed(
    sts: &inia::Client,
    role: &str,
    session_name: &str,
) -> Result<inia::Credentials, CliError> {
    let out = sts
        .call(
            "AssumeRole",
            json!({"RoleArn": role, "RoleSessionName": session_name}),
        )
        .await
        .map_err(CliError::from)?;
    let c = &out["Credentials"];
    match (
        c["AccessKeyId"].as_str(),
        c["SecretAccessKey"].as_str(),
        c["SessionToken"].as_str(),
    ) {
        (Some(id), Some(secret), token) => Ok(inia::Credentials::new(
            id,
            secret,
            token.map(str::to_string),
            None,
            "assume-role",
        )),
        _ => Err(CliError::other("AssumeRole returned no credentials")),
    }
}

/// The token for cluster `id` from the GetCallerIdentity request a call would send (a
/// POST to `origin` and `path` with its parameters, `query`, in the body), signed at
/// `time`.
pub fn token(
    origin: &str,
    path: &str,
    query: &str,
    id: &str,
    region: &str,
    creds: &inia::Credentials,
    time: SystemTime,
) -> Result<String, CliError> {
    let url = presign::url(
        &Presign {
            origin,
            path,
            query,
            headers: &[("x-k8s-aws-id", id)],
            region,
            service: "sts",
            expires: URL_TIMEOUT,
        },
        creds,
        time,
    )?;
    Ok(format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(url)
    ))
}

/// The `ExecCredential` object for `token`, made at `now`.
pub fn exec_credential(token: &str, now: SystemTime) -> Result<inia::Value, CliError> {
    let expires = DateTime::<Utc>::from(now) + chrono::Duration::minutes(TOKEN_LIFETIME_MINUTES);
    Ok(json!({
        "kind": "ExecCredential",
        "apiVersion": api_version(),
        "spec": {},
        "status": {
            "expirationTimestamp": expires.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "token": token,
        }
    }))
}

/// The client authentication API version `KUBERNETES_EXEC_INFO` asks for; v1beta1 when
/// it is absent or not understood (with the AWS CLI's notes on stderr).
fn api_version() -> String {
    let raw = std::env::var("KUBERNETES_EXEC_INFO").unwrap_or_default();
    if raw.is_empty() {
        return BETA_API.into();
    }
    let Ok(info) = serde_json::from_str::<inia::Value>(&raw) else {
        eprintln!("Error parsing KUBERNETES_EXEC_INFO, defaulting to {BETA_API}. This is likely a bug in your Kubernetes client. Please update your Kubernetes client.");
        return BETA_API.into();
    };
    match info["apiVersion"].as_str() {
        Some(v @ (V1_API | BETA_API)) => v.into(),
        Some(ALPHA_API) => {
            eprintln!("Kubeconfig user entry is using deprecated API version {ALPHA_API}. Run 'aws eks update-kubeconfig' to update.");
            ALPHA_API.into()
        }
        _ => {
            eprintln!("Unrecognized API version in KUBERNETES_EXEC_INFO, defaulting to {BETA_API}. This is likely due to an outdated AWS CLI. Please update your AWS CLI.");
            BETA_API.into()
        }
    }
}

pub async fn update_kubeconfig(g: &Globals, args: &Args) -> Result<(), CliError> {
    let name = args.get("--name").unwrap_or_default();
    let session = crate::run::session(g)?;
    let eks = session.client("eks").map_err(CliError::from)?;
    let out = eks
        .call("DescribeCluster", json!({"name": name}))
        .await
        .map_err(CliError::from)?;
    let cluster = &out["cluster"];
    let status = cluster["status"].as_str();
    match status {
        None => return Err(super::command_error("Cluster not found")),
        Some("ACTIVE" | "UPDATING") => {}
        Some(s) => return Err(super::command_error(format!("Cluster status is {s}"))),
    }
    let arn = cluster["arn"].as_str().unwrap_or_default().to_string();
    let mut server = vec![
        (
            "certificate-authority-data",
            Node::Str(
                cluster["certificateAuthority"]["data"]
                    .as_str()
                    .unwrap_or_default()
                    .into(),
            ),
        ),
        ("server", json_str(&cluster["endpoint"])),
    ];
    if let Some(p) = args.get("--proxy-url") {
        server.push(("proxy-url", Node::Str(p.into())));
    }
    let cluster_entry = Node::map([
        ("cluster", Node::map(server)),
        ("name", Node::Str(arn.clone())),
    ]);
    let user_entry = user_entry(g, args, cluster, name, &arn);
    let paths = kubeconfig::candidates(args.get("--kubeconfig"));
    let mut config = kubeconfig::choose(&paths, &arn)?;
    let updating = config.has_cluster(&arn);
    let context = config.insert_pair(
        cluster_entry.clone(),
        user_entry.clone(),
        args.get("--alias"),
    )?;
    if args.flag("--dry-run") {
        print!("{}", config.text());
        return Ok(());
    }
    config.write()?;
    let context_name = context
        .get("name")
        .and_then(Node::as_str)
        .unwrap_or_default();
    let path = config.path.display();
    if updating {
        println!("Updated context {context_name} in {path}");
    } else {
        println!("Added new context {context_name} to {path}");
    }
    if args.flag("--verbose") {
        print!("Entries:\n\n");
        for entry in [&context, &user_entry, &cluster_entry] {
            println!("{}", dump(entry));
        }
    }
    Ok(())
}

fn json_str(v: &inia::Value) -> Node {
    v.as_str().map_or(Node::Null, |s| Node::Str(s.into()))
}

/// The kubeconfig user that runs `get-token` for the cluster.
fn user_entry(g: &Globals, args: &Args, cluster: &inia::Value, name: &str, arn: &str) -> Node {
    let region = arn.split(':').nth(3).unwrap_or_default();
    let outpost = &cluster["outpostConfig"];
    // A local Outposts cluster (no etcd instance type) is named by its id.
    let (param, value) = if outpost.is_null() || !outpost["etcdInstanceType"].is_null() {
        ("--cluster-name", name.to_string())
    } else {
        (
            "--cluster-id",
            cluster["id"].as_str().unwrap_or_default().to_string(),
        )
    };
    let mut words: Vec<Node> = [
        "--region",
        region,
        "eks",
        "get-token",
        param,
        &value,
        "--output",
        "json",
    ]
    .iter()
    .map(|w| Node::Str((*w).to_string()))
    .collect();
    if let Some(role) = args.get("--role-arn") {
        words.push(Node::Str("--role".into()));
        words.push(Node::Str(role.into()));
    }
    let mut exec = vec![
        ("apiVersion", Node::Str(BETA_API.into())),
        ("args", Node::Seq(words)),
        ("command", Node::Str(program_name())),
    ];
    let selected = SelectedProfile::select(g.profile.as_deref(), &Env::real());
    if selected.is_explicit() {
        exec.push((
            "env",
            Node::Seq(vec![Node::map([
                ("name", Node::Str("AWS_PROFILE".into())),
                ("value", Node::Str(selected.name().into())),
            ])]),
        ));
    }
    let user_name = args.get("--user-alias").unwrap_or(arn).to_string();
    Node::map([
        ("name", Node::Str(user_name)),
        ("user", Node::map([("exec", Node::map(exec))])),
    ])
}

/// The name this program was run as (`inia`, or `aws` when installed under that name),
/// which kubectl will run for the token.
fn program_name() -> String {
    std::env::args_os()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "inia".into())
}
