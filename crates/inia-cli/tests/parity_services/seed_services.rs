//! The seed of `parity_services.rs` in the services beyond EC2, S3, IAM, SQS, SNS and
//! DynamoDB (`seed.rs`): one or a few resources each.
//!
//! Owns those resources. Does not own the commands or the comparison.

use crate::seed::{call, text, ROLE_ARN};
use inia::{json, Session, Value};

/// One or a few resources in each of the smaller services; the KMS key's id.
pub async fn seed_services(s: &Session) -> String {
    let c = |name: &str| s.client(name).unwrap();
    call(
        &c("lambda"),
        "CreateFunction",
        json!({"FunctionName": "ps-fn", "Runtime": "python3.12", "Role": ROLE_ARN,
               "Handler": "index.handler", "Code": {"ZipFile": "bm90IGEgemlw"}}),
    )
    .await;
    let kms = c("kms");
    let key = call(&kms, "CreateKey", json!({"Description": "ps key"})).await;
    let key = text(&key["KeyMetadata"]["KeyId"]);
    call(
        &kms,
        "CreateAlias",
        json!({"AliasName": "alias/ps-key", "TargetKeyId": key}),
    )
    .await;
    let logs = c("logs");
    call(&logs, "CreateLogGroup", json!({"logGroupName": "ps-group"})).await;
    for i in 0..4 {
        call(
            &logs,
            "CreateLogGroup",
            json!({"logGroupName": format!("ps-many-{i}")}),
        )
        .await;
    }
    call(
        &logs,
        "CreateLogStream",
        json!({"logGroupName": "ps-group", "logStreamName": "ps-stream"}),
    )
    .await;
    let events: Vec<Value> = (0..6)
        .map(|i| json!({"timestamp": 1_700_000_000_000i64 + i, "message": format!("line {i} é")}))
        .collect();
    call(
        &logs,
        "PutLogEvents",
        json!({"logGroupName": "ps-group", "logStreamName": "ps-stream", "logEvents": events}),
    )
    .await;
    let ssm = c("ssm");
    call(
        &ssm,
        "PutParameter",
        json!({"Name": "/ps/param", "Value": "v1", "Type": "String"}),
    )
    .await;
    call(
        &ssm,
        "PutParameter",
        json!({"Name": "/ps/secure", "Value": "s", "Type": "SecureString"}),
    )
    .await;
    for i in 0..6 {
        call(
            &ssm,
            "PutParameter",
            json!({"Name": format!("/ps/many/p{i}"), "Value": format!("value {i}"), "Type": "String"}),
        )
        .await;
    }
    let sm = c("secretsmanager");
    call(
        &sm,
        "CreateSecret",
        json!({"Name": "ps-secret", "SecretString": "s3cr3t"}),
    )
    .await;
    call(
        &sm,
        "CreateSecret",
        json!({"Name": "ps-secret-2", "SecretString": "{\"user\":\"u\",\"pass\":\"p\"}",
               "Tags": [{"Key": "env", "Value": "test"}]}),
    )
    .await;
    seed_more(s).await;
    key
}

/// The rest: one resource each.
async fn seed_more(s: &Session) {
    let c = |name: &str| s.client(name).unwrap();
    let template = json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue",
        "Properties": {"QueueName": "ps-cfn-queue"}}},
        "Outputs": {"Zulu": {"Value": "z"}, "Alpha": {"Value": "a é"}}});
    let steps: Vec<(&str, &str, Value)> = vec![
        (
            "cloudformation",
            "CreateStack",
            json!({"StackName": "ps-stack", "TemplateBody": template.to_string()}),
        ),
        (
            "kinesis",
            "CreateStream",
            json!({"StreamName": "ps-stream", "ShardCount": 1}),
        ),
        (
            "events",
            "PutRule",
            json!({"Name": "ps-rule", "ScheduleExpression": "rate(5 minutes)"}),
        ),
        (
            "events",
            "PutTargets",
            json!({"Rule": "ps-rule", "Targets": [{"Id": "1",
            "Arn": "arn:aws:sqs:us-east-1:123456789012:ps-queue"}]}),
        ),
        ("events", "CreateEventBus", json!({"Name": "ps-bus"})),
        (
            "stepfunctions",
            "CreateStateMachine",
            json!({"name": "ps-sm", "roleArn": ROLE_ARN,
            "definition": "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}"}),
        ),
        (
            "ecr",
            "CreateRepository",
            json!({"repositoryName": "ps-repo"}),
        ),
        ("ecs", "CreateCluster", json!({"clusterName": "ps-cluster"})),
        (
            "ecs",
            "RegisterTaskDefinition",
            json!({"family": "ps-task",
            "containerDefinitions": [{"name": "c", "image": "nginx", "memory": 128}]}),
        ),
        (
            "autoscaling",
            "CreateLaunchConfiguration",
            json!({"LaunchConfigurationName": "ps-lc",
            "ImageId": "ami-12c6146b", "InstanceType": "t2.micro"}),
        ),
        (
            "autoscaling",
            "CreateAutoScalingGroup",
            json!({"AutoScalingGroupName": "ps-asg",
            "LaunchConfigurationName": "ps-lc", "MinSize": 0, "MaxSize": 1,
            "AvailabilityZones": ["us-east-1a"]}),
        ),
        (
            "cloudwatch",
            "PutMetricAlarm",
            json!({"AlarmName": "ps-alarm", "MetricName": "CPU",
            "Namespace": "AWS/EC2", "Statistic": "Average", "Period": 60,
            "EvaluationPeriods": 1, "Threshold": 50.5,
            "ComparisonOperator": "GreaterThanThreshold"}),
        ),
        (
            "cloudwatch",
            "PutMetricData",
            json!({"Namespace": "ps",
            "MetricData": [{"MetricName": "m", "Value": 1.5}]}),
        ),
        (
            "cloudwatch",
            "PutDashboard",
            json!({"DashboardName": "ps-dash",
            "DashboardBody": "{\"widgets\":[]}"}),
        ),
        (
            "ses",
            "VerifyEmailIdentity",
            json!({"EmailAddress": "a@parity.example.com"}),
        ),
        (
            "sesv2",
            "CreateConfigurationSet",
            json!({"ConfigurationSetName": "ps-cs"}),
        ),
        (
            "firehose",
            "CreateDeliveryStream",
            json!({"DeliveryStreamName": "ps-fh",
            "S3DestinationConfiguration": {"RoleARN": ROLE_ARN,
                "BucketARN": "arn:aws:s3:::ps-bucket"}}),
        ),
        (
            "glue",
            "CreateDatabase",
            json!({"DatabaseInput": {"Name": "ps_db"}}),
        ),
        (
            "glue",
            "CreateTable",
            json!({"DatabaseName": "ps_db", "TableInput": {"Name": "ps_t"}}),
        ),
        (
            "organizations",
            "CreateOrganization",
            json!({"FeatureSet": "ALL"}),
        ),
        (
            "elasticache",
            "CreateCacheCluster",
            json!({"CacheClusterId": "ps-cache",
            "Engine": "redis", "CacheNodeType": "cache.t3.micro", "NumCacheNodes": 1}),
        ),
        (
            "redshift",
            "CreateCluster",
            json!({"ClusterIdentifier": "ps-rs",
            "NodeType": "dc2.large", "MasterUsername": "u", "MasterUserPassword": "Passw0rd1",
            "ClusterType": "single-node"}),
        ),
        ("glacier", "CreateVault", json!({"vaultName": "ps-vault"})),
    ];
    for (service, op, params) in steps {
        call(&c(service), op, params).await;
    }
}
