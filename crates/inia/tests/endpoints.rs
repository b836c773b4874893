//! Endpoints through the engine, with nothing sent (`Client::prepare`): a provider file
//! naming its own rule set, endpoint headers, the rules' errors raised before sending,
//! regions that are not host names, per-operation resolution.

use inia::auth::config::Env;
use inia::{Credentials, Error, Session};
use serde_json::json;
use std::time::{Duration, UNIX_EPOCH};

fn builder() -> inia::SessionBuilder {
    Session::builder()
        .env(Env::empty())
        .credentials(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
}

#[tokio::test]
async fn a_provider_file_may_name_a_rule_set() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("providers")).unwrap();
    std::fs::write(
        dir.path().join("providers/my-cloud.json"),
        r#"{"format": 1, "name": "my-cloud",
            "services": {"sts": {"endpoint": {"rules": "my-cloud-rules.json"}}}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("my-cloud-rules.json"),
        r#"{"version": "1.0",
            "parameters": {"Region": {"type": "string", "builtIn": "AWS::Region", "required": true}},
            "rules": [{"type": "endpoint", "conditions": [],
              "endpoint": {"url": "https://identity.{Region}.my-cloud.test",
                           "headers": {"x-my-cloud-zone": ["{Region}-a"]},
                           "properties": {"authSchemes": [{"name": "sigv4", "signingName": "myid", "signingRegion": "{Region}"}]}}}]}"#,
    )
    .unwrap();
    let session = builder()
        .spec_dir(dir.path())
        .provider("my-cloud")
        .region("zone-7")
        .build()
        .unwrap();
    let sts = session.client("sts").unwrap();
    let time = UNIX_EPOCH + Duration::from_secs(1_767_323_045);
    let req = sts
        .prepare("GetCallerIdentity", json!({}), Some(time))
        .await
        .unwrap();
    assert_eq!(
        req.uri().to_string(),
        "https://identity.zone-7.my-cloud.test/"
    );
    assert_eq!(req.headers()["x-my-cloud-zone"], "zone-7-a");
    let auth = req.headers()["authorization"].to_str().unwrap();
    assert!(
        auth.contains("/20260102/zone-7/myid/aws4_request"),
        "{auth}"
    );
    assert!(
        auth.contains("x-my-cloud-zone"),
        "endpoint headers are signed: {auth}"
    );
}

#[tokio::test]
async fn a_rule_error_fails_the_call_before_sending() {
    let session = builder()
        .region("us-east-1")
        .endpoint_url("http://127.0.0.1:9")
        .endpoint_param("AWS::UseFIPS", true)
        .build()
        .unwrap();
    // call(), not prepare(): nothing listens on port 9, so a request sent would be a
    // transport error; the rule's error comes first.
    let e = session
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap_err();
    match &e {
        Error::Endpoint(inia::endpoint::EndpointError::Rules(_)) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e.to_string(),
        "Invalid Configuration: FIPS and custom endpoint are not supported"
    );
}

#[tokio::test]
async fn regions_that_are_not_host_names_are_refused() {
    // Refused when the client is made, as botocore refuses them, with or without an
    // endpoint URL: the region would otherwise reach a host name or a signature.
    for session in [
        builder().region("bad region!").build().unwrap(),
        builder()
            .region("bad region!")
            .endpoint_url("http://127.0.0.1:1")
            .build()
            .unwrap(),
    ] {
        for service in ["s3", "sts"] {
            let e = session.client(service).err().map(|e| e.to_string());
            assert_eq!(
                e.as_deref(),
                Some("Provided region_name 'bad region!' doesn't match a supported format.")
            );
        }
    }
    for ok in ["us-east-1", "eu-west-3", "local", "us-gov-west-1"] {
        assert!(
            builder().region(ok).build().unwrap().client("s3").is_ok(),
            "{ok}"
        );
    }
    for bad in ["-us", "us-", "", "us_east_1", "a.b", &"x".repeat(64)] {
        let session = builder().region(bad).build().unwrap();
        assert!(session.client("sts").is_err(), "{bad:?}");
    }
}

#[tokio::test]
async fn each_operation_is_resolved_with_its_own_parameters() {
    let session = builder().region("us-west-2").build().unwrap();
    let s3 = session.client("s3").unwrap();
    let url = |r: http::Request<bytes::Bytes>| r.uri().to_string();
    let a = s3
        .prepare("GetObject", json!({"Bucket": "one", "Key": "a b"}), None)
        .await
        .unwrap();
    assert_eq!(url(a), "https://one.s3.us-west-2.amazonaws.com/a%20b");
    let b = s3
        .prepare("ListObjectsV2", json!({"Bucket": "two"}), None)
        .await
        .unwrap();
    // The listing asks for URL-encoded keys, as botocore does.
    assert_eq!(
        url(b),
        "https://two.s3.us-west-2.amazonaws.com/?list-type=2&encoding-type=url"
    );
    let c = s3.prepare("ListBuckets", json!({}), None).await.unwrap();
    assert_eq!(url(c), "https://s3.us-west-2.amazonaws.com/");
    let d = s3
        .prepare("GetBucketLocation", json!({"Bucket": "three"}), None)
        .await
        .unwrap();
    assert_eq!(url(d), "https://s3.us-west-2.amazonaws.com/three?location");
    let ap = s3
        .prepare(
            "PutObject",
            json!({"Bucket": "arn:aws:s3:us-west-2:123456789012:accesspoint/ap", "Key": "k"}),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        url(ap),
        "https://ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com/k"
    );
    // A loop of calls resolves from the cache.
    for i in 0..2_000 {
        let r = s3
            .prepare(
                "GetObject",
                json!({"Bucket": "one", "Key": format!("k{i}")}),
                None,
            )
            .await
            .unwrap();
        assert_eq!(r.uri().host(), Some("one.s3.us-west-2.amazonaws.com"));
    }
}

/// A directory bucket resolves to its zonal endpoint with the `sigv4-s3express` scheme
/// (the session flow itself: `tests/s3_express.rs`, against a stand-in).
#[tokio::test]
async fn directory_buckets_resolve_to_their_zone() {
    let session = builder().region("us-east-1").build().unwrap();
    let s3 = session.client("s3").unwrap();
    let params = json!({"Bucket": "mybucket--use1-az4--x-s3", "Key": "k"});
    let r = s3.prepare("GetObject", params.clone(), None).await.unwrap();
    assert_eq!(
        r.uri().host(),
        Some("mybucket--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com")
    );
    // Unsigned sessions need no scheme.
    let anon = builder()
        .region("us-east-1")
        .unsigned(true)
        .build()
        .unwrap();
    let arn =
        json!({"Bucket": "arn:aws:s3::123456789012:accesspoint:mfzwi23gnjvgw.mrap", "Key": "k"});
    let r = anon
        .client("s3")
        .unwrap()
        .prepare("GetObject", arn, Some(UNIX_EPOCH))
        .await
        .unwrap();
    assert!(r.headers().get("authorization").is_none());
}

/// S3 Multi-Region Access Points name only `sigv4a`: signed with it, the endpoint's region
/// set (`*`) sent unless `AWS_SIGV4A_SIGNING_REGION_SET` names one.
#[tokio::test]
async fn multi_region_access_points_are_signed_with_sigv4a() {
    let params =
        json!({"Bucket": "arn:aws:s3::123456789012:accesspoint:mfzwi23gnjvgw.mrap", "Key": "k"});
    let time = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
    let signed = |env: Env| {
        let session = builder().env(env).region("eu-west-1").build().unwrap();
        let params = params.clone();
        async move {
            session
                .client("s3")
                .unwrap()
                .prepare("GetObject", params, Some(time))
                .await
                .unwrap()
        }
    };
    let r = signed(Env::empty()).await;
    assert_eq!(
        r.uri().host(),
        Some("mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com")
    );
    assert_eq!(r.headers()["x-amz-region-set"], "*");
    let auth = r.headers()["authorization"].to_str().unwrap();
    assert!(
        auth.starts_with(
            "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/s3/aws4_request, \
             SignedHeaders=host;x-amz-checksum-mode;x-amz-content-sha256;x-amz-date;x-amz-region-set, Signature=30"
        ),
        "{auth}"
    );
    let env = Env::from_vars([("AWS_SIGV4A_SIGNING_REGION_SET", "us-east-1, us-west-2")]);
    let r = signed(env).await;
    assert_eq!(r.headers()["x-amz-region-set"], "us-east-1,us-west-2");
    // Code wins over the environment.
    let session = builder()
        .env(Env::from_vars([(
            "AWS_SIGV4A_SIGNING_REGION_SET",
            "us-east-1",
        )]))
        .sigv4a_signing_region_set(["eu-west-1", "eu-central-1"])
        .region("eu-west-1")
        .build()
        .unwrap();
    let r = session
        .client("s3")
        .unwrap()
        .prepare("GetObject", params.clone(), Some(time))
        .await
        .unwrap();
    assert_eq!(r.headers()["x-amz-region-set"], "eu-west-1,eu-central-1");
}

/// Outposts endpoints offer SigV4a, then SigV4: the auth scheme preference (code, the
/// environment or the profile) picks among them, as botocore's does.
#[tokio::test]
async fn the_auth_scheme_preference_picks_among_the_endpoints_schemes() {
    let params = json!({"Bucket": "arn:aws:s3-outposts:us-west-2:123456789012:outpost:op-01234567890123456:accesspoint:reports", "Key": "k"});
    let time = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
    let algorithm = |b: inia::SessionBuilder| {
        let params = params.clone();
        async move {
            let r = b
                .region("us-west-2")
                .build()
                .unwrap()
                .client("s3")
                .unwrap()
                .prepare("GetObject", params, Some(time))
                .await
                .unwrap();
            let auth = r.headers()["authorization"].to_str().unwrap().to_string();
            auth.split(' ').next().unwrap_or_default().to_string()
        }
    };
    assert_eq!(algorithm(builder()).await, "AWS4-ECDSA-P256-SHA256");
    let env = Env::from_vars([("AWS_AUTH_SCHEME_PREFERENCE", "sigv4, sigv4a")]);
    assert_eq!(algorithm(builder().env(env)).await, "AWS4-HMAC-SHA256");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config"),
        "[default]\nauth_scheme_preference = httpBearerAuth,sigv4\n",
    )
    .unwrap();
    let env = Env::from_vars([(
        "AWS_CONFIG_FILE",
        dir.path().join("config").to_string_lossy(),
    )]);
    assert_eq!(algorithm(builder().env(env)).await, "AWS4-HMAC-SHA256");
    let code = builder().auth_scheme_preference(["sigv4a"]);
    assert_eq!(algorithm(code).await, "AWS4-ECDSA-P256-SHA256");
}

/// A model of one's own, dropped on the spec path without a rule set (the aws provider):
/// callable at the endpoint URL given for it; without one, an error saying what to give.
#[tokio::test]
async fn a_model_without_a_rule_set_uses_the_given_url() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("my-sts/2011-06-15");
    std::fs::create_dir_all(&folder).unwrap();
    let sts = include_str!("../../../service-specs/sts/2011-06-15/service-2.json");
    std::fs::write(folder.join("service-2.json"), sts).unwrap();
    let with_url = builder()
        .spec_dir(dir.path())
        .region("us-west-2")
        .endpoint_url("http://127.0.0.1:9/base")
        .build()
        .unwrap();
    let req = with_url
        .client("my-sts")
        .unwrap()
        .prepare("GetCallerIdentity", json!({}), Some(UNIX_EPOCH))
        .await
        .unwrap();
    assert_eq!(req.uri().to_string(), "http://127.0.0.1:9/base/");
    let auth = req.headers()["authorization"].to_str().unwrap();
    assert!(auth.contains("/us-west-2/sts/aws4_request"), "{auth}");
    let without = builder()
        .spec_dir(dir.path())
        .region("us-west-2")
        .build()
        .unwrap();
    let e = without
        .client("my-sts")
        .unwrap()
        .prepare("GetCallerIdentity", json!({}), None)
        .await
        .unwrap_err();
    assert!(
        e.to_string().starts_with("no endpoint rule set for my-sts"),
        "{e}"
    );
}

/// Credentials that carry an account id (set in code here) bind `AWS::Auth::AccountId`;
/// `account_id_endpoint_mode = required` without one is the rules' error, before sending;
/// an account id set in code as a parameter wins over the credentials'.
#[tokio::test]
async fn the_credentials_account_id_is_bound() {
    let with_account = |mode: &str| {
        Session::builder()
            .env(Env::empty().with_var("AWS_ACCOUNT_ID_ENDPOINT_MODE", mode))
            .region("eu-west-1")
            .credentials(
                Credentials::new("AKIDEXAMPLE", "secret", None, None, "test")
                    .with_account_id(Some("111122223333".into())),
            )
    };
    let url = |session: Session| async move {
        let ddb = session.client("dynamodb").unwrap();
        ddb.prepare("ListTables", json!({}), None)
            .await
            .map(|r| r.uri().to_string())
    };
    let s = with_account("preferred").build().unwrap();
    assert_eq!(
        url(s).await.unwrap(),
        "https://111122223333.ddb.eu-west-1.amazonaws.com/"
    );
    let s = with_account("disabled").build().unwrap();
    assert_eq!(
        url(s).await.unwrap(),
        "https://dynamodb.eu-west-1.amazonaws.com/"
    );
    let s = with_account("required")
        .endpoint_param("AWS::Auth::AccountId", "444455556666")
        .build()
        .unwrap();
    assert_eq!(
        url(s).await.unwrap(),
        "https://444455556666.ddb.eu-west-1.amazonaws.com/"
    );
    let s = builder()
        .env(Env::empty().with_var("AWS_ACCOUNT_ID_ENDPOINT_MODE", "required"))
        .region("eu-west-1")
        .build()
        .unwrap();
    let e = url(s).await.unwrap_err().to_string();
    assert_eq!(
        e,
        "AccountIdEndpointMode is required but no AccountID was provided or able to be loaded"
    );
}

/// Every step of the endpoint URL's precedence (botocore's): code, then
/// `AWS_ENDPOINT_URL_<SERVICE_ID>`, then `AWS_ENDPOINT_URL`, then the profile's
/// `services` section, then its `endpoint_url`; `ignore_configured_endpoint_urls`
/// (code, environment, profile) leaves only the code's.
#[tokio::test]
async fn configured_endpoint_urls_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let write = |text: &str| std::fs::write(&config, text).unwrap();
    let env = |vars: &[(&str, &str)]| {
        let mut e = Env::empty().with_var("AWS_CONFIG_FILE", config.display().to_string());
        for (k, v) in vars {
            e = e.with_var(*k, *v);
        }
        e
    };
    let url = |b: inia::SessionBuilder, service: &'static str, op: &'static str| async move {
        let s = b.region("us-east-1").build().unwrap();
        let client = s.client(service).map_err(|e| e.to_string())?;
        client
            .prepare(op, json!({}), None)
            .await
            .map(|r| r.uri().to_string())
            .map_err(|e| e.to_string())
    };
    let sts = |b| url(b, "sts", "GetCallerIdentity");
    let full = "[default]\nservices = local\nendpoint_url = http://profile:1\n\
                [services local]\nsts =\n  endpoint_url = http://section-sts:2\n\
                dynamodb =\n  endpoint_url = http://section-ddb:3\n";
    write(full);
    let all = [
        ("AWS_ENDPOINT_URL_STS", "http://env-sts:4"),
        ("AWS_ENDPOINT_URL", "http://env-all:5"),
    ];
    let b = || builder();
    assert_eq!(
        sts(b().env(env(&all)).endpoint_url("http://code:6")).await,
        Ok("http://code:6/".into())
    );
    assert_eq!(
        sts(b().env(env(&all))).await,
        Ok("http://env-sts:4/".into())
    );
    assert_eq!(
        sts(b().env(env(&all[1..]))).await,
        Ok("http://env-all:5/".into())
    );
    assert_eq!(
        sts(b().env(env(&[]))).await,
        Ok("http://section-sts:2/".into())
    );
    assert_eq!(
        url(b().env(env(&[])), "dynamodb", "ListTables").await,
        Ok("http://section-ddb:3/".into())
    );
    // A service the section does not name: the profile's endpoint_url.
    assert_eq!(
        url(b().env(env(&[])), "ec2", "DescribeRegions").await,
        Ok("http://profile:1/".into())
    );
    // Ignored: the environment's, the section's and the profile's; not the code's.
    let aws = "https://sts.us-east-1.amazonaws.com/";
    let ignore = ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    assert_eq!(
        sts(b().env(env(&[all[0], all[1], ignore]))).await,
        Ok(aws.into())
    );
    assert_eq!(
        sts(b().env(env(&all)).ignore_configured_endpoint_urls(true)).await,
        Ok(aws.into())
    );
    assert_eq!(
        sts(b().env(env(&[ignore])).endpoint_url("http://code:6")).await,
        Ok("http://code:6/".into())
    );
    write(&full.replace(
        "[default]\n",
        "[default]\nignore_configured_endpoint_urls = TRUE\n",
    ));
    assert_eq!(sts(b().env(env(&all))).await, Ok(aws.into()));
    // A services section that is not there is an error (making the client), once it is
    // needed.
    write("[default]\nservices = nowhere\n");
    let e = sts(b().env(env(&[]))).await.unwrap_err();
    assert!(
        e.contains("\"nowhere\" services configuration does not exist"),
        "{e}"
    );
    assert_eq!(
        sts(b().env(env(&all[1..]))).await,
        Ok("http://env-all:5/".into())
    );
}

/// The profile's `s3 =` section configures S3 (by the customization table, not a service
/// name in the call path): its `use_dualstack_endpoint` and `use_arn_region` count for S3
/// and not for EC2.
#[tokio::test]
async fn the_s3_section_configures_s3_only() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        "[default]\ns3 =\n  use_dualstack_endpoint = true\n  use_arn_region = false\n",
    )
    .unwrap();
    let session = builder()
        .env(Env::empty().with_var("AWS_CONFIG_FILE", config.display().to_string()))
        .region("us-west-2")
        .build()
        .unwrap();
    let uri = |service: &'static str, op: &'static str, params| {
        let session = session.clone();
        async move {
            let c = session.client(service).unwrap();
            c.prepare(op, params, None)
                .await
                .map(|r| r.uri().to_string())
                .map_err(|e| e.to_string())
        }
    };
    let get = json!({"Bucket": "mybucket", "Key": "k"});
    assert_eq!(
        uri("s3", "GetObject", get).await.unwrap(),
        "https://mybucket.s3.dualstack.us-west-2.amazonaws.com/k"
    );
    assert_eq!(
        uri("ec2", "DescribeRegions", json!({})).await.unwrap(),
        "https://ec2.us-west-2.amazonaws.com/"
    );
    // use_arn_region = false: an access point in another region is refused.
    let arn = json!({"Bucket": "arn:aws:s3:us-east-1:123456789012:accesspoint/myap", "Key": "k"});
    let e = uri("s3", "GetObject", arn).await.unwrap_err();
    assert!(e.contains("UseArnRegion"), "{e}");
}
