//! A small HTTP/1.1 server on 127.0.0.1 for the engine's fault tests: it answers each
//! request as its script says (a status and body, a connection reset, a body cut short, a
//! stall) and records what it received; and a session sleep that records each pause and
//! returns at once, so no test waits for a backoff.
//!
//! [`FaultServer::answering_tls`] serves HTTPS instead, with a certificate for 127.0.0.1
//! from a CA made for the run (its PEM in a file, for the clients to trust).
//!
//! Owns the server and the recording sleep. Does not own any assertion (the test files
//! that include it do). Every wait is bounded; only 127.0.0.1 is used.
#![allow(dead_code)]

use inia::time::{Sleep, SleepFuture};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Longest the server waits for a client, or holds a stalled connection.
pub const HOLD: Duration = Duration::from_secs(5);

/// What the server does with one request, once it has read all of it.
#[derive(Clone, Debug)]
pub enum Act {
    /// Answer with this status, extra headers and body (keeping the connection).
    Respond {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// Close the connection with a TCP reset, without answering.
    Reset,
    /// Answer 200 announcing 200 body bytes, send 20, close.
    Truncate,
    /// Say nothing for this long, then close.
    Stall(Duration),
    /// Send these bytes as the whole answer (head and body, as written), then close.
    Raw(Vec<u8>),
}

pub fn respond(status: u16, body: &str) -> Act {
    Act::Respond {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

pub fn respond_with(status: u16, header: (&'static str, &str), body: &str) -> Act {
    Act::Respond {
        status,
        headers: vec![(header.0, header.1.to_string())],
        body: body.to_string(),
    }
}

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub target: String,
    /// The request line and headers as received.
    pub head: String,
    pub body: Vec<u8>,
}

impl Seen {
    /// The value of header `name` (any case) as received.
    pub fn header(&self, name: &str) -> Option<String> {
        self.head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    }
}

pub struct FaultServer {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub task: JoinHandle<()>,
    /// The pauses the clients of this server's sessions asked for.
    pub pauses: Arc<Pauses>,
    pub https: bool,
}

/// A session sleep that records each pause and returns at once.
#[derive(Debug, Default)]
pub struct Pauses(pub Mutex<Vec<Duration>>);

impl Sleep for Pauses {
    fn sleep(&self, d: Duration) -> SleepFuture {
        self.0.lock().unwrap().push(d);
        Box::pin(std::future::ready(()))
    }
}

/// The retry jitter's draw in these tests: delays are exactly half their bound.
pub const DRAW: f64 = 0.5;

pub fn ms(v: &[u64]) -> Vec<Duration> {
    v.iter().map(|m| Duration::from_millis(*m)).collect()
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultServer {
    /// Starts a server that acts on requests in script order (across connections); past
    /// the script it answers 418 with a non-retryable error.
    pub async fn start(script: Vec<Act>) -> FaultServer {
        let script = Mutex::new(VecDeque::from(script));
        Self::answering(move |_| {
            script.lock().unwrap().pop_front().unwrap_or_else(|| {
                respond(
                    418,
                    "<ErrorResponse><Error><Code>ScriptOver</Code></Error></ErrorResponse>",
                )
            })
        })
        .await
    }

    /// Starts a server that acts on each request as `responder` decides (a stand-in for a
    /// service, in tests that declare it as one).
    pub async fn answering(
        responder: impl Fn(&Seen) -> Act + Send + Sync + 'static,
    ) -> FaultServer {
        Self::listen(Arc::new(responder), None).await
    }

    /// As [`answering`](Self::answering), over HTTPS: also the CA's PEM file to trust.
    pub async fn answering_tls(
        responder: impl Fn(&Seen) -> Act + Send + Sync + 'static,
    ) -> (FaultServer, tempfile::NamedTempFile) {
        let (acceptor, ca) = test_tls();
        let mut server = Self::listen(Arc::new(responder), Some(acceptor)).await;
        server.https = true;
        (server, ca)
    }

    async fn listen(script: Responder, tls: Option<tokio_rustls::TlsAcceptor>) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let seen2 = seen.clone();
        let task = tokio::spawn(async move {
            // Bounded: tests make a handful of connections; aborted on drop anyway.
            for _ in 0..100 {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (script, seen, tls) = (script.clone(), seen2.clone(), tls.clone());
                tokio::spawn(async move {
                    match tls {
                        None => serve(stream, script, seen).await,
                        Some(acceptor) => {
                            if let Ok(Ok(s)) =
                                tokio::time::timeout(HOLD, acceptor.accept(stream)).await
                            {
                                serve(s, script, seen).await;
                            }
                        }
                    }
                });
            }
        });
        FaultServer {
            addr,
            seen,
            task,
            pauses: Arc::default(),
            https: false,
        }
    }

    pub fn url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Time between consecutive requests.
    /// The pauses taken between attempts, in order.
    pub fn pauses(&self) -> Vec<Duration> {
        self.pauses.0.lock().unwrap().clone()
    }
}

/// What decides the answer to each request.
type Responder = Arc<dyn Fn(&Seen) -> Act + Send + Sync>;

/// A connection the server can also reset.
trait Conn: AsyncRead + AsyncWrite + Unpin {
    fn reset(&mut self);
}

impl Conn for tokio::net::TcpStream {
    fn reset(&mut self) {
        let _ = self.set_zero_linger();
    }
}

impl Conn for tokio_rustls::server::TlsStream<tokio::net::TcpStream> {
    fn reset(&mut self) {
        let _ = self.get_ref().0.set_zero_linger();
    }
}

async fn serve<S: Conn>(mut stream: S, script: Responder, seen: Arc<Mutex<Vec<Seen>>>) {
    let mut buf = Vec::new();
    // Bounded: a keep-alive connection carries at most this many requests here.
    for _ in 0..50 {
        let Some(request) = read_request(&mut stream, &mut buf).await else {
            return;
        };
        let act = script(&request);
        seen.lock().unwrap().push(request);
        match act {
            Act::Respond {
                status,
                headers,
                body,
            } => {
                let mut head = format!(
                    "HTTP/1.1 {status} Scripted\r\ncontent-length: {}\r\n",
                    body.len()
                );
                if !headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                {
                    head.push_str("content-type: text/xml\r\n");
                }
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                if stream.write_all(head.as_bytes()).await.is_err()
                    || stream.write_all(body.as_bytes()).await.is_err()
                    || stream.flush().await.is_err()
                {
                    return;
                }
            }
            Act::Reset => {
                stream.reset();
                return;
            }
            Act::Truncate => {
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: 200\r\n\r\n<GetCallerIdentityRe")
                    .await;
                let _ = stream.shutdown().await;
                return;
            }
            Act::Stall(d) => {
                tokio::time::sleep(d.min(HOLD)).await;
                return;
            }
            Act::Raw(bytes) => {
                let _ = stream.write_all(&bytes).await;
                let _ = stream.shutdown().await;
                return;
            }
        }
    }
}

/// Reads one request (head, then `Content-Length` bytes of body); `None` when the client
/// went away or took too long. `buf` keeps what was read past the request.
async fn read_request<S: AsyncRead + Unpin>(stream: &mut S, buf: &mut Vec<u8>) -> Option<Seen> {
    let mut chunk = [0u8; 16384];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 65536 {
            return None;
        }
        match tokio::time::timeout(HOLD, stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => return None,
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.lines();
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
    let length: usize = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match tokio::time::timeout(HOLD, stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => return None,
        }
    }
    let body = buf[head_end..head_end + length].to_vec();
    buf.drain(..head_end + length);
    Some(Seen {
        head: head.clone(),
        method,
        target,
        body,
    })
}

pub const WHO: &str =
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
    <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/t</Arn><UserId>AIDA</UserId>\
    <Account>123456789012</Account></GetCallerIdentityResult>\
    <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>";

pub fn query_error(code: &str) -> String {
    format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
         <Code>{code}</Code><Message>scripted {code}</Message></Error><RequestId>r-e</RequestId></ErrorResponse>"
    )
}

/// A TLS acceptor for 127.0.0.1 with a certificate from a CA made now, and the CA's PEM.
fn test_tls() -> (tokio_rustls::TlsAcceptor, tempfile::NamedTempFile) {
    let ca = inia_test_support::tls_front::TestCa::new();
    let mut pem = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut pem, ca.pem.as_bytes()).unwrap();
    (tokio_rustls::TlsAcceptor::from(ca.config), pem)
}
