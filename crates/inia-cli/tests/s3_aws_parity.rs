//! `inia s3` beside the AWS CLI's `aws s3`, each on a moto of its own seeded alike (the
//! AWS CLI on `A`, inia on `B`) and in a working folder of its own made alike, compared
//! on exit code, stdout and stderr lines: the failures (`fatal error: ...`, `upload
//! failed: ...`, exit 1), the skipped files (`warning: Skipping file ...`, exit 2),
//! `--quiet`, `--only-show-errors`, `--dryrun`, symbolic links, archived objects, `ls
//! --summarize --human-readable`, the object properties the copy options store (compared
//! through `HeadObject`), `--expected-size`, `website` and `presign` (the URL fetched
//! with curl).
//!
//! Owns those comparisons. Does not own sync's interplay (`s3_aws_sync.rs`) or inia's own
//! end-to-end tests (`s3_commands.rs`).

mod s3_aws;

use inia::{json, Value};
use s3_aws::{differences, motos, s3, write_tree, Env, Run, Tool};
use std::path::Path;
use std::process::Command;

/// Objects to seed: key, body, storage class.
type Objects<'a> = &'a [(&'a str, &'a str, &'a str)];

/// Both motos seeded alike, both working folders made alike; runs of both tools.
struct Pair {
    env: Env,
    aws_dir: tempfile::TempDir,
    inia_dir: tempfile::TempDir,
}

impl Pair {
    /// Buckets (each with `objects`: key, body, storage class) in both motos, and `files`
    /// in both working folders (plus what `extra` makes there).
    async fn new(buckets: &[(&str, Objects<'_>)], files: &[(&str, &str)]) -> Pair {
        for moto in [&motos().0, &motos().1] {
            let client = s3(moto);
            for (bucket, objects) in buckets {
                client
                    .call("CreateBucket", json!({"Bucket": bucket}))
                    .await
                    .expect("bucket");
                for (key, body, class) in *objects {
                    let params = json!({"Bucket": bucket, "Key": key, "StorageClass": class});
                    client
                        .operation("PutObject")
                        .params(params)
                        .body(inia::Body::from_bytes(body.as_bytes().to_vec()))
                        .send()
                        .await
                        .expect("put");
                }
            }
        }
        let pair = Pair {
            env: Env::new(),
            aws_dir: tempfile::tempdir().expect("dir"),
            inia_dir: tempfile::tempdir().expect("dir"),
        };
        for dir in [pair.aws_dir.path(), pair.inia_dir.path()] {
            write_tree(dir, files);
        }
        pair
    }

    fn dirs(&self) -> [&Path; 2] {
        [self.aws_dir.path(), self.inia_dir.path()]
    }

    /// Both tools' runs of `args` (with `input` on stdin).
    fn both(&self, args: &[&str], input: Option<&[u8]>) -> (Run, Run) {
        let (a, b) = (motos().0.endpoint(), motos().1.endpoint());
        let aws = self
            .env
            .run(Tool::Aws, &a, self.aws_dir.path(), args, input);
        let inia = self
            .env
            .run(Tool::Inia, &b, self.inia_dir.path(), args, input);
        (aws, inia)
    }

    /// Run each case with both tools, in order; the differences.
    fn compare(&self, cases: &[&[&str]]) -> Vec<String> {
        cases
            .iter()
            .filter_map(|args| {
                let (aws, inia) = self.both(args, None);
                differences(&args.join(" "), &aws, &inia)
            })
            .collect()
    }
}

/// A bucket without objects.
const NONE: &[(&str, &str, &str)] = &[];

fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

#[tokio::test]
async fn failures_and_skipped_files_print_and_exit_as_the_aws_cli() {
    let objects: &[(&str, &str, &str)] = &[
        ("a.txt", "hello", "STANDARD"),
        ("g/cold.txt", "cold", "GLACIER"),
        ("g/warm.txt", "warm", "STANDARD"),
        ("../evil.txt", "x", "STANDARD"),
        ("p/../../evil2.txt", "x", "STANDARD"),
        ("c/../d.txt", "d", "STANDARD"),
        ("ok/a.txt", "a", "STANDARD"),
    ];
    let files = [
        ("a.txt", "hi"),
        ("up/a.txt", "a"),
        ("up/b.txt", "bb"),
        ("sk/ok.txt", "1"),
    ];
    let pair = Pair::new(&[("pfail", objects)], &files).await;
    for dir in pair.dirs() {
        symlink("/nonexistent/target", &dir.join("sk/dangling"));
        let made = Command::new("mkfifo")
            .arg(dir.join("sk/fifo"))
            .status()
            .expect("mkfifo");
        assert!(made.success());
    }
    let np = "--no-progress";
    let cases: &[&[&str]] = &[
        &["s3", "cp", "s3://pfail/missing", ".", np],
        &["s3", "cp", "s3://pfail/missing", ".", "--quiet"],
        &["s3", "cp", "s3://pfail/missing", ".", "--only-show-errors"],
        &["s3", "mv", "s3://pfail/missing", "s3://pfail/b", np],
        &["s3", "cp", "s3://nosuch-bucket/", ".", "--recursive", np],
        &["s3", "cp", "a.txt", "s3://nosuch-bucket/a.txt", np],
        &["s3", "cp", "a.txt", "s3://nosuch-bucket/a.txt", "--quiet"],
        &["s3", "cp", "up", "s3://nosuch-bucket/x", "--recursive", np],
        &[
            "s3",
            "cp",
            "s3://pfail/a.txt",
            "s3://nosuch-bucket/a.txt",
            np,
        ],
        &["s3", "rm", "s3://nosuch-bucket/k"],
        &["s3", "rm", "s3://pfail/not-there"],
        &["s3", "mv", "s3://pfail/a.txt", "s3://pfail/a.txt"],
        &["s3", "mv", "s3://pfail/a.txt", "s3://pfail/"],
        &["s3", "cp", "s3://pfail/missing", "-"],
        &["s3", "cp", "-", "s3://nosuch-bucket/k"],
        // Skipped files: exit 2.
        &["s3", "cp", "sk", "s3://pfail/sk", "--recursive", np],
        &[
            "s3",
            "cp",
            "sk",
            "s3://pfail/sk",
            "--recursive",
            "--only-show-errors",
        ],
        &["s3", "cp", "sk", "s3://pfail/sk", "--recursive", "--quiet"],
        &["s3", "sync", "sk", "s3://pfail/sk2", np],
        &["s3", "cp", "sk/fifo", "s3://pfail/x", np],
        &[
            "s3",
            "cp",
            "sk",
            "s3://pfail/sk3",
            "--recursive",
            "--dryrun",
        ],
        &["s3", "cp", "s3://pfail/", "all", "--recursive", np],
        &["s3", "sync", "s3://pfail/", "synced", np],
        &["s3", "cp", "s3://pfail/g", "g2", "--recursive", np],
        &["s3", "cp", "s3://pfail/g/cold.txt", "g3/", np],
        &[
            "s3",
            "sync",
            "s3://pfail/g",
            "g4",
            "--ignore-glacier-warnings",
            np,
        ],
        &[
            "s3",
            "cp",
            "s3://pfail/g",
            "s3://pfail/g5",
            "--recursive",
            np,
        ],
        &[
            "s3",
            "cp",
            "s3://pfail/g/cold.txt",
            "g6/",
            "--force-glacier-transfer",
            np,
        ],
        // The state both now hold.
        &["s3", "ls", "s3://pfail", "--recursive", "--summarize"],
        // Buckets: `mb`/`rb` failures exit 1.
        &["s3", "rb", "s3://pfail"],
        &["s3", "rb", "s3://nosuch-bucket"],
        &["s3", "ls", "s3://pfail/nothing/"],
    ];
    let failures = pair.compare(cases);
    assert!(
        failures.is_empty(),
        "inia and the AWS CLI differ:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn transfer_options_print_and_store_as_the_aws_cli() {
    let files = [
        ("a.txt", "hello"),
        ("tree/one.txt", "1"),
        ("tree/sub/two.json", "{}"),
        ("tree/sub/three.txt", "333"),
        ("real/inside.txt", "in"),
    ];
    let pair = Pair::new(&[("popts", NONE)], &files).await;
    for dir in pair.dirs() {
        symlink("../a.txt", &dir.join("tree/linked.txt"));
        symlink("../real", &dir.join("tree/linked-dir"));
    }
    let np = "--no-progress";
    let props: &[&str] = &[
        "--sse",
        "aws:kms",
        "--sse-kms-key-id",
        "key-1",
        "--storage-class",
        "STANDARD_IA",
        "--cache-control",
        "max-age=60",
        "--content-disposition",
        "attachment; filename=\"x.txt\"",
        "--content-encoding",
        "identity",
        "--content-language",
        "de",
        "--expires",
        "2030-01-02T03:04:05Z",
        "--website-redirect",
        "/elsewhere",
        "--acl",
        "public-read",
        "--metadata",
        "k=v",
    ];
    let cases: Vec<Vec<&str>> = vec![
        [
            &["s3", "cp", "a.txt", "s3://popts/props.txt", np][..],
            props,
        ]
        .concat(),
        vec!["s3", "cp", "a.txt", "s3://popts/sse.txt", "--sse", np],
        vec![
            "s3",
            "cp",
            "a.txt",
            "s3://popts/ct.txt",
            "--content-type",
            "text/x-demo",
            np,
        ],
        [&["s3", "sync", "tree", "s3://popts/synced", np][..], props].concat(),
        vec![
            "s3",
            "cp",
            "tree",
            "s3://popts/follow",
            "--recursive",
            "--follow-symlinks",
            np,
        ],
        vec![
            "s3",
            "cp",
            "tree",
            "s3://popts/nofollow",
            "--recursive",
            "--no-follow-symlinks",
            np,
        ],
        vec![
            "s3",
            "cp",
            "tree",
            "s3://popts/quiet",
            "--recursive",
            "--quiet",
        ],
        vec![
            "s3",
            "cp",
            "tree",
            "s3://popts/errors",
            "--recursive",
            "--only-show-errors",
        ],
        vec![
            "s3",
            "cp",
            "tree",
            "s3://popts/dry",
            "--recursive",
            "--dryrun",
        ],
        vec![
            "s3",
            "cp",
            "tree",
            "s3://popts/filtered",
            "--recursive",
            "--exclude",
            "*",
            "--include",
            "*.txt",
            np,
        ],
        vec![
            "s3",
            "cp",
            "s3://popts/props.txt",
            "s3://popts/copied.txt",
            "--metadata-directive",
            "REPLACE",
            "--cache-control",
            "no-cache",
            "--storage-class",
            "ONEZONE_IA",
            np,
        ],
        // Without --metadata or REPLACE, S3 keeps the source's headers (and metadata).
        vec![
            "s3",
            "cp",
            "s3://popts/props.txt",
            "s3://popts/kept.txt",
            "--cache-control",
            "no-store",
            "--content-type",
            "text/x-ignored",
            np,
        ],
        vec![
            "s3",
            "cp",
            "s3://popts/props.txt",
            "s3://popts/remeta.txt",
            "--metadata",
            "n=1",
            np,
        ],
        vec!["s3", "mv", "s3://popts/sse.txt", "s3://popts/moved.txt", np],
        vec![
            "s3",
            "cp",
            "s3://popts/follow/",
            "down",
            "--recursive",
            "--page-size",
            "2",
            np,
        ],
        vec!["s3", "rm", "s3://popts/dry/", "--recursive", "--dryrun"],
        vec![
            "s3",
            "rm",
            "s3://popts/quiet/",
            "--recursive",
            "--exclude",
            "*.json",
            "--page-size",
            "1",
        ],
        vec![
            "s3",
            "ls",
            "s3://popts/",
            "--recursive",
            "--summarize",
            "--human-readable",
        ],
        vec!["s3", "ls", "s3://popts/", "--summarize", "--page-size", "2"],
        vec![
            "s3",
            "website",
            "s3://popts/",
            "--index-document",
            "index.html",
            "--error-document",
            "oops.html",
        ],
    ];
    let cases: Vec<&[&str]> = cases.iter().map(Vec::as_slice).collect();
    let mut failures = pair.compare(&cases);
    // What each stored: every object's properties, read back alike.
    let (a, b) = (s3(&motos().0), s3(&motos().1));
    let listed = b
        .call("ListObjectsV2", json!({"Bucket": "popts"}))
        .await
        .expect("list");
    let keys: Vec<&str> = listed["Contents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["Key"].as_str())
        .collect();
    assert!(keys.len() > 10, "{listed}");
    for key in keys {
        let params = json!({"Bucket": "popts", "Key": key});
        let (x, y) = (head(&a, params.clone()).await, head(&b, params).await);
        if x != y {
            failures.push(format!(
                "== HeadObject {key}\n-- AWS CLI: {x}\n-- inia: {y}"
            ));
        }
    }
    let website = |c: inia::Client| async move {
        let mut v = c
            .call("GetBucketWebsite", json!({"Bucket": "popts"}))
            .await
            .expect("website");
        if let Some(o) = v.as_object_mut() {
            o.remove("ResponseMetadata");
        }
        v
    };
    let (x, y) = (website(a.clone()).await, website(b.clone()).await);
    assert_eq!(x, y);
    assert_eq!(y["IndexDocument"]["Suffix"], "index.html", "{y}");
    assert!(
        failures.is_empty(),
        "inia and the AWS CLI differ:\n{}",
        failures.join("\n")
    );
}

/// `HeadObject` without what differs from run to run (times, request ids).
async fn head(client: &inia::Client, params: Value) -> Value {
    let mut v = client.call("HeadObject", params).await.expect("head");
    for k in ["LastModified", "ResponseMetadata"] {
        if let Some(o) = v.as_object_mut() {
            o.remove(k);
        }
    }
    v
}

/// `cp - s3://... --expected-size N`: the announced size raises the part size as the AWS
/// CLI raises it, so a 34 MiB stream announced as 200 GB goes up in 2 parts, not 5.
#[tokio::test]
async fn expected_size_raises_the_part_size_of_a_stream() {
    let pair = Pair::new(&[("pstream", NONE)], &[]).await;
    let body: Vec<u8> = (0..34 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let mut etags = Vec::new();
    for (key, extra) in [
        ("plain", &[][..]),
        ("announced", &["--expected-size", "200000000000"]),
    ] {
        let target = format!("s3://pstream/{key}");
        let args = [&["s3", "cp", "-", target.as_str()][..], extra].concat();
        let (aws, inia) = pair.both(&args, Some(&body));
        assert_eq!(aws, inia, "{args:?}");
        assert_eq!(inia.code, Some(0), "{inia:?}");
        for moto in [&motos().0, &motos().1] {
            let h = s3(moto)
                .call("HeadObject", json!({"Bucket": "pstream", "Key": key}))
                .await
                .expect("head");
            assert_eq!(h["ContentLength"], body.len(), "{h}");
            etags.push(h["ETag"].as_str().unwrap_or_default().to_string());
        }
    }
    let parts: Vec<&str> = etags
        .iter()
        .map(|e| e.trim_matches('"').rsplit('-').next().unwrap_or_default())
        .collect();
    assert_eq!(parts, ["5", "5", "2", "2"], "{etags:?}");
}

/// `ls` prints times in the local zone, as the AWS CLI does.
#[tokio::test]
async fn ls_prints_local_times_as_the_aws_cli() {
    let objects: &[(&str, &str, &str)] = &[
        ("a/x.txt", "x", "STANDARD"),
        ("b.bin", "0123456789", "STANDARD"),
    ];
    let _pair = Pair::new(&[("plocal", objects)], &[]).await;
    let moto = &motos().0;
    let dir = tempfile::tempdir().expect("dir");
    for tz in ["UTC", "Asia/Kolkata", "America/Los_Angeles"] {
        let mut env = Env::new();
        env.tz = tz.into();
        env.mask_times = false;
        for args in [
            &[
                "s3",
                "ls",
                "s3://plocal",
                "--recursive",
                "--summarize",
                "--human-readable",
            ][..],
            &["s3", "ls"],
        ] {
            let aws = env.run(Tool::Aws, &moto.endpoint(), dir.path(), args, None);
            let inia = env.run(Tool::Inia, &moto.endpoint(), dir.path(), args, None);
            // Other tests make buckets on this moto meanwhile: compare this test's lines.
            let ours = |r: &Run| -> Vec<String> {
                r.out
                    .iter()
                    .filter(|l| !l.contains(" p") || l.ends_with(" plocal"))
                    .cloned()
                    .collect()
            };
            assert_eq!(ours(&aws), ours(&inia), "TZ={tz} {args:?}");
        }
    }
}

/// `presign`: the AWS CLI's URL byte for byte (both run against the same endpoint until
/// they sign in the same second), and curl fetches the object with inia's.
#[tokio::test]
async fn presigned_urls_fetch_the_object() {
    let objects: &[(&str, &str, &str)] = &[
        ("dir/hello.txt", "hello from moto", "STANDARD"),
        ("dir/a b+c~d.txt", "odd name", "STANDARD"),
    ];
    let pair = Pair::new(&[("ppresign", objects)], &[]).await;
    let endpoint = motos().1.endpoint();
    let dir = pair.inia_dir.path();
    let date = |url: &str| -> String {
        url.split('&')
            .find_map(|p| p.strip_prefix("X-Amz-Date="))
            .unwrap_or_default()
            .to_string()
    };
    for (key, body) in [
        ("dir/hello.txt", "hello from moto"),
        ("dir/a b+c~d.txt", "odd name"),
    ] {
        let target = format!("s3://ppresign/{key}");
        let args = ["s3", "presign", &target, "--expires-in", "600"];
        let mut same_second = false;
        for _ in 0..10 {
            let aws = pair.env.ok(Tool::Aws, &endpoint, dir, &args);
            let inia = pair.env.ok(Tool::Inia, &endpoint, dir, &args);
            if date(&aws[0]) == date(&inia[0]) {
                assert_eq!(aws, inia, "{key}");
                same_second = true;
                break;
            }
        }
        assert!(same_second, "the two never signed in the same second");
        let url = pair.env.ok(Tool::Inia, &endpoint, dir, &args).remove(0);
        let fetched = Command::new("curl")
            .args(["-sf", &url])
            .output()
            .expect("curl");
        assert!(fetched.status.success(), "curl {url}: {fetched:?}");
        assert_eq!(String::from_utf8_lossy(&fetched.stdout), body);
    }
    // The default validity is an hour; out of S3's range is refused before any request.
    let url = pair
        .env
        .ok(
            Tool::Inia,
            &endpoint,
            dir,
            &["s3", "presign", "s3://ppresign/dir/hello.txt"],
        )
        .remove(0);
    assert!(url.contains("X-Amz-Expires=3600&"), "{url}");
    let refused = pair.env.run(
        Tool::Inia,
        &endpoint,
        dir,
        &["s3", "presign", "s3://ppresign/k", "--expires-in", "604801"],
        None,
    );
    assert_eq!(refused.code, Some(252), "{refused:?}");
}
