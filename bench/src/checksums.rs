//! Flexible checksums (issue 15): what they cost on a 1 GiB upload.
//!
//! 1. Raw speed, one core: each of inia's algorithms (`Algorithm::hasher`, fed 1 GiB in
//!    1 MiB pieces) next to botocore 1.44.5's own checksum class for the same algorithm
//!    (`botocore.httpchecksum._CHECKSUM_CLS`: awscrt's CRCs and xxHashes, `hashlib`'s
//!    SHAs), fed the same bytes the same way in `.cache/botocore-venv/bin/python`: the
//!    checksums a Python client computes for the same upload. Both digests are compared
//!    before any figure is printed. A row for one pass of `memcpy` over the same 1 GiB
//!    (1 MiB pieces into one 1 MiB buffer) gives the memory's floor.
//! 2. End to end: a 1 GiB file on disk uploaded with `Transfer::upload_file` (128 parts of
//!    8 MiB, 10 in flight, the defaults) to the local sink of `s3_sink.rs`, over http and
//!    over https (rustls on both sides, a CA made for the run, trusted with
//!    `AWS_CA_BUNDLE`). The session has `AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED`, so
//!    the plain upload carries only `Content-MD5` (which the transfer always sends); the
//!    others name `ChecksumAlgorithm` (CRC32C, CRC64NVME, SHA256). Over http the checksum
//!    is computed ahead, in the same read of the part as the SHA-256 the signature
//!    covers; over https it travels in an `aws-chunked` trailer computed while sending.
//!    Each variant is first uploaded once with the sink checking every part (MD5,
//!    checksum, length, and for CRC64NVME the full-object checksum against the file's),
//!    then timed over [`ROUNDS`] rounds that alternate the variants; medians are printed,
//!    with the client's CPU (the process's, less the sink thread's), and the median of
//!    each round's ratio to the plain upload of the same round.
//!
//! For profiling, environment variables narrow the run: `INIA_BENCH_UPLOADS_ONLY=1` skips
//! the raw rows, `INIA_BENCH_SCHEMES=https` and `INIA_BENCH_VARIANTS=plain,SHA256` pick
//! the uploads; `INIA_BENCH_SAMPLES=1` prints every round's figures on stderr.
//!
//! Owns this benchmark and its temporary file. Does not own the sink (`s3_sink`).

use crate::s3_sink::{Sink, Tally};
use inia::transfer::UploadOptions;
use inia_protocol::checksum::Algorithm;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const PIECE: usize = 1 << 20;
const GIB: usize = 1 << 30;
/// Timed passes of the raw rows.
const RUNS: usize = 3;
/// Rounds of the upload rows (each uploads every variant once).
const ROUNDS: usize = 5;
const MB: f64 = (1 << 20) as f64;

/// The 1 GiB: a 1 MiB pattern repeated, each MiB numbered in its first 8 bytes. The
/// Python side builds the same bytes.
fn data() -> Vec<u8> {
    let base: Vec<u8> = (0..PIECE)
        .map(|j| ((j * 31 + (j >> 10)) & 255) as u8)
        .collect();
    let mut d = Vec::with_capacity(GIB);
    for k in 0..GIB / PIECE {
        d.extend_from_slice(&base);
        d[k * PIECE..k * PIECE + 8].copy_from_slice(&(k as u64).to_le_bytes());
    }
    d
}

const PYTHON: &str = r#"
import json, sys, time
import awscrt
from botocore.httpchecksum import _CHECKSUM_CLS
P = 1 << 20
n, runs = int(sys.argv[1]), int(sys.argv[2])
base = bytes(((j * 31 + (j >> 10)) & 255) for j in range(P))
buf = bytearray(base * (n // P))
for k in range(n // P):
    buf[k * P:k * P + 8] = k.to_bytes(8, "little")
# 1 MiB `bytes` pieces, as botocore reads a file (awscrt's xxHash takes no memoryview).
pieces = [bytes(buf[off:off + P]) for off in range(0, n, P)]
del buf
out = []
for name in sys.argv[3:]:
    cls = _CHECKSUM_CLS[name]
    def once(count):
        c = cls()
        for piece in pieces[:count]:
            c.update(piece)
        return c.b64digest()
    once(64)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        digest = once(len(pieces))
        times.append(time.perf_counter() - t)
    times.sort()
    out.append({"name": name, "class": cls.__name__, "seconds": times[len(times) // 2],
                "digest": digest})
print(json.dumps({"awscrt": awscrt.__version__, "results": out}))
"#;

struct Theirs {
    class: String,
    seconds: f64,
    digest: String,
}

fn botocore(names: &[String]) -> Result<(String, Vec<Theirs>), String> {
    let python = inia_conformance::botocore::cache_dir().join("botocore-venv/bin/python");
    let mut cmd = Command::new(&python);
    cmd.args(["-c", PYTHON, &GIB.to_string(), &RUNS.to_string()])
        .args(names);
    let out = cmd.output().map_err(|e| {
        format!(
            "{}: {e} (run `cargo xtask test` once to install it)",
            python.display()
        )
    })?;
    if !out.status.success() {
        return Err(format!(
            "botocore: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let results = v["results"]
        .as_array()
        .ok_or("botocore: no results")?
        .iter()
        .map(|r| Theirs {
            class: r["class"].as_str().unwrap_or("").to_string(),
            seconds: r["seconds"].as_f64().unwrap_or(f64::NAN),
            digest: r["digest"].as_str().unwrap_or("").to_string(),
        })
        .collect();
    Ok((v["awscrt"].as_str().unwrap_or("?").to_string(), results))
}

fn hash(algorithm: Algorithm, data: &[u8]) -> String {
    let mut h = algorithm.hasher();
    for piece in data.chunks(PIECE) {
        h.update(piece);
    }
    h.finish().to_str().unwrap_or("").to_string()
}

/// Median of `RUNS` timed calls after one on the first 64 MiB.
fn timed<T>(data: &[u8], mut f: impl FnMut(&[u8]) -> T) -> (Duration, T) {
    std::hint::black_box(f(&data[..64 * PIECE]));
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        let out = std::hint::black_box(f(data));
        times.push(t.elapsed());
        last = Some(out);
    }
    times.sort();
    (times[RUNS / 2], last.expect("RUNS > 0"))
}

fn implementation(a: Algorithm) -> &'static str {
    match a {
        Algorithm::Crc32 | Algorithm::Crc32c | Algorithm::Crc64Nvme => "crc-fast",
        Algorithm::Sha1 | Algorithm::Sha256 | Algorithm::Sha512 => "ring",
        _ => "xxhash-rust",
    }
}

/// Raw speed rows; returns the CRC64NVME of the data (the full-object check).
fn raw(data: &[u8]) -> Result<String, String> {
    let order = [
        Algorithm::Crc32,
        Algorithm::Crc32c,
        Algorithm::Crc64Nvme,
        Algorithm::Sha1,
        Algorithm::Sha256,
        Algorithm::Sha512,
        Algorithm::XxHash64,
        Algorithm::XxHash3,
        Algorithm::XxHash128,
    ];
    let names: Vec<String> = order.iter().map(|a| a.name().to_lowercase()).collect();
    let (crt, theirs) = botocore(&names)?;
    if theirs.len() != order.len() {
        return Err("botocore: a result is missing".into());
    }
    let mut crc64 = String::new();
    let (copy, _) = timed(data, |d| {
        let mut dst = vec![0u8; PIECE];
        for piece in d.chunks(PIECE) {
            dst[..piece.len()].copy_from_slice(piece);
            std::hint::black_box(&mut dst);
        }
        dst[0]
    });
    let gib = data.len() as f64 / MB;
    println!(
        "| one read pass, 1 GiB: `copy_from_slice` 1 MiB at a time into one 1 MiB buffer (the memory's floor) | {:.0} MB/s ({}) | | |",
        gib / copy.as_secs_f64(),
        crate::ms(copy)
    );
    for (a, t) in order.iter().zip(&theirs) {
        let (took, digest) = timed(data, |d| hash(*a, d));
        if digest != t.digest {
            return Err(format!(
                "{a}: inia's digest {digest} is not botocore's {}",
                t.digest
            ));
        }
        if *a == Algorithm::Crc64Nvme {
            crc64 = digest;
        }
        let (ours, theirs_rate) = (gib / took.as_secs_f64(), gib / t.seconds);
        let peer = if t.class.starts_with("Crt") {
            format!("awscrt {crt}")
        } else {
            "hashlib".to_string()
        };
        println!(
            "| {a} of 1 GiB in 1 MiB pieces, one core (inia: {}) | {ours:.0} MB/s ({}) | botocore 1.44.5 `{}` ({peer}): {theirs_rate:.0} MB/s | {:.2}x |",
            implementation(*a),
            crate::ms(took),
            t.class,
            ours / theirs_rate
        );
    }
    Ok(crc64)
}

/// This process's CPU time so far (user + system, all threads).
fn process_cpu() -> Duration {
    // SAFETY: getrusage fills the zeroed struct we pass; RUSAGE_SELF is always valid.
    let u = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// Removes the temporary folder at the end.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn client(endpoint: &str, ca: Option<&Path>) -> Result<inia::Client, String> {
    let mut http = inia::connection::HttpConfig::default();
    http.proxy = inia::connection::ProxyConfig::Disabled;
    let mut env = inia::auth::config::Env::empty()
        .with_var("AWS_REQUEST_CHECKSUM_CALCULATION", "WHEN_REQUIRED");
    if let Some(ca) = ca {
        env = env.with_var("AWS_CA_BUNDLE", ca.display().to_string());
    }
    let session = inia::Session::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(inia::Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "bench",
        ))
        .http_config(http)
        .env(env)
        .build()
        .map_err(|e| e.to_string())?;
    session.client("s3").map_err(|e| e.to_string())
}

/// One upload's figures.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    client_cpu: Duration,
}

/// What the sink must have seen of an upload of `variant` over `tls`.
fn check(
    tally: &Tally,
    variant: Option<Algorithm>,
    tls: bool,
    crc64: &str,
    parts: u64,
) -> Result<(), String> {
    let what = format!(
        "{} upload with {}",
        if tls { "https" } else { "http" },
        variant.map_or("no checksum".to_string(), |a| a.to_string())
    );
    let fail = |m: String| Err(format!("{what}: {m} (sink saw {tally:?})"));
    if !tally.failures.is_empty() {
        return fail("the sink refused parts".into());
    }
    if tally.parts != parts || tally.bytes != GIB as u64 || tally.completed_parts != parts {
        return fail(format!("expected {parts} parts and {GIB} bytes"));
    }
    let (headers, trailers) = match (variant, tls) {
        (None, _) => (0, 0),
        (Some(_), false) => (parts, 0),
        (Some(_), true) => (0, parts),
    };
    if tally.in_headers != headers || tally.in_trailers != trailers {
        return fail(format!(
            "expected {headers} checksums in headers, {trailers} in trailers"
        ));
    }
    if let Some(a) = variant {
        if tally.algorithms.iter().ne([a.header().to_string()].iter()) {
            return fail(format!("expected only {}", a.header()));
        }
    }
    if variant == Some(Algorithm::Crc64Nvme) {
        let want = Some(("x-amz-checksum-crc64nvme".to_string(), crc64.to_string()));
        if tally.full_object != want {
            return fail(format!("expected the full-object CRC64NVME {crc64}"));
        }
    }
    Ok(())
}

async fn upload(
    s3: &inia::Client,
    file: &Path,
    variant: Option<Algorithm>,
    sink: &Sink,
) -> Result<Sample, String> {
    let options = match variant {
        Some(a) => UploadOptions::new().param("ChecksumAlgorithm", a.name()),
        None => UploadOptions::new(),
    };
    let (cpu0, sink0) = (process_cpu(), sink.cpu());
    let t = Instant::now();
    let out = s3
        .transfer()
        .upload_file("bench", "object.bin", file, &options)
        .await
        .map_err(|e| format!("upload: {e}"))?;
    let wall = t.elapsed();
    let client_cpu = process_cpu()
        .saturating_sub(cpu0)
        .saturating_sub(sink.cpu().saturating_sub(sink0));
    if out["ETag"].as_str().is_none() {
        return Err(format!("upload: no ETag in {out}"));
    }
    Ok(Sample { wall, client_cpu })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn end_to_end(file: &Path, crc64: &str, dir: &Path) -> Result<(), String> {
    let ca = inia_test_support::tls_front::TestCa::new();
    let pem = ca.write_pem(dir);
    let plain = Sink::start(None)?;
    let tls = Sink::start(Some(ca.config.clone()))?;
    let config = inia::TransferConfig::default();
    let parts = (GIB as u64).div_ceil(config.part_size_for(GIB as u64));
    // `INIA_BENCH_VARIANTS=plain,SHA256` and `INIA_BENCH_SCHEMES=https` narrow the run
    // (for profiling one variant); the plain upload is the first variant when present.
    let variants: Vec<Option<Algorithm>> = match std::env::var("INIA_BENCH_VARIANTS") {
        Ok(list) => list
            .split(',')
            .map(|v| match v {
                "plain" => Ok(None),
                v => Algorithm::parse(v)
                    .map(Some)
                    .ok_or(format!("INIA_BENCH_VARIANTS: unknown {v}")),
            })
            .collect::<Result<_, _>>()?,
        Err(_) => vec![
            None,
            Some(Algorithm::Crc32c),
            Some(Algorithm::Crc64Nvme),
            Some(Algorithm::Sha256),
        ],
    };
    let schemes = std::env::var("INIA_BENCH_SCHEMES").unwrap_or("http,https".into());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    for (scheme, sink, ca) in [("http", &plain, None), ("https", &tls, Some(pem.as_path()))] {
        if !schemes.split(',').any(|s| s == scheme) {
            continue;
        }
        let s3 = client(&format!("{scheme}://127.0.0.1:{}", sink.port), ca)?;
        let on_tls = ca.is_some();
        let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); variants.len()];
        runtime.block_on(async {
            // Each variant once with the sink checking everything (and the caches warm).
            sink.set_checking(true);
            for &v in &variants {
                sink.take();
                upload(&s3, file, v, sink).await?;
                check(&sink.take(), v, on_tls, crc64, parts)?;
            }
            sink.set_checking(false);
            for round in 0..ROUNDS {
                for i in 0..variants.len() {
                    let i = (i + round) % variants.len();
                    let s = upload(&s3, file, variants[i], sink).await?;
                    check(&sink.take(), variants[i], on_tls, crc64, parts)?;
                    samples[i].push(s);
                }
            }
            Ok::<_, String>(())
        })?;
        let wall = |i: usize| median(samples[i].iter().map(|s| s.wall).collect());
        let cpu = |i: usize| median(samples[i].iter().map(|s| s.client_cpu).collect());
        // Each round's ratio to the plain upload of the same round (the machine's load
        // drifts between rounds), then their median.
        let ratio = |i: usize, f: fn(&Sample) -> Duration| {
            let mut r: Vec<f64> = samples[i]
                .iter()
                .zip(&samples[0])
                .map(|(s, p)| f(s).as_secs_f64() / f(p).as_secs_f64())
                .collect();
            r.sort_by(f64::total_cmp);
            100.0 * (r[r.len() / 2] - 1.0)
        };
        let how = if on_tls {
            "in an `aws-chunked` trailer, computed while sending"
        } else {
            "in a header, computed ahead with the signed SHA-256"
        };
        for (i, v) in variants.iter().enumerate().skip(1) {
            let (Some(v), None) = (v, variants[0]) else {
                continue;
            };
            println!(
                "| 1 GiB file, multipart upload ({parts} parts of 8 MiB, 10 in flight) to a local S3 sink over {scheme}, \
                 ChecksumAlgorithm={v} ({how}; medians of {ROUNDS}) | {:.2} s, client CPU {:.2} s \
                 | no flexible checksum (WHEN_REQUIRED), same run: {:.2} s, client CPU {:.2} s | {:+.1}% wall, {:+.1}% CPU (median of the rounds' ratios) |",
                wall(i).as_secs_f64(),
                cpu(i).as_secs_f64(),
                wall(0).as_secs_f64(),
                cpu(0).as_secs_f64(),
                ratio(i, |s| s.wall),
                ratio(i, |s| s.client_cpu),
            );
        }
        if std::env::var_os("INIA_BENCH_SAMPLES").is_some() {
            for (i, v) in variants.iter().enumerate() {
                let list: Vec<String> = samples[i]
                    .iter()
                    .map(|s| {
                        format!(
                            "{:.2}/{:.2}",
                            s.wall.as_secs_f64(),
                            s.client_cpu.as_secs_f64()
                        )
                    })
                    .collect();
                eprintln!(
                    "{scheme} {}: wall/client CPU s {}",
                    v.map_or("plain".into(), |a| a.to_string()),
                    list.join(" ")
                );
            }
        }
    }
    Ok(())
}

pub fn run() -> Result<(), String> {
    let data = data();
    // `INIA_BENCH_UPLOADS_ONLY=1`: the upload rows alone (for profiling them).
    let crc64 = if std::env::var_os("INIA_BENCH_UPLOADS_ONLY").is_some() {
        hash(Algorithm::Crc64Nvme, &data)
    } else {
        raw(&data)?
    };
    let dir =
        TempDir(std::env::temp_dir().join(format!("inia-bench-checksums-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).map_err(|e| format!("{}: {e}", dir.0.display()))?;
    let file = dir.0.join("object.bin");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&file).map_err(|e| e.to_string())?;
        f.write_all(&data).map_err(|e| e.to_string())?;
        f.sync_all().map_err(|e| e.to_string())?;
    }
    drop(data);
    end_to_end(&file, &crc64, &dir.0)
}
