//! A fault-injecting TCP proxy on 127.0.0.1, between a client and a real server (moto): each
//! connection takes the next fault from a queue (pass-through once the queue is empty) and
//! applies it to the server's answer: reset or close after N bytes, stall after N bytes,
//! flip one byte, close before any answer, or answer itself with a canned status; or to the
//! request: flip one byte of what the client sends. The head of every request that goes
//! through is recorded ([`FaultProxy::requests`]), to assert what a client sent.
//!
//! Bounded: at most 256 connections, each pumped by two threads that end with the
//! connection. Owns the proxy. Does not own any assertion.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to do to one connection's answer.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Forward the first `n` bytes of the answer, then reset the connection.
    ResetAfter(usize),
    /// Forward the first `n` bytes, then close cleanly (a truncated body).
    CloseAfter(usize),
    /// Forward the first `n` bytes, then send nothing more for `for_` (a stall).
    StallAfter(usize, Duration),
    /// Flip byte `n` of the answer (XOR 0x01).
    FlipByte(usize),
    /// Close as soon as the request arrives, before any answer.
    CloseBeforeHeaders,
    /// Answer with this status line and no body, without asking the server
    /// (`"503 Slow Down"`).
    Answer(&'static str),
    /// Flip byte `n` of what the client sends on this connection (XOR 0x01), counting
    /// from the first byte of its first request.
    FlipRequestByte(usize),
}

/// A running proxy; stops accepting when dropped.
pub struct FaultProxy {
    pub port: u16,
    faults: Arc<Mutex<VecDeque<Fault>>>,
    connections: Arc<Mutex<usize>>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl FaultProxy {
    /// A proxy to `127.0.0.1:upstream_port`.
    pub fn start(upstream_port: u16) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fault proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let faults = Arc::new(Mutex::new(VecDeque::new()));
        let connections = Arc::new(Mutex::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (q, count, log) = (faults.clone(), connections.clone(), requests.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().take(256).flatten() {
                *count.lock().unwrap_or_else(|p| p.into_inner()) += 1;
                let fault = q.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
                let log = log.clone();
                std::thread::spawn(move || serve(client, upstream_port, fault, log));
            }
        });
        FaultProxy {
            port,
            requests,
            faults,
            connections,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Queue faults for the next connections, in order.
    pub fn push(&self, faults: impl IntoIterator<Item = Fault>) {
        self.faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(faults);
    }

    /// The head (request line and headers, as sent) of every request so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        *self.connections.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn serve(
    mut client: TcpStream,
    upstream_port: u16,
    fault: Option<Fault>,
    log: Arc<Mutex<Vec<String>>>,
) {
    match fault {
        Some(Fault::CloseBeforeHeaders) => {
            let mut buf = [0u8; 4096];
            let _ = client.read(&mut buf);
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
        Some(Fault::Answer(status)) => {
            let mut buf = [0u8; 65536];
            let _ = client.read(&mut buf);
            let answer =
                format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = client.write_all(answer.as_bytes());
            return;
        }
        _ => {}
    }
    let Ok(upstream) = TcpStream::connect(("127.0.0.1", upstream_port)) else {
        return;
    };
    let (Ok(mut up_w), Ok(mut client_r)) = (upstream.try_clone(), client.try_clone()) else {
        return;
    };
    let flip = match fault {
        Some(Fault::FlipRequestByte(n)) => Some(n),
        _ => None,
    };
    std::thread::spawn(move || {
        pump_requests(&mut client_r, &mut up_w, flip, &log);
        let _ = up_w.shutdown(Shutdown::Write);
    });
    let mut up_r = upstream;
    let mut sent = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match up_r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &mut buf[..n];
        let limit = match &fault {
            Some(Fault::ResetAfter(k))
            | Some(Fault::CloseAfter(k))
            | Some(Fault::StallAfter(k, _)) => Some(*k),
            _ => None,
        };
        if let Some(Fault::FlipByte(at)) = fault {
            if at >= sent && at < sent + n {
                chunk[at - sent] ^= 0x01;
            }
        }
        if let Some(k) = limit.filter(|k| sent + n >= *k) {
            let _ = client.write_all(&chunk[..k - sent]);
            match fault {
                Some(Fault::ResetAfter(_)) => {
                    // SO_LINGER 0 would be a true RST; closing both ways mid-body is
                    // what the client sees as a reset connection here.
                    let _ = client.shutdown(Shutdown::Both);
                }
                Some(Fault::StallAfter(_, d)) => {
                    std::thread::sleep(d);
                    let _ = client.shutdown(Shutdown::Both);
                }
                _ => {
                    let _ = client.shutdown(Shutdown::Both);
                }
            }
            return;
        }
        if client.write_all(chunk).is_err() {
            break;
        }
        sent += n;
    }
    let _ = client.shutdown(Shutdown::Both);
}

/// Copy the client's requests to the server, flipping byte `flip` if given, and record
/// each request's head: the bytes up to the blank line, then `Content-Length` bytes of
/// body skipped (the client sends no chunked bodies).
fn pump_requests(
    from: &mut TcpStream,
    to: &mut TcpStream,
    flip: Option<usize>,
    log: &Mutex<Vec<String>>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut seen = 0usize;
    let mut head: Vec<u8> = Vec::new();
    let mut body_left = 0usize;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let chunk = &mut buf[..n];
        if let Some(at) = flip.filter(|at| *at >= seen && *at < seen + n) {
            chunk[at - seen] ^= 0x01;
        }
        seen += n;
        let mut rest: &[u8] = chunk;
        while !rest.is_empty() {
            if body_left > 0 {
                let k = body_left.min(rest.len());
                body_left -= k;
                rest = &rest[k..];
                continue;
            }
            head.push(rest[0]);
            rest = &rest[1..];
            if head.ends_with(b"\r\n\r\n") {
                let text = String::from_utf8_lossy(&head).into_owned();
                body_left = text
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.trim().parse().ok())
                    .unwrap_or(0);
                log.lock().unwrap_or_else(|p| p.into_inner()).push(text);
                head.clear();
            }
        }
        if to.write_all(chunk).is_err() {
            return;
        }
    }
}
