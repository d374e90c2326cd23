//! Which TLS stack requests use: the one this crate's features chose, whatever else the
//! application's build compiled into reqwest.
//!
//! | feature | stack |
//! |---|---|
//! | `rustls-ring` (default) | rustls with the *ring* provider: no C library to build but ring's own small one |
//! | `rustls-aws-lc` | rustls with aws-lc-rs (reqwest's own default; builds the aws-lc C library) |
//! | `native-tls` | the platform's TLS: OpenSSL on Linux (needs its headers), SChannel, Security.framework |
//!
//! If several are on, the first of `native-tls`, `rustls-aws-lc`, `rustls-ring` is used. With
//! none, requests use whatever reqwest was built with, which may be plain http only.
//!
//! reqwest reads rustls's provider from the process-wide default. With `rustls-ring`,
//! [`client_builder`] installs ring as that default when the process has none yet; an
//! application that wants another provider installs it before building a client.

/// The stack [`client_builder`] selects: `"native-tls"`, `"rustls-aws-lc"`, `"rustls-ring"`,
/// or `None` when no TLS feature of this crate is on.
pub const STACK: Option<&str> = if cfg!(feature = "native-tls") {
    Some("native-tls")
} else if cfg!(feature = "rustls-aws-lc") {
    Some("rustls-aws-lc")
} else if cfg!(feature = "rustls-ring") {
    Some("rustls-ring")
} else {
    None
};

/// A `reqwest::ClientBuilder` set to the TLS stack of [`STACK`]. Everything else (timeouts,
/// extra roots with `tls_certs_merge`, proxies) is the caller's to add.
///
/// Build every `reqwest::Client` that talks to the API from this, rather than from
/// `reqwest::Client::builder()`: with `rustls-ring` alone, reqwest has no provider of its own
/// and a client built before one is installed panics.
///
/// ```
/// let http = agent_tasks_raw::tls::client_builder()
///     .timeout(std::time::Duration::from_secs(30))
///     .build()
///     .expect("a client");
/// # drop(http);
/// ```
pub fn client_builder() -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder();
    #[cfg(feature = "native-tls")]
    let builder = builder.tls_backend_native();
    #[cfg(all(feature = "rustls-aws-lc", not(feature = "native-tls")))]
    let builder = builder.tls_backend_rustls();
    #[cfg(all(
        feature = "rustls-ring",
        not(any(feature = "native-tls", feature = "rustls-aws-lc"))
    ))]
    let builder = {
        install_ring();
        builder.tls_backend_rustls()
    };
    builder
}

/// Makes ring rustls's process-wide provider, unless the process already has one.
#[cfg(all(
    feature = "rustls-ring",
    not(any(feature = "native-tls", feature = "rustls-aws-lc"))
))]
fn install_ring() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may install one between the check and here; that one then stays the
        // default, which serves as well.
        //
        // rustls 0.23.48 deprecates ring's provider: it has no post-quantum key exchange
        // (X25519MLKEM768), which only the aws-lc-rs provider has. That is this feature's
        // known trade (no C library to build); `rustls-aws-lc` is the choice for post-quantum
        // key exchange, and the README's features table says so.
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let _ = provider.install_default();
    }
}
