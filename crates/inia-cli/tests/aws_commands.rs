//! The AWS CLI's own commands against moto, compared with the AWS CLI 1.46.2 where it has
//! them: `ecr get-login-password`, `eks get-token` (its STS URL fetched from moto, and the
//! whole output equal to the AWS CLI's at the same second), `eks update-kubeconfig` (the
//! file equal to the AWS CLI's, new and merged), `rds generate-db-auth-token` (equal to
//! the AWS CLI's at the same second) and `logs tail` (v2's documented format; v1 has no
//! `logs tail`). The CloudFormation commands are in `cfn_commands.rs`.
//!
//! Owns those end-to-end tests. Does not own the harness (`aws_commands/common.rs`).
//!
//! One moto serves every test of this file (`Moto::shared`); each test uses names no
//! other test here uses.

#[path = "aws_commands/common.rs"]
mod common;

use base64::Engine;
use common::{amz_date, client, http_get, ok, text, Tools};
use inia::json;
use inia_test_support::Moto;

#[tokio::test]
async fn ecr_get_login_password_is_the_password_moto_issues() {
    let moto = Moto::shared();
    let tools = Tools::new(moto);
    let out = client(moto, "ecr")
        .call("GetAuthorizationToken", json!({}))
        .await
        .expect("GetAuthorizationToken");
    let token = out["authorizationData"][0]["authorizationToken"]
        .as_str()
        .expect("token");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token)
        .expect("base64");
    let (user, password) = text(&decoded)
        .split_once(':')
        .map(|(u, p)| (u.to_string(), p.to_string()))
        .expect("user:password");
    assert_eq!(user, "AWS");
    let printed = ok(&tools.inia(&["ecr", "get-login-password"]), "inia");
    assert_eq!(printed, format!("{password}\n"));
    let theirs = ok(&tools.aws(None, &["ecr", "get-login-password"]), "aws");
    assert_eq!(printed, theirs);
}

/// The URL inside an EKS token.
fn token_url(token: &str) -> String {
    let body = token.strip_prefix("k8s-aws-v1.").expect("token prefix");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(body)
        .expect("base64url without padding");
    text(&bytes)
}

#[test]
fn eks_get_token_is_accepted_by_sts_and_equals_the_aws_clis() {
    let moto = Moto::shared();
    let mut tools = Tools::new(moto);
    // As in the AWS CLI, the STS endpoint is STS's own, not the global --endpoint-url.
    tools
        .env
        .push(("AWS_ENDPOINT_URL_STS".into(), moto.endpoint()));
    let ours = ok(
        &tools.inia(&["eks", "get-token", "--cluster-name", "tok-c1"]),
        "inia",
    );
    let credential: serde_json::Value = serde_json::from_str(&ours).expect("JSON");
    assert_eq!(credential["kind"], "ExecCredential");
    assert_eq!(
        credential["apiVersion"],
        "client.authentication.k8s.io/v1beta1"
    );
    let token = credential["status"]["token"].as_str().expect("token");
    let url = token_url(token);
    assert!(
        url.starts_with(&format!(
            "{}/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&",
            moto.endpoint()
        )),
        "{url}"
    );
    assert!(url.contains("&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&"));
    // moto picks the service of a request from its Authorization header alone (a query
    // string's credential sends it to S3), so the URL's own credential scope is repeated
    // there for moto's router; moto checks no signature either way.
    let scope = url
        .split('&')
        .find_map(|kv| kv.strip_prefix("X-Amz-Credential="))
        .expect("credential")
        .replace("%2F", "/");
    let route = format!("AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0");
    let (status, body) = http_get(
        &url,
        &[("x-k8s-aws-id", "tok-c1"), ("Authorization", &route)],
    );
    assert!(status.contains(" 200 "), "{status}\n{body}");
    assert!(body.contains("<GetCallerIdentityResponse"), "{body}");
    // The same second on the AWS CLI's clock gives the same bytes (token, expiry, layout).
    let frozen = amz_date(&url);
    let theirs = ok(
        &tools.aws(
            Some(&frozen),
            &["eks", "get-token", "--cluster-name", "tok-c1"],
        ),
        "aws",
    );
    assert_eq!(ours, theirs);
    // A role to sign with: AssumeRole's credentials sign the URL.
    let role = "arn:aws:iam::123456789012:role/eks-token";
    let ours = ok(
        &tools.inia(&[
            "eks",
            "get-token",
            "--cluster-name",
            "tok-c1",
            "--role-arn",
            role,
        ]),
        "inia --role-arn",
    );
    let credential: serde_json::Value = serde_json::from_str(&ours).expect("JSON");
    let url = token_url(credential["status"]["token"].as_str().expect("token"));
    assert!(!url.contains("Credential=AKIDTEST"), "{url}");
    assert!(url.contains("X-Amz-Security-Token="), "{url}");
    // Without a region both sign for us-east-1 at STS's global endpoint.
    let mut global = Tools::new(moto);
    global.unset.push("AWS_DEFAULT_REGION");
    let ours = ok(
        &global.inia(&["eks", "get-token", "--cluster-name", "tok-c1"]),
        "inia",
    );
    let credential: serde_json::Value = serde_json::from_str(&ours).expect("JSON");
    let url = token_url(credential["status"]["token"].as_str().expect("token"));
    assert!(
        url.starts_with("https://sts.amazonaws.com/?Action=GetCallerIdentity&"),
        "{url}"
    );
    assert!(url.contains("%2Fus-east-1%2Fsts%2Faws4_request&"), "{url}");
    let theirs = ok(
        &global.aws(
            Some(&amz_date(&url)),
            &["eks", "get-token", "--cluster-name", "tok-c1"],
        ),
        "aws",
    );
    assert_eq!(ours, theirs);
    let out = tools.inia(&["eks", "get-token"]);
    assert_eq!(out.status.code(), Some(252));
    assert!(text(&out.stderr).contains("--cluster-name"));
}

#[tokio::test]
async fn eks_update_kubeconfig_writes_what_the_aws_cli_writes() {
    let moto = Moto::shared();
    let tools = Tools::new(moto);
    client(moto, "eks")
        .call(
            "CreateCluster",
            json!({"name": "kube-c1", "roleArn": "arn:aws:iam::123456789012:role/eks",
                   "resourcesVpcConfig": {"subnetIds": ["subnet-1"]}}),
        )
        .await
        .expect("CreateCluster");
    let dir = tempfile::tempdir().expect("dir");
    let ours = dir.path().join("ours/config");
    let theirs = dir.path().join("theirs/config");
    let same = |extra: &[&str], expect_message: &str| {
        let mut a = vec![
            "eks",
            "update-kubeconfig",
            "--name",
            "kube-c1",
            "--kubeconfig",
        ];
        let o = ours.to_string_lossy().into_owned();
        let t = theirs.to_string_lossy().into_owned();
        let mut b = a.clone();
        a.push(&o);
        b.push(&t);
        a.extend_from_slice(extra);
        b.extend_from_slice(extra);
        let printed = ok(&tools.inia(&a), "inia");
        assert!(printed.starts_with(expect_message), "{printed}");
        ok(&tools.aws(None, &b), "aws");
        let mine = std::fs::read_to_string(&ours).expect("ours");
        let other = std::fs::read_to_string(&theirs).expect("theirs");
        // The user runs the program that wrote the file.
        assert_eq!(mine, other.replace("command: aws\n", "command: inia\n"));
        mine
    };
    let first = same(
        &[],
        "Added new context arn:aws:eks:us-east-1:123456789012:cluster/kube-c1 to ",
    );
    assert!(first.contains("certificate-authority-data: "));
    assert!(first.contains("current-context: arn:aws:eks:us-east-1:123456789012:cluster/kube-c1\n"));
    // Merged into a file with other entries, with an alias and a role.
    let other = "apiVersion: v1\nclusters:\n- cluster:\n    server: https://other.example\n  name: other\ncontexts:\n- context:\n    cluster: other\n    user: other\n  name: other\ncurrent-context: other\nkind: Config\npreferences: {}\nusers:\n- name: other\n  user:\n    token: 'yes'\n";
    std::fs::write(&ours, other).expect("write");
    std::fs::write(&theirs, other).expect("write");
    let merged = same(
        &["--alias", "dev", "--role-arn", "arn:aws:iam::1:role/x"],
        "Added new context dev to ",
    );
    assert!(merged.contains("name: other\n") && merged.contains("current-context: dev\n"));
    let again = same(&["--alias", "dev"], "Updated context dev in ");
    assert!(!again.contains("--role"));
    // --dry-run prints the merged file and writes nothing.
    let before = std::fs::read_to_string(&ours).expect("ours");
    let o = ours.to_string_lossy().into_owned();
    let dry = ok(
        &tools.inia(&[
            "eks",
            "update-kubeconfig",
            "--name",
            "kube-c1",
            "--kubeconfig",
            &o,
            "--alias",
            "x",
            "--dry-run",
        ]),
        "inia --dry-run",
    );
    assert!(dry.contains("current-context: x\n"));
    assert_eq!(std::fs::read_to_string(&ours).expect("ours"), before);
    // No such cluster: the service's error; no --name: usage.
    let out = tools.inia(&[
        "eks",
        "update-kubeconfig",
        "--name",
        "kube-missing",
        "--kubeconfig",
        &o,
    ]);
    assert_eq!(out.status.code(), Some(254), "{}", text(&out.stderr));
    let out = tools.inia(&["eks", "update-kubeconfig"]);
    assert_eq!(out.status.code(), Some(252));
    assert!(text(&out.stderr).contains("the following arguments are required: --name"));
}

#[test]
fn rds_generate_db_auth_token_equals_the_aws_clis() {
    let moto = Moto::shared();
    let mut tools = Tools::new(moto);
    tools
        .env
        .push(("AWS_SESSION_TOKEN".into(), "session/token+=".into()));
    let args = [
        "rds",
        "generate-db-auth-token",
        "--hostname",
        "db1.abc.eu-west-1.rds.amazonaws.com",
        "--port",
        "5432",
        "--username",
        "iam user",
        "--region",
        "eu-west-1",
    ];
    let ours = ok(&tools.inia(&args), "inia");
    assert!(
        ours.starts_with("db1.abc.eu-west-1.rds.amazonaws.com:5432/?Action=connect&DBUser=iam%20user&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDTEST%2F"),
        "{ours}"
    );
    assert!(
        ours.contains("%2Feu-west-1%2Frds-db%2Faws4_request&")
            && ours.contains("&X-Amz-Expires=900&")
    );
    let theirs = ok(&tools.aws(Some(&amz_date(ours.trim())), &args), "aws");
    assert_eq!(ours, theirs);
    let out = tools.inia(&[
        "rds",
        "generate-db-auth-token",
        "--hostname",
        "h",
        "--port",
        "x",
        "--username",
        "u",
    ]);
    assert_eq!(out.status.code(), Some(252));
    assert!(text(&out.stderr).contains("--port"));
    let out = tools.inia(&["rds", "generate-db-auth-token", "--hostname", "h"]);
    assert_eq!(out.status.code(), Some(252));
    assert!(text(&out.stderr).contains("--port, --username"));
}

#[tokio::test]
async fn logs_tail_prints_the_events_in_v2s_formats() {
    let moto = Moto::shared();
    let tools = Tools::new(moto);
    let logs = client(moto, "logs");
    let group = "tail-g1";
    logs.call("CreateLogGroup", json!({"logGroupName": group}))
        .await
        .expect("group");
    for s in ["api", "worker"] {
        logs.call(
            "CreateLogStream",
            json!({"logGroupName": group, "logStreamName": s}),
        )
        .await
        .expect("stream");
    }
    let now = chrono::Utc::now().timestamp_millis();
    let old = now - 3 * 3_600_000;
    let t1 = now - 30 * 60_000 + 250;
    let t2 = now - 20 * 60_000;
    let t3 = now - 5 * 60_000 + 7;
    let put = |stream: &str, events: serde_json::Value| {
        let logs = &logs;
        let stream = stream.to_string();
        async move {
            logs.call(
                "PutLogEvents",
                json!({"logGroupName": group, "logStreamName": stream, "logEvents": events}),
            )
            .await
            .expect("put");
        }
    };
    put("api", json!([{"timestamp": old, "message": "too old"}, {"timestamp": t1, "message": "started  \n"}])).await;
    put("worker", json!([{"timestamp": t2, "message": "{\"job\": 7, \"ok\": true}"}, {"timestamp": t3, "message": "done"}])).await;
    let iso = |ms: i64, micros: bool| {
        let t = chrono::DateTime::from_timestamp_millis(ms).expect("time");
        if micros || ms % 1000 != 0 {
            t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
        } else {
            t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
        }
    };
    let short = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .expect("time")
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    };
    let detailed = ok(
        &tools.inia(&["logs", "tail", group, "--since", "1h"]),
        "tail",
    );
    assert_eq!(
        detailed,
        format!(
            "{} api started\n{} worker {{\"job\": 7, \"ok\": true}}\n{} worker done\n",
            iso(t1, true),
            iso(t2, true),
            iso(t3, true)
        )
    );
    // 10 minutes unless told.
    let recent = ok(
        &tools.inia(&["logs", "tail", group, "--format", "short"]),
        "tail short",
    );
    assert_eq!(recent, format!("{} done\n", short(t3)));
    let json_format = ok(
        &tools.inia(&["logs", "tail", group, "--since", "25m", "--format", "json"]),
        "tail json",
    );
    assert_eq!(
        json_format,
        format!(
            "{} worker \n{{\n    \"job\": 7,\n    \"ok\": true\n}}\n{} worker done\n",
            iso(t2, false),
            iso(t3, false)
        )
    );
    let since = chrono::DateTime::from_timestamp_millis(t2)
        .expect("time")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let filtered = ok(
        &tools.inia(&[
            "logs",
            "tail",
            group,
            "--since",
            &since,
            "--log-stream-names",
            "worker",
            "--filter-pattern",
            "done",
        ]),
        "tail filtered",
    );
    assert_eq!(filtered, format!("{} worker done\n", iso(t3, true)));
    for bad in [
        vec!["logs", "tail", group, "--since", "5h30m"],
        vec!["logs", "tail", group, "--format", "xml"],
        vec!["logs", "tail"],
    ] {
        let out = tools.inia(&bad);
        assert_eq!(
            out.status.code(),
            Some(252),
            "{bad:?}: {}",
            text(&out.stderr)
        );
    }
    let out = tools.inia(&["logs", "tail", "tail-missing"]);
    assert_eq!(out.status.code(), Some(254), "{}", text(&out.stderr));
}
