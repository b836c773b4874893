//! The read commands `parity_services.rs` runs through both programs: per service, list,
//! describe and get commands, with and without `--query`, some in `--output text` and
//! `table`, some paged (`--max-items`, `--page-size`), a failure of a missing resource,
//! and a few bad command lines. Words are split on spaces; a word with a space is given
//! whole with [`Cmds::words`].
//!
//! Owns the list. Does not own running or comparing them.

use super::seed::Ids;

/// Command lines being collected.
#[derive(Default)]
struct Cmds(Vec<Vec<String>>);

impl Cmds {
    /// One command line per entry, its words split on spaces.
    fn add(&mut self, lines: &[&str]) {
        for line in lines {
            self.0
                .push(line.split_whitespace().map(str::to_string).collect());
        }
    }

    /// One command line given word by word.
    fn words(&mut self, words: &[&str]) {
        self.0.push(words.iter().map(|w| w.to_string()).collect());
    }
}

/// Every command line, with the identifiers moto chose and the queue URLs under
/// `endpoint`.
pub fn commands(ids: &Ids, endpoint: &str) -> Vec<Vec<String>> {
    let mut c = Cmds::default();
    ec2(&mut c, ids);
    s3api(&mut c);
    iam(&mut c);
    queues_topics_tables(&mut c, endpoint);
    smaller(&mut c, ids);
    usage(&mut c);
    c.0
}

fn ec2(c: &mut Cmds, ids: &Ids) {
    c.add(&[
        "sts get-caller-identity",
        "sts get-caller-identity --query Account --output text",
        "sts get-caller-identity --output table",
        "ec2 describe-vpcs",
        "ec2 describe-vpcs --filters Name=tag:Name,Values=ps-vpc --query Vpcs[].CidrBlock",
        "ec2 describe-vpcs --output table",
        &format!("ec2 describe-vpcs --vpc-ids {} --output text", ids.vpc),
        &format!(
            "ec2 describe-vpc-attribute --vpc-id {} --attribute enableDnsSupport",
            ids.vpc
        ),
        "ec2 describe-subnets",
        "ec2 describe-subnets --output table",
        &format!(
            "ec2 describe-subnets --filters Name=vpc-id,Values={} \
             --query Subnets[].[CidrBlock,AvailabilityZone,State] --output text",
            ids.vpc
        ),
        "ec2 describe-security-groups --group-names default",
        "ec2 describe-security-groups --output text",
        "ec2 describe-security-groups --query SecurityGroups[?GroupName=='ps-sg'].IpPermissionsEgress",
        "ec2 describe-key-pairs --key-names ps-key",
        "ec2 describe-key-pairs --no-dry-run --query KeyPairs[].KeyName",
        "ec2 describe-key-pairs --dry-run",
        "ec2 describe-volumes",
        "ec2 describe-volumes --output text --query Volumes[].[Size,State,AvailabilityZone]",
        "ec2 describe-tags",
        "ec2 describe-internet-gateways",
        "ec2 describe-route-tables --output text",
        "ec2 describe-network-acls",
        "ec2 describe-launch-templates",
        "ec2 describe-instance-types --instance-types t2.micro",
        "ec2 describe-availability-zones --output table",
        "ec2 describe-regions --query Regions[?RegionName=='us-east-1'] --output text",
        "ec2 describe-instances",
        "ec2 describe-instances --output text",
        "ec2 describe-instances --output table \
         --query Reservations[].Instances[].{Id:InstanceId,Type:InstanceType,State:State.Name}",
        "ec2 describe-instances --max-items 1",
        "ec2 describe-instances --filters Name=tag:Name,Values=ps-inst \
         --query length(Reservations[].Instances[])",
        "ec2 describe-instance-status --include-all-instances",
        "ec2 describe-images --owners self",
        "ec2 describe-addresses",
        "ec2 describe-snapshots --owner-ids self",
        &format!(
            "ec2 describe-instance-attribute --instance-id {} --attribute instanceType",
            ids.instance
        ),
        // Decoded from base64 by botocore's handler (the timestamp is moto's clock).
        &format!(
            "ec2 get-console-output --instance-id {} --query [InstanceId,Output]",
            ids.instance
        ),
        "ec2 describe-vpcs --vpc-ids vpc-00000000",
        "ec2 describe-instances --instance-ids i-00000000000000000",
    ]);
}

fn s3api(c: &mut Cmds) {
    c.add(&[
        "s3api list-buckets",
        "s3api list-buckets --query Buckets[].Name --output text",
        "s3api head-bucket --bucket ps-bucket",
        "s3api get-bucket-tagging --bucket ps-bucket",
        "s3api get-bucket-versioning --bucket ps-bucket",
        "s3api get-bucket-encryption --bucket ps-bucket",
        "s3api get-bucket-cors --bucket ps-bucket",
        "s3api get-bucket-policy --bucket ps-bucket",
        "s3api get-bucket-policy --bucket ps-bucket --query Policy --output text",
        "s3api get-bucket-lifecycle-configuration --bucket ps-bucket",
        "s3api get-bucket-location --bucket ps-bucket --output text",
        "s3api get-bucket-acl --bucket ps-bucket --output table",
        "s3api get-object-tagging --bucket ps-bucket --key a.txt",
        "s3api list-object-versions --bucket ps-bucket --query Versions[].[Key,IsLatest,Size]",
        "s3api list-objects-v2 --bucket ps-bucket --output table",
        "s3api list-objects-v2 --bucket ps-bucket --max-items 1",
        "s3api list-objects-v2 --bucket ps-keys --output text",
        "s3api list-objects --bucket ps-keys --query Contents[].Key",
        // The checksum asked for by botocore's handler, or by the caller.
        "s3api get-object --bucket ps-bucket --key sum.txt /dev/null",
        "s3api head-object --bucket ps-bucket --key sum.txt --checksum-mode ENABLED",
        "s3api get-object-attributes --bucket ps-bucket --key sum.txt \
         --object-attributes ETag Checksum ObjectSize",
        // SSE-C: the key sent base64 with its MD5.
        "s3api head-object --bucket ps-bucket --key ssec.txt --sse-customer-algorithm AES256 \
         --sse-customer-key 01234567890123456789012345678901",
        "s3api head-object --bucket ps-bucket --key missing",
        "s3api list-objects-v2 --bucket ps-missing",
        "s3api get-bucket-website --bucket ps-bucket",
    ]);
    c.words(&[
        "s3api",
        "head-object",
        "--bucket",
        "ps-keys",
        "--key",
        "a b.txt",
        "--output",
        "table",
    ]);
}

fn iam(c: &mut Cmds) {
    c.add(&[
        "iam list-users --output table",
        "iam list-users --max-items 2",
        "iam list-users --max-items 2 --output text",
        "iam list-users --page-size 2 --query Users[].UserName",
        "iam get-user --user-name ps-user",
        "iam list-user-tags --user-name ps-page-1 --output table",
        "iam list-groups",
        "iam list-access-keys --user-name ps-user --query AccessKeyMetadata[].Status",
        "iam list-instance-profiles",
        // Policy documents, URL-decoded and parsed by botocore's handler.
        "iam get-role --role-name ps-role",
        "iam get-role --role-name ps-role --output text",
        "iam list-roles --query Roles[].RoleName --output text",
        "iam get-role-policy --role-name ps-role --policy-name ps-inline --output table",
        "iam get-policy-version --policy-arn arn:aws:iam::123456789012:policy/ps-policy \
         --version-id v1 --query PolicyVersion.Document --output text",
        "iam list-attached-role-policies --role-name ps-role",
        "iam list-policies --scope Local",
        "iam get-account-summary",
        "iam get-user --user-name ps-nobody",
    ]);
}

fn queues_topics_tables(c: &mut Cmds, endpoint: &str) {
    let queue = format!("{endpoint}/123456789012/ps-queue");
    c.add(&[
        "sqs list-queues",
        "sqs list-queues --queue-name-prefix ps-many --output text",
        "sqs list-queues --max-items 2",
        "sqs get-queue-url --queue-name ps-queue",
        &format!("sqs get-queue-attributes --queue-url {queue} --attribute-names All"),
        &format!(
            "sqs get-queue-attributes --queue-url {endpoint}/123456789012/ps-q.fifo \
             --attribute-names FifoQueue ContentBasedDeduplication --output text"
        ),
        &format!("sqs list-queue-tags --queue-url {queue}"),
        "sqs get-queue-url --queue-name ps-nope",
        "sns list-topics --output text",
        "sns list-topics --max-items 1",
        "sns list-subscriptions",
        "sns list-subscriptions --output table",
        "sns get-topic-attributes --topic-arn arn:aws:sns:us-east-1:123456789012:ps-topic",
        "sns get-topic-attributes --topic-arn arn:aws:sns:us-east-1:123456789012:ps-none",
        "dynamodb list-tables --output table",
        "dynamodb describe-table --table-name ps-table",
        "dynamodb scan --table-name ps-table",
        "dynamodb scan --table-name ps-table --max-items 3",
        "dynamodb scan --table-name ps-table --page-size 2 --output text",
        "dynamodb scan --table-name ps-table --output table",
        "dynamodb scan --table-name ps-table --query Items[?n.N=='30'].id.S",
        r#"dynamodb get-item --table-name ps-table --key {"id":{"S":"a"}}"#,
        r#"dynamodb get-item --table-name ps-table --key {"id":{"S":"k2"}} --output text"#,
        "dynamodb describe-table --table-name ps-none",
    ]);
    c.words(&[
        "dynamodb",
        "query",
        "--table-name",
        "ps-table",
        "--key-condition-expression",
        "id = :k",
        "--expression-attribute-values",
        r#"{":k": {"S": "k3"}}"#,
    ]);
}

fn smaller(c: &mut Cmds, ids: &Ids) {
    let machine = "arn:aws:states:us-east-1:123456789012:stateMachine";
    let file_system = "FileSystems[].{Id:FileSystemId,Token:CreationToken,State:LifeCycleState,Mode:PerformanceMode}";
    c.add(&[
        "lambda list-functions",
        "lambda list-functions --output table",
        "lambda list-functions --query Functions[].[FunctionName,Runtime,Handler] --output text",
        "lambda get-function-configuration --function-name ps-fn",
        "lambda get-function --function-name ps-fn --query Configuration.Runtime",
        "lambda list-versions-by-function --function-name ps-fn",
        "lambda get-account-settings",
        "lambda get-policy --function-name ps-fn",
        "lambda get-function --function-name ps-none",
        "kms list-keys",
        "kms list-keys --output text",
        "kms list-aliases --query Aliases[?AliasName=='alias/ps-key'].AliasName",
        "kms describe-key --key-id alias/ps-key",
        &format!("kms describe-key --key-id {} --output table", ids.key),
        "kms get-key-rotation-status --key-id alias/ps-key",
        &format!("kms list-resource-tags --key-id {}", ids.key),
        "kms describe-key --key-id alias/ps-none",
        "logs describe-log-groups",
        "logs describe-log-groups --output text",
        "logs describe-log-groups --max-items 2",
        "logs describe-log-groups --log-group-name-prefix ps-many --output table",
        "logs describe-log-streams --log-group-name ps-group",
        "logs get-log-events --log-group-name ps-group --log-stream-name ps-stream",
        "logs get-log-events --log-group-name ps-group --log-stream-name ps-stream --output text",
        "logs filter-log-events --log-group-name ps-group",
        "logs filter-log-events --log-group-name ps-group --max-items 3",
        "logs describe-log-streams --log-group-name ps-none",
        "ssm get-parameter --name /ps/param",
        "ssm get-parameters-by-path --path /ps",
        "ssm get-parameters-by-path --path /ps/many --max-items 4",
        "ssm get-parameters-by-path --path /ps/many --page-size 2 --output text",
        "ssm describe-parameters",
        "ssm describe-parameters --max-items 3 --query Parameters[].Name",
        "ssm get-parameters --names /ps/many/p1 /ps/nope",
        "ssm get-parameter --name /ps/secure --with-decryption --query Parameter.Value --output text",
        "ssm get-parameter --name /ps/none",
        "secretsmanager list-secrets",
        "secretsmanager list-secrets --filters Key=name,Values=ps-secret-2",
        "secretsmanager list-secrets --output table --query SecretList[].{N:Name,T:Tags}",
        "secretsmanager list-secrets --output text --query SecretList[].{N:Name,T:Tags}",
        "secretsmanager describe-secret --secret-id ps-secret",
        "secretsmanager get-secret-value --secret-id ps-secret",
        "secretsmanager get-secret-value --secret-id ps-secret-2 --query SecretString --output text",
        "secretsmanager get-secret-value --secret-id ps-none",
        "route53 list-hosted-zones",
        "route53 list-hosted-zones --output table",
        "route53 list-hosted-zones-by-name --dns-name parity.example.",
        // Route 53 ids with and without their `/hostedzone/` prefix.
        &format!(
            "route53 list-resource-record-sets --hosted-zone-id /hostedzone/{}",
            ids.zone
        ),
        &format!(
            "route53 list-resource-record-sets --hosted-zone-id {} --output text",
            ids.zone
        ),
        &format!("route53 get-hosted-zone --id {}", ids.zone),
        "route53 get-hosted-zone --id NOPE",
        "cloudformation describe-stacks",
        "cloudformation describe-stacks --output table",
        "cloudformation list-stacks",
        "cloudformation describe-stack-resources --stack-name ps-stack",
        "cloudformation list-stack-resources --stack-name ps-stack --output text",
        "cloudformation get-template --stack-name ps-stack",
        "cloudformation get-template --stack-name ps-stack --output text",
        "cloudformation describe-stacks --stack-name ps-none",
        "kinesis list-streams",
        "kinesis list-streams --output text",
        "kinesis describe-stream --stream-name ps-stream",
        "kinesis describe-stream-summary --stream-name ps-stream",
        "kinesis list-shards --stream-name ps-stream",
        "kinesis describe-stream --stream-name ps-none",
        "events list-rules",
        "events list-rules --output table",
        "events describe-rule --name ps-rule",
        "events list-event-buses",
        "events list-targets-by-rule --rule ps-rule",
        "events describe-rule --name ps-none",
        "stepfunctions list-state-machines",
        "stepfunctions list-state-machines --output text",
        &format!("stepfunctions describe-state-machine --state-machine-arn {machine}:ps-sm"),
        &format!("stepfunctions describe-state-machine --state-machine-arn {machine}:ps-none"),
        "ecr describe-repositories",
        "ecr describe-repositories --output table",
        "ecr list-images --repository-name ps-repo",
        "ecr get-repository-policy --repository-name ps-repo",
        "ecr describe-repositories --repository-names ps-none",
        "ecs list-clusters",
        "ecs describe-clusters --clusters ps-cluster",
        "ecs describe-clusters --clusters ps-cluster --output table",
        "ecs list-task-definitions",
        "ecs list-task-definitions --output text",
        "ecs describe-task-definition --task-definition ps-task:1",
        "ecs list-services --cluster ps-cluster",
        "ecs describe-task-definition --task-definition ps-none",
        "elbv2 describe-load-balancers",
        "elbv2 describe-load-balancers --output table",
        "elbv2 describe-target-groups",
        "elbv2 describe-target-groups --query TargetGroups[].[TargetGroupName,Port] --output text",
        "elbv2 describe-load-balancers --names ps-none",
        "autoscaling describe-auto-scaling-groups",
        "autoscaling describe-auto-scaling-groups --output text",
        "autoscaling describe-launch-configurations",
        "autoscaling describe-auto-scaling-groups --auto-scaling-group-names ps-none",
        "rds describe-db-subnet-groups",
        "rds describe-db-subnet-groups --output table",
        "rds describe-db-parameter-groups",
        "rds describe-db-instances --db-instance-identifier ps-none",
        // moto fails this one with an HTML page (500).
        "rds describe-db-engine-versions --engine postgres",
        "cloudwatch describe-alarms",
        "cloudwatch describe-alarms --output text",
        "cloudwatch list-metrics --namespace ps",
        "cloudwatch list-dashboards --query DashboardEntries[].DashboardName",
        "cloudwatch get-dashboard --dashboard-name ps-dash",
        "acm list-certificates",
        &format!("acm describe-certificate --certificate-arn {}", ids.cert),
        "acm describe-certificate --certificate-arn arn:aws:acm:us-east-1:123456789012:certificate/nope",
        "apigateway get-rest-apis",
        &format!("apigateway get-resources --rest-api-id {}", ids.api),
        "apigateway get-rest-api --rest-api-id nope",
        "ses list-identities",
        "ses get-identity-verification-attributes --identities a@parity.example.com",
        "sesv2 list-configuration-sets",
        "firehose list-delivery-streams",
        "firehose describe-delivery-stream --delivery-stream-name ps-fh",
        "firehose describe-delivery-stream --delivery-stream-name ps-none",
        "glue get-databases",
        "glue get-tables --database-name ps_db",
        "glue get-tables --database-name ps_db --output text",
        "glue get-database --name ps-none",
        "organizations describe-organization",
        "organizations describe-organization --output table",
        "organizations list-accounts",
        "organizations list-roots",
        "cognito-idp list-user-pools --max-results 10",
        &format!("cognito-idp describe-user-pool --user-pool-id {}", ids.user_pool),
        "cognito-idp describe-user-pool --user-pool-id us-east-1_nope",
        // Only the members that do not carry moto's clock (`SizeInBytes.Timestamp`).
        &format!("efs describe-file-systems --query {file_system}"),
        &format!(
            "efs describe-file-systems --file-system-id {} --query {file_system} --output table",
            ids.file_system
        ),
        "eks list-clusters",
        "eks describe-cluster --name ps-eks",
        "elasticache describe-cache-clusters",
        "redshift describe-clusters",
        "glacier list-vaults --account-id - --output table",
        "glacier describe-vault --account-id - --vault-name ps-vault",
    ]);
}

/// Bad command lines: usage errors (v2: 252).
fn usage(c: &mut Cmds) {
    c.add(&[
        "ec2",
        "ec2 describe-nonsense",
        "ec2 describe-vpcs --bogus",
        "dynamodb describe-table",
        "iam list-users --max-items x",
        "ec2 describe-key-pairs --dry-run true",
    ]);
}
