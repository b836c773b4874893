//! `inia s3` (mb, rb, ls, cp, mv, rm) against moto on 127.0.0.1: each command's AWS CLI
//! lines and exit code, with the resulting state checked through the inia library.
//!
//! Owns end-to-end tests of the high-level S3 commands. Does not own the engine's
//! transfer tests (crates/inia).
//!
//! One moto serves every test of this file (`Moto::shared`, started once); each test
//! uses bucket names no other test here uses.

use inia::{json, Credentials, Session};
use inia_test_support::Moto;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `inia --endpoint-url E args...` with a clean environment.
struct Cli {
    home: tempfile::TempDir,
    endpoint: String,
}

impl Cli {
    fn new(endpoint: String) -> Cli {
        Cli {
            home: tempfile::tempdir().expect("temp home"),
            endpoint,
        }
    }

    fn run_in(&self, dir: &Path, args: &[&str]) -> Output {
        self.command(dir, args).output().expect("run inia")
    }

    /// Run in `dir` with `input` on standard input.
    fn run_with_input(&self, dir: &Path, args: &[&str], input: &[u8]) -> Output {
        use std::io::Write;
        let mut child = self
            .command(dir, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn inia");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("write stdin");
        child.wait_with_output().expect("wait inia")
    }

    fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_inia"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
            .env("AWS_SECRET_ACCESS_KEY", "secret-test")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .current_dir(dir)
            .arg("--endpoint-url")
            .arg(&self.endpoint)
            .args(args);
        cmd
    }

    /// Run in `dir`, require exit 0; stdout.
    fn ok_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.run_in(dir, args);
        assert!(
            out.status.success(),
            "inia {args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

fn s3_client(moto: &Moto) -> inia::Client {
    Session::builder()
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials(Credentials::new(
            "AKIDTEST",
            "secret-test",
            None,
            None,
            "test",
        ))
        .env(inia::auth::config::Env::empty())
        .build()
        .expect("session")
        .client("s3")
        .expect("s3 client")
}

async fn keys(s3: &inia::Client, bucket: &str) -> Vec<String> {
    let out = s3
        .call("ListObjectsV2", json!({"Bucket": bucket}))
        .await
        .expect("list");
    out["Contents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["Key"].as_str().map(str::to_string))
        .collect()
}

/// Deterministic bytes that do not compress to nothing.
fn data(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

#[tokio::test]
async fn s3_commands_end_to_end() {
    let moto = Moto::shared();
    let cli = Cli::new(moto.endpoint());
    let s3 = s3_client(moto);
    let work = tempfile::tempdir().expect("work dir");
    let w = work.path();

    // mb
    let out = cli.ok_in(w, &["s3", "mb", "s3://demo"]);
    assert_eq!(out.trim(), "make_bucket: demo");

    // cp one file up: the Content-Type guessed, metadata stored.
    std::fs::write(w.join("a.txt"), "hello\n").expect("write");
    let out = cli.ok_in(
        w,
        &[
            "s3",
            "cp",
            "./a.txt",
            "s3://demo/a.txt",
            "--metadata",
            "k=v,k2=v2",
        ],
    );
    assert_eq!(out.trim(), "upload: ./a.txt to s3://demo/a.txt");
    let head = s3
        .call("HeadObject", json!({"Bucket": "demo", "Key": "a.txt"}))
        .await
        .expect("head");
    assert!(
        head["ContentType"]
            .as_str()
            .is_some_and(|t| t.starts_with("text/plain")),
        "{head}"
    );
    assert_eq!(head["Metadata"]["k2"], "v2", "{head}");

    // An explicit --content-type wins, and a key prefix ending in / takes the file name.
    let out = cli.ok_in(
        w,
        &[
            "s3",
            "cp",
            "a.txt",
            "s3://demo/docs/",
            "--content-type",
            "application/x-demo",
        ],
    );
    assert_eq!(out.trim(), "upload: ./a.txt to s3://demo/docs/a.txt");
    let head = s3
        .call("HeadObject", json!({"Bucket": "demo", "Key": "docs/a.txt"}))
        .await
        .expect("head");
    assert_eq!(head["ContentType"], "application/x-demo", "{head}");

    // 20 MiB: multipart up, and back down byte-identical.
    let big = data(20 * 1024 * 1024);
    std::fs::write(w.join("big.bin"), &big).expect("write big");
    cli.ok_in(w, &["s3", "cp", "big.bin", "s3://demo/big.bin"]);
    let head = s3
        .call("HeadObject", json!({"Bucket": "demo", "Key": "big.bin"}))
        .await
        .expect("head big");
    assert!(
        head["ETag"].as_str().is_some_and(|e| e.contains("-3")),
        "not a 3-part upload: {head}"
    );
    let out = cli.ok_in(w, &["s3", "cp", "s3://demo/big.bin", "back.bin"]);
    assert_eq!(out.trim(), "download: s3://demo/big.bin to ./back.bin");
    assert!(std::fs::read(w.join("back.bin")).expect("read back") == big);

    // cp --recursive of a tree, and ls.
    let tree = w.join("tree");
    std::fs::create_dir_all(tree.join("sub/deeper")).expect("mkdir");
    std::fs::write(tree.join("one.txt"), "1").expect("write");
    std::fs::write(tree.join("sub/two.json"), "{}").expect("write");
    std::fs::write(tree.join("sub/deeper/three.txt"), "333").expect("write");
    let out = cli.ok_in(w, &["s3", "cp", "tree", "s3://demo/t", "--recursive"]);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(
        out.contains("upload: tree/sub/two.json to s3://demo/t/sub/two.json"),
        "{out}"
    );
    let out = cli.ok_in(w, &["s3", "ls", "s3://demo/t/", "--recursive"]);
    let listed: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_whitespace().nth(3))
        .collect();
    assert_eq!(
        listed,
        ["t/one.txt", "t/sub/deeper/three.txt", "t/sub/two.json"],
        "{out}"
    );
    assert!(out.contains("        3 t/sub/deeper/three.txt"), "{out}");
    let out = cli.ok_in(w, &["s3", "ls", "s3://demo/t/"]);
    assert!(out.lines().any(|l| l.trim() == "PRE sub/"), "{out}");
    assert!(out.lines().any(|l| l.ends_with(" 1 one.txt")), "{out}");
    let out = cli.ok_in(w, &["s3", "ls"]);
    // moto is shared with this file's other tests, which make buckets of their own.
    assert!(
        out.lines().any(|l| l.trim_end().ends_with(" demo")),
        "{out}"
    );

    // --exclude / --include, last match deciding; --dryrun changes nothing.
    let out = cli.ok_in(
        w,
        &[
            "s3",
            "cp",
            "tree",
            "s3://demo/only",
            "--recursive",
            "--exclude",
            "*",
            "--include",
            "*.txt",
        ],
    );
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(!out.contains("two.json"), "{out}");
    let out = cli.ok_in(
        w,
        &["s3", "rm", "s3://demo/only/", "--recursive", "--dryrun"],
    );
    assert!(
        out.contains("(dryrun) delete: s3://demo/only/one.txt"),
        "{out}"
    );
    assert!(keys(&s3, "demo")
        .await
        .contains(&"only/one.txt".to_string()));

    // '-' streams standard input up and an object down to standard output.
    let out = cli.run_with_input(w, &["s3", "cp", "-", "s3://demo/stream.txt"], b"streamed\n");
    assert!(out.status.success(), "{out:?}");
    let out = cli.ok_in(w, &["s3", "cp", "s3://demo/stream.txt", "-"]);
    assert_eq!(out, "streamed\n");

    // Download the tree back, and copy it S3 to S3.
    cli.ok_in(w, &["s3", "cp", "s3://demo/t", "down", "--recursive"]);
    assert_eq!(
        std::fs::read_to_string(w.join("down/sub/deeper/three.txt")).expect("read"),
        "333"
    );
    let out = cli.ok_in(
        w,
        &["s3", "cp", "s3://demo/t/", "s3://demo/copy/", "--recursive"],
    );
    assert!(
        out.contains("copy: s3://demo/t/one.txt to s3://demo/copy/one.txt"),
        "{out}"
    );

    // mv: the source goes away.
    let out = cli.ok_in(w, &["s3", "mv", "s3://demo/a.txt", "s3://demo/moved.txt"]);
    assert_eq!(out.trim(), "move: s3://demo/a.txt to s3://demo/moved.txt");
    let now = keys(&s3, "demo").await;
    assert!(now.contains(&"moved.txt".to_string()) && !now.contains(&"a.txt".to_string()));
    std::fs::write(w.join("gone.txt"), "x").expect("write");
    cli.ok_in(w, &["s3", "mv", "gone.txt", "s3://demo/"]);
    assert!(!w.join("gone.txt").exists());

    // rm and rm --recursive.
    let out = cli.ok_in(w, &["s3", "rm", "s3://demo/moved.txt"]);
    assert_eq!(out.trim(), "delete: s3://demo/moved.txt");
    let out = cli.ok_in(w, &["s3", "rm", "s3://demo/t", "--recursive"]);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(keys(&s3, "demo").await.iter().all(|k| !k.starts_with("t/")));

    // A missing object is a fatal error, exit 1 (as the AWS CLI); an empty listing
    // exits 1.
    let out = cli.run_in(w, &["s3", "cp", "s3://demo/nope", "x"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "fatal error: An error occurred (404) when calling the HeadObject operation: Key \"nope\" does not exist"
    );
    assert!(!w.join("x").exists());
    let out = cli.run_in(w, &["s3", "ls", "s3://demo/nothing/"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");

    // rb without --force fails on a full bucket (exit 1); with it, empties and removes it.
    let out = cli.run_in(w, &["s3", "rb", "s3://demo"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let out = cli.ok_in(w, &["s3", "rb", "s3://demo", "--force"]);
    assert!(out.trim().ends_with("remove_bucket: demo"), "{out}");
    let buckets = s3.call("ListBuckets", json!({})).await.expect("buckets");
    let names: Vec<&str> = buckets["Buckets"]
        .as_array()
        .map(|b| b.iter().filter_map(|b| b["Name"].as_str()).collect())
        .unwrap_or_default();
    assert!(!names.contains(&"demo"), "{buckets}");
}

#[tokio::test]
async fn sync_up_down_and_delete() {
    let moto = Moto::shared();
    let cli = Cli::new(moto.endpoint());
    let s3 = s3_client(moto);
    let work = tempfile::tempdir().expect("work dir");
    let w = work.path();
    cli.ok_in(w, &["s3", "mb", "s3://syncer"]);
    let tree = w.join("tree");
    std::fs::create_dir_all(tree.join("sub")).expect("mkdir");
    std::fs::write(tree.join("one.txt"), "1").expect("write");
    std::fs::write(tree.join("sub/two.json"), "{}").expect("write");
    std::fs::write(tree.join("sub/three.txt"), "333").expect("write");
    // Written a minute ago: as the AWS CLI, sync compares a file's time (to the
    // microsecond) with the object's (whole seconds), so a file changed in the second
    // of its upload would go up again.
    for f in ["one.txt", "sub/two.json", "sub/three.txt"] {
        age(&tree.join(f));
    }

    let out = cli.ok_in(w, &["s3", "sync", "tree", "s3://syncer/t"]);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(
        out.contains("upload: tree/sub/two.json to s3://syncer/t/sub/two.json"),
        "{out}"
    );
    // Nothing changed: nothing to do.
    let out = cli.ok_in(w, &["s3", "sync", "tree", "s3://syncer/t"]);
    assert_eq!(out, "", "{out}");

    // A changed size goes up again; --delete removes what the source lost.
    std::fs::write(tree.join("one.txt"), "1111").expect("write");
    age(&tree.join("one.txt"));
    std::fs::remove_file(tree.join("sub/two.json")).expect("rm");
    let out = cli.ok_in(w, &["s3", "sync", "tree", "s3://syncer/t", "--delete"]);
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            "delete: s3://syncer/t/sub/two.json",
            "upload: tree/one.txt to s3://syncer/t/one.txt"
        ]
    );
    assert_eq!(keys(&s3, "syncer").await, ["t/one.txt", "t/sub/three.txt"]);

    // Down into a new folder, then nothing more; --delete clears a local extra.
    let out = cli.ok_in(w, &["s3", "sync", "s3://syncer/t/", "down"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert_eq!(
        std::fs::read_to_string(w.join("down/one.txt")).expect("read"),
        "1111"
    );
    let out = cli.ok_in(w, &["s3", "sync", "s3://syncer/t/", "down"]);
    assert_eq!(out, "", "{out}");
    std::fs::write(w.join("down/extra.txt"), "x").expect("write");
    let out = cli.ok_in(w, &["s3", "sync", "s3://syncer/t", "down", "--delete"]);
    assert_eq!(out.trim(), "delete: down/extra.txt");
    assert!(!w.join("down/extra.txt").exists());
}

/// Give `path` a modification time a minute ago.
fn age(path: &Path) {
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(then))
        .expect("set the time");
}

#[test]
fn bad_arguments_exit_252() {
    // Nothing listens here: the checks come before any request.
    let cli = Cli::new("http://127.0.0.1:9".into());
    let dir = tempfile::tempdir().expect("dir");
    for args in [
        &["s3", "mb", "s3://"][..],
        &["s3", "mb", "bucket"],
        &["s3", "ls", "s3:///key"],
        &["s3", "cp", "a", "b"],
        &["s3", "cp", "a"],
        &["s3", "cp", "a", "s3://b/", "--bogus"],
        &["s3", "rm", "s3://bad bucket/k"],
        &["s3", "frobnicate"],
        &["s3", "sync", "a", "b"],
        &["s3", "sync", "a", "s3://b/", "--recursive"],
        &["s3"],
    ] {
        let out = cli.run_in(dir.path(), args);
        assert_eq!(out.status.code(), Some(252), "{args:?}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("inia: error: "),
            "{args:?}: {out:?}"
        );
    }
}

/// Ctrl-C (SIGINT) in the middle of a multipart upload: the parts stop, the upload is
/// aborted before the process ends (none left open on the server, no object), exit 130
/// with one line saying so.
#[tokio::test]
async fn interrupting_an_upload_aborts_it() {
    let moto = Moto::shared();
    let s3 = s3_client(moto);
    s3.call("CreateBucket", json!({"Bucket": "cancel"}))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.bin");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(400 * 1024 * 1024)
        .unwrap();
    let cli = Cli::new(moto.endpoint());
    let child = cli
        .command(dir.path(), &["s3", "cp", "big.bin", "s3://cancel/big.bin"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (bounded) until the multipart upload exists, then interrupt.
    let mut open = false;
    for _ in 0..600 {
        let list = s3
            .call("ListMultipartUploads", json!({"Bucket": "cancel"}))
            .await
            .unwrap();
        if list["Uploads"].as_array().is_some_and(|u| !u.is_empty()) {
            open = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(open, "the upload never started");
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted; aborted 1 unfinished multipart upload(s)"),
        "{err}"
    );
    let list = s3
        .call("ListMultipartUploads", json!({"Bucket": "cancel"}))
        .await
        .unwrap();
    assert!(
        list["Uploads"].as_array().is_none_or(|u| u.is_empty()),
        "{list}"
    );
    assert!(keys(&s3, "cancel").await.is_empty());
}

/// SIGTERM while `s3api get-object` writes its outfile: the destination is untouched and
/// no temporary file is left; exit 130.
#[test]
fn terminating_a_download_leaves_no_debris() {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if let Some(Ok(mut c)) = l.incoming().next() {
            let mut buf = [0u8; 8192];
            let _ = c.read(&mut buf);
            let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n");
            let _ = c.write_all(&[b'n'; 100_000]);
            let _ = tx.send(());
            // Stall with the connection open until the client goes away.
            let _ = c.read(&mut buf);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("out.bin"), b"kept").unwrap();
    let cli = Cli::new(format!("http://127.0.0.1:{port}"));
    let child = cli
        .command(
            dir.path(),
            &[
                "s3api",
                "get-object",
                "--bucket",
                "b",
                "--key",
                "k",
                "out.bin",
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    rx.recv_timeout(std::time::Duration::from_secs(30)).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(dir.path().join("out.bin")).unwrap(), b"kept");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("out.bin")]);
}

/// 1,000 files of assorted sizes in nested folders go up with one `s3 cp --recursive`,
/// all listed afterwards, and come back down byte-identical with another.
#[tokio::test]
async fn a_thousand_files_up_and_back_byte_identical() {
    const FILES: usize = 1000;
    let moto = Moto::shared();
    let cli = Cli::new(moto.endpoint());
    let s3 = s3_client(moto);
    let work = tempfile::tempdir().expect("work dir");
    let w = work.path();
    cli.ok_in(w, &["s3", "mb", "s3://many"]);
    let pool = data(64 * 1024);
    let mut expected = std::collections::BTreeMap::new();
    for i in 0..FILES {
        let rel = format!("d{}/e{}/f{i:04}.bin", i % 10, i % 7);
        // Sizes from 0 to 64 KiB, each file a different slice of the pool.
        let (start, len) = ((i * 37) % 1024, (i * 61) % (pool.len() - 1024));
        let path = w.join("up").join(&rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &pool[start..start + len]).expect("write");
        expected.insert(rel, pool[start..start + len].to_vec());
    }

    let out = cli.ok_in(w, &["s3", "cp", "up", "s3://many/p", "--recursive"]);
    assert_eq!(out.lines().count(), FILES, "one line per file");
    assert!(out.lines().all(|l| l.starts_with("upload: up/")), "{out}");

    let listed = s3
        .paginate_all("ListObjectsV2", json!({"Bucket": "many"}), None)
        .await
        .expect("list");
    let mut stored: Vec<(String, u64)> = listed["Contents"]
        .as_array()
        .expect("Contents")
        .iter()
        .map(|o| {
            let key = o["Key"].as_str().expect("Key").to_string();
            (key, o["Size"].as_u64().expect("Size"))
        })
        .collect();
    stored.sort();
    let wanted: Vec<(String, u64)> = expected
        .iter()
        .map(|(rel, bytes)| (format!("p/{rel}"), bytes.len() as u64))
        .collect();
    assert_eq!(
        stored, wanted,
        "every file stored under its key, at its size"
    );

    let out = cli.ok_in(w, &["s3", "cp", "s3://many/p", "down", "--recursive"]);
    assert_eq!(out.lines().count(), FILES, "one line per file");
    for (rel, bytes) in &expected {
        let got = std::fs::read(w.join("down").join(rel)).expect("downloaded file");
        assert!(got == *bytes, "{rel} differs after the round trip");
    }
}
