//! `inia s3 sync` and the AWS CLI's `aws s3 sync` continue each other's work: on one
//! moto, what one tool synced (up, down, S3 to S3) the other's `--dryrun` finds nothing
//! to do, and after a change both would move the same files. Downloaded files carry the
//! object's `LastModified` as their time.
//!
//! Owns that interplay. Does not own the single tool's sync tests (`s3_commands.rs`) or
//! the messages and options compared with the AWS CLI (`s3_aws_parity.rs`).

mod s3_aws;

use inia::json;
use s3_aws::{motos, mtime, s3, write_tree, Env, Tool};
use std::path::Path;

const TREE: &[(&str, &str)] = &[
    ("one.txt", "1"),
    ("sub/two.json", "{}"),
    ("sub/deeper/three.txt", "333"),
];

/// The objects under `prefix` of `bucket`: key → LastModified (whole seconds).
async fn times(client: &inia::Client, bucket: &str, prefix: &str) -> Vec<(String, i64)> {
    let out = client
        .call("ListObjectsV2", json!({"Bucket": bucket, "Prefix": prefix}))
        .await
        .expect("list");
    out["Contents"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            let key = o["Key"].as_str().expect("Key").to_string();
            let t = inia::protocol::timefmt::from_value(&o["LastModified"]).expect("time");
            (key, t.timestamp())
        })
        .collect()
}

/// Each tool's dry run of `args` in `dir`: (AWS CLI's lines, inia's lines).
fn both_dry(env: &Env, endpoint: &str, dir: &Path, args: &[&str]) -> (Vec<String>, Vec<String>) {
    let args: Vec<&str> = args.iter().copied().chain(["--dryrun"]).collect();
    let aws = env.ok(Tool::Aws, endpoint, dir, &args);
    let inia = env.ok(Tool::Inia, endpoint, dir, &args);
    (aws, inia)
}

#[tokio::test]
async fn inia_syncs_and_the_aws_cli_finds_nothing_left() {
    let moto = &motos().0;
    let endpoint = moto.endpoint();
    let client = s3(moto);
    client
        .call("CreateBucket", json!({"Bucket": "interop-a"}))
        .await
        .expect("bucket");
    let env = Env::new();
    let work = tempfile::tempdir().expect("work");
    let w = work.path();
    write_tree(&w.join("tree"), TREE);
    let nothing: Vec<String> = Vec::new();

    // Up.
    let out = env.ok(
        Tool::Inia,
        &endpoint,
        w,
        &["s3", "sync", "tree", "s3://interop-a/p"],
    );
    assert_eq!(out.len(), 3, "{out:?}");
    let (aws, _) = both_dry(
        &env,
        &endpoint,
        w,
        &["s3", "sync", "tree", "s3://interop-a/p"],
    );
    assert_eq!(aws, nothing, "the AWS CLI would upload again");

    // Down: each file gets its object's time, and neither tool wants it again.
    let out = env.ok(
        Tool::Inia,
        &endpoint,
        w,
        &["s3", "sync", "s3://interop-a/p", "down"],
    );
    assert_eq!(out.len(), 3, "{out:?}");
    for (key, t) in times(&client, "interop-a", "p/").await {
        let rel = key.strip_prefix("p/").expect("under p/");
        assert_eq!(mtime(&w.join("down").join(rel)), t, "{key}");
    }
    for extra in [&[][..], &["--exact-timestamps"]] {
        let args = [&["s3", "sync", "s3://interop-a/p", "down"][..], extra].concat();
        let (aws, inia) = both_dry(&env, &endpoint, w, &args);
        assert_eq!((aws, inia), (nothing.clone(), nothing.clone()), "{args:?}");
    }

    // One object to a file: its time too.
    env.ok(
        Tool::Inia,
        &endpoint,
        w,
        &["s3", "cp", "s3://interop-a/p/one.txt", "single.txt"],
    );
    let head = client
        .call(
            "HeadObject",
            json!({"Bucket": "interop-a", "Key": "p/one.txt"}),
        )
        .await
        .expect("head");
    let t = inia::protocol::timefmt::from_value(&head["LastModified"]).expect("time");
    assert_eq!(mtime(&w.join("single.txt")), t.timestamp());

    // S3 to S3.
    let copy = ["s3", "sync", "s3://interop-a/p", "s3://interop-a/q"];
    let out = env.ok(Tool::Inia, &endpoint, w, &copy);
    assert_eq!(out.len(), 3, "{out:?}");
    let (aws, inia) = both_dry(&env, &endpoint, w, &copy);
    assert_eq!((aws, inia), (nothing.clone(), nothing.clone()));

    // After changes, both would move the same files: a local file newer than its object
    // (same size) comes down again, a changed size goes up, an extra file is deleted.
    let newer = w.join("down/one.txt");
    std::fs::File::options()
        .write(true)
        .open(&newer)
        .and_then(|f| {
            f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(60))
        })
        .expect("touch");
    std::fs::write(w.join("down/extra.txt"), "x").expect("extra");
    std::fs::write(w.join("tree/sub/two.json"), "{\"a\":1}").expect("grow");
    for args in [
        &["s3", "sync", "s3://interop-a/p", "down"][..],
        &["s3", "sync", "s3://interop-a/p", "down", "--delete"],
        &["s3", "sync", "s3://interop-a/p", "down", "--size-only"],
        &[
            "s3",
            "sync",
            "s3://interop-a/p",
            "down",
            "--exact-timestamps",
        ],
        &["s3", "sync", "tree", "s3://interop-a/p"],
        &[
            "s3",
            "sync",
            "tree",
            "s3://interop-a/p",
            "--delete",
            "--exclude",
            "*.txt",
        ],
    ] {
        let (aws, inia) = both_dry(&env, &endpoint, w, args);
        assert_eq!(aws, inia, "{args:?}");
    }
    let (aws, _) = both_dry(
        &env,
        &endpoint,
        w,
        &["s3", "sync", "s3://interop-a/p", "down", "--delete"],
    );
    assert_eq!(
        aws,
        [
            "(dryrun) delete: down/extra.txt",
            "(dryrun) download: s3://interop-a/p/one.txt to down/one.txt"
        ]
    );
}

#[tokio::test]
async fn the_aws_cli_syncs_and_inia_finds_nothing_left() {
    let moto = &motos().0;
    let endpoint = moto.endpoint();
    let client = s3(moto);
    client
        .call("CreateBucket", json!({"Bucket": "interop-b"}))
        .await
        .expect("bucket");
    let env = Env::new();
    let work = tempfile::tempdir().expect("work");
    let w = work.path();
    write_tree(&w.join("tree"), TREE);
    let nothing: Vec<String> = Vec::new();
    let no_progress = "--no-progress";

    let up = ["s3", "sync", "tree", "s3://interop-b/p"];
    let out = env.ok(Tool::Aws, &endpoint, w, &[&up[..], &[no_progress]].concat());
    assert_eq!(out.len(), 3, "{out:?}");
    let (_, inia) = both_dry(&env, &endpoint, w, &up);
    assert_eq!(inia, nothing, "inia would upload again");
    // Without --dryrun: nothing moves.
    assert_eq!(env.ok(Tool::Inia, &endpoint, w, &up), nothing);

    let down = ["s3", "sync", "s3://interop-b/p", "down"];
    let out = env.ok(
        Tool::Aws,
        &endpoint,
        w,
        &[&down[..], &[no_progress]].concat(),
    );
    assert_eq!(out.len(), 3, "{out:?}");
    for extra in [&[][..], &["--exact-timestamps"]] {
        let args = [&down[..], extra].concat();
        let (_, inia) = both_dry(&env, &endpoint, w, &args);
        assert_eq!(inia, nothing, "{args:?}");
    }
    assert_eq!(env.ok(Tool::Inia, &endpoint, w, &down), nothing);

    let copy = ["s3", "sync", "s3://interop-b/p", "s3://interop-b/q"];
    let out = env.ok(
        Tool::Aws,
        &endpoint,
        w,
        &[&copy[..], &[no_progress]].concat(),
    );
    assert_eq!(out.len(), 3, "{out:?}");
    let (_, inia) = both_dry(&env, &endpoint, w, &copy);
    assert_eq!(inia, nothing);
    assert_eq!(env.ok(Tool::Inia, &endpoint, w, &copy), nothing);
}
