//! One signed POST of a notice: an HTTP client that follows no redirect, gives up after the
//! timeout, ignores proxy settings (a proxy would hide the address actually reached), and
//! resolves names itself so that a name pointing to a forbidden address (loopback, private,
//! link-local, metadata) is refused at every delivery, not only when the URL was stored: DNS
//! can change between the two (DNS rebinding).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::domain::webhook::{check_url, forbidden};

/// The error text recorded when a URL or a name's address is not allowed.
pub const NOT_ALLOWED: &str = "address not allowed";

/// How long a name lookup may take when a URL is stored.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);

/// The answer to one POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The status code, when an answer came.
    pub status: Option<u16>,
    /// Why no answer came.
    pub error: Option<String>,
    /// How long it took.
    pub elapsed: Duration,
}

/// The HTTP client of the webhook sender.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_insecure: bool,
}

#[derive(Debug)]
struct NotAllowed;

impl std::fmt::Display for NotAllowed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(NOT_ALLOWED)
    }
}

impl std::error::Error for NotAllowed {}

/// Resolves a name and refuses it when any of its addresses is forbidden.
struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.iter().any(|a| forbidden(a.ip())) {
                return Err(Box::new(NotAllowed) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

impl Sender {
    /// A sender whose POSTs must be answered within `timeout`; with `allow_insecure`
    /// (`WEBHOOK_ALLOW_INSECURE`) plain http and any address are allowed.
    pub fn new(timeout: Duration, allow_insecure: bool) -> Result<Sender, String> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .timeout(timeout)
            .user_agent(concat!("sro-api-webhooks/", env!("CARGO_PKG_VERSION")));
        if !allow_insecure {
            builder = builder.https_only(true).dns_resolver(Arc::new(GuardedResolver));
        }
        let client = builder.build().map_err(|e| format!("the webhook HTTP client: {e}"))?;
        Ok(Sender { client, allow_insecure })
    }

    /// POSTs `body` to `url` with the notice id and signature headers.
    pub async fn post(&self, url: &str, notice_id: &str, signature: &str, body: Vec<u8>) -> Answer {
        let started = Instant::now();
        // An address literal never reaches the resolver: it is checked here.
        if check_url(url, self.allow_insecure).is_err() {
            return Answer { status: None, error: Some(NOT_ALLOWED.into()), elapsed: started.elapsed() };
        }
        let sent = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("Sro-Webhook-Id", notice_id)
            .header("Sro-Signature", signature)
            .body(body)
            .send()
            .await;
        match sent {
            // The body is not read: a 2xx is the whole answer, and a large one must not stall us.
            Ok(response) => {
                Answer { status: Some(response.status().as_u16()), error: None, elapsed: started.elapsed() }
            }
            Err(err) => Answer { status: None, error: Some(describe(&err)), elapsed: started.elapsed() },
        }
    }
}

/// A short, fixed description of a failed POST (never the URL: it may carry a token).
fn describe(err: &reqwest::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.downcast_ref::<NotAllowed>().is_some() {
            return NOT_ALLOWED.into();
        }
        source = e.source();
    }
    if err.is_timeout() {
        "timeout".into()
    } else if err.is_connect() {
        "connection failed".into()
    } else if err.is_redirect() {
        "redirect not followed".into()
    } else {
        "request failed".into()
    }
}

/// Checks where a URL's host name resolves before the URL is stored: refused when any address
/// is forbidden. A name that does not resolve now is accepted (it is checked again, and
/// refused or retried, at each delivery).
pub async fn check_host(url: &str, allow_insecure: bool) -> Result<(), crate::domain::i18n::Msg> {
    if allow_insecure {
        return Ok(());
    }
    let parsed = check_url(url, false)?;
    let Some(url::Host::Domain(name)) = parsed.host() else { return Ok(()) };
    let port = parsed.port_or_known_default().unwrap_or(443);
    let lookup = tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((name, port))).await;
    if let Ok(Ok(addrs)) = lookup {
        if addrs.into_iter().any(|a| forbidden(a.ip())) {
            return Err(crate::msg!("webhook_url_inside"));
        }
    }
    Ok(())
}
