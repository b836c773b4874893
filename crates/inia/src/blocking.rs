//! The blocking facade: [`Session`] and [`Client`] for programs without an async runtime.
//!
//! Each blocking session owns a small tokio runtime (current-thread, with the I/O and time
//! drivers) and runs the async engine on it: a blocking call is the async call driven to
//! its end with `block_on`. Clients made from one session share its runtime, connection
//! pool, credentials and settings; they are cheap to clone and may be used from several
//! threads (tokio lets several threads `block_on` one current-thread runtime; they take
//! turns driving it).
//!
//! ```no_run
//! use inia::blocking::Session;
//! use inia::json;
//!
//! fn main() -> Result<(), inia::Error> {
//!     let session = Session::new()?; // region, credentials... from the environment
//!     let ec2 = session.client("ec2")?;
//!     let keys = ec2.call("DescribeKeyPairs", json!({}))?;
//!     println!("{keys:#}");
//!     for page in session.client("s3")?.paginate("ListObjectsV2", json!({"Bucket": "b"})) {
//!         println!("{}", page?["KeyCount"]);
//!     }
//!     Ok(())
//! }
//! ```
//!
//! **Not from inside an async runtime.** tokio refuses to block a thread that drives
//! asynchronous tasks: calling any method here from async code (inside `#[tokio::main]`, a
//! `tokio::spawn`ed task, or another runtime's `block_on`) panics with "Cannot start a
//! runtime from within a runtime", and so does dropping the last handle of a blocking
//! session there. In async code use the async [`crate::Session`] and [`crate::Client`]
//! directly (`.await` their calls); if a blocking call must be made from async code, run
//! it on a blocking thread with `tokio::task::spawn_blocking`.
//!
//! Owns the runtime and the blocking signatures. Does not own any engine behaviour: every
//! method delegates to the async one of the same name.

use crate::error::Error;
use crate::{Output as AsyncOutput, SessionBuilder, WaitOptions};
use bytes::Bytes;
use futures_util::stream::{Stream, StreamExt};
use inia_http::{Body, ResponseBody};
use inia_model::{Protocol, ServiceModel};
use serde_json::Value;
use std::pin::Pin;
use std::sync::Arc;
use tokio::runtime::Runtime;

/// A blocking session: an async [`crate::Session`] and the runtime that drives it.
/// Cheap to clone; clones share the runtime and everything the session shares.
#[derive(Clone)]
pub struct Session {
    inner: crate::Session,
    runtime: Arc<Runtime>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("blocking::Session")
            .field("session", &self.inner)
            .finish_non_exhaustive()
    }
}

fn runtime() -> Result<Arc<Runtime>, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map(Arc::new)
        .map_err(Error::Runtime)
}

impl Session {
    /// A session configured from the environment alone (see [`crate::Session::new`]).
    pub fn new() -> Result<Session, Error> {
        Session::from_builder(crate::Session::builder())
    }

    /// The builder of the async session; give it to [`Session::from_builder`].
    pub fn builder() -> SessionBuilder {
        crate::Session::builder()
    }

    /// A blocking session from a configured builder.
    pub fn from_builder(builder: SessionBuilder) -> Result<Session, Error> {
        let runtime = runtime()?;
        let inner = {
            // Anything the build sets up that wants a runtime finds ours.
            let _entered = runtime.enter();
            builder.build()?
        };
        Ok(Session { inner, runtime })
    }

    /// A blocking session over an existing async session. Connections the async session
    /// opens from here on belong to this facade's runtime, so keep using that session
    /// through this facade only.
    pub fn from_async(session: crate::Session) -> Result<Session, Error> {
        Ok(Session {
            inner: session,
            runtime: runtime()?,
        })
    }

    /// A client for `service` (`ec2`, `s3`, `dynamodb`...), as named by its spec folder.
    pub fn client(&self, service: &str) -> Result<Client, Error> {
        Ok(Client {
            inner: self.inner.client(service)?,
            runtime: self.runtime.clone(),
        })
    }

    /// The async session underneath (its settings, models, spec path).
    pub fn as_async(&self) -> &crate::Session {
        &self.inner
    }

    /// The region, if one is configured.
    pub fn region(&self) -> Option<&str> {
        self.inner.region()
    }
}

/// A blocking client for one service. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<Runtime>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("blocking::Client")
            .field(&self.inner)
            .finish()
    }
}

/// A blocking call's result: the value, and the download body of operations that stream
/// one (S3 GetObject).
#[derive(Debug)]
pub struct Output {
    /// The parsed result.
    pub value: Value,
    /// The operation's streamed body, unread (S3 GetObject), when it has one.
    pub body: Option<Download>,
}

impl Client {
    /// Call `operation` with `params`; the result as a value (see [`crate::Client::call`]).
    pub fn call(&self, operation: &str, params: Value) -> Result<Value, Error> {
        self.runtime.block_on(self.inner.call(operation, params))
    }

    /// Call with an upload body, and get a download body back when the operation streams
    /// one (see [`crate::Client::call_with`]).
    pub fn call_with(
        &self,
        operation: &str,
        params: Value,
        body: Option<Body>,
    ) -> Result<Output, Error> {
        let AsyncOutput { value, body } = self
            .runtime
            .block_on(self.inner.call_with(operation, params, body))?;
        Ok(Output {
            value,
            body: body.map(|body| Download {
                body,
                runtime: self.runtime.clone(),
                pending: Bytes::new(),
            }),
        })
    }

    /// The pages of `operation`, one call per page, as an iterator: each `next` makes the
    /// call for the next page. After an error the iterator ends.
    pub fn paginate(&self, operation: &str, params: Value) -> Pages {
        Pages {
            stream: Box::pin(self.inner.paginate(operation, params)),
            runtime: self.runtime.clone(),
            done: false,
        }
    }

    /// All pages added up into one result (see [`crate::Client::paginate_all`]).
    pub fn paginate_all(
        &self,
        operation: &str,
        params: Value,
        max_items: Option<usize>,
    ) -> Result<Value, Error> {
        self.runtime
            .block_on(self.inner.paginate_all(operation, params, max_items))
    }

    /// Wait until the waiter `name` succeeds for `params` (see [`crate::Client::wait`]).
    pub fn wait(&self, name: &str, params: Value, options: WaitOptions) -> Result<Value, Error> {
        self.runtime
            .block_on(self.inner.wait(name, params, options))
    }

    /// The model's operation name for `DescribeKeyPairs`, `describe_key_pairs` or
    /// `describe-key-pairs`.
    pub fn operation_name(&self, name: &str) -> Result<String, Error> {
        self.inner.operation_name(name)
    }

    /// The service's model.
    pub fn model(&self) -> &ServiceModel {
        self.inner.model()
    }

    /// The async client underneath.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }
}

impl crate::Service for Client {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn description(&self) -> Option<&str> {
        self.inner.description()
    }

    fn protocol(&self) -> Protocol {
        self.inner.protocol()
    }

    fn endpoint(&self) -> String {
        self.inner.endpoint()
    }

    fn operations(&self) -> Vec<&str> {
        self.inner.operations()
    }
}

type PageStream = Pin<Box<dyn Stream<Item = Result<Value, Error>> + Send>>;

/// The pages of a paginated call ([`Client::paginate`]).
pub struct Pages {
    stream: PageStream,
    runtime: Arc<Runtime>,
    done: bool,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Iterator for Pages {
    type Item = Result<Value, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.runtime.block_on(self.stream.next());
        self.done = !matches!(item, Some(Ok(_)));
        item
    }
}

/// A streaming download body, read with [`std::io::Read`], [`Download::chunk`] or
/// [`Download::bytes`]. The read timeout keeps applying while it is read.
pub struct Download {
    body: ResponseBody,
    runtime: Arc<Runtime>,
    /// Part of a chunk not yet handed out by `read`.
    pending: Bytes,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}

impl Download {
    /// The next chunk, or `None` at the end.
    pub fn chunk(&mut self) -> Option<Result<Bytes, Error>> {
        if !self.pending.is_empty() {
            return Some(Ok(std::mem::take(&mut self.pending)));
        }
        self.runtime
            .block_on(self.body.chunk())
            .map(|r| r.map_err(Error::Transport))
    }

    /// The rest of the body, collected.
    pub fn bytes(mut self) -> Result<Bytes, Error> {
        let pending = std::mem::take(&mut self.pending);
        let rest = self
            .runtime
            .block_on(self.body.bytes())
            .map_err(Error::Transport)?;
        if pending.is_empty() {
            return Ok(rest);
        }
        let mut all = Vec::with_capacity(pending.len() + rest.len());
        all.extend_from_slice(&pending);
        all.extend_from_slice(&rest);
        Ok(Bytes::from(all))
    }
}

impl std::io::Read for Download {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Bounded: each turn either returns or replaces an empty chunk with the next one,
        // and the body ends.
        while self.pending.is_empty() {
            match self.runtime.block_on(self.body.chunk()) {
                None => return Ok(0),
                Some(Ok(chunk)) => self.pending = chunk,
                Some(Err(e)) => return Err(std::io::Error::other(e)),
            }
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending.split_to(n));
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{json, Credentials, Transport};
    use inia_auth::config::Env;
    use inia_http::HttpError;
    use std::collections::VecDeque;
    use std::io::{Read, Write};
    use std::sync::Mutex;
    use std::time::Duration;
    use tower::util::BoxCloneSyncService;

    const XML: &str = "text/xml";
    const JSON: &str = "application/x-amz-json-1.0";
    const WHO: &str = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
        <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/t</Arn><UserId>AIDA</UserId>\
        <Account>123456789012</Account></GetCallerIdentityResult>\
        <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>";

    type Script = Arc<Mutex<VecDeque<(u16, &'static str, &'static str)>>>;
    type Seen = Arc<Mutex<Vec<String>>>;

    /// A session whose transport answers from `script` (in order) and records request bodies.
    fn scripted(responses: &[(u16, &'static str, &'static str)]) -> (Session, Seen) {
        let script: Script = Arc::new(Mutex::new(responses.iter().copied().collect()));
        let seen: Seen = Arc::new(Mutex::new(Vec::new()));
        let seen2 = seen.clone();
        let service = tower::service_fn(move |req: http::Request<Body>| {
            let (script, seen) = (script.clone(), seen2.clone());
            async move {
                let body = req.body().bytes().map(|b| b.to_vec()).unwrap_or_default();
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&body).into_owned());
                let (status, ctype, text) = script.lock().unwrap().pop_front().unwrap_or((
                    418,
                    XML,
                    "<ErrorResponse><Error><Code>ScriptOver</Code></Error></ErrorResponse>",
                ));
                Ok::<_, HttpError>(
                    http::Response::builder()
                        .status(status)
                        .header("content-type", ctype)
                        .body(ResponseBody::from_bytes(text))
                        .unwrap(),
                )
            }
        });
        let session = Session::from_builder(
            base().map_transport(move |_| -> Transport { BoxCloneSyncService::new(service) }),
        )
        .unwrap();
        (session, seen)
    }

    fn base() -> SessionBuilder {
        Session::builder()
            .region("us-east-1")
            .endpoint_url("http://127.0.0.1:9")
            .credentials(Credentials::new("AKID", "secret", None, None, "test"))
            .env(Env::empty())
    }

    #[test]
    fn calls_from_a_plain_function() {
        let (s, _) = scripted(&[(200, XML, WHO)]);
        let sts = s.client("sts").unwrap();
        let who = sts.call("GetCallerIdentity", json!({})).unwrap();
        assert_eq!(who["Account"], "123456789012");
        assert_eq!(crate::Service::name(&sts), "sts");
        assert_eq!(s.region(), Some("us-east-1"));
    }

    #[test]
    fn errors_come_back_as_errors() {
        let (s, _) = scripted(&[(
            400,
            XML,
            "<ErrorResponse><Error><Code>ValidationError</Code><Message>no</Message></Error></ErrorResponse>",
        )]);
        let err = s
            .client("sts")
            .unwrap()
            .call("GetCallerIdentity", json!({}))
            .unwrap_err();
        assert_eq!(err.code(), Some("ValidationError"), "{err}");
    }

    const PAGE1: &str = r#"{"TableNames":["aaa","bbb"],"LastEvaluatedTableName":"bbb"}"#;
    const PAGE2: &str = r#"{"TableNames":["ccc"]}"#;

    #[test]
    fn paginate_is_an_iterator_of_pages() {
        let (s, seen) = scripted(&[(200, JSON, PAGE1), (200, JSON, PAGE2)]);
        let ddb = s.client("dynamodb").unwrap();
        let pages: Vec<Value> = ddb
            .paginate("ListTables", json!({}))
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[1]["TableNames"], json!(["ccc"]));
        let seen = seen.lock().unwrap();
        assert!(
            seen[1].contains(r#""ExclusiveStartTableName":"bbb""#),
            "{seen:?}"
        );
    }

    #[test]
    fn paginate_stops_after_an_error() {
        let (s, _) = scripted(&[(200, JSON, PAGE1)]);
        let mut pages = s
            .client("dynamodb")
            .unwrap()
            .paginate("ListTables", json!({}));
        assert!(pages.next().is_some_and(|p| p.is_ok()));
        assert!(pages.next().is_some_and(|p| p.is_err()));
        assert!(pages.next().is_none());
    }

    #[test]
    fn paginate_all_adds_pages_up() {
        let (s, _) = scripted(&[(200, JSON, PAGE1), (200, JSON, PAGE2)]);
        let all = s
            .client("dynamodb")
            .unwrap()
            .paginate_all("ListTables", json!({}), None)
            .unwrap();
        assert_eq!(all["TableNames"], json!(["aaa", "bbb", "ccc"]));
    }

    #[test]
    fn wait_polls_until_success() {
        let (s, seen) = scripted(&[
            (
                400,
                JSON,
                r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no"}"#,
            ),
            (
                200,
                JSON,
                r#"{"Table":{"TableName":"t","TableStatus":"CREATING"}}"#,
            ),
            (
                200,
                JSON,
                r#"{"Table":{"TableName":"t","TableStatus":"ACTIVE"}}"#,
            ),
        ]);
        let options = WaitOptions {
            delay: Some(Duration::from_millis(5)),
            max_attempts: Some(5),
        };
        let out = s
            .client("dynamodb")
            .unwrap()
            .wait("TableExists", json!({"TableName": "t"}), options)
            .unwrap();
        assert_eq!(out["Table"]["TableStatus"], "ACTIVE");
        assert_eq!(seen.lock().unwrap().len(), 3);
    }

    #[test]
    fn downloads_read_as_io_read() {
        let (s, _) = scripted(&[(200, "application/octet-stream", "hello world")]);
        let out = s
            .client("s3")
            .unwrap()
            .call_with("GetObject", json!({"Bucket": "b", "Key": "k"}), None)
            .unwrap();
        let mut text = String::new();
        out.body.unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "hello world");
    }

    #[test]
    fn clients_are_shared_across_threads() {
        let (s, seen) = scripted(&[(200, XML, WHO); 12]);
        let sts = s.client("sts").unwrap();
        let threads: Vec<_> = (0..3)
            .map(|_| {
                let sts = sts.clone();
                std::thread::spawn(move || {
                    for _ in 0..4 {
                        sts.call("GetCallerIdentity", json!({})).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(seen.lock().unwrap().len(), 12);
    }

    /// Through a real socket: the runtime's I/O driver serves the connection.
    #[test]
    fn talks_to_a_real_server() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !String::from_utf8_lossy(&head).contains("GetCallerIdentity") {
                let n = conn.read(&mut buf).unwrap();
                assert!(n > 0, "client went away");
                head.extend_from_slice(&buf[..n]);
            }
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: {}\r\n\r\n{WHO}",
                WHO.len()
            );
            conn.write_all(answer.as_bytes()).unwrap();
        });
        let mut http = inia_http::HttpConfig::default();
        http.proxy = inia_http::ProxyConfig::Disabled;
        let s = Session::from_builder(base().endpoint_url(url).http_config(http)).unwrap();
        let who = s
            .client("sts")
            .unwrap()
            .call("GetCallerIdentity", json!({}))
            .unwrap();
        assert_eq!(who["Account"], "123456789012");
        server.join().unwrap();
    }

    /// The documented limit: tokio refuses to block inside its own runtime.
    #[test]
    fn calling_from_inside_a_runtime_panics() {
        let (s, _) = scripted(&[(200, XML, WHO)]);
        let sts = s.client("sts").unwrap();
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            outer.block_on(async { sts.call("GetCallerIdentity", json!({})) })
        }));
        let message = result
            .err()
            .and_then(|p| {
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            })
            .unwrap_or_default();
        assert!(message.contains("from within a runtime"), "{message}");
        // The way out: a blocking thread.
        let who = outer
            .block_on(async {
                let sts = sts.clone();
                tokio::task::spawn_blocking(move || sts.call("GetCallerIdentity", json!({}))).await
            })
            .unwrap()
            .unwrap();
        assert_eq!(who["Account"], "123456789012");
    }
}
