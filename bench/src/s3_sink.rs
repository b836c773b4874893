//! A local S3 sink for the upload benchmarks: a hyper HTTP/1.1 server on 127.0.0.1 (over
//! TLS when given a server configuration) that answers a multipart upload as S3 does and
//! keeps nothing. It answers:
//! - `POST ?uploads` (CreateMultipartUpload): an `UploadId`;
//! - `PUT` (UploadPart, PutObject): reads the whole body, decoding `aws-chunked` framing
//!   when the request says so, and answers 200 with the part's MD5 as a quoted hex `ETag`
//!   and the flexible checksum the request carried (header or `aws-chunked` trailer)
//!   echoed back as S3 echoes it;
//! - `POST ?uploadId=` (CompleteMultipartUpload): the result XML with an `ETag`;
//! - `DELETE` (AbortMultipartUpload): 204.
//!
//! Two modes. In *checking* mode it computes every part's MD5 itself (`md-5`) and checks
//! it against `Content-MD5`, recomputes the flexible checksum of the decoded bytes and
//! checks the value sent, and checks the decoded length: what S3 would refuse is answered
//! 400 `BadDigest` and recorded. In the default *fast* mode, used while timing, it only
//! walks the bytes (framing included) and takes the ETag from `Content-MD5`, so that its
//! own work (it shares the machine's cores with the client) stays small.
//!
//! Each upload's [`Tally`] (parts, decoded bytes, where checksums travelled, the
//! completion's full-object checksum, failures) is read and reset by [`Sink::take`].
//! The sink runs on one thread with a current-thread runtime; the thread's CPU time is
//! kept in [`Sink::cpu`], so a benchmark can tell the client's CPU from the sink's.
//!
//! Owns the sink. Does not own what is timed (`checksums`).

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use inia_protocol::checksum::{Algorithm, Checksum};
use md5::{Digest, Md5};
use std::collections::BTreeSet;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the sink saw of one upload.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    /// UploadPart and PutObject requests.
    pub parts: u64,
    /// Their decoded body bytes.
    pub bytes: u64,
    /// Parts whose flexible checksum came in a header, and in an `aws-chunked` trailer.
    pub in_headers: u64,
    pub in_trailers: u64,
    /// The checksum headers seen (`x-amz-checksum-crc32c`...).
    pub algorithms: BTreeSet<String>,
    /// The completion's full-object checksum header and value, if any.
    pub full_object: Option<(String, String)>,
    /// Parts listed in the completion.
    pub completed_parts: u64,
    /// What checking mode refused.
    pub failures: Vec<String>,
}

struct Shared {
    checking: AtomicBool,
    tally: Mutex<Tally>,
    cpu_ns: AtomicU64,
}

/// A running sink; it stops with the process.
pub struct Sink {
    pub port: u16,
    shared: Arc<Shared>,
}

impl Sink {
    /// A sink on a fresh port, plain HTTP, or TLS with `tls`.
    pub fn start(tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>) -> Result<Sink, String> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let shared = Arc::new(Shared {
            checking: AtomicBool::new(false),
            tally: Mutex::new(Tally::default()),
            cpu_ns: AtomicU64::new(0),
        });
        let state = shared.clone();
        std::thread::Builder::new()
            .name("bench-s3-sink".into())
            .spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(serve(listener, tls, state));
            })
            .map_err(|e| e.to_string())?;
        Ok(Sink { port, shared })
    }

    /// Check every part (slow) or only walk the bytes (fast, the default).
    pub fn set_checking(&self, on: bool) {
        self.shared.checking.store(on, Ordering::SeqCst);
    }

    /// What the sink saw since the last call.
    pub fn take(&self) -> Tally {
        std::mem::take(&mut *self.shared.tally.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// CPU time of the sink's thread so far (as of its last answer).
    pub fn cpu(&self) -> Duration {
        Duration::from_nanos(self.shared.cpu_ns.load(Ordering::SeqCst))
    }
}

async fn serve(
    listener: std::net::TcpListener,
    tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    shared: Arc<Shared>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| answer(shared.clone(), req));
            let http = hyper::server::conn::http1::Builder::new();
            match acceptor {
                Some(acceptor) => {
                    if let Ok(tls) = acceptor.accept(stream).await {
                        let io = hyper_util::rt::TokioIo::new(tls);
                        let _ = http.serve_connection(io, service).await;
                    }
                }
                None => {
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = http.serve_connection(io, service).await;
                }
            }
        });
    }
}

fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime fills the timespec we pass; the clock id is always valid.
    unsafe {
        libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts);
    }
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn reply(status: u16, headers: Vec<(String, String)>, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::builder().status(status);
    for (k, v) in headers {
        r = r.header(k, v);
    }
    r.body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn s3_error(code: &str, message: &str) -> Response<Full<Bytes>> {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
         <Message>{message}</Message><RequestId>sink</RequestId></Error>"
    );
    reply(400, xml_type(), xml)
}

fn xml_type() -> Vec<(String, String)> {
    vec![("content-type".into(), "application/xml".into())]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn answer(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let checking = shared.checking.load(Ordering::SeqCst);
    let (parts, body) = req.into_parts();
    let query = parts.uri.query().unwrap_or("").to_string();
    let has = |k: &str| {
        query
            .split('&')
            .any(|p| p == k || p.split('=').next() == Some(k))
    };
    let out = match parts.method.as_str() {
        "POST" if has("uploads") => {
            let _ = body.collect().await;
            reply(
                200,
                xml_type(),
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult \
                 xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>bench</Bucket>\
                 <Key>object.bin</Key><UploadId>sink-upload-1</UploadId>\
                 </InitiateMultipartUploadResult>"
                    .into(),
            )
        }
        "POST" if has("uploadId") => complete(&shared, &parts.headers, body).await,
        "PUT" => part(&shared, &parts.headers, body, checking).await,
        "DELETE" => {
            let _ = body.collect().await;
            reply(204, Vec::new(), String::new())
        }
        _ => s3_error("NotImplemented", "the sink answers uploads only"),
    };
    shared.cpu_ns.store(thread_cpu_ns(), Ordering::SeqCst);
    Ok(out)
}

async fn complete(
    shared: &Shared,
    headers: &http::HeaderMap,
    body: Incoming,
) -> Response<Full<Bytes>> {
    let xml = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return s3_error("IncompleteBody", &e.to_string()),
    };
    let text = String::from_utf8_lossy(&xml);
    let listed = text.matches("<PartNumber>").count() as u64;
    let full = headers.iter().find_map(|(k, v)| {
        let k = k.as_str();
        (k.starts_with("x-amz-checksum-") && k != "x-amz-checksum-type")
            .then(|| (k.to_string(), v.to_str().unwrap_or("").to_string()))
    });
    {
        let mut t = shared.tally.lock().unwrap_or_else(|p| p.into_inner());
        t.completed_parts = listed;
        t.full_object = full;
    }
    reply(
        200,
        xml_type(),
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult \
             xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Location>http://127.0.0.1/bench/object.bin</Location>\
             <Bucket>bench</Bucket><Key>object.bin</Key><ETag>\"0123456789abcdef0123456789abcdef-{listed}\"</ETag>\
             </CompleteMultipartUploadResult>"
        ),
    )
}

/// An `aws-chunked` body, decoded as it arrives: data goes to the caller, the trailer
/// lines are kept.
struct Chunked {
    state: State,
    trailers: Vec<String>,
}

enum State {
    /// Reading a `<hex size>[;ext]\r\n` line.
    Size(Vec<u8>),
    /// Data bytes left in this chunk.
    Data(u64),
    /// `\r\n` after a chunk's data: how many of its bytes are still to come.
    DataEnd(u8),
    /// Reading trailer lines, until an empty one.
    Trailer(Vec<u8>),
    Done,
}

impl Chunked {
    fn new() -> Chunked {
        Chunked {
            state: State::Size(Vec::new()),
            trailers: Vec::new(),
        }
    }

    /// The next line of `buf` into `line`; true when the line is complete.
    fn line(line: &mut Vec<u8>, buf: &mut &[u8]) -> Result<bool, String> {
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                line.extend_from_slice(&buf[..i]);
                *buf = &buf[i + 1..];
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                Ok(true)
            }
            None => {
                line.extend_from_slice(buf);
                *buf = &[];
                if line.len() > 4096 {
                    return Err("an aws-chunked line longer than 4 KiB".into());
                }
                Ok(false)
            }
        }
    }

    fn feed(&mut self, mut buf: &[u8], data: &mut impl FnMut(&[u8])) -> Result<(), String> {
        while !buf.is_empty() {
            match &mut self.state {
                State::Size(line) => {
                    if !Self::line(line, &mut buf)? {
                        return Ok(());
                    }
                    let text = String::from_utf8_lossy(line);
                    let size = text.split(';').next().unwrap_or("").trim();
                    let n = u64::from_str_radix(size, 16)
                        .map_err(|_| format!("bad aws-chunked size line {text:?}"))?;
                    self.state = if n == 0 {
                        State::Trailer(Vec::new())
                    } else {
                        State::Data(n)
                    };
                }
                State::Data(left) => {
                    let n = usize::try_from(*left).unwrap_or(usize::MAX).min(buf.len());
                    data(&buf[..n]);
                    buf = &buf[n..];
                    *left -= n as u64;
                    if *left == 0 {
                        self.state = State::DataEnd(2);
                    }
                }
                State::DataEnd(left) => {
                    let want = if *left == 2 { b'\r' } else { b'\n' };
                    if buf[0] != want {
                        return Err("aws-chunked data not followed by CRLF".into());
                    }
                    buf = &buf[1..];
                    *left -= 1;
                    if *left == 0 {
                        self.state = State::Size(Vec::new());
                    }
                }
                State::Trailer(line) => {
                    if !Self::line(line, &mut buf)? {
                        return Ok(());
                    }
                    if line.is_empty() {
                        self.state = State::Done;
                    } else {
                        self.trailers
                            .push(String::from_utf8_lossy(line).into_owned());
                        line.clear();
                    }
                }
                State::Done => return Err("bytes after the aws-chunked trailer".into()),
            }
        }
        Ok(())
    }
}

async fn part(
    shared: &Shared,
    headers: &http::HeaderMap,
    mut body: Incoming,
    checking: bool,
) -> Response<Full<Bytes>> {
    let header = |k: &str| headers.get(k).and_then(|v| v.to_str().ok());
    let chunked = header("content-encoding").is_some_and(|v| v.contains("aws-chunked"));
    // The flexible checksum named by a header now, or by the trailer announcement.
    let announced = headers
        .iter()
        .find(|(k, _)| {
            let k = k.as_str();
            k.starts_with("x-amz-checksum-") && k != "x-amz-checksum-type"
        })
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()));
    let trailer_name = header("x-amz-trailer").map(str::to_string);
    let algorithm = announced
        .as_ref()
        .map(|(k, _)| k.as_str())
        .or(trailer_name.as_deref())
        .and_then(|k| k.strip_prefix("x-amz-checksum-"))
        .and_then(Algorithm::parse);
    let mut md5 = checking.then(Md5::new);
    let mut sum: Option<Checksum> = if checking {
        algorithm.map(Algorithm::hasher)
    } else {
        None
    };
    let mut decoded = 0u64;
    let mut decoder = chunked.then(Chunked::new);
    loop {
        let frame = match body.frame().await {
            None => break,
            Some(Ok(f)) => f,
            Some(Err(e)) => return s3_error("IncompleteBody", &e.to_string()),
        };
        let Ok(bytes) = frame.into_data() else {
            continue;
        };
        let mut take = |d: &[u8]| {
            decoded += d.len() as u64;
            if let Some(m) = md5.as_mut() {
                m.update(d);
            }
            if let Some(s) = sum.as_mut() {
                s.update(d);
            }
        };
        match decoder.as_mut() {
            Some(dec) => {
                if let Err(e) = dec.feed(&bytes, &mut take) {
                    return s3_error("InvalidRequest", &e);
                }
            }
            None => take(&bytes),
        }
    }
    let mut failures = Vec::new();
    if let Some(dec) = &decoder {
        if !matches!(dec.state, State::Done) {
            failures.push("aws-chunked body ended before its trailer".to_string());
        }
        if let Some(want) = header("x-amz-decoded-content-length") {
            if want.parse::<u64>().ok() != Some(decoded) {
                failures.push(format!("decoded {decoded} bytes, announced {want}"));
            }
        }
    }
    let in_trailer = decoder.as_ref().and_then(|d| {
        d.trailers.iter().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            let k = k.trim().to_ascii_lowercase();
            k.starts_with("x-amz-checksum-")
                .then(|| (k, v.trim().to_string()))
        })
    });
    let sent_md5 = header("content-md5").unwrap_or("");
    let sent_md5 = base64::engine::general_purpose::STANDARD
        .decode(sent_md5)
        .map(|d| hex(&d))
        .unwrap_or_default();
    let etag = match md5 {
        Some(m) => {
            let mine = hex(&m.finalize());
            // Parts with a flexible checksum go without Content-MD5 (as botocore's).
            if !sent_md5.is_empty() && mine != sent_md5 {
                failures.push(format!("MD5 {mine}, Content-MD5 said {sent_md5}"));
            }
            mine
        }
        None => sent_md5,
    };
    let checksum = announced.clone().or(in_trailer.clone());
    if let (Some(s), Some((name, value))) = (sum, &checksum) {
        let mine = s.finish();
        if mine.to_str().unwrap_or("") != value {
            failures.push(format!("{name}: computed {mine:?}, sent {value}"));
        }
    }
    let failed = !failures.is_empty();
    {
        let mut t = shared.tally.lock().unwrap_or_else(|p| p.into_inner());
        t.parts += 1;
        t.bytes += decoded;
        if let Some((name, _)) = &checksum {
            t.algorithms.insert(name.clone());
        }
        t.in_headers += u64::from(announced.is_some());
        t.in_trailers += u64::from(in_trailer.is_some());
        t.failures.extend(failures.iter().cloned());
    }
    if failed {
        return s3_error("BadDigest", &failures.join("; "));
    }
    let mut out = vec![("etag".to_string(), format!("\"{etag}\""))];
    out.extend(checksum);
    reply(200, out, String::new())
}
