//! Every environment variable the service reads, read and validated once.

use std::fmt;

use crate::domain::access_period::AccessPeriods;

/// Settings of one process.
#[derive(Clone)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://sro.db` (default) or `postgres://…`.
    pub database_url: String,
    /// `BIND_ADDR`: where `serve` listens (default `127.0.0.1:8080`; port 0 picks one).
    pub bind_addr: String,
    /// `JWT_SIGNING_KEY`: a PEM private key (P-256, PKCS#8 or SEC1) or a path to one.
    pub jwt_signing_key: Option<String>,
    /// `JWT_PREVIOUS_KEYS`: comma-separated PEM public keys, or paths, still accepted.
    pub jwt_previous_keys: Vec<String>,
    /// `JWT_ISSUER` (default `sro-api`).
    pub jwt_issuer: String,
    /// `JWT_AUDIENCE` (default `sro-api`).
    pub jwt_audience: String,
    /// `TOKEN_TTL_SECONDS` (default 900).
    pub token_ttl_seconds: i64,
    /// `DB_POOL_SIZE` (default 10).
    pub db_pool_size: u32,
    /// `HTTP_WORKERS`: HTTP worker threads, each with its own pipelined read connection on
    /// PostgreSQL (default 0: one per two cores; at most 256).
    pub http_workers: usize,
    /// `SHUTDOWN_GRACE_SECONDS`: how long in-flight requests may take to finish (default 30).
    pub shutdown_grace_seconds: u64,
    /// `BODY_TIMEOUT_SECONDS`: how long a request body may take to arrive (default 30), else 408.
    pub body_timeout_seconds: u64,
    /// `RATE_LIMIT_PER_MINUTE`: requests per client per minute on this instance; unset or `off`:
    /// no limit (the default).
    pub rate_limit_per_minute: Option<u32>,
    /// `CHANGES_RETENTION_DAYS`: how long change-feed entries are kept (default 90).
    pub changes_retention_days: i64,
    /// `SUPPRESSION_MIN_COUNT`: the smallest count the `dashboard` role sees in statistics
    /// (default 5); counts from 1 to one less are suppressed (`domain::stats::suppress`).
    pub suppression_min_count: i64,
    /// `RETENTION_NO_MEASURE_DAYS`: how long a person with no outcome is kept after the last
    /// record naming them was resolved (default 730).
    pub retention_no_measure_days: i64,
    /// `RETENTION_GRACE_DAYS`: how long a sealed person waits before destruction (default 30).
    pub retention_grace_days: i64,
    /// `PURGE_AT`: the city-local time `serve` runs the daily retention pass (default 02:30);
    /// `off` (None) disables it.
    pub purge_at: Option<chrono::NaiveTime>,
    /// The YCJA s. 119(2) access periods: the table `ACCESS_PERIODS_FILE` names, else the one
    /// built in (`api/data/ycja_access_periods.csv`); checked at start.
    pub access_periods: std::sync::Arc<AccessPeriods>,
    /// `WEBHOOK_ALLOW_INSECURE`: `true` lets webhook URLs be `http://` and point to loopback or
    /// private addresses (development and tests only; the start-up log says so). Default false.
    pub webhook_allow_insecure: bool,
    /// `WEBHOOK_TIMEOUT_SECONDS`: how long a receiver has to answer 2xx (default 10, at most 60).
    pub webhook_timeout_seconds: u64,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind_addr", &self.bind_addr)
            .field("jwt_signing_key", &self.jwt_signing_key.as_ref().map(|_| "<redacted>"))
            .field("jwt_previous_keys", &self.jwt_previous_keys.len())
            .field("jwt_issuer", &self.jwt_issuer)
            .field("jwt_audience", &self.jwt_audience)
            .field("token_ttl_seconds", &self.token_ttl_seconds)
            .field("db_pool_size", &self.db_pool_size)
            .field("http_workers", &self.http_workers)
            .field("shutdown_grace_seconds", &self.shutdown_grace_seconds)
            .field("body_timeout_seconds", &self.body_timeout_seconds)
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field("changes_retention_days", &self.changes_retention_days)
            .field("suppression_min_count", &self.suppression_min_count)
            .field("retention_no_measure_days", &self.retention_no_measure_days)
            .field("retention_grace_days", &self.retention_grace_days)
            .field("purge_at", &self.purge_at)
            .field("access_periods", &self.access_periods)
            .field("webhook_allow_insecure", &self.webhook_allow_insecure)
            .field("webhook_timeout_seconds", &self.webhook_timeout_seconds)
            .finish()
    }
}

/// Hides the passwords in a database URL for logging: the `user:password@` part and any
/// `password=` or `sslpassword=` query parameter.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut out = match (base.find("://"), base.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &base[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &base[..scheme_end + 3], &base[at..])
        }
        _ => base.to_owned(),
    };
    if let Some(query) = query {
        let params: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.to_ascii_lowercase().ends_with("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://sro.db".into(),
            bind_addr: "127.0.0.1:8080".into(),
            jwt_signing_key: None,
            jwt_previous_keys: Vec::new(),
            jwt_issuer: "sro-api".into(),
            jwt_audience: "sro-api".into(),
            token_ttl_seconds: 900,
            db_pool_size: 10,
            http_workers: 0,
            shutdown_grace_seconds: 30,
            body_timeout_seconds: 30,
            rate_limit_per_minute: None,
            changes_retention_days: 90,
            suppression_min_count: 5,
            retention_no_measure_days: 730,
            retention_grace_days: 30,
            purge_at: chrono::NaiveTime::from_hms_opt(2, 30, 0),
            // Checked by `domain::access_period`'s tests, and again by `from_lookup` at start; an
            // empty table (were it broken) would only keep every record (null periods).
            access_periods: std::sync::Arc::new(AccessPeriods::built_in().unwrap_or_default()),
            webhook_allow_insecure: false,
            webhook_timeout_seconds: 10,
        }
    }
}

/// What the retention rules need of the settings (defaults: 730 and 30 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionSettings {
    /// `RETENTION_NO_MEASURE_DAYS`.
    pub no_measure_days: i64,
    /// `RETENTION_GRACE_DAYS`.
    pub grace_days: i64,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        RetentionSettings { no_measure_days: 730, grace_days: 30 }
    }
}

impl Config {
    /// The retention settings.
    pub fn retention(&self) -> RetentionSettings {
        RetentionSettings { no_measure_days: self.retention_no_measure_days, grace_days: self.retention_grace_days }
    }

    /// Reads the environment; a bad value is an error naming the variable.
    pub fn from_env() -> Result<Config, String> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads settings through `get` (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let d = Config::default();
        let text = |key: &str, default: String| get(key).filter(|v| !v.is_empty()).unwrap_or(default);
        let number = |key: &str, default: i64, min: i64| -> Result<i64, String> {
            match get(key).filter(|v| !v.is_empty()) {
                None => Ok(default),
                Some(v) => v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= min)
                    .ok_or_else(|| format!("{key} must be a whole number of at least {min}")),
            }
        };
        Ok(Config {
            database_url: text("DATABASE_URL", d.database_url),
            bind_addr: text("BIND_ADDR", d.bind_addr),
            jwt_signing_key: get("JWT_SIGNING_KEY").filter(|v| !v.trim().is_empty()),
            jwt_previous_keys: get("JWT_PREVIOUS_KEYS").map(|v| split_keys(&v)).unwrap_or_default(),
            jwt_issuer: text("JWT_ISSUER", d.jwt_issuer),
            jwt_audience: text("JWT_AUDIENCE", d.jwt_audience),
            token_ttl_seconds: number("TOKEN_TTL_SECONDS", d.token_ttl_seconds, 60)?,
            db_pool_size: number("DB_POOL_SIZE", i64::from(d.db_pool_size), 1)? as u32,
            http_workers: match number("HTTP_WORKERS", d.http_workers as i64, 0)? {
                n if n > 256 => return Err("HTTP_WORKERS must be at most 256 (0: one per two cores)".into()),
                n => n as usize,
            },
            shutdown_grace_seconds: number("SHUTDOWN_GRACE_SECONDS", d.shutdown_grace_seconds as i64, 0)? as u64,
            body_timeout_seconds: number("BODY_TIMEOUT_SECONDS", d.body_timeout_seconds as i64, 1)? as u64,
            changes_retention_days: number("CHANGES_RETENTION_DAYS", d.changes_retention_days, 1)?,
            rate_limit_per_minute: match get("RATE_LIMIT_PER_MINUTE").map(|v| v.trim().to_ascii_lowercase()) {
                None => None,
                Some(v) if v.is_empty() || v == "off" => None,
                Some(v) => Some(
                    v.parse::<u32>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or("RATE_LIMIT_PER_MINUTE must be a whole number of at least 1, or off")?,
                ),
            },
            suppression_min_count: number("SUPPRESSION_MIN_COUNT", d.suppression_min_count, 1)?,
            retention_no_measure_days: number("RETENTION_NO_MEASURE_DAYS", d.retention_no_measure_days, 1)?,
            retention_grace_days: number("RETENTION_GRACE_DAYS", d.retention_grace_days, 0)?,
            purge_at: match get("PURGE_AT").map(|v| v.trim().to_ascii_lowercase()) {
                None => d.purge_at,
                Some(v) if v.is_empty() => d.purge_at,
                Some(v) if v == "off" => None,
                Some(v) => Some(
                    chrono::NaiveTime::parse_from_str(&v, "%H:%M")
                        .map_err(|_| "PURGE_AT must be a local time HH:MM (24-hour), or off".to_string())?,
                ),
            },
            access_periods: match get("ACCESS_PERIODS_FILE").filter(|v| !v.trim().is_empty()) {
                None => std::sync::Arc::new(
                    AccessPeriods::built_in().map_err(|e| format!("the built-in access-period table: {e}"))?,
                ),
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| format!("ACCESS_PERIODS_FILE ({path}) cannot be read: {e}"))?;
                    let table =
                        AccessPeriods::parse(&text).map_err(|e| format!("ACCESS_PERIODS_FILE ({path}): {e}"))?;
                    std::sync::Arc::new(table)
                }
            },
            webhook_allow_insecure: match get("WEBHOOK_ALLOW_INSECURE").map(|v| v.trim().to_ascii_lowercase()) {
                None => false,
                Some(v) if v.is_empty() || v == "false" => false,
                Some(v) if v == "true" => true,
                Some(_) => return Err("WEBHOOK_ALLOW_INSECURE must be true or false".into()),
            },
            // At most a minute: the lease of a round is sized from it.
            webhook_timeout_seconds: Some(number("WEBHOOK_TIMEOUT_SECONDS", d.webhook_timeout_seconds as i64, 1)?)
                .filter(|n| *n <= 60)
                .ok_or("WEBHOOK_TIMEOUT_SECONDS must be a whole number from 1 to 60")?
                as u64,
        })
    }
}

/// Splits `JWT_PREVIOUS_KEYS` on commas that are not inside a PEM block.
fn split_keys(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/sro"), "postgres://app:***@db:5432/sro");
        assert_eq!(redact_url("sqlite://sro.db"), "sqlite://sro.db");
        assert_eq!(
            redact_url("postgres://db/sro?user=app&password=s3cret&sslpassword=k3y&sslmode=require"),
            "postgres://db/sro?user=app&password=***&sslpassword=***&sslmode=require"
        );
        assert!(!redact_url("postgres://app:s3cret@db/sro?PASSWORD=x2").contains("x2"));
    }

    #[test]
    fn bad_numbers_name_their_variable() {
        let err = Config::from_lookup(|k| (k == "TOKEN_TTL_SECONDS").then(|| "ten".to_string())).unwrap_err();
        assert!(err.contains("TOKEN_TTL_SECONDS"));
        let debug =
            format!("{:?}", Config::from_lookup(|k| (k == "JWT_SIGNING_KEY").then(|| "PEM".to_string())).unwrap());
        assert!(!debug.contains("PEM"));
    }

    #[test]
    fn the_rate_limit_is_off_unless_set_and_a_bad_one_names_its_variable() {
        let with = |v: &str| Config::from_lookup(|k| (k == "RATE_LIMIT_PER_MINUTE").then(|| v.to_string()));
        assert_eq!(Config::from_lookup(|_| None).unwrap().rate_limit_per_minute, None);
        assert_eq!(with("off").unwrap().rate_limit_per_minute, None);
        assert_eq!(with("120").unwrap().rate_limit_per_minute, Some(120));
        assert!(with("0").unwrap_err().contains("RATE_LIMIT_PER_MINUTE"));
        assert!(with("lots").unwrap_err().contains("RATE_LIMIT_PER_MINUTE"));
    }

    /// Catches a purge time read wrongly, or a bad one ignored (the pass would never run).
    #[test]
    fn purge_at_is_a_local_time_or_off_and_retention_periods_have_defaults() {
        let with = |k: &'static str, v: &str| {
            let v = v.to_string();
            Config::from_lookup(move |key| (key == k).then(|| v.clone()))
        };
        let d = Config::from_lookup(|_| None).unwrap();
        assert_eq!((d.retention_no_measure_days, d.retention_grace_days), (730, 30));
        assert_eq!(d.purge_at, chrono::NaiveTime::from_hms_opt(2, 30, 0));
        assert_eq!(with("PURGE_AT", "off").unwrap().purge_at, None);
        assert_eq!(with("PURGE_AT", "23:05").unwrap().purge_at, chrono::NaiveTime::from_hms_opt(23, 5, 0));
        assert!(with("PURGE_AT", "25:00").unwrap_err().contains("PURGE_AT"));
        assert!(with("PURGE_AT", "2h30").unwrap_err().contains("PURGE_AT"));
        assert!(with("RETENTION_GRACE_DAYS", "-1").unwrap_err().contains("RETENTION_GRACE_DAYS"));
        assert!(with("RETENTION_NO_MEASURE_DAYS", "0").unwrap_err().contains("RETENTION_NO_MEASURE_DAYS"));
    }

    /// Catches a service that starts on a broken access-period table (or ignores the file).
    #[test]
    fn a_bad_access_period_file_stops_start_up_with_its_name_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("periods.csv");
        std::fs::write(
            &path,
            crate::domain::access_period::BUILT_IN.replace("1 year,disposition_on", "1 yr,disposition_on"),
        )
        .unwrap();
        let with = |p: &std::path::Path| {
            let p = p.display().to_string();
            Config::from_lookup(move |k| (k == "ACCESS_PERIODS_FILE").then(|| p.clone()))
        };
        let err = with(&path).unwrap_err();
        assert!(err.starts_with("ACCESS_PERIODS_FILE (") && err.contains("line 11: period `1 yr`"), "{err}");
        assert!(with(&dir.path().join("absent.csv")).unwrap_err().contains("cannot be read"));
        std::fs::write(
            &path,
            crate::domain::access_period::BUILT_IN.replace("2 years,decided_on", "3 years,decided_on"),
        )
        .unwrap();
        let table = with(&path).unwrap().access_periods;
        let rule = table.rule(crate::domain::outcome::Measure::Warning, None).unwrap();
        assert_eq!(rule.span.unwrap().0.months, 36, "the file's period, not the built-in one");
    }

    #[test]
    fn http_workers_default_to_one_per_two_cores_and_a_bad_count_names_its_variable() {
        let with = |v: &str| Config::from_lookup(|k| (k == "HTTP_WORKERS").then(|| v.to_string()));
        assert_eq!(Config::from_lookup(|_| None).unwrap().http_workers, 0);
        assert_eq!(with("3").unwrap().http_workers, 3);
        for bad in ["-1", "two", "257"] {
            assert!(with(bad).unwrap_err().contains("HTTP_WORKERS"), "{bad}");
        }
    }

    #[test]
    fn the_suppression_threshold_defaults_to_5_and_a_bad_one_names_its_variable() {
        let with = |v: &str| Config::from_lookup(|k| (k == "SUPPRESSION_MIN_COUNT").then(|| v.to_string()));
        assert_eq!(Config::from_lookup(|_| None).unwrap().suppression_min_count, 5);
        assert_eq!(with("10").unwrap().suppression_min_count, 10);
        assert!(with("0").unwrap_err().contains("SUPPRESSION_MIN_COUNT"));
        assert!(with("-3").unwrap_err().contains("SUPPRESSION_MIN_COUNT"));
        assert!(with("five").unwrap_err().contains("SUPPRESSION_MIN_COUNT"));
    }
}
