//! The resources `parity_services.rs` reads: something to list in each of its services,
//! made once through the library (botocore's models on the spec path) in the test's moto.
//!
//! Owns the seed and the identifiers moto chose. Does not own the commands or the
//! comparison.

use inia::{json, Body, Client, Credentials, Session, Value};
use inia_test_support::Moto;

/// What moto named: the commands that need an id get it from here.
pub struct Ids {
    pub zone: String,
    pub api: String,
    pub key: String,
    pub vpc: String,
    pub instance: String,
    pub user_pool: String,
    pub cert: String,
    pub file_system: String,
}

fn session(moto: &Moto, data: &str) -> Session {
    Session::builder()
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials(Credentials::new(
            "AKIDPARITY",
            "parity-secret",
            None,
            None,
            "test",
        ))
        .env(inia::auth::config::Env::empty())
        .spec_dir(data)
        .build()
        .unwrap()
}

pub async fn call(c: &Client, op: &str, params: Value) -> Value {
    c.call(op, params)
        .await
        .unwrap_or_else(|e| panic!("seeding {op}: {e}"))
}

pub fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not text: {v}"))
        .to_string()
}

/// The trust policy of the roles Lambda, Step Functions and EKS are given.
fn trust() -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringLike": {"aws:UserAgent": "a b+c&d=é"}}}]})
    .to_string()
}

pub const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/ps-role";

/// Seed every service; the identifiers moto chose.
pub async fn seed(moto: &Moto, data: &str) -> Ids {
    let s = session(moto, data);
    let c = |name: &str| s.client(name).unwrap();
    let (vpc, subnets, instance) = seed_ec2(&c("ec2")).await;
    seed_s3(&c("s3")).await;
    seed_iam(&c("iam")).await;
    seed_queues_and_topics(&c("sqs"), &c("sns")).await;
    seed_dynamodb(&c("dynamodb")).await;
    let key = crate::seed_services::seed_services(&s).await;

    let r53 = c("route53");
    let zone = call(
        &r53,
        "CreateHostedZone",
        json!({"Name": "parity.example.", "CallerReference": "ps-1"}),
    )
    .await;
    let zone = text(&zone["HostedZone"]["Id"]);
    call(
        &r53,
        "ChangeResourceRecordSets",
        json!({"HostedZoneId": zone, "ChangeBatch": {"Changes": [{"Action": "CREATE",
            "ResourceRecordSet": {"Name": "www.parity.example.", "Type": "A", "TTL": 60,
                "ResourceRecords": [{"Value": "10.0.0.1"}]}}]}}),
    )
    .await;
    let elb = c("elbv2");
    call(
        &elb,
        "CreateLoadBalancer",
        json!({"Name": "ps-lb", "Subnets": subnets}),
    )
    .await;
    call(
        &elb,
        "CreateTargetGroup",
        json!({"Name": "ps-tg", "Protocol": "HTTP", "Port": 80, "VpcId": vpc}),
    )
    .await;
    let rds = c("rds");
    call(
        &rds,
        "CreateDBSubnetGroup",
        json!({"DBSubnetGroupName": "ps-dbsg", "DBSubnetGroupDescription": "parity",
               "SubnetIds": subnets}),
    )
    .await;
    call(
        &rds,
        "CreateDBParameterGroup",
        json!({"DBParameterGroupName": "ps-pg", "DBParameterGroupFamily": "postgres16",
               "Description": "parity"}),
    )
    .await;
    call(
        &c("eks"),
        "CreateCluster",
        json!({"name": "ps-eks", "roleArn": ROLE_ARN,
               "resourcesVpcConfig": {"subnetIds": [subnets[0]]}}),
    )
    .await;
    let api = call(&c("apigateway"), "CreateRestApi", json!({"name": "ps-api"})).await;
    let pool = call(
        &c("cognito-idp"),
        "CreateUserPool",
        json!({"PoolName": "ps-pool"}),
    )
    .await;
    let cert = call(
        &c("acm"),
        "RequestCertificate",
        json!({"DomainName": "parity.example.com"}),
    )
    .await;
    let fs = call(
        &c("efs"),
        "CreateFileSystem",
        json!({"CreationToken": "ps-fs"}),
    )
    .await;
    Ids {
        zone: zone.trim_start_matches("/hostedzone/").to_string(),
        api: text(&api["id"]),
        key,
        vpc,
        instance,
        user_pool: text(&pool["UserPool"]["Id"]),
        cert: text(&cert["CertificateArn"]),
        file_system: text(&fs["FileSystemId"]),
    }
}

/// A VPC with two subnets, a security group, a key pair, a volume, a launch template and
/// two tagged instances; the VPC's id, the subnets' and an instance's.
async fn seed_ec2(ec2: &Client) -> (String, Vec<String>, String) {
    let vpc = call(ec2, "CreateVpc", json!({"CidrBlock": "10.42.0.0/16"})).await;
    let vpc = text(&vpc["Vpc"]["VpcId"]);
    let mut subnets = Vec::new();
    for (cidr, zone) in [
        ("10.42.1.0/24", "us-east-1a"),
        ("10.42.2.0/24", "us-east-1b"),
    ] {
        let s = call(
            ec2,
            "CreateSubnet",
            json!({"VpcId": vpc, "CidrBlock": cidr, "AvailabilityZone": zone}),
        )
        .await;
        subnets.push(text(&s["Subnet"]["SubnetId"]));
    }
    call(
        ec2,
        "CreateSecurityGroup",
        json!({"GroupName": "ps-sg", "Description": "parity group", "VpcId": vpc}),
    )
    .await;
    call(ec2, "CreateKeyPair", json!({"KeyName": "ps-key"})).await;
    call(
        ec2,
        "CreateVolume",
        json!({"AvailabilityZone": "us-east-1a", "Size": 4}),
    )
    .await;
    call(
        ec2,
        "CreateTags",
        json!({"Resources": [vpc], "Tags": [{"Key": "Name", "Value": "ps-vpc"}]}),
    )
    .await;
    call(ec2, "CreateInternetGateway", json!({})).await;
    call(
        ec2,
        "CreateLaunchTemplate",
        json!({"LaunchTemplateName": "ps-lt",
               "LaunchTemplateData": {"ImageId": "ami-12c6146b", "InstanceType": "t2.micro"}}),
    )
    .await;
    let run = call(
        ec2,
        "RunInstances",
        json!({"ImageId": "ami-12c6146b", "MinCount": 2, "MaxCount": 2,
               "InstanceType": "t2.micro",
               "TagSpecifications": [{"ResourceType": "instance",
                   "Tags": [{"Key": "Name", "Value": "ps-inst"}]}]}),
    )
    .await;
    let instance = text(&run["Instances"][0]["InstanceId"]);
    (vpc, subnets, instance)
}

/// A versioned bucket with tags, encryption, CORS, a policy, a lifecycle rule and objects
/// (one with a SHA-256 checksum, one SSE-C), and a bucket of keys that need URL encoding.
async fn seed_s3(s3: &Client) {
    let b = "ps-bucket";
    call(s3, "CreateBucket", json!({"Bucket": b})).await;
    call(
        s3,
        "PutBucketTagging",
        json!({"Bucket": b, "Tagging": {"TagSet": [{"Key": "k", "Value": "v"}]}}),
    )
    .await;
    call(
        s3,
        "PutBucketVersioning",
        json!({"Bucket": b, "VersioningConfiguration": {"Status": "Enabled"}}),
    )
    .await;
    call(
        s3,
        "PutBucketEncryption",
        json!({"Bucket": b, "ServerSideEncryptionConfiguration": {"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}),
    )
    .await;
    call(
        s3,
        "PutBucketCors",
        json!({"Bucket": b, "CORSConfiguration": {"CORSRules": [
            {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}}),
    )
    .await;
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::ps-bucket/*"}]});
    call(
        s3,
        "PutBucketPolicy",
        json!({"Bucket": b, "Policy": policy.to_string()}),
    )
    .await;
    call(
        s3,
        "PutBucketLifecycleConfiguration",
        json!({"Bucket": b, "LifecycleConfiguration": {"Rules": [{"ID": "r",
            "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 3}}]}}),
    )
    .await;
    let put = |params: Value, body: &'static str| async move {
        s3.call_with("PutObject", params, Some(Body::from(body)))
            .await
            .unwrap_or_else(|e| panic!("seeding PutObject: {e}"));
    };
    put(
        json!({"Bucket": b, "Key": "a.txt", "ContentType": "text/plain"}),
        "hello",
    )
    .await;
    put(json!({"Bucket": b, "Key": "dir/b.txt"}), "bravo").await;
    put(
        json!({"Bucket": b, "Key": "sum.txt", "ChecksumAlgorithm": "SHA256"}),
        "checksummed",
    )
    .await;
    put(
        json!({"Bucket": b, "Key": "ssec.txt", "SSECustomerAlgorithm": "AES256",
               "SSECustomerKey": "01234567890123456789012345678901"}),
        "secret",
    )
    .await;
    call(
        s3,
        "PutObjectTagging",
        json!({"Bucket": b, "Key": "a.txt",
               "Tagging": {"TagSet": [{"Key": "t", "Value": "1"}]}}),
    )
    .await;
    call(s3, "CreateBucket", json!({"Bucket": "ps-keys"})).await;
    for key in ["a b.txt", "é/ü+x.txt", "dir/sub key", "p%41q"] {
        put(json!({"Bucket": "ps-keys", "Key": key}), "k").await;
    }
}

/// Users (one with an access key, five to page through), a group, an instance profile,
/// a role with a trust policy and an inline policy, a managed policy.
async fn seed_iam(iam: &Client) {
    call(iam, "CreateUser", json!({"UserName": "ps-user"})).await;
    call(iam, "CreateAccessKey", json!({"UserName": "ps-user"})).await;
    for i in 0..5 {
        call(
            iam,
            "CreateUser",
            json!({"UserName": format!("ps-page-{i}"), "Tags": [{"Key": "n", "Value": i.to_string()}]}),
        )
        .await;
    }
    call(iam, "CreateGroup", json!({"GroupName": "ps-group"})).await;
    call(
        iam,
        "CreateInstanceProfile",
        json!({"InstanceProfileName": "ps-ip"}),
    )
    .await;
    call(
        iam,
        "CreateRole",
        json!({"RoleName": "ps-role", "AssumeRolePolicyDocument": trust()}),
    )
    .await;
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::ps-keys/a b+c é*"}]})
    .to_string();
    call(
        iam,
        "PutRolePolicy",
        json!({"RoleName": "ps-role", "PolicyName": "ps-inline", "PolicyDocument": policy}),
    )
    .await;
    call(
        iam,
        "CreatePolicy",
        json!({"PolicyName": "ps-policy", "PolicyDocument": policy}),
    )
    .await;
    call(
        iam,
        "AttachRolePolicy",
        json!({"RoleName": "ps-role",
               "PolicyArn": "arn:aws:iam::123456789012:policy/ps-policy"}),
    )
    .await;
}

async fn seed_queues_and_topics(sqs: &Client, sns: &Client) {
    let q = call(
        sqs,
        "CreateQueue",
        json!({"QueueName": "ps-queue", "Attributes": {"VisibilityTimeout": "40"}}),
    )
    .await;
    call(
        sqs,
        "TagQueue",
        json!({"QueueUrl": q["QueueUrl"], "Tags": {"team": "x"}}),
    )
    .await;
    for i in 0..4 {
        call(
            sqs,
            "CreateQueue",
            json!({"QueueName": format!("ps-many-{i}")}),
        )
        .await;
    }
    call(
        sqs,
        "CreateQueue",
        json!({"QueueName": "ps-q.fifo", "Attributes": {"FifoQueue": "true"}}),
    )
    .await;
    let topic = call(sns, "CreateTopic", json!({"Name": "ps-topic"})).await;
    call(sns, "CreateTopic", json!({"Name": "ps-topic-2"})).await;
    call(
        sns,
        "Subscribe",
        json!({"TopicArn": topic["TopicArn"], "Protocol": "sqs",
               "Endpoint": "arn:aws:sqs:us-east-1:123456789012:ps-queue"}),
    )
    .await;
}

/// A table of eight items of every attribute type.
async fn seed_dynamodb(ddb: &Client) {
    call(
        ddb,
        "CreateTable",
        json!({"TableName": "ps-table",
               "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
               "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
               "BillingMode": "PAY_PER_REQUEST"}),
    )
    .await;
    call(
        ddb,
        "PutItem",
        json!({"TableName": "ps-table", "Item": {"id": {"S": "a"}, "n": {"N": "1.50"},
               "l": {"L": [{"S": "x"}, {"N": "2"}]}}}),
    )
    .await;
    for i in 0..7 {
        call(
            ddb,
            "PutItem",
            json!({"TableName": "ps-table", "Item": {"id": {"S": format!("k{i}")},
                "n": {"N": (i * 10).to_string()}, "b": {"B": "AAE="}, "ss": {"SS": ["x", "y"]},
                "m": {"M": {"a": {"BOOL": true}, "z": {"NULL": true}}}}}),
        )
        .await;
    }
}
