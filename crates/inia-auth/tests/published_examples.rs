//! Signers checked against the worked examples AWS publishes in its documentation (their
//! inputs and expected signatures are facts of the protocol): S3's SigV4 header and
//! presigned-URL examples, the SigV2 example, and the S3 REST HMAC-SHA1 examples.

use inia_auth::credentials::Credentials;
use inia_auth::sign::{
    S3HmacSha1, SigV2, SigV4, SigV4Settings, Sign, SignBody, SignedBody, SigningContext,
};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const S3_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const S3_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn at(rfc3339: &str) -> SystemTime {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap();
    UNIX_EPOCH + Duration::from_secs(t.timestamp() as u64)
}

fn parts(method: &str, uri: &str, headers: &[(&str, &str)]) -> http::request::Parts {
    let mut b = http::Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(()).unwrap().into_parts().0
}

fn sigv4_s3(method: &str, uri: &str, headers: &[(&str, &str)], body: &[u8]) -> String {
    let creds = Credentials::new(S3_KEY, S3_SECRET, None, None, "test");
    let ctx = SigningContext::new(&creds, "us-east-1", "s3", at("2013-05-24T00:00:00Z"));
    let mut p = parts(method, uri, headers);
    SigV4::new(SigV4Settings::s3())
        .sign_headers(&mut p, &SignBody::Bytes(body), &ctx)
        .unwrap()
        .signature
}

#[test]
fn s3_sigv4_get_object_with_range() {
    let sig = sigv4_s3(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        &[("range", "bytes=0-9")],
        b"",
    );
    assert_eq!(
        sig,
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
}

#[test]
fn s3_sigv4_put_object() {
    let sig = sigv4_s3(
        "PUT",
        "https://examplebucket.s3.amazonaws.com/test%24file.text",
        &[
            ("date", "Fri, 24 May 2013 00:00:00 GMT"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ],
        b"Welcome to Amazon S3.",
    );
    assert_eq!(
        sig,
        "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
    );
}

#[test]
fn s3_sigv4_get_bucket_lifecycle_and_list() {
    let sig = sigv4_s3(
        "GET",
        "https://examplebucket.s3.amazonaws.com/?lifecycle",
        &[],
        b"",
    );
    assert_eq!(
        sig,
        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"
    );
    let sig = sigv4_s3(
        "GET",
        "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J",
        &[],
        b"",
    );
    assert_eq!(
        sig,
        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
    );
}

#[test]
fn s3_presigned_url() {
    let creds = Credentials::new(S3_KEY, S3_SECRET, None, None, "test");
    let ctx = SigningContext::new(&creds, "us-east-1", "s3", at("2013-05-24T00:00:00Z"));
    let mut p = parts(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        &[],
    );
    let out = SigV4::new(SigV4Settings::s3())
        .presign(&mut p, Duration::from_secs(86400), &ctx)
        .unwrap();
    assert_eq!(
        out.signature,
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    );
    assert_eq!(
        p.uri.to_string(),
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
         &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
         &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    );
}

#[test]
fn presigned_url_carries_the_session_token_and_rejects_bad_expiry() {
    let creds = Credentials::new(S3_KEY, S3_SECRET, Some("tok/en+1".into()), None, "test");
    let ctx = SigningContext::new(&creds, "us-east-1", "s3", at("2013-05-24T00:00:00Z"));
    let mut p = parts(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        &[],
    );
    let signer = SigV4::new(SigV4Settings::s3());
    signer
        .presign(&mut p, Duration::from_secs(60), &ctx)
        .unwrap();
    assert!(p
        .uri
        .query()
        .unwrap()
        .contains("X-Amz-Security-Token=tok%2Fen%2B1"));
    let mut p = parts(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        &[],
    );
    assert!(signer
        .presign(&mut p, Duration::from_secs(604_801), &ctx)
        .is_err());
}

#[test]
fn sigv2_published_example() {
    let params: Vec<(String, String)> = [
        ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
        ("Action", "DescribeJobFlows"),
        ("SignatureMethod", "HmacSHA256"),
        ("SignatureVersion", "2"),
        ("Timestamp", "2011-10-03T15:19:30"),
        ("Version", "2009-03-31"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let sts = SigV2::string_to_sign("GET", "elasticmapreduce.amazonaws.com", "/", &params);
    assert_eq!(
        sts,
        "GET\nelasticmapreduce.amazonaws.com\n/\nAWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Action=DescribeJobFlows\
         &SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2011-10-03T15%3A19%3A30&Version=2009-03-31"
    );
    assert_eq!(
        SigV2::signature(S3_SECRET, &sts),
        "i91nKc4PWAt0JJIdXwz9HxZCJDdiy6cf/Mj6vPxyYIs="
    );
}

#[test]
fn sigv2_signs_get_query_and_post_body() {
    let creds = Credentials::new(S3_KEY, S3_SECRET, None, None, "test");
    let ctx = SigningContext::new(&creds, "us-east-1", "sdb", at("2011-10-03T15:19:30Z"));
    let mut p = parts(
        "GET",
        "https://sdb.amazonaws.com/?Action=ListDomains&Version=2009-04-15",
        &[],
    );
    let body = SignedBody::Bytes(Default::default());
    let signed = SigV2.sign(&mut p, &body, &ctx).unwrap();
    assert!(signed.new_body.is_none(), "a GET keeps its body");
    let q = p.uri.query().unwrap();
    assert!(
        q.contains("SignatureVersion=2")
            && q.contains("Signature=")
            && q.contains("Timestamp=2011-10-03T15%3A19%3A30Z"),
        "{q}"
    );
    let mut p = parts("POST", "https://sdb.amazonaws.com/", &[]);
    let body = SignedBody::Bytes("Action=ListDomains&Version=2009-04-15".into());
    let signed = SigV2.sign(&mut p, &body, &ctx).unwrap();
    let b = signed.new_body.expect("the form body is rewritten");
    let b = String::from_utf8(b.to_vec()).unwrap();
    assert!(
        b.starts_with("Action=ListDomains&Version=2009-04-15&AWSAccessKeyId=")
            && b.contains("&Signature="),
        "{b}"
    );
}

fn hmac_v1(method: &str, uri: &str, headers: &[(&str, &str)]) -> (String, String) {
    let creds = Credentials::new(S3_KEY, S3_SECRET, None, None, "test");
    let ctx = SigningContext::new(&creds, "us-east-1", "s3", at("2007-03-27T19:36:42Z"));
    let mut p = parts(method, uri, headers);
    let body = SignedBody::Unsigned;
    S3HmacSha1.sign(&mut p, &body, &ctx).unwrap();
    let auth = p.headers["authorization"].to_str().unwrap().to_string();
    (S3HmacSha1::string_to_sign(&p), auth)
}

#[test]
fn s3_hmac_sha1_published_examples() {
    let (_, a) = hmac_v1(
        "GET",
        "https://s3.amazonaws.com/johnsmith/photos/puppy.jpg",
        &[("date", "Tue, 27 Mar 2007 19:36:42 +0000")],
    );
    assert_eq!(a, "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=");
    let (_, a) = hmac_v1(
        "PUT",
        "https://s3.amazonaws.com/johnsmith/photos/puppy.jpg",
        &[
            ("content-type", "image/jpeg"),
            ("date", "Tue, 27 Mar 2007 21:15:45 +0000"),
        ],
    );
    assert_eq!(a, "AWS AKIAIOSFODNN7EXAMPLE:MyyxeRY7whkBe+bq8fHCL/2kKUg=");
    let (_, a) = hmac_v1(
        "GET",
        "https://s3.amazonaws.com/johnsmith/?prefix=photos&max-keys=50&marker=puppy",
        &[("date", "Tue, 27 Mar 2007 19:42:41 +0000")],
    );
    assert_eq!(a, "AWS AKIAIOSFODNN7EXAMPLE:htDYFYduRNen8P9ZfE/s9SuKy0U=");
    let (_, a) = hmac_v1(
        "GET",
        "https://s3.amazonaws.com/johnsmith/?acl",
        &[("date", "Tue, 27 Mar 2007 19:44:46 +0000")],
    );
    assert_eq!(a, "AWS AKIAIOSFODNN7EXAMPLE:c2WLPFtWHVgbEmeEG93a4cG37dM=");
    let (sts, a) = hmac_v1(
        "DELETE",
        "https://s3.amazonaws.com/johnsmith/photos/puppy.jpg",
        &[
            ("date", "Tue, 27 Mar 2007 21:20:27 +0000"),
            ("x-amz-date", "Tue, 27 Mar 2007 21:20:26 +0000"),
        ],
    );
    // S3's rule: with x-amz-date sent, the Date line is empty and x-amz-date is signed
    // among the x-amz-* headers. (The documentation's DELETE example prints a signature
    // computed with the date in the Date line instead, so only the rule is asserted.)
    assert_eq!(
        sts,
        "DELETE\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\n/johnsmith/photos/puppy.jpg"
    );
    assert!(a.starts_with("AWS AKIAIOSFODNN7EXAMPLE:"));
    let (_, a) = hmac_v1(
        "PUT",
        "https://s3.amazonaws.com/static.johnsmith.net/db-backup.dat.gz",
        &[
            ("date", "Tue, 27 Mar 2007 21:06:08 +0000"),
            ("x-amz-acl", "public-read"),
            ("content-type", "application/x-download"),
            ("content-md5", "4gJE4saaMU4BqNR0kLY+lw=="),
            ("x-amz-meta-reviewedby", "joe@johnsmith.net"),
            ("x-amz-meta-reviewedby", "jane@johnsmith.net"),
            ("x-amz-meta-filechecksum", "0x02661779"),
            ("x-amz-meta-checksumalgorithm", "crc32"),
        ],
    );
    assert_eq!(a, "AWS AKIAIOSFODNN7EXAMPLE:ilyl83RwaSoYIEdixDQcA4OnAnc=");
}

#[test]
fn signing_keys_are_cached() {
    let creds = Credentials::new(S3_KEY, S3_SECRET, None, None, "test");
    let ctx = SigningContext::new(&creds, "us-east-1", "s3", at("2013-05-24T00:00:00Z"));
    let signer = SigV4::new(SigV4Settings::s3());
    let a = {
        let mut p = parts(
            "GET",
            "https://examplebucket.s3.amazonaws.com/test.txt",
            &[("range", "bytes=0-9")],
        );
        signer
            .sign_headers(&mut p, &SignBody::Bytes(b""), &ctx)
            .unwrap()
            .signature
    };
    // Same answer from the cached key, and a different secret is not served from the cache.
    let b = {
        let mut p = parts(
            "GET",
            "https://examplebucket.s3.amazonaws.com/test.txt",
            &[("range", "bytes=0-9")],
        );
        signer
            .sign_headers(&mut p, &SignBody::Bytes(b""), &ctx)
            .unwrap()
            .signature
    };
    assert_eq!(a, b);
    let other = Credentials::new(S3_KEY, "another-secret", None, None, "test");
    let ctx2 = SigningContext::new(&other, "us-east-1", "s3", at("2013-05-24T00:00:00Z"));
    let mut p = parts(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        &[("range", "bytes=0-9")],
    );
    assert_ne!(
        signer
            .sign_headers(&mut p, &SignBody::Bytes(b""), &ctx2)
            .unwrap()
            .signature,
        a
    );
}
