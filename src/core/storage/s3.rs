//! S3 (and S3-compatible stores) through object_store, configured from the environment as the AWS
//! tools are: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION /
//! AWS_DEFAULT_REGION, AWS_ENDPOINT_URL (MinIO, Garage, Ceph…), AWS_ALLOW_HTTP; without keys
//! there, from the installed credential chain (profiles, SSO…; see [`super::credentials`]).
//!
//! Secrets never leave this module: errors are rebuilt from the S3 error code and message, and any
//! text that reaches the user is scrubbed of the secret key and session token.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};

use super::credentials::{self, CachedCredentials, SourceRegion};
use crate::error::{Error, Result};

/// Variables whose values must never be shown.
const SECRET_VARS: [&str; 2] = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

/// The store for `bucket`, built once per bucket and environment (a changed AWS_* variable builds
/// a new one, so a process can switch credentials).
///
/// # Errors
/// [`Error::InvalidArgument`] for an endpoint that cannot be used (plain http to a remote host
/// without AWS_ALLOW_HTTP, a bad retry setting).
pub(crate) fn store(bucket: &str) -> Result<Arc<dyn ObjectStore>> {
    /// Stores by bucket and environment fingerprint.
    type Stores = Mutex<HashMap<(String, u64), Arc<dyn ObjectStore>>>;
    static STORES: OnceLock<Stores> = OnceLock::new();
    let key = (bucket.to_string(), environment_fingerprint());
    let stores = || STORES.get_or_init(Mutex::default).lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(store) = stores().get(&key) {
        return Ok(store.clone());
    }
    // Built without the lock held: a credential chain may call into Python, whose lock another
    // thread waiting here could hold.
    let store: Arc<dyn ObjectStore> = Arc::new(build(bucket)?);
    Ok(stores().entry(key).or_insert(store).clone())
}

fn build(bucket: &str) -> Result<object_store::aws::AmazonS3> {
    let endpoint = env("AWS_ENDPOINT_URL").or_else(|| env("AWS_ENDPOINT"));
    let allow_http = match endpoint.as_deref() {
        Some(url) if url.to_ascii_lowercase().starts_with("http://") => {
            if !(is_loopback(url) || env_flag("AWS_ALLOW_HTTP")) {
                return Err(Error::InvalidArgument(format!(
                    "AWS_ENDPOINT_URL {url} is plain http to a remote host; use https, or set AWS_ALLOW_HTTP=true \
                     to send data unencrypted"
                )));
            }
            true
        }
        _ => false,
    };
    let options = ClientOptions::new()
        .with_allow_http(allow_http)
        .with_connect_timeout(seconds("GLUELESS_S3_CONNECT_TIMEOUT", 5.0)?)
        .with_timeout(seconds("GLUELESS_S3_TIMEOUT", 60.0)?);
    let retry = RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            base: 2.0,
        },
        max_retries: number("GLUELESS_S3_MAX_RETRIES", 10)?,
        retry_timeout: seconds("GLUELESS_S3_RETRY_TIMEOUT", 120.0)?,
    };
    // from_env reads every AWS_* variable object_store knows; the client options set after it win.
    let mut builder = AmazonS3Builder::from_env();
    // Keys in the environment come first, as in every AWS tool; without them the installed chain
    // (profiles, SSO, credential_process…) signs, where one is installed and applies.
    if env("AWS_ACCESS_KEY_ID").is_none() {
        if let Some(source) = credentials::installed() {
            if let Some(SourceRegion(region)) = source.open()? {
                if let Some(region) =
                    region.filter(|_| env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")).is_none())
                {
                    builder = builder.with_region(region);
                }
                builder = builder.with_credentials(Arc::new(CachedCredentials::new(source)));
            }
        }
    }
    builder
        .with_bucket_name(bucket)
        .with_client_options(options)
        .with_retry(retry)
        .build()
        .map_err(|e| Error::InvalidArgument(format!("cannot use s3://{bucket}: {}", scrub(&e.to_string()))))
}

/// True for `http://localhost…`, `http://127.x.x.x…` and `http://[::1]…`: plain http never leaves
/// the machine there.
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_flag(name: &str) -> bool {
    env(name).is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
}

fn number(name: &str, default: usize) -> Result<usize> {
    env(name).map_or(Ok(default), |v| {
        v.trim().parse().map_err(|_| Error::InvalidArgument(format!("{name}={v} is not a whole number")))
    })
}

fn seconds(name: &str, default: f64) -> Result<Duration> {
    let value = env(name).map_or(Ok(default), |v| {
        v.trim().parse::<f64>().map_err(|_| Error::InvalidArgument(format!("{name}={v} is not a number of seconds")))
    })?;
    Duration::try_from_secs_f64(value).map_err(|_| Error::InvalidArgument(format!("{name}={value} is not a duration")))
}

/// A hash of every AWS_* and GLUELESS_S3_* variable (values hashed, never stored).
fn environment_fingerprint() -> u64 {
    let mut vars: Vec<(String, String)> =
        std::env::vars().filter(|(k, _)| k.starts_with("AWS_") || k.starts_with("GLUELESS_S3_")).collect();
    vars.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    vars.hash(&mut hasher);
    hasher.finish()
}

/// `text` with every secret value of the environment replaced by `***`.
#[must_use]
pub(crate) fn scrub(text: &str) -> String {
    let mut text = text.to_string();
    for name in SECRET_VARS {
        if let Some(secret) = env(name) {
            // Very short values would blank ordinary words; real secrets are 40+ characters.
            if secret.len() >= 8 {
                text = text.replace(secret.as_str(), "***");
            }
        }
    }
    text
}

/// The short reason of an object_store error: the S3 error code and message when the response
/// carried one (never the request it echoes back), else the error's first line.
#[must_use]
pub(crate) fn reason(err: &object_store::Error) -> String {
    let text = err.to_string();
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find("</")? + start;
        Some(text[start..end].trim().to_string())
    };
    let reason = match (tag("Code"), tag("Message")) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code,
        _ => {
            // The innermost cause says what happened ("Connection refused"); the outer error how
            // hard object_store tried.
            let mut cause: &dyn std::error::Error = err;
            while let Some(source) = cause.source() {
                cause = source;
            }
            let mut reason = cause.to_string();
            if let Some(at) = text.find("after ") {
                if let Some(retries) = text[at..].split(',').next().filter(|r| r.ends_with("retries")) {
                    reason = format!("{reason} ({retries})");
                }
            }
            match env("AWS_ENDPOINT_URL").or_else(|| env("AWS_ENDPOINT")) {
                Some(endpoint) => format!("{reason}; endpoint {endpoint}"),
                None => reason,
            }
        }
    };
    let mut reason = scrub(&reason);
    if reason.len() > 400 {
        let mut cut = 400;
        while !reason.is_char_boundary(cut) {
            cut -= 1;
        }
        reason.truncate(cut);
        reason.push('…');
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_endpoints_are_recognised() {
        for url in ["http://127.0.0.1:9000", "http://localhost:1/x", "http://[::1]:80", "http://user@127.0.0.2"] {
            assert!(is_loopback(url), "{url}");
        }
        for url in ["http://minio.internal:9000", "http://10.0.0.1", "http://127.0.0.1.evil.com"] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
