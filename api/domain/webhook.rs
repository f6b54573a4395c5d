//! Webhooks (API.md §8): subscriptions, the thin notices they carry, the signature, the retry
//! schedule and the rules on where a notice may be sent (SSRF). Pure rules; the queue is in
//! `service::webhooks` and the sending in `push`.

use std::net::{IpAddr, Ipv4Addr};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Sha256;
use utoipa::ToSchema;
use uuid::Uuid;

use super::change::ChangeOp;
use super::i18n::Msg;
use super::query::{Params, Window};
use super::validate::{parse_uuid, FieldError, Fields};
use crate::msg;
use crate::string_enum;

string_enum! {
    /// A kind of record of the change feed, as in its path.
    FeedResource {
        /// School boards.
        Boards => "boards",
        /// Schools.
        Schools => "schools",
        /// Officers.
        Officers => "officers",
        /// SRO assignments.
        Assignments => "assignments",
        /// Agencies.
        Agencies => "agencies",
        /// Persons.
        Persons => "persons",
        /// Incidents.
        Incidents => "incidents",
        /// Referrals.
        Referrals => "referrals",
        /// YCJA outcomes.
        Outcomes => "outcomes",
        /// Disclosures to schools.
        Disclosures => "disclosures",
        /// Service requests.
        ServiceRequests => "service_requests",
        /// Safety presentations.
        Presentations => "presentations",
    }
}

string_enum! {
    /// What came of one attempt to deliver a notice.
    DeliveryOutcome {
        /// The receiver answered 2xx within the time allowed.
        Delivered => "delivered",
        /// It did not; the notice is tried again at `next_retry_at`.
        Retrying => "retrying",
        /// It did not, and 3 days of retries are spent: the subscription is `failing`.
        Abandoned => "abandoned",
    }
}

/// Longest URL accepted.
pub const MAX_URL: usize = 2000;
/// The first retry comes this long after a failure; each next one twice as long after.
pub const FIRST_RETRY_SECONDS: i64 = 60;
/// Retries are never further apart than this (6 hours).
pub const MAX_RETRY_SECONDS: i64 = 6 * 3600;
/// A notice undelivered this long after it was queued is given up, and its subscription marked
/// `failing` (3 days).
pub const GIVE_UP_AFTER_HOURS: i64 = 72;
/// The secret before a rotation signs too, for this long (24 hours).
pub const ROTATION_OVERLAP_HOURS: i64 = 24;
/// Deliveries are kept (and listed) this many days.
pub const KEEP_DAYS: i64 = 30;

/// A subscription (never with its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Webhook {
    /// Server-generated id.
    pub id: Uuid,
    /// The client whose view the notices follow: it gets what its change feed would show it.
    pub client_id: Uuid,
    /// Where notices are POSTed (`https://`).
    #[schema(example = "https://cas.example.org/sro-hooks")]
    pub url: String,
    /// Only changes of these kinds of record; null for all the client may see.
    pub resources: Option<Vec<FeedResource>>,
    /// A note for the unit.
    pub description: Option<String>,
    /// False while switched off: nothing is queued or sent.
    pub active: bool,
    /// True once a notice went undelivered for 3 days: nothing is queued or sent until `active`
    /// is set to true again; the client catches up from the change feed.
    pub failing: bool,
    /// When it became failing.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation still signs (a second `v1` value).
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    /// When the record was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

/// A subscription with its secret: answered once, at creation or rotation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookWithSecret {
    /// The subscription.
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The key of `Sro-Signature`'s HMAC-SHA256: the UTF-8 bytes of this string. Shown this
    /// once; keep it like a password.
    #[schema(example = "whsec_3q2-7wJf0yWfE4kqHk6x1mQ5dJc6bXzYp3O9gW2vN0s")]
    pub secret: String,
}

/// The body of `POST /v1/webhooks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// The client to notify (any role but dashboard, which sees no records).
    pub client_id: Uuid,
    /// `https://` URL that does not resolve to a loopback, private, link-local or metadata
    /// address.
    #[schema(max_length = 2000, pattern = "^[hH][tT][tT][pP][sS]?://[^\\u0000]+$")]
    pub url: String,
    /// Only changes of these kinds of record (at least one); absent or null for all.
    #[schema(min_items = 1)]
    pub resources: Option<Vec<FeedResource>>,
    /// A note for the unit.
    #[schema(max_length = 500, pattern = "^[^\\u0000]*$")]
    pub description: Option<String>,
}

/// What a PATCH of a subscription may change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    /// New URL, checked like at creation.
    #[schema(max_length = 2000, pattern = "^[hH][tT][tT][pP][sS]?://[^\\u0000]+$")]
    pub url: Option<String>,
    /// New filter (null: every resource).
    #[schema(min_items = 1)]
    pub resources: Option<Vec<FeedResource>>,
    /// False switches it off and drops what is queued; true switches it on (and ends `failing`)
    /// from the feed's head: changes made while it was off are not sent.
    pub active: Option<bool>,
}

/// The settable fields of a subscription, once read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookInput {
    /// The URL, as checked.
    pub url: String,
    /// The resources filter.
    pub resources: Option<Vec<FeedResource>>,
    /// The note.
    pub description: Option<String>,
    /// On or off.
    pub active: bool,
}

/// Reads `client_id` and the settable fields of a new subscription.
pub fn parse_new(map: &Map<String, Value>, allow_insecure: bool) -> Result<(Uuid, WebhookInput), Vec<FieldError>> {
    let mut f = Fields::new(map, "");
    let client = f.req_uuid("client_id");
    let input = read_settable(&mut f, allow_insecure, Some(true));
    f.finish()?;
    Ok((client, input))
}

/// Reads a subscription after a merge patch (the stored one with the patch applied); only `url`,
/// `resources` and `active` may be in the patch itself (see [`PATCHABLE`]).
pub fn parse_merged(map: &Map<String, Value>, allow_insecure: bool) -> Result<WebhookInput, Vec<FieldError>> {
    let mut f = Fields::new(map, "");
    let input = read_settable(&mut f, allow_insecure, None);
    f.finish()?;
    Ok(input)
}

/// The fields a PATCH may name.
pub const PATCHABLE: &[&str] = &["url", "resources", "active"];

/// Reads `url`, `resources` and `description`; `active` is read by the PATCH path only (a new
/// subscription is active, and the stored value is always in the merged object, so a
/// `null` in a patch is refused as a missing value rather than taken as the default).
fn read_settable(f: &mut Fields, allow_insecure: bool, active: Option<bool>) -> WebhookInput {
    let url = f.req_with("url", |s| check_url(s, allow_insecure).map(|_| s.to_owned()));
    let resources = f.opt_str_list("resources").and_then(|names| {
        if names.is_empty() {
            f.error("resources", msg!("webhook_resources_empty"));
            return None;
        }
        let mut out: Vec<FeedResource> = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match name.parse::<FeedResource>() {
                Ok(r) if !out.contains(&r) => out.push(r),
                Ok(_) => f.error(&format!("resources[{i}]"), msg!("appears_more_than_once")),
                Err(message) => f.error(&format!("resources[{i}]"), message),
            }
        }
        Some(out)
    });
    let description = f.opt_str("description", 500);
    let active = active.unwrap_or_else(|| f.req_bool("active"));
    WebhookInput { url, resources, description, active }
}

/// The stored settable fields, as the base a merge patch applies to.
#[derive(Debug, Clone, Serialize)]
pub struct Settable {
    url: String,
    resources: Option<Vec<FeedResource>>,
    description: Option<String>,
    active: bool,
}

impl Settable {
    /// Stored values a patch can be checked against before the record is read.
    pub fn placeholder() -> Settable {
        Settable { url: "https://placeholder.example/".into(), resources: None, description: None, active: true }
    }
}

impl From<&Webhook> for Settable {
    fn from(w: &Webhook) -> Self {
        Settable {
            url: w.url.clone(),
            resources: w.resources.clone(),
            description: w.description.clone(),
            active: w.active,
        }
    }
}

/// Filters of `GET /v1/webhooks`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookQuery {
    /// Only this client's subscriptions.
    pub client_id: Option<Uuid>,
}

impl WebhookQuery {
    /// Reads the filter and the list window from a raw query string.
    pub fn parse(raw: &str) -> Result<(WebhookQuery, Window), Vec<FieldError>> {
        let mut p = Params::new(raw)?;
        let query = WebhookQuery { client_id: p.opt("client_id", parse_uuid) };
        Ok((query, p.finish()?))
    }
}

/// Reads the window of `GET /v1/webhooks/{id}/deliveries`; its cursors belong to that
/// subscription.
pub fn parse_deliveries(raw: &str, webhook: &str) -> Result<Window, Vec<FieldError>> {
    let mut p = Params::new(raw)?;
    p.bind("@webhook_id", webhook);
    p.finish()
}

/// Checks a webhook URL: `https://` (or `http://` when `allow_insecure`), a host, no user or
/// password, at most [`MAX_URL`] characters, and an address literal that is not forbidden
/// ([`forbidden`]). A name is resolved and checked where the URL is stored and again at each
/// delivery (`push::sender`), since what it resolves to can change.
pub fn check_url(text: &str, allow_insecure: bool) -> Result<url::Url, Msg> {
    if text.chars().count() > MAX_URL {
        return Err(msg!("at_most_characters", max = MAX_URL));
    }
    if !super::pattern::matches(super::pattern::WEBHOOK_URL, text) {
        return Err(msg!("webhook_url_form"));
    }
    let url = url::Url::parse(text).map_err(|_| msg!("webhook_url_form"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure => {}
        _ => return Err(msg!("webhook_url_https")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(msg!("webhook_url_credentials"));
    }
    if url.fragment().is_some() {
        return Err(msg!("webhook_url_fragment"));
    }
    let address = match url.host() {
        None => return Err(msg!("webhook_url_host")),
        Some(url::Host::Domain(_)) => None,
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
    };
    if address.is_some_and(|ip| !allow_insecure && forbidden(ip)) {
        return Err(msg!("webhook_url_inside"));
    }
    Ok(url)
}

/// True for an address a notice must never go to: loopback, private, shared (carrier-grade
/// NAT), link-local (where cloud metadata services answer, 169.254.169.254), unspecified,
/// broadcast, multicast, documentation and reserved ranges, and IPv6's unique-local and
/// link-local ones; IPv4 inside IPv6 (mapped, NAT64) is judged as IPv4.
pub fn forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits, 6to4
            // (2002::/16) the one in bits 16 to 48; a local-use NAT64 prefix (64:ff9b:1::/48)
            // can reach anything inside.
            if s[0..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                return forbidden_v4(Ipv4Addr::from(((s[6] as u32) << 16) | s[7] as u32));
            }
            if s[0] == 0x2002 {
                return forbidden_v4(Ipv4Addr::from(((s[1] as u32) << 16) | s[2] as u32));
            }
            if s[0..3] == [0x64, 0xff9b, 1] {
                return true;
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local, fd00:ec2::254 among them
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0..5] == [0, 0, 0, 0, 0]) // IPv4-compatible and other ::/80 oddities
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (RFC 6598)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // documentation
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || a >= 240 // reserved
}

/// A notice as POSTed: thin, never personal data; the receiver GETs the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Notice {
    /// The notice id, also in `Sro-Webhook-Id`; the same on every retry.
    pub id: Uuid,
    /// Always `change`.
    #[serde(rename = "type")]
    #[schema(example = "change")]
    pub type_: String,
    /// The change-feed entry's number: `GET /v1/changes?after=<seq>` continues from here.
    pub seq: i64,
    /// The kind of record, as in its path.
    pub resource: String,
    /// The record's id.
    pub resource_id: String,
    /// What happened, as the client's change feed would say it at delivery time.
    pub op: ChangeOp,
    /// When the change was made (UTC).
    pub at: DateTime<Utc>,
}

/// One attempt to deliver a notice (`GET /v1/webhooks/{id}/deliveries`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    /// The attempt's id.
    pub id: Uuid,
    /// The notice (`Sro-Webhook-Id`).
    pub notice_id: Uuid,
    /// The notice's `seq`.
    pub seq: i64,
    /// The `op` sent.
    pub op: ChangeOp,
    /// 1 for the first try of this notice.
    pub attempt: i32,
    /// When the POST started (UTC).
    pub attempted_at: DateTime<Utc>,
    /// How long it took, in milliseconds.
    pub duration_ms: i32,
    /// The receiver's status code; null when none came.
    pub status_code: Option<i32>,
    /// Why it failed when no status tells (`timeout`, `connection refused`, `address not allowed`).
    pub error: Option<String>,
    /// What came of it.
    pub outcome: DeliveryOutcome,
    /// When the notice is tried again.
    pub next_retry_at: Option<DateTime<Utc>>,
}

/// The `Sro-Signature` value: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`,
/// one `v1` per secret (the current one first; two during a rotation).
pub fn signature(secrets: &[&str], t: i64, body: &[u8]) -> String {
    let mut out = format!("t={t}");
    for secret in secrets {
        // HMAC accepts a key of any length.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { continue };
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        out.push_str(",v1=");
        for byte in mac.finalize().into_bytes() {
            out.push_str(&format!("{byte:02x}"));
        }
    }
    out
}

/// A new secret: 32 random bytes, base64url, with a `whsec_` prefix so it is recognisable.
pub fn new_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// When a notice that failed for the `failures`-th time is tried again: 1 minute after the
/// first failure, doubling, at most 6 hours apart, and a last time exactly 3 days after it was
/// queued; `None` once those 3 days are over (give up).
pub fn next_retry(queued_at: NaiveDateTime, now: NaiveDateTime, failures: i32) -> Option<NaiveDateTime> {
    let doublings = (failures.max(1) - 1).min(20) as u32;
    let wait = (FIRST_RETRY_SECONDS << doublings).min(MAX_RETRY_SECONDS);
    let last = queued_at + Duration::hours(GIVE_UP_AFTER_HOURS);
    (now < last).then(|| (now + Duration::seconds(wait)).min(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    /// Catches a signature computed over anything but `t.body` with the secret as the key, or
    /// the previous secret's value missing during a rotation (receivers would refuse).
    #[test]
    fn the_signature_is_hmac_sha256_of_t_dot_body_once_per_secret() {
        // A known answer computed independently (python3 -c "import hmac,hashlib;
        // print(hmac.new(b'whsec_test', b'1700000000.{}', hashlib.sha256).hexdigest())").
        let one = signature(&["whsec_test"], 1_700_000_000, b"{}");
        assert_eq!(one, "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91");
        let two = signature(&["new", "old"], 5, b"x");
        assert_eq!(two.matches(",v1=").count(), 2);
        assert!(two.starts_with("t=5,v1="));
        assert_ne!(signature(&["a"], 5, b"x"), signature(&["a"], 6, b"x"), "t is signed");
    }

    /// Catches retries that do not double, exceed 6 hours apart, or go on past 3 days.
    #[test]
    fn retries_double_from_a_minute_to_six_hours_for_three_days() {
        let queued = at("2026-12-01 00:00:00");
        assert_eq!(next_retry(queued, queued, 1), Some(at("2026-12-01 00:01:00")));
        assert_eq!(next_retry(queued, queued, 2), Some(at("2026-12-01 00:02:00")));
        assert_eq!(next_retry(queued, queued, 9), Some(at("2026-12-01 04:16:00")));
        assert_eq!(next_retry(queued, queued, 10), Some(at("2026-12-01 06:00:00")));
        assert_eq!(next_retry(queued, queued, 40), Some(at("2026-12-01 06:00:00")));
        assert_eq!(next_retry(queued, at("2026-12-03 18:00:00"), 20), Some(at("2026-12-04 00:00:00")));
        assert_eq!(
            next_retry(queued, at("2026-12-03 20:00:00"), 20),
            Some(at("2026-12-04 00:00:00")),
            "a last try at 3 days"
        );
        assert_eq!(next_retry(queued, at("2026-12-04 00:00:00"), 21), None, "3 days over: give up");
    }

    /// Catches a URL rule that lets a notice reach the service's own network or a cloud
    /// metadata service, or accepts plain http outside development.
    #[test]
    fn urls_must_be_https_and_never_point_inside() {
        assert!(check_url("https://cas.example.org/hooks?x=1", false).is_ok());
        for bad in [
            "http://cas.example.org/hooks",
            "ftp://cas.example.org/",
            "https://user:pw@cas.example.org/",
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://172.16.0.1/",
            "https://192.168.1.1/",
            "https://169.254.169.254/latest/meta-data/",
            "https://100.100.100.200/",
            "https://0.0.0.0/",
            "https://[::1]/",
            "https://[fe80::1]/",
            "https://[fd00:ec2::254]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://[2002:7f00:1::]/",
            "https://[64:ff9b:1::1]/",
            "https://2130706433/",
            "https://0x7f.1/",
            "not a url",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
        assert!(check_url("http://127.0.0.1:8080/hook", true).is_ok(), "WEBHOOK_ALLOW_INSECURE lifts both rules");
        assert!(!forbidden("93.184.216.34".parse().unwrap()));
        assert!(!forbidden("2606:2800:220:1:248:1893:25c8:1946".parse().unwrap()));
    }
}
