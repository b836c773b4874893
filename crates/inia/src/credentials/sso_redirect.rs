//! The loopback redirect of the SSO authorization-code sign-in (RFC 8252 7.3): a listener
//! on 127.0.0.1, on a port the system picks, waiting for the browser's
//! `GET /oauth/callback?code=..&state=..` once the user has approved the sign-in.
//!
//! Connections are taken one at a time, each closed after one answer: another path gets
//! 404 and a callback without a code a short page, and the wait goes on; a callback whose
//! `state` is not the one sent, or that carries `error`, ends the wait with an error (and
//! a page saying the sign-in failed); a code with the right state ends it with a page
//! saying the sign-in succeeded and the tab can be closed. Bounded: at most
//! [`MAX_CONNECTIONS`] connections, [`WAIT`] in all, [`REQUEST_WAIT`] and
//! [`MAX_REQUEST_HEAD`] bytes for each request's head; pauses come from the caller's
//! [`Sleep`].
//!
//! The code is a secret: never in an error, a log line or `Debug`.
//!
//! Owns the listener's side of HTTP/1.1 and the pages. Does not own the sign-in
//! (`sso_login`: the URLs, the state and the token exchange).

use crate::error::Error;
use crate::time::Sleep;
use inia_auth::sign::canonical::decode;
use std::net::Ipv4Addr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The redirect's path.
pub(crate) const CALLBACK_PATH: &str = "/oauth/callback";
/// The longest wait for the browser, as the AWS CLI waits.
pub(crate) const WAIT: Duration = Duration::from_secs(10 * 60);
/// The most connections taken before giving up.
pub(crate) const MAX_CONNECTIONS: usize = 64;
/// The longest wait for one connection's request.
pub(crate) const REQUEST_WAIT: Duration = Duration::from_secs(10);
/// The most bytes of a request's head read.
pub(crate) const MAX_REQUEST_HEAD: usize = 8 * 1024;

/// A listener on 127.0.0.1 and the redirect URI that reaches it.
pub(crate) struct Redirect {
    listener: TcpListener,
    uri: String,
}

/// What one connection brought.
enum Callback {
    /// The authorization code, its state checked.
    Code(String),
    /// Not the redirect, or one without a code: wait on.
    Other,
}

impl Redirect {
    /// Listen on 127.0.0.1, on a port the system picks.
    pub(crate) async fn bind() -> Result<Redirect, Error> {
        let io = |source| Error::Io {
            path: "127.0.0.1 (the sign-in's redirect listener)".into(),
            source,
        };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(io)?;
        let port = listener.local_addr().map_err(io)?.port();
        Ok(Redirect {
            listener,
            uri: format!("http://127.0.0.1:{port}{CALLBACK_PATH}"),
        })
    }

    /// `http://127.0.0.1:<port>/oauth/callback`.
    pub(crate) fn uri(&self) -> &str {
        &self.uri
    }

    /// The authorization code of the first callback carrying `state`, waited for as the
    /// module documentation says.
    pub(crate) async fn code(&self, state: &str, sleep: &dyn Sleep) -> Result<String, Error> {
        let take = async {
            for _ in 0..MAX_CONNECTIONS {
                let stream = match self.listener.accept().await {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::debug!(error = %e, "accepting on the sign-in redirect failed");
                        continue;
                    }
                };
                if let Callback::Code(code) = callback(stream, state, sleep).await? {
                    return Ok(code);
                }
            }
            Err(Error::Response(format!(
                "the sign-in's redirect got {MAX_CONNECTIONS} requests without an authorization \
                 code; sign in again"
            )))
        };
        tokio::select! {
            got = take => got,
            () = sleep.sleep(WAIT) => Err(Error::Response(format!(
                "the sign-in was not completed in the browser within {} minutes; sign in again",
                WAIT.as_secs() / 60
            ))),
        }
    }
}

/// Answer one connection.
async fn callback(
    mut stream: TcpStream,
    state: &str,
    sleep: &dyn Sleep,
) -> Result<Callback, Error> {
    let line = tokio::select! {
        line = request_line(&mut stream) => line,
        () = sleep.sleep(REQUEST_WAIT) => None,
    };
    let Some(line) = line else {
        return Ok(Callback::Other);
    };
    let mut words = line.split(' ');
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if method != "GET" || path != CALLBACK_PATH {
        answer(
            &mut stream,
            "404 Not Found",
            "Not found",
            "There is nothing here.",
        )
        .await;
        return Ok(Callback::Other);
    }
    let params = query_pairs(query);
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let failed = "The sign-in failed. You can close this window and return to the command line.";
    if let Some(error) = get("error") {
        answer(&mut stream, "400 Bad Request", "Sign-in failed", failed).await;
        return Err(Error::Response(format!(
            "the sign-in was refused: {}",
            printable(error)
        )));
    }
    match (get("code"), get("state")) {
        (Some(code), Some(got)) if got == state => {
            let done = "The sign-in succeeded. You can close this window and return to the \
                        command line.";
            answer(&mut stream, "200 OK", "Signed in", done).await;
            Ok(Callback::Code(code.to_string()))
        }
        (Some(_), Some(_)) => {
            answer(&mut stream, "400 Bad Request", "Sign-in failed", failed).await;
            Err(Error::Response(
                "the sign-in's redirect came back with a state other than the one sent \
                 (a stale or forged request); nothing was signed in, sign in again"
                    .into(),
            ))
        }
        _ => {
            let missing = "This request carries no authorization code.";
            answer(&mut stream, "400 Bad Request", "Sign-in", missing).await;
            Ok(Callback::Other)
        }
    }
}

/// The request line of the head the client sends (read whole, up to
/// [`MAX_REQUEST_HEAD`], so closing the connection does not reset it); `None` when the
/// client sent nothing usable.
async fn request_line(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while head.len() < MAX_REQUEST_HEAD {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&chunk[..n]);
        if head.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let text = String::from_utf8_lossy(&head);
    text.lines()
        .next()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
}

/// A query's pairs, decoded (`+` is a space); the first of a repeated name is used.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(&k.replace('+', " ")), decode(&v.replace('+', " ")))
        })
        .collect()
}

/// Text from the browser as it may be shown: printable ASCII, at most 100 characters.
fn printable(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(100)
        .collect()
}

/// Send a short page and close; a browser that has gone away is not an error.
async fn answer(stream: &mut TcpStream, status: &str, title: &str, text: &str) {
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1><p>{text}</p></body></html>\n"
    );
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
         cache-control: no-store\r\nconnection: close\r\n\r\n",
        page.len()
    );
    let sent = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(page.as_bytes()).await?;
        stream.shutdown().await
    };
    if let Err(e) = sent.await {
        tracing::debug!(error = %e, "answering the browser on the sign-in redirect failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::TokioSleep;

    #[test]
    fn queries_are_decoded() {
        let q = query_pairs("code=a%2Bb+c&state=x%3Dy&empty&=v");
        assert_eq!(q[0], ("code".into(), "a+b c".into()));
        assert_eq!(q[1], ("state".into(), "x=y".into()));
        assert_eq!(q[2], ("empty".into(), String::new()));
        assert_eq!(printable("bad\r\n\u{1b}[31mred"), "bad[31mred");
    }

    /// One browser request to `uri` + `path_and_query`; the whole answer.
    async fn browse(redirect_uri: &str, path_and_query: &str) -> String {
        let host = redirect_uri
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let mut s = TcpStream::connect(&host).await.unwrap();
        let req = format!("GET {path_and_query} HTTP/1.1\r\nhost: {host}\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn the_code_with_its_state_ends_the_wait() {
        let r = Redirect::bind().await.unwrap();
        assert!(r.uri().starts_with("http://127.0.0.1:"));
        assert!(r.uri().ends_with("/oauth/callback"));
        let uri = r.uri().to_string();
        let browser = tokio::spawn(async move {
            let other = browse(&uri, "/favicon.ico").await;
            let empty = browse(&uri, "/oauth/callback").await;
            let done = browse(&uri, "/oauth/callback?code=c0de&state=st").await;
            (other, empty, done)
        });
        let code = r.code("st", &TokioSleep).await.unwrap();
        assert_eq!(code, "c0de");
        let (other, empty, done) = browser.await.unwrap();
        assert!(other.starts_with("HTTP/1.1 404"), "{other}");
        assert!(empty.starts_with("HTTP/1.1 400"), "{empty}");
        assert!(done.starts_with("HTTP/1.1 200"), "{done}");
        assert!(done.contains("The sign-in succeeded"), "{done}");
    }

    #[tokio::test]
    async fn another_state_or_an_error_fails_without_the_code() {
        for (query, expect) in [
            (
                "code=c0de-s3cr3t&state=forged",
                "state other than the one sent",
            ),
            ("error=access_denied&state=st", "refused: access_denied"),
        ] {
            let r = Redirect::bind().await.unwrap();
            let uri = r.uri().to_string();
            let path = format!("/oauth/callback?{query}");
            let browser = tokio::spawn(async move { browse(&uri, &path).await });
            let err = r.code("st", &TokioSleep).await.unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(text.contains(expect), "{text}");
            assert!(!text.contains("c0de-s3cr3t"), "{text}");
            let page = browser.await.unwrap();
            assert!(page.starts_with("HTTP/1.1 400"), "{page}");
            assert!(page.contains("The sign-in failed"), "{page}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_is_bounded() {
        let r = Redirect::bind().await.unwrap();
        let err = r.code("st", &TokioSleep).await.unwrap_err();
        assert!(err.to_string().contains("within 10 minutes"), "{err}");
    }
}
