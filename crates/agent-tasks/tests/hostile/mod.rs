//! A scripted HTTP/1.1 server on 127.0.0.1 that answers with raw bytes, so it can send what no
//! well-behaved server would: wrong statuses, broken headers, bodies without end, silence.
//!
//! A script sees each request (and its number, from 0) and picks a [`Reply`]. The server counts
//! connections, requests and the bytes it managed to write, and keeps every request, so a test
//! can assert that the client stayed within its bounds. Each reply closes its connection
//! (the helpers say `connection: close`), so every request opens its own and counts stay exact.
//! The listening socket has a small send buffer, so the bytes written track what the client
//! read (plus the kernel's buffers), not what the server wished to send.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// The longest request head read; a longer one closes the connection.
const MAX_HEAD: usize = 64 * 1024;
/// The longest request body read.
const MAX_BODY: usize = 1024 * 1024;
/// What an endless reply writes at most, in case a client never stops reading.
const ENDLESS_CAP: u64 = 1024 * 1024 * 1024;

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Request {
    /// Its number, from 0, in arrival order.
    pub index: usize,
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Names lowercased; values as raw bytes.
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The value of a query parameter, as sent.
    pub fn query(&self, name: &str) -> Option<&str> {
        let query = self.target.split_once('?')?.1;
        query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then_some(v)
        })
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    /// The request as it would go on to another server (which closes after answering).
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, self.target).into_bytes();
        for (n, v) in &self.headers {
            if n != "connection" {
                out.extend_from_slice(n.as_bytes());
                out.extend_from_slice(b": ");
                out.extend_from_slice(v);
                out.extend_from_slice(b"\r\n");
            }
        }
        out.extend_from_slice(b"connection: close\r\n\r\n");
        out.extend_from_slice(&self.body);
        out
    }

    /// The request whole, as text (to look for a token that must not be there).
    pub fn text(&self) -> String {
        let mut out = format!("{} {}\n", self.method, self.target);
        for (n, v) in &self.headers {
            out.push_str(&format!("{n}: {}\n", String::from_utf8_lossy(v)));
        }
        out.push_str(&String::from_utf8_lossy(&self.body));
        out
    }
}

/// What the server does with a request.
pub enum Reply {
    /// Writes these bytes, then closes the connection.
    Bytes(Vec<u8>),
    /// Writes `head`, then `chunk` again and again until the client goes away (or
    /// [`ENDLESS_CAP`]).
    Endless { head: Vec<u8>, chunk: Vec<u8> },
    /// Writes `head`, then one byte of `filler` every `every`, without end.
    Trickle {
        head: Vec<u8>,
        filler: u8,
        every: Duration,
    },
    /// Sends the request on to this server and the answer back: a proxy, which a script can
    /// make lose some requests (with [`Reply::Close`]) and pass the others.
    Forward(SocketAddr),
    /// Never answers; holds the connection until the client closes it.
    Hang,
    /// Closes the connection without a byte.
    Close,
}

type Script = dyn Fn(&Request) -> Reply + Send + Sync;

#[derive(Default)]
struct Counters {
    connections: AtomicUsize,
    requests: AtomicUsize,
    bytes_written: AtomicU64,
    log: Mutex<Vec<Request>>,
}

/// A running hostile server; it stops (and drops every connection) when dropped.
pub struct Hostile {
    addr: SocketAddr,
    counters: Arc<Counters>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    /// Starts a server that answers every request with `script`.
    pub async fn start(script: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Hostile {
        let socket = TcpSocket::new_v4().expect("a socket");
        // Accepted sockets inherit this: the kernel buffers little of an endless reply.
        socket.set_send_buffer_size(16 * 1024).expect("SO_SNDBUF");
        socket
            .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .expect("bind 127.0.0.1");
        let listener = socket.listen(64).expect("listen");
        let addr = listener.local_addr().expect("an address");
        let counters = Arc::new(Counters::default());
        let task = tokio::spawn(serve(listener, Arc::new(script), counters.clone()));
        Hostile {
            addr,
            counters,
            task,
        }
    }

    /// Starts a server that answers every request with the same bytes.
    pub async fn always(reply: impl Fn() -> Reply + Send + Sync + 'static) -> Hostile {
        Hostile::start(move |_| reply()).await
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn connections(&self) -> usize {
        self.counters.connections.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> usize {
        self.counters.requests.load(Ordering::SeqCst)
    }

    pub fn bytes_written(&self) -> u64 {
        self.counters.bytes_written.load(Ordering::SeqCst)
    }

    pub fn log(&self) -> Vec<Request> {
        self.counters.log.lock().unwrap().clone()
    }

    /// Requests whose path starts with `prefix`.
    pub fn requests_to(&self, prefix: &str) -> usize {
        self.log()
            .iter()
            .filter(|r| r.path().starts_with(prefix))
            .count()
    }
}

async fn serve(listener: TcpListener, script: Arc<Script>, counters: Arc<Counters>) {
    // Held here, so aborting the server aborts every connection too.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                counters.connections.fetch_add(1, Ordering::SeqCst);
                connections.spawn(connection(stream, script.clone(), counters.clone()));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn connection(mut stream: TcpStream, script: Arc<Script>, counters: Arc<Counters>) {
    let Some(request) = read_request(&mut stream, &counters).await else {
        return;
    };
    let reply = script(&request);
    let forwarded = matches!(reply, Reply::Forward(_)).then(|| request.to_bytes());
    counters.log.lock().unwrap().push(request);
    match reply {
        Reply::Forward(upstream) => {
            let Ok(mut up) = TcpStream::connect(upstream).await else {
                return;
            };
            if up.write_all(&forwarded.unwrap_or_default()).await.is_ok() {
                let mut buf = [0u8; 16 * 1024];
                while let Ok(n) = up.read(&mut buf).await {
                    if n == 0 || !write(&mut stream, &buf[..n], &counters).await {
                        break;
                    }
                }
            }
        }
        Reply::Bytes(bytes) => {
            write(&mut stream, &bytes, &counters).await;
        }
        Reply::Endless { head, chunk } => {
            if write(&mut stream, &head, &counters).await {
                let mut sent = 0u64;
                while sent < ENDLESS_CAP && write(&mut stream, &chunk, &counters).await {
                    sent += chunk.len() as u64;
                }
            }
        }
        Reply::Trickle {
            head,
            filler,
            every,
        } => {
            if write(&mut stream, &head, &counters).await {
                while write(&mut stream, &[filler], &counters).await {
                    tokio::time::sleep(every).await;
                }
            }
        }
        Reply::Hang => {
            // Read (and ignore) until the client closes its end.
            let mut buf = [0u8; 1024];
            while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
        }
        Reply::Close => {}
    }
    let _ = stream.shutdown().await;
}

/// Writes all of `bytes`, counting what was written; `false` once the client has gone.
async fn write(stream: &mut TcpStream, bytes: &[u8], counters: &Counters) -> bool {
    let mut rest = bytes;
    while !rest.is_empty() {
        match stream.write(rest).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => {
                counters.bytes_written.fetch_add(n as u64, Ordering::SeqCst);
                rest = &rest[n..];
            }
        }
    }
    true
}

async fn read_request(stream: &mut TcpStream, counters: &Counters) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, Vec<u8>)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().as_bytes().to_vec()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| std::str::from_utf8(v).ok()?.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_BODY);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    let index = counters.requests.fetch_add(1, Ordering::SeqCst);
    Some(Request {
        index,
        method,
        target,
        headers,
        body,
    })
}

// ---------------------------------------------------------------------------------------------
// Building replies.

/// A complete answer: the status line's tail (`"200 OK"`), headers, body. `content-length` and
/// `connection: close` are added unless `headers` names a length or a transfer encoding.
pub fn response(status: &str, headers: &[(&str, &str)], body: impl AsRef<[u8]>) -> Reply {
    let raw: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
    raw_response(status, &raw, body)
}

/// Like [`response`], with header values as raw bytes (invalid UTF-8 included).
pub fn raw_response(status: &str, headers: &[(&str, &[u8])], body: impl AsRef<[u8]>) -> Reply {
    let body = body.as_ref();
    let mut out = format!("HTTP/1.1 {status}\r\n").into_bytes();
    let framed = headers.iter().any(|(n, _)| {
        n.eq_ignore_ascii_case("content-length") || n.eq_ignore_ascii_case("transfer-encoding")
    });
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    if !framed {
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"connection: close\r\n\r\n");
    out.extend_from_slice(body);
    Reply::Bytes(out)
}

/// A JSON answer with this status and extra headers.
pub fn json(status: &str, headers: &[(&str, &str)], value: &serde_json::Value) -> Reply {
    let mut all = vec![("content-type", "application/json; charset=utf-8")];
    all.extend_from_slice(headers);
    response(status, &all, serde_json::to_vec(value).unwrap())
}

/// The head of an answer whose body never ends: chunked, or with a huge declared length.
pub fn endless(status: &str, headers: &[(&str, &str)], chunked: bool) -> Reply {
    let mut head = format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str(if chunked {
        "transfer-encoding: chunked\r\n\r\n"
    } else {
        "content-length: 3000000000\r\n\r\n"
    });
    let mut chunk = Vec::new();
    let data = vec![b' '; 16 * 1024];
    if chunked {
        chunk.extend_from_slice(format!("{:x}\r\n", data.len()).as_bytes());
        chunk.extend_from_slice(&data);
        chunk.extend_from_slice(b"\r\n");
    } else {
        chunk = data;
    }
    Reply::Endless {
        head: head.into_bytes(),
        chunk,
    }
}

/// An HTTP-date, as `Date` and `Retry-After` carry it.
pub fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

// ---------------------------------------------------------------------------------------------
// Bodies.

/// A task as the list and create operations answer it.
pub fn task(id: &str, created_at: DateTime<Utc>, creator: i64) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "state": "queued",
        "created_at": created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "creator": {"id": creator},
        "artifacts": [],
        "archived_at": null,
    })
}

/// A task with one session asking `prompt`, as the get operations answer it.
pub fn task_with_session(
    id: &str,
    created_at: DateTime<Utc>,
    creator: i64,
    prompt: &str,
) -> serde_json::Value {
    let mut t = task(id, created_at, creator);
    t["sessions"] = serde_json::json!([{
        "id": format!("s-{id}"),
        "state": "queued",
        "created_at": created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "prompt": prompt,
    }]);
    t
}

/// A list answer.
pub fn list(tasks: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({ "tasks": tasks })
}

/// GitHub's error shape.
pub fn github_error(message: &str) -> serde_json::Value {
    serde_json::json!({
        "message": message,
        "documentation_url": "https://docs.github.com/rest/agent-tasks",
    })
}

// ---------------------------------------------------------------------------------------------
// A clock that does not really sleep.

/// A clock that sleeps by moving itself forward at once and recording each nap. Its wall
/// clock starts at the real time and moves with it.
#[derive(Debug)]
pub struct Naps {
    now: Mutex<Instant>,
    utc: Mutex<DateTime<Utc>>,
    naps: Mutex<Vec<Duration>>,
}

impl Naps {
    pub fn new() -> Arc<Naps> {
        Arc::new(Naps {
            now: Mutex::new(Instant::now()),
            utc: Mutex::new(Utc::now()),
            naps: Mutex::new(Vec::new()),
        })
    }

    pub fn naps(&self) -> Vec<Duration> {
        self.naps.lock().unwrap().clone()
    }

    pub fn slept(&self) -> Duration {
        self.naps().iter().sum()
    }

    /// Moves time forward without recording a nap (time passing between calls).
    pub fn advance(&self, d: Duration) {
        *self.now.lock().unwrap() += d;
        let mut utc = self.utc.lock().unwrap();
        *utc = chrono::TimeDelta::from_std(d)
            .ok()
            .and_then(|d| utc.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
    }
}

impl agent_tasks::clock::Clock for Naps {
    fn now(&self) -> Instant {
        *self.now.lock().unwrap()
    }

    fn sleep(&self, d: Duration) -> Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        *self.now.lock().unwrap() += d;
        let mut utc = self.utc.lock().unwrap();
        *utc = chrono::TimeDelta::from_std(d)
            .ok()
            .and_then(|d| utc.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.naps.lock().unwrap().push(d);
        Box::pin(std::future::ready(()))
    }

    fn utc_now(&self) -> DateTime<Utc> {
        *self.utc.lock().unwrap()
    }
}

// ---------------------------------------------------------------------------------------------
// Clients.

/// The token the clients of these tests send; a hostile server may echo it back.
pub const TOKEN: &str = "github_pat_11AAAAAAA0_HoStIlEsErVeRtOkEn";

/// A client of `server` on the nap clock, without retries unless a test asks for them.
pub fn builder(server: &Hostile, clock: &Arc<Naps>) -> agent_tasks::ClientBuilder {
    agent_tasks::Client::builder()
        .token(TOKEN)
        .base_url(server.url())
        .user_agent("hostile-tests/1.0")
        .clock(clock.clone())
        .retry(agent_tasks::retry::RetryPolicy::none())
}

/// [`builder`], built.
pub fn client(server: &Hostile, clock: &Arc<Naps>) -> agent_tasks::Client {
    builder(server, clock).build().expect("valid settings")
}

/// One runtime for property tests, whose cases are not async: the servers they share live on
/// it across cases.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    })
}
