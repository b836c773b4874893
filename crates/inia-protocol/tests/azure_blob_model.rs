//! The Azure Blob model (`service-specs/azure-blob/2021-08-06`) through the rest-xml
//! serializer and parser: each operation's request (method, path and query, headers,
//! body) and sample responses written from the element and header names Azure's REST
//! reference gives, including errors with a body and a body-less HEAD error.
//!
//! Owns those checks. Does not own signing or talking to Azurite (see inia-auth's and the
//! engine's tests).

use inia_model::{ServiceModel, SpecPath};
use inia_protocol::{parse, serialize, ProtocolError};
use serde_json::{json, Value};

fn model() -> ServiceModel {
    SpecPath::embedded_only()
        .load_service("azure-blob")
        .expect("the embedded azure-blob model loads")
}

fn request(m: &ServiceModel, op: &str, params: Value) -> http::Request<bytes::Bytes> {
    serialize(m, op, &params).unwrap_or_else(|e| panic!("{op}: {e}"))
}

fn head(r: &http::Request<bytes::Bytes>, name: &str) -> String {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

fn response(
    m: &ServiceModel,
    op: &str,
    status: u16,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<Value, ProtocolError> {
    let op = m.operation(op).unwrap();
    let mut h = http::HeaderMap::new();
    for (k, v) in headers {
        h.append(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            http::HeaderValue::from_str(v).unwrap(),
        );
    }
    parse(m, &op, status, &h, body.as_bytes())
}

#[test]
fn metadata_and_paginators() {
    let m = model();
    assert_eq!(
        inia_protocol::protocol(&m).unwrap(),
        inia_model::Protocol::RestXml
    );
    let raw: Value = serde_json::from_str(include_str!(
        "../../../service-specs/azure-blob/2021-08-06/service-2.json"
    ))
    .unwrap();
    let meta = &raw["metadata"];
    assert_eq!(meta["apiVersion"], "2021-08-06");
    assert_eq!(meta["serviceId"], "Azure Blob");
    assert_eq!(meta["endpointPrefix"], "blob");
    assert_eq!(meta["signatureVersion"], "azure-shared-key");
    assert_eq!(meta["protocols"], json!(["rest-xml"]));
    let ops: Vec<&str> = raw["operations"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        ops,
        [
            "CreateContainer",
            "DeleteBlob",
            "DeleteContainer",
            "GetBlob",
            "GetBlobProperties",
            "GetBlockList",
            "GetContainerProperties",
            "ListBlobs",
            "ListContainers",
            "PutBlob",
            "PutBlock",
            "PutBlockList"
        ]
    );
    for op in &ops {
        m.operation(op).unwrap();
    }
    // Nothing but names and wire facts: no documentation text.
    assert!(!raw.to_string().contains("documentation"));
    let pag = SpecPath::embedded_only()
        .load_json("azure-blob", "paginators-1")
        .unwrap()
        .expect("paginators-1.json");
    for (op, result) in [
        ("ListContainers", json!("Containers")),
        ("ListBlobs", json!(["Blobs.Blob", "Blobs.BlobPrefix"])),
    ] {
        let p = &pag["pagination"][op];
        assert_eq!(p["input_token"], "Marker", "{op}");
        assert_eq!(p["output_token"], "NextMarker", "{op}");
        assert_eq!(p["limit_key"], "MaxResults", "{op}");
        assert_eq!(p["result_key"], result, "{op}");
        let input = &raw["shapes"][format!("{op}Request")]["members"];
        assert_eq!(input["Marker"]["locationName"], "marker");
        assert_eq!(input["MaxResults"]["locationName"], "maxresults");
        assert!(raw["shapes"][format!("{op}Response")]["members"]["NextMarker"].is_object());
    }
}

#[test]
fn container_requests() {
    let m = model();
    let r = request(
        &m,
        "ListContainers",
        json!({"Prefix": "logs", "Marker": "c2", "MaxResults": 2, "Include": "metadata"}),
    );
    assert_eq!(r.method(), "GET");
    assert_eq!(
        r.uri(),
        "/?comp=list&prefix=logs&marker=c2&maxresults=2&include=metadata"
    );
    assert!(r.body().is_empty());

    let r = request(
        &m,
        "CreateContainer",
        json!({"Container": "box", "Metadata": {"owner": "inia", "Colour": "blue"}, "Access": "blob"}),
    );
    assert_eq!(r.method(), "PUT");
    assert_eq!(r.uri(), "/box?restype=container");
    assert_eq!(head(&r, "x-ms-meta-owner"), "inia");
    assert_eq!(head(&r, "x-ms-meta-colour"), "blue");
    assert_eq!(head(&r, "x-ms-blob-public-access"), "blob");
    assert!(r.body().is_empty());

    let r = request(
        &m,
        "DeleteContainer",
        json!({"Container": "box", "Timeout": 30}),
    );
    assert_eq!(
        (r.method().as_str(), r.uri().to_string().as_str()),
        ("DELETE", "/box?restype=container&timeout=30")
    );

    let r = request(&m, "GetContainerProperties", json!({"Container": "box"}));
    assert_eq!(
        (r.method().as_str(), r.uri().to_string().as_str()),
        ("HEAD", "/box?restype=container")
    );

    let r = request(
        &m,
        "ListBlobs",
        json!({"Container": "box", "Prefix": "dir/", "Delimiter": "/", "Marker": "dir/a b",
               "MaxResults": 5, "Include": "metadata"}),
    );
    assert_eq!(r.method(), "GET");
    assert_eq!(
        r.uri(),
        "/box?restype=container&comp=list&prefix=dir%2F&delimiter=%2F&marker=dir%2Fa%20b&maxresults=5&include=metadata"
    );
    // A missing container is a parameter error, not a request.
    assert!(serialize(&m, "ListBlobs", &json!({})).is_err());
}

#[test]
fn blob_requests() {
    let m = model();
    let r = request(
        &m,
        "PutBlob",
        json!({"Container": "box", "Blob": "dir/my file.txt", "BlobType": "BlockBlob",
               "ContentType": "text/plain", "ContentMD5": "XrY7u+Ae7tCTyyK7j1rNww==",
               "Metadata": {"colour": "blue"}, "Body": "aGVsbG8gd29ybGQ="}),
    );
    assert_eq!(r.method(), "PUT");
    assert_eq!(r.uri(), "/box/dir/my%20file.txt");
    assert_eq!(head(&r, "x-ms-blob-type"), "BlockBlob");
    assert_eq!(head(&r, "content-type"), "text/plain");
    assert_eq!(head(&r, "content-md5"), "XrY7u+Ae7tCTyyK7j1rNww==");
    assert_eq!(head(&r, "x-ms-meta-colour"), "blue");
    assert_eq!(r.body().as_ref(), b"hello world");
    // x-ms-blob-type is required (enum values are not checked, as botocore does not).
    assert!(serialize(&m, "PutBlob", &json!({"Container": "box", "Blob": "b"})).is_err());

    let r = request(
        &m,
        "GetBlob",
        json!({"Container": "box", "Blob": "a/b.bin", "Range": "bytes=0-9", "IfNoneMatch": "\"0x1\""}),
    );
    assert_eq!(
        (r.method().as_str(), r.uri().to_string().as_str()),
        ("GET", "/box/a/b.bin")
    );
    assert_eq!(head(&r, "x-ms-range"), "bytes=0-9");
    assert_eq!(head(&r, "if-none-match"), "\"0x1\"");

    let r = request(
        &m,
        "GetBlobProperties",
        json!({"Container": "box", "Blob": "a/b.bin"}),
    );
    assert_eq!(
        (r.method().as_str(), r.uri().to_string().as_str()),
        ("HEAD", "/box/a/b.bin")
    );

    let r = request(
        &m,
        "DeleteBlob",
        json!({"Container": "box", "Blob": "a/b.bin", "DeleteSnapshots": "include"}),
    );
    assert_eq!(
        (r.method().as_str(), r.uri().to_string().as_str()),
        ("DELETE", "/box/a/b.bin")
    );
    assert_eq!(head(&r, "x-ms-delete-snapshots"), "include");

    // Block ids are base64 text: `+`, `/` and `=` are escaped in the query.
    let r = request(
        &m,
        "PutBlock",
        json!({"Container": "box", "Blob": "big", "BlockId": "AAA+/w==", "ContentMD5": "1B2M2Y8AsgTpgAmY7PhCfg==", "Body": "AAEC"}),
    );
    assert_eq!(r.method(), "PUT");
    assert_eq!(r.uri(), "/box/big?comp=block&blockid=AAA%2B%2Fw%3D%3D");
    assert_eq!(head(&r, "content-md5"), "1B2M2Y8AsgTpgAmY7PhCfg==");
    assert_eq!(r.body().as_ref(), [0u8, 1, 2]);
    assert!(serialize(&m, "PutBlock", &json!({"Container": "box", "Blob": "big"})).is_err());

    let r = request(
        &m,
        "PutBlockList",
        json!({"Container": "box", "Blob": "big", "BlobContentType": "application/octet-stream",
               "Metadata": {"parts": "2"},
               "BlockList": {"Latest": ["MDAwMDA=", "MDAwMDE="]}}),
    );
    assert_eq!(r.method(), "PUT");
    assert_eq!(r.uri(), "/box/big?comp=blocklist");
    assert_eq!(
        head(&r, "x-ms-blob-content-type"),
        "application/octet-stream"
    );
    assert_eq!(head(&r, "x-ms-meta-parts"), "2");
    assert_eq!(
        std::str::from_utf8(r.body()).unwrap(),
        "<BlockList><Latest>MDAwMDA=</Latest><Latest>MDAwMDE=</Latest></BlockList>"
    );

    let r = request(
        &m,
        "GetBlockList",
        json!({"Container": "box", "Blob": "big", "BlockListType": "all"}),
    );
    assert_eq!(r.method(), "GET");
    assert_eq!(r.uri(), "/box/big?comp=blocklist&blocklisttype=all");
}

const LIST_CONTAINERS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1">
  <Prefix>b</Prefix>
  <MaxResults>1</MaxResults>
  <Containers>
    <Container>
      <Name>box</Name>
      <Properties>
        <Last-Modified>Tue, 14 Nov 2023 22:13:20 GMT</Last-Modified>
        <Etag>"0x8DBE5A1B2C3D4E5"</Etag>
        <LeaseStatus>unlocked</LeaseStatus>
        <LeaseState>available</LeaseState>
        <HasImmutabilityPolicy>false</HasImmutabilityPolicy>
        <HasLegalHold>false</HasLegalHold>
      </Properties>
      <Metadata><owner>inia</owner></Metadata>
    </Container>
  </Containers>
  <NextMarker>/devstoreaccount1/box2</NextMarker>
</EnumerationResults>"#;

#[test]
fn list_containers_response() {
    let m = model();
    let v = response(
        &m,
        "ListContainers",
        200,
        &[("x-ms-request-id", "r-1")],
        LIST_CONTAINERS,
    )
    .unwrap();
    assert_eq!(
        v["ServiceEndpoint"],
        "http://127.0.0.1:10000/devstoreaccount1"
    );
    assert_eq!(v["Prefix"], "b");
    assert_eq!(v["MaxResults"], 1);
    assert_eq!(v["NextMarker"], "/devstoreaccount1/box2");
    assert_eq!(v["RequestId"], "r-1");
    let c = &v["Containers"][0];
    assert_eq!(c["Name"], "box");
    assert_eq!(c["Properties"]["LastModified"], "2023-11-14T22:13:20Z");
    assert_eq!(c["Properties"]["ETag"], "\"0x8DBE5A1B2C3D4E5\"");
    assert_eq!(c["Properties"]["HasLegalHold"], false);
    assert_eq!(c["Metadata"], json!({"owner": "inia"}));
    // The last page: an empty NextMarker element.
    let last = LIST_CONTAINERS.replace(
        "<NextMarker>/devstoreaccount1/box2</NextMarker>",
        "<NextMarker />",
    );
    let v = response(&m, "ListContainers", 200, &[], &last).unwrap();
    assert!(v.get("NextMarker").is_none_or(|n| n == ""), "{v}");
}

const LIST_BLOBS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1" ContainerName="box">
  <Prefix>dir/</Prefix>
  <MaxResults>2</MaxResults>
  <Delimiter>/</Delimiter>
  <Blobs>
    <Blob>
      <Name>dir/a.txt</Name>
      <Properties>
        <Creation-Time>Tue, 14 Nov 2023 22:13:19 GMT</Creation-Time>
        <Last-Modified>Tue, 14 Nov 2023 22:13:20 GMT</Last-Modified>
        <Etag>0x8DBE5A1B2C3D4E6</Etag>
        <Content-Length>11</Content-Length>
        <Content-Type>text/plain</Content-Type>
        <Content-Encoding />
        <Content-MD5>XrY7u+Ae7tCTyyK7j1rNww==</Content-MD5>
        <BlobType>BlockBlob</BlobType>
        <AccessTier>Hot</AccessTier>
        <AccessTierInferred>true</AccessTierInferred>
        <LeaseStatus>unlocked</LeaseStatus>
        <LeaseState>available</LeaseState>
        <ServerEncrypted>true</ServerEncrypted>
      </Properties>
      <Metadata><colour>blue</colour><Shape>round</Shape></Metadata>
    </Blob>
    <Blob>
      <Name>dir/b.bin</Name>
      <Properties><Content-Length>0</Content-Length><BlobType>BlockBlob</BlobType></Properties>
      <Metadata />
    </Blob>
    <BlobPrefix><Name>dir/sub/</Name></BlobPrefix>
  </Blobs>
  <NextMarker>dir/b.bin</NextMarker>
</EnumerationResults>"#;

#[test]
fn list_blobs_response() {
    let m = model();
    let v = response(&m, "ListBlobs", 200, &[], LIST_BLOBS).unwrap();
    assert_eq!(v["ContainerName"], "box");
    assert_eq!(v["Delimiter"], "/");
    assert_eq!(v["NextMarker"], "dir/b.bin");
    let blobs = v["Blobs"]["Blob"].as_array().unwrap();
    assert_eq!(blobs.len(), 2);
    let p = &blobs[0]["Properties"];
    assert_eq!(blobs[0]["Name"], "dir/a.txt");
    assert_eq!(p["ContentLength"], 11);
    assert_eq!(p["ContentType"], "text/plain");
    assert_eq!(p["ContentMD5"], "XrY7u+Ae7tCTyyK7j1rNww==");
    assert_eq!(p["LastModified"], "2023-11-14T22:13:20Z");
    assert_eq!(p["CreationTime"], "2023-11-14T22:13:19Z");
    assert_eq!(p["ETag"], "0x8DBE5A1B2C3D4E6");
    assert_eq!(p["BlobType"], "BlockBlob");
    assert_eq!(p["ServerEncrypted"], true);
    assert_eq!(
        blobs[0]["Metadata"],
        json!({"colour": "blue", "Shape": "round"})
    );
    assert_eq!(blobs[1]["Properties"]["ContentLength"], 0);
    assert_eq!(blobs[1]["Metadata"], json!({}));
    assert_eq!(v["Blobs"]["BlobPrefix"], json!([{"Name": "dir/sub/"}]));
    // An empty container.
    let v = response(
        &m,
        "ListBlobs",
        200,
        &[],
        r#"<EnumerationResults ContainerName="box"><Blobs /><NextMarker /></EnumerationResults>"#,
    )
    .unwrap();
    assert!(v["Blobs"].get("Blob").is_none(), "{v}");
}

#[test]
fn blob_header_responses() {
    let m = model();
    let headers = [
        ("content-length", "11"),
        ("content-type", "text/plain"),
        ("content-md5", "XrY7u+Ae7tCTyyK7j1rNww=="),
        ("etag", "\"0x8DBE5A1B2C3D4E6\""),
        ("last-modified", "Tue, 14 Nov 2023 22:13:20 GMT"),
        ("x-ms-creation-time", "Tue, 14 Nov 2023 22:13:19 GMT"),
        ("x-ms-blob-type", "BlockBlob"),
        ("x-ms-meta-colour", "blue"),
        ("x-ms-meta-shape", "round"),
        ("x-ms-server-encrypted", "true"),
        ("x-ms-request-id", "r-2"),
        ("x-ms-version", "2021-08-06"),
    ];
    for op in ["GetBlob", "GetBlobProperties"] {
        let v = response(
            &m,
            op,
            200,
            &headers,
            if op == "GetBlob" { "hello world" } else { "" },
        )
        .unwrap();
        assert_eq!(v["ContentLength"], 11, "{op}");
        assert_eq!(v["ContentType"], "text/plain");
        assert_eq!(v["ContentMD5"], "XrY7u+Ae7tCTyyK7j1rNww==");
        assert_eq!(v["ETag"], "\"0x8DBE5A1B2C3D4E6\"");
        assert_eq!(v["LastModified"], "2023-11-14T22:13:20Z");
        assert_eq!(v["CreationTime"], "2023-11-14T22:13:19Z");
        assert_eq!(v["BlobType"], "BlockBlob");
        assert_eq!(v["ServerEncrypted"], true);
        assert_eq!(v["Metadata"], json!({"colour": "blue", "shape": "round"}));
        assert_eq!(v["RequestId"], "r-2");
        // The streaming body is the caller's, never in the value.
        assert!(
            v.get("Body")
                .is_none_or(|b| !b.to_string().contains("hello")),
            "{op}: {v}"
        );
    }
    let v = response(
        &m,
        "PutBlob",
        201,
        &[
            ("etag", "\"0x1\""),
            ("last-modified", "Tue, 14 Nov 2023 22:13:20 GMT"),
            ("content-md5", "XrY7u+Ae7tCTyyK7j1rNww=="),
            ("x-ms-request-server-encrypted", "true"),
        ],
        "",
    )
    .unwrap();
    assert_eq!(v["ETag"], "\"0x1\"");
    assert_eq!(v["RequestServerEncrypted"], true);
    let v = response(
        &m,
        "GetContainerProperties",
        200,
        &[
            ("x-ms-meta-owner", "inia"),
            ("x-ms-lease-state", "available"),
            ("x-ms-has-legal-hold", "false"),
        ],
        "",
    )
    .unwrap();
    assert_eq!(v["Metadata"], json!({"owner": "inia"}));
    assert_eq!(v["LeaseState"], "available");
    assert_eq!(v["HasLegalHold"], false);
}

#[test]
fn block_list_response() {
    let m = model();
    let body = r#"<?xml version="1.0" encoding="utf-8"?>
<BlockList>
  <CommittedBlocks>
    <Block><Name>MDAwMDA=</Name><Size>4194304</Size></Block>
    <Block><Name>MDAwMDE=</Name><Size>1024</Size></Block>
  </CommittedBlocks>
  <UncommittedBlocks />
</BlockList>"#;
    let v = response(
        &m,
        "GetBlockList",
        200,
        &[("x-ms-blob-content-length", "4195328"), ("etag", "\"0x2\"")],
        body,
    )
    .unwrap();
    assert_eq!(
        v["CommittedBlocks"],
        json!([{"Name": "MDAwMDA=", "Size": 4194304}, {"Name": "MDAwMDE=", "Size": 1024}])
    );
    assert_eq!(v["UncommittedBlocks"], json!([]));
    assert_eq!(v["BlobContentLength"], 4195328);
}

fn service_error(e: ProtocolError) -> inia_protocol::ServiceError {
    match e {
        ProtocolError::Service(s) => *s,
        other => panic!("expected a service error, got {other}"),
    }
}

#[test]
fn errors_from_body_and_from_headers() {
    let m = model();
    let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ContainerNotFound</Code>\
                <Message>The specified container does not exist.\nRequestId:r-3\nTime:2023-11-14T22:13:20.0000000Z</Message></Error>";
    let e = service_error(
        response(
            &m,
            "ListBlobs",
            404,
            &[
                ("x-ms-error-code", "ContainerNotFound"),
                ("x-ms-request-id", "r-3"),
            ],
            body,
        )
        .unwrap_err(),
    );
    assert_eq!(e.status, 404);
    assert_eq!(e.code, "ContainerNotFound");
    assert!(e
        .message
        .starts_with("The specified container does not exist."));
    assert_eq!(e.request_id.as_deref(), Some("r-3"));

    // The body's code wins over the header's.
    let e = service_error(
        response(
            &m,
            "CreateContainer",
            409,
            &[("x-ms-error-code", "Other")],
            "<Error><Code>ContainerAlreadyExists</Code><Message>m</Message></Error>",
        )
        .unwrap_err(),
    );
    assert_eq!(e.code, "ContainerAlreadyExists");

    // HEAD: no body, the code is only in x-ms-error-code.
    let e = service_error(
        response(
            &m,
            "GetBlobProperties",
            404,
            &[
                ("x-ms-error-code", "BlobNotFound"),
                ("x-ms-request-id", "r-4"),
            ],
            "",
        )
        .unwrap_err(),
    );
    assert_eq!(e.status, 404);
    assert_eq!(e.code, "BlobNotFound");
    assert_eq!(e.request_id.as_deref(), Some("r-4"));
    assert_eq!(e.value["Error"]["Code"], "BlobNotFound");

    // Without the header, a body-less error is still named by its status.
    let e = service_error(response(&m, "GetBlobProperties", 404, &[], "").unwrap_err());
    assert_eq!(e.code, "404");

    // A wrong signature, as Azure answers it.
    let e = service_error(
        response(
            &m,
            "ListContainers",
            403,
            &[("x-ms-error-code", "AuthenticationFailed")],
            "<Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.</Message>\
             <AuthenticationErrorDetail>The MAC signature found in the HTTP request is not the same as any computed signature.</AuthenticationErrorDetail></Error>",
        )
        .unwrap_err(),
    );
    assert_eq!(e.code, "AuthenticationFailed");
    assert!(e.value["Error"]["AuthenticationErrorDetail"]
        .as_str()
        .unwrap()
        .contains("MAC signature"));
}
