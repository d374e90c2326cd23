//! A server that echoes the token back (in its error message, its errors, its documentation
//! URL, its request id, an HTML page) cannot get it into an error, its `Display`, its `Debug`
//! or a trace. One test in its own file (its own process): it installs a tracing subscriber,
//! and tracing caches which callsites are interesting across the threads of a process, so a
//! test beside it could leave the events it reads disabled.

#[path = "hostile/mod.rs"]
mod hostile;

use std::sync::Arc;

use agent_tasks::Error;
use hostile::*;
use serde_json::json;

/// The error, its `Display` with every cause, and its `Debug`, as one text.
fn all_text(e: &Error) -> String {
    let mut text = format!("{e}\n{e:?}\n{:?}", e.hint());
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!("\n{s}"));
        source = s.source();
    }
    text
}

#[tokio::test]
async fn an_answer_that_echoes_the_token_does_not_put_it_in_an_error() {
    let echo = |r: &Request, status: &str, json_body: bool| {
        let auth = r.header("authorization").unwrap_or_default();
        if json_body {
            json(
                status,
                &[("x-github-request-id", &auth)],
                &json!({"message": format!("Bad credentials: {auth}"), "errors": [auth.clone(), {"code": "custom", "message": auth}], "documentation_url": auth}),
            )
        } else {
            response(
                status,
                &[("content-type", "text/html")],
                format!(
                    "<html><pre>GET {} \nAuthorization: {auth}</pre></html>",
                    r.target
                ),
            )
        }
    };
    // Traces too: every span and event of the requests, at every level.
    let traces = Traces::default();
    let writer = traces.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    for (status, json_body) in [
        ("401 Unauthorized", true),
        ("502 Bad Gateway", false),
        ("200 OK", false),
        ("200 OK", true),
    ] {
        let server = Hostile::start(move |r| echo(r, status, json_body)).await;
        let clock = Naps::new();
        let c = client(&server, &clock);
        let e = c.task("t1").send().await.unwrap_err();
        assert!(!format!("{:?}", c.rate_limit()).contains(TOKEN));
        assert!(
            server.log()[0].text().contains(TOKEN),
            "the server did get the token"
        );
        let text = all_text(&e);
        assert!(!text.contains(TOKEN), "{status}: the token leaked:\n{text}");
        assert!(!text.contains("HoStIlEsErVeRtOkEn"), "{status}: {text}");
    }
    let traces = String::from_utf8_lossy(&traces.0.lock().unwrap()).into_owned();
    assert!(
        traces.contains(r#"request_id="Bearer <redacted>""#),
        "the echoed request id was traced, redacted:\n{traces}"
    );
    assert!(
        !traces.contains(TOKEN),
        "the token is in the traces:\n{traces}"
    );
}

/// Trace output, kept in memory.
#[derive(Clone, Default)]
struct Traces(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Traces {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
