//! `inia cloudformation package` and `deploy` against moto, beside the AWS CLI 1.46.2:
//! a packaged template refers to the objects uploaded (a Lambda function's folder zipped,
//! a single file zipped, a Serverless function, a nested stack's template), in the AWS
//! CLI's layout; templates without artifacts come out byte-identical to the AWS CLI's
//! (YAML short forms, quoting, folding, JSON input and `--use-json`); `deploy` creates the
//! stack, and a deploy without changes prints and exits as the AWS CLI does (v2's default
//! and v1's `--fail-on-empty-changeset`).
//!
//! Owns those end-to-end tests. Does not own the harness (`aws_commands/common.rs`).
//!
//! One moto serves every test of this file (`Moto::shared`); each test uses its own
//! bucket and stack names.

#[path = "aws_commands/common.rs"]
mod common;

use common::{client, ok, text, Tools};
use inia::json;
use inia_test_support::Moto;
use std::path::Path;

/// A template that exercises the YAML reader and writer, without local artifacts.
const TRICKY: &str = r#"AWSTemplateFormatVersion: 2010-09-09
Description: >-
  A long description that goes on and on and on past the eighty column limit so that
  PyYAML folds it somewhere sensible, at a space, and then once more for good measure here.
Parameters:
  Env:
    Type: String
    Default: dev
    AllowedValues: [dev, prod, 'yes', "010", on, 1.0, 2e3]
Mappings:
  Base: &base {a: 1, b: [x, y]}
  Derived:
    <<: *base
    b: z
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '${AWS::StackName}-bucket-${Env}'
      Tags:
        - Key: multi
          Value: "line one\nline two\n"
        - {Key: unicode, Value: "café ☕ 😀"}
        - Key: quote
          Value: "it's a \"test\": yes # not a comment"
        - Key: ''
          Value: "  padded "
        - Key: specials
          Value: "- dash, [x], {y}, &a *b !c |d >e %f @g `h"
        - Key: tab
          Value: "a\tb"
        - Key: long-quoted
          Value: "'a quoted value that is long enough to be folded over more than one line of output text'"
  Topic:
    Type: AWS::SNS::Topic
    Condition: IsProd
    Properties:
      DisplayName: !GetAtt Bucket.Arn
      Other: !Join
        - ''
        - - 'arn:aws:s3:::'
          - !Ref Bucket
          - /*
      Subs: !If [IsProd, !Ref AWS::NoValue, {Endpoint: x, Protocol: email}]
      B64: !Base64 {"Fn::Sub": "x"}
      Sel: !Select [0, !GetAZs '']
      Empty: {}
      EmptyList: []
      Nothing: ~
      Flag: True
      Octal: 0755
      Hex: 0x1F
Outputs:
  Arn:
    Value: !GetAtt [Bucket, Arn]
    Export:
      Name: !Sub "${AWS::StackName}-Arn"
"#;

#[test]
fn package_writes_templates_as_the_aws_cli_does() {
    let moto = Moto::shared();
    let tools = Tools::new(moto);
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("t.yaml"), TRICKY).expect("write");
    let json_template = json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue",
        "Properties": {"QueueName": "caf\u{e9}", "Delay": 1.5, "N": 10, "Date": "2010-09-09", "No": "no", "L": []}}}});
    std::fs::write(dir.path().join("t.json"), json_template.to_string()).expect("write");
    for args in [
        vec![
            "cloudformation",
            "package",
            "--template-file",
            "t.yaml",
            "--s3-bucket",
            "pkg-none",
        ],
        vec![
            "cloudformation",
            "package",
            "--template-file",
            "t.json",
            "--s3-bucket",
            "pkg-none",
        ],
        vec![
            "cloudformation",
            "package",
            "--template-file",
            "t.json",
            "--s3-bucket",
            "pkg-none",
            "--use-json",
        ],
    ] {
        let ours = ok(&tools.inia_in(dir.path(), &args), "inia package");
        let theirs = ok(&tools.aws_in(dir.path(), None, &args), "aws package");
        assert_eq!(ours, theirs, "{args:?}");
    }
    let out = tools.inia_in(
        dir.path(),
        &[
            "cloudformation",
            "package",
            "--template-file",
            "missing.yaml",
            "--s3-bucket",
            "b",
        ],
    );
    assert_eq!(out.status.code(), Some(255));
    assert_eq!(text(&out.stderr), "\nInvalid template path missing.yaml\n");
}

/// The folder a template with local artifacts lives in.
fn project(dir: &Path) {
    std::fs::create_dir_all(dir.join("src/lib")).expect("dirs");
    std::fs::create_dir_all(dir.join("nested")).expect("dirs");
    std::fs::write(
        dir.join("src/index.py"),
        "def handler(e, c):\n    return 1\n",
    )
    .expect("w");
    std::fs::write(dir.join("src/lib/util.py"), "X = 1\n").expect("w");
    std::fs::write(dir.join("single.py"), "print(1)\n").expect("w");
    std::fs::write(
        dir.join("nested/child.yaml"),
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${AWS::StackName}-child'\n",
    )
    .expect("w");
    std::fs::write(
        dir.join("template.yaml"),
        r#"AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  QueueName:
    Type: String
    Default: first
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Code: src
      Handler: index.handler
      Runtime: python3.12
      Role: !Sub arn:aws:iam::${AWS::AccountId}:role/cfn-lambda
  Single:
    Type: AWS::Lambda::Function
    Properties:
      Code: ./single.py
      Handler: single.handler
      Runtime: python3.12
      Role: arn:aws:iam::123456789012:role/cfn-lambda
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Ref QueueName
"#,
    )
    .expect("w");
    std::fs::write(
        dir.join("with-nested.yaml"),
        "Resources:\n  Sls:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: nested/child.yaml\n",
    )
    .expect("w");
}

#[tokio::test]
async fn package_uploads_artifacts_and_deploy_creates_the_stack() {
    let moto = Moto::shared();
    let mut tools = Tools::new(moto);
    // As in the AWS CLI, the uploads use S3's own endpoint, not the global --endpoint-url.
    tools
        .env
        .push(("AWS_ENDPOINT_URL_S3".into(), moto.endpoint()));
    let s3 = client(moto, "s3");
    s3.call("CreateBucket", json!({"Bucket": "cfn-artifacts"}))
        .await
        .expect("bucket");
    client(moto, "iam")
        .call(
            "CreateRole",
            json!({"RoleName": "cfn-lambda", "AssumeRolePolicyDocument": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#}),
        )
        .await
        .expect("role");
    let dir = tempfile::tempdir().expect("dir");
    project(dir.path());
    let d = dir.path();
    let printed = ok(
        &tools.inia_in(
            d,
            &[
                "cloudformation",
                "package",
                "--template-file",
                "template.yaml",
                "--s3-bucket",
                "cfn-artifacts",
                "--s3-prefix",
                "app",
                "--output-template-file",
                "packaged.yaml",
            ],
        ),
        "inia package",
    );
    assert_eq!(
        printed,
        format!(
            "\nSuccessfully packaged artifacts and wrote output template to file packaged.yaml.\nExecute the following command to deploy the packaged template\ninia cloudformation deploy --template-file {} --stack-name <YOUR STACK NAME>\n",
            d.join("packaged.yaml").display()
        )
    );
    let packaged = std::fs::read_to_string(d.join("packaged.yaml")).expect("packaged");
    // Each artifact is now a {S3Bucket, S3Key} of an object in the bucket, a zip.
    let keys: Vec<&str> = packaged
        .lines()
        .filter_map(|l| l.trim().strip_prefix("S3Key: "))
        .collect();
    assert_eq!(keys.len(), 2, "{packaged}");
    for key in &keys {
        assert!(key.starts_with("app/") && key.len() == 36, "{key}");
        let head = s3
            .call("HeadObject", json!({"Bucket": "cfn-artifacts", "Key": key}))
            .await
            .expect("uploaded");
        assert_eq!(head["ServerSideEncryption"], "AES256");
        let body = s3
            .call("GetObject", json!({"Bucket": "cfn-artifacts", "Key": key}))
            .await
            .expect("get");
        let _ = body;
    }
    assert!(packaged.contains("      Code:\n        S3Bucket: cfn-artifacts\n        S3Key: app/"));
    assert!(packaged.contains("      QueueName:\n        Ref: QueueName\n"));
    // The AWS CLI lays the same template out the same way (the zips' names differ: their
    // bytes carry each tool's compression).
    let theirs = ok(
        &tools.aws_in(
            d,
            None,
            &[
                "cloudformation",
                "package",
                "--template-file",
                "template.yaml",
                "--s3-bucket",
                "cfn-artifacts",
                "--s3-prefix",
                "app",
                "--output-template-file",
                "theirs.yaml",
            ],
        ),
        "aws package",
    );
    assert_eq!(
        theirs
            .replace("aws cloudformation", "inia cloudformation")
            .replace("theirs.yaml", "packaged.yaml"),
        printed
    );
    let theirs = std::fs::read_to_string(d.join("theirs.yaml")).expect("theirs");
    let masked = |t: &str| {
        t.lines()
            .map(|l| match l.split_once("S3Key: app/") {
                Some((head, _)) => format!("{head}S3Key: app/<md5>"),
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(masked(&packaged), masked(&theirs));
    // Nested stacks: the child template packaged and uploaded as <md5>.template, under the
    // same name as the AWS CLI's (same bytes), referred to by its path-style URL.
    let ours = ok(
        &tools.inia_in(
            d,
            &[
                "cloudformation",
                "package",
                "--template-file",
                "with-nested.yaml",
                "--s3-bucket",
                "cfn-artifacts",
            ],
        ),
        "inia nested",
    );
    let theirs = ok(
        &tools.aws_in(
            d,
            None,
            &[
                "cloudformation",
                "package",
                "--template-file",
                "with-nested.yaml",
                "--s3-bucket",
                "cfn-artifacts",
            ],
        ),
        "aws nested",
    );
    let url_line = |t: &str| {
        t.lines()
            .find(|l| l.contains("TemplateURL: "))
            .map(str::to_string)
            .expect("TemplateURL")
    };
    assert_eq!(url_line(&ours), url_line(&theirs));
    assert!(url_line(&ours).contains(&format!("TemplateURL: {}/cfn-artifacts/", moto.endpoint())));
    assert!(
        ours.contains("      CodeUri: s3://cfn-artifacts/"),
        "{ours}"
    );
    // Deploy: the stack is created with the overridden parameter.
    let deployed = ok(
        &tools.inia_in(
            d,
            &[
                "cloudformation",
                "deploy",
                "--template-file",
                "packaged.yaml",
                "--stack-name",
                "cfn-app",
                "--parameter-overrides",
                "QueueName=cfn-app-queue",
                "--capabilities",
                "CAPABILITY_IAM",
            ],
        ),
        "inia deploy",
    );
    assert_eq!(
        deployed,
        "\nWaiting for changeset to be created..\nWaiting for stack create/update to complete\nSuccessfully created/updated stack - cfn-app\n"
    );
    let cfn = client(moto, "cloudformation");
    let stacks = cfn
        .call("DescribeStacks", json!({"StackName": "cfn-app"}))
        .await
        .expect("stack");
    assert_eq!(stacks["Stacks"][0]["StackStatus"], "CREATE_COMPLETE");
    assert_eq!(
        stacks["Stacks"][0]["Parameters"],
        json!([{"ParameterKey": "QueueName", "ParameterValue": "cfn-app-queue"}])
    );
    let resources = cfn
        .call("DescribeStackResources", json!({"StackName": "cfn-app"}))
        .await
        .expect("resources");
    assert_eq!(
        resources["StackResources"].as_array().map(Vec::len),
        Some(3)
    );
}

#[test]
fn deploy_without_changes_prints_and_exits_as_the_aws_cli() {
    let moto = Moto::shared();
    let tools = Tools::new(moto);
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    std::fs::write(
        d.join("q.yaml"),
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
    )
    .expect("w");
    fn deploy<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let mut a = vec![
            "cloudformation",
            "deploy",
            "--template-file",
            "q.yaml",
            "--stack-name",
            "cfn-same",
        ];
        a.extend_from_slice(extra);
        a
    }
    ok(&tools.inia_in(d, &deploy(&[])), "first deploy");
    // v2's default: the message and exit 0 (the AWS CLI v1 with --no-fail-on-empty-changeset).
    let ours = tools.inia_in(d, &deploy(&[]));
    let theirs = tools.aws_in(d, None, &deploy(&["--no-fail-on-empty-changeset"]));
    assert_eq!(ours.status.code(), Some(0));
    assert_eq!(theirs.status.code(), Some(0));
    assert_eq!(
        text(&ours.stdout),
        "\nWaiting for changeset to be created..\n\nNo changes to deploy. Stack cfn-same is up to date\n"
    );
    assert_eq!(text(&ours.stdout), text(&theirs.stdout));
    // --fail-on-empty-changeset (v1's default): the message on stderr and exit 255.
    let ours = tools.inia_in(d, &deploy(&["--fail-on-empty-changeset"]));
    let theirs = tools.aws_in(d, None, &deploy(&[]));
    assert_eq!(ours.status.code(), Some(255));
    assert_eq!(theirs.status.code(), Some(255));
    assert_eq!(text(&ours.stdout), text(&theirs.stdout));
    assert_eq!(text(&ours.stderr), text(&theirs.stderr));
    // --no-execute-changeset: the change set is left for review.
    std::fs::write(
        d.join("q2.yaml"),
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  T:\n    Type: AWS::SNS::Topic\n",
    )
    .expect("w");
    let out = ok(
        &tools.inia_in(
            d,
            &[
                "cloudformation",
                "deploy",
                "--template-file",
                "q2.yaml",
                "--stack-name",
                "cfn-same",
                "--no-execute-changeset",
            ],
        ),
        "no execute",
    );
    assert!(out.contains("Changeset created successfully. Run the following command to review changes:\ninia cloudformation describe-change-set --change-set-name arn:aws:cloudformation:"), "{out}");
    // Usage and template errors.
    let out = tools.inia_in(
        d,
        &["cloudformation", "deploy", "--template-file", "q.yaml"],
    );
    assert_eq!(out.status.code(), Some(252));
    assert!(text(&out.stderr).contains("the following arguments are required: --stack-name"));
    let out = tools.inia_in(d, &deploy(&["--parameter-overrides", "NoEquals"]));
    assert_eq!(out.status.code(), Some(252));
}

/// Generated templates (`aws_commands/gen_templates.py`): JSON ones whose strings steer
/// PyYAML's quoting and folding, YAML ones of YAML 1.1's implicit forms, flow and block
/// collections and short-form functions; `package` writes each as the AWS CLI does.
/// Templates PyYAML refuses (a bare `=`, a `?` in a flow list) are skipped: inia reads
/// them (docs/cli.md).
#[test]
fn package_matches_the_aws_cli_on_generated_templates() {
    let moto = Moto::shared();
    let tools = Tools::new(moto);
    let dir = tempfile::tempdir().expect("dir");
    let python = inia_test_support::aws_cli().with_file_name("python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aws_commands/gen_templates.py");
    let (mut compared, mut refused) = (0, 0);
    for mode in ["json", "yaml"] {
        for seed in 1..=15 {
            let file = format!("gen-{mode}-{seed}.{mode}");
            let made = std::process::Command::new(&python)
                .arg(&script)
                .args([mode, &seed.to_string(), &file])
                .current_dir(dir.path())
                .status()
                .expect("run the generator");
            assert!(made.success());
            let args = [
                "cloudformation",
                "package",
                "--template-file",
                &file,
                "--s3-bucket",
                "gen",
            ];
            let theirs = tools.aws_in(dir.path(), None, &args);
            if !theirs.status.success() {
                refused += 1;
                continue;
            }
            let ours = ok(&tools.inia_in(dir.path(), &args), "inia package");
            assert_eq!(ours, text(&theirs.stdout), "{file}");
            compared += 1;
        }
    }
    assert!(
        compared >= 22,
        "{compared} compared, {refused} refused by PyYAML"
    );
}
