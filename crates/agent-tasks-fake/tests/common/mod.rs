//! Helpers shared by the test files: raw requests over a TCP stream (to send bytes no HTTP
//! client would: invalid UTF-8, broken framing, lies about lengths) and a well-formed client.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use agent_tasks_fake::DEFAULT_TOKEN;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The headers a well-behaved client sends, as raw lines.
pub const AUTH: &str = "user-agent: hostile-tests\r\nauthorization: Bearer fake-token\r\nx-github-api-version: 2022-11-28\r\n";

/// What came back from a raw request.
#[derive(Debug)]
pub struct Raw {
    /// The status, or `None` if the connection closed without an answer.
    pub status: Option<u16>,
    /// Header names (lowercase) and values.
    pub headers: Vec<(String, String)>,
    /// The body as sent (after the head).
    pub body: Vec<u8>,
}

impl Raw {
    /// The value of the first header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of header `name`.
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }
}

/// Sends `bytes` as they are and reads until the server closes (or a 5 s safety net, which a
/// passing test never reaches). Write errors are ignored: the server may close early.
pub async fn raw(addr: SocketAddr, bytes: &[u8]) -> Raw {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    let _ = stream.write_all(bytes).await;
    let mut got = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut got)).await;
    parse(&got)
}

/// A request line, the usual headers, `Connection: close`, and `body` with its length.
pub fn request(method: &str, target: &[u8], extra_headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(target);
    out.extend_from_slice(b" HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n");
    out.extend_from_slice(AUTH.as_bytes());
    out.extend_from_slice(extra_headers.as_bytes());
    if !body.is_empty() || method == "POST" || method == "PUT" {
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

fn parse(got: &[u8]) -> Raw {
    let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Raw {
            status: None,
            headers: Vec::new(),
            body: Vec::new(),
        };
    };
    let head = String::from_utf8_lossy(&got[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok());
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Raw {
        status,
        headers,
        body: got[end + 4..].to_vec(),
    }
}

/// A reqwest request with the headers GitHub wants.
pub fn api(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
) -> reqwest::RequestBuilder {
    http.request(method, url)
        .header("authorization", format!("Bearer {DEFAULT_TOKEN}"))
        .header("user-agent", "fake-tests")
        .header("x-github-api-version", "2022-11-28")
}
