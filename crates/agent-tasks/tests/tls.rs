//! https works with the TLS stack the features chose (`rustls-ring`, `rustls-aws-lc` or
//! `native-tls`): a server on 127.0.0.1 with a certificate made for the test by its own CA.
//!
//! The client trusts that CA through a `reqwest::Client` built from
//! `agent_tasks::raw::tls::client_builder()` (the same stack the SDK's own client uses) and given
//! to `ClientBuilder::http_client`; the SDK's own client, which trusts only the system's roots,
//! must refuse the server. `.ci/run` runs this file once per TLS feature.

use std::sync::{Arc, Mutex};

use agent_tasks::Client;
use agent_tasks::retry::RetryPolicy;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TASK: &str = include_str!("fixtures/task_full.json");

/// A one-answer-per-connection https server: every request gets `TASK`.
struct TlsServer {
    url: String,
    ca: CertificateDer<'static>,
    /// The request line of every request that arrived over a completed handshake.
    requests: Arc<Mutex<Vec<String>>>,
}

async fn tls_server() -> TlsServer {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "agent-tasks test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key"))
        .expect("CA certificate");
    let key = KeyPair::generate().expect("server key");
    let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .expect("server params")
        .signed_by(&key, &ca)
        .expect("server certificate");

    // The server's own provider is given explicitly: the process-wide default is what the
    // client side is tested on.
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone(), ca.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
    .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let url = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let (acceptor, seen) = (acceptor.clone(), seen.clone());
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing to answer.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head);
                seen.lock()
                    .unwrap()
                    .push(head.lines().next().unwrap_or_default().to_owned());
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                     connection: close\r\n\r\n{TASK}",
                    TASK.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    TlsServer {
        url,
        ca: ca.der().clone(),
        requests,
    }
}

fn sdk(server: &TlsServer) -> agent_tasks::ClientBuilder {
    Client::builder()
        .token("github_pat_tls_test")
        .base_url(&server.url)
        .retry(RetryPolicy::none())
}

#[tokio::test]
async fn https_works_with_the_chosen_stack() {
    let server = tls_server().await;
    let http = agent_tasks::raw::tls::client_builder()
        .tls_certs_only([reqwest::Certificate::from_der(&server.ca).expect("the CA")])
        .build()
        .expect("a reqwest client");
    let client = sdk(&server).http_client(http).build().expect("a client");

    let task = client
        .task("b2c3d4e5-f6a7-8901-bcde-f12345678901")
        .send()
        .await
        .unwrap_or_else(|e| panic!("over https with {:?}: {e:?}", agent_tasks::raw::tls::STACK));

    assert_eq!(task.id, "b2c3d4e5-f6a7-8901-bcde-f12345678901");
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(
        requests,
        ["GET /agents/tasks/b2c3d4e5-f6a7-8901-bcde-f12345678901 HTTP/1.1"]
    );
}

#[tokio::test]
async fn the_sdks_own_client_refuses_a_certificate_it_does_not_trust() {
    let server = tls_server().await;
    let client = sdk(&server).build().expect("a client");

    let err = client
        .task("b2c3d4e5-f6a7-8901-bcde-f12345678901")
        .send()
        .await
        .expect_err("an unknown CA must be refused");

    let mut chain = format!("{err}");
    let mut source = std::error::Error::source(&err);
    while let Some(e) = source {
        chain.push_str(&format!(": {e}"));
        source = e.source();
    }
    assert!(
        chain.to_lowercase().contains("certificate"),
        "expected a certificate error, got: {chain}"
    );
    assert!(server.requests.lock().unwrap().is_empty());
}

#[test]
fn the_stack_in_use_is_the_one_the_features_chose() {
    let expected = if cfg!(feature = "native-tls") {
        Some("native-tls")
    } else if cfg!(feature = "rustls-aws-lc") {
        Some("rustls-aws-lc")
    } else if cfg!(feature = "rustls-ring") {
        Some("rustls-ring")
    } else {
        None
    };
    assert_eq!(agent_tasks::raw::tls::STACK, expected);
}

/// With `rustls-ring` alone, reqwest has no rustls provider of its own: building the SDK's client
/// must install ring as the process default, or a user's build (which has no other provider)
/// panics in `reqwest::ClientBuilder::build`. Tests have reqwest's aws-lc provider (a
/// dev-dependency), which would hide that panic, so the check is on the installed default, in a
/// process of its own (other tests install ring through `tls::client_builder`).
#[cfg(all(
    feature = "rustls-ring",
    not(any(feature = "native-tls", feature = "rustls-aws-lc"))
))]
#[test]
fn building_the_sdks_client_installs_ring_when_no_provider_is() {
    const CHILD: &str = "AGENT_TASKS_TLS_TEST_CHILD";
    if std::env::var_os(CHILD).is_none() {
        let out = std::process::Command::new(std::env::current_exe().expect("the test binary"))
            .args([
                "--exact",
                "building_the_sdks_client_installs_ring_when_no_provider_is",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .expect("the test binary runs");
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    let _client = Client::builder()
        .token("github_pat_tls_test")
        .build()
        .expect("a client");
    assert!(
        rustls::crypto::CryptoProvider::get_default().is_some(),
        "Client::builder().build() did not install a rustls provider: the SDK must build its \
         reqwest::Client from agent_tasks_raw::tls::client_builder()"
    );
}
