//! AWS credentials from outside object_store: the chain the AWS tools use (profiles in
//! `~/.aws/credentials` and `~/.aws/config`, `role_arn` with `source_profile`,
//! `credential_process`, SSO, web identity, container and instance roles).
//!
//! object_store alone reads only `AWS_*` keys, web identity and the metadata services. The core
//! does not parse the AWS configuration itself: an embedding installs a [`CredentialSource`] (the
//! Python module installs botocore's chain) and every S3 store without keys in the environment
//! signs with it. Credentials are cached and fetched again before they can expire.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use object_store::aws::AwsCredential;
use object_store::CredentialProvider;

use crate::error::{Error, Result};

/// The keys to sign requests with.
pub(crate) struct Credentials {
    pub(crate) key_id: String,
    pub(crate) secret_key: String,
    pub(crate) token: Option<String>,
}

/// A provider chain the core can ask for credentials. Its calls may block (a role to assume, a
/// process to run); they are made off the I/O runtime's threads.
pub(crate) trait CredentialSource: Send + Sync {
    /// Whether this source applies to a new store, and the region its configuration names.
    /// `Ok(None)`: it has nothing to offer here (object_store's own chain applies).
    ///
    /// # Errors
    /// A configuration that cannot be used (a profile that does not exist), as one line.
    fn open(&self) -> Result<Option<SourceRegion>>;

    /// Current credentials; the source refreshes those about to expire.
    ///
    /// # Errors
    /// No credentials anywhere in the chain, or a step of it failed (an expired SSO token).
    fn credentials(&self) -> Result<Credentials>;
}

/// What [`CredentialSource::open`] found: the region of the profile, if it names one.
pub(crate) struct SourceRegion(pub Option<String>);

static SOURCE: RwLock<Option<Arc<dyn CredentialSource>>> = RwLock::new(None);

/// Make `source` the chain of every S3 store built from now on without keys in the environment.
pub(crate) fn install(source: Arc<dyn CredentialSource>) {
    *SOURCE.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(source);
}

/// The installed source, if any.
pub(crate) fn installed() -> Option<Arc<dyn CredentialSource>> {
    SOURCE.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
}

/// How long fetched credentials are used before the source is asked again. The source itself
/// refreshes credentials that are near expiry (botocore: 15 minutes before, and always when fewer
/// than 10 are left), so asking every minute never signs with expired keys, even a
/// `credential_process` that hands out short-lived ones, for one cheap call a minute.
const REFRESH_EVERY: Duration = Duration::from_mins(1);

/// object_store's view of a [`CredentialSource`], with the cache.
pub(crate) struct CachedCredentials {
    source: Arc<dyn CredentialSource>,
    refresh_every: Duration,
    /// The last credentials and when they were fetched; one fetch at a time.
    cache: tokio::sync::Mutex<Option<(Arc<AwsCredential>, Instant)>>,
}

impl CachedCredentials {
    pub(crate) fn new(source: Arc<dyn CredentialSource>) -> Self {
        Self::with_refresh(source, REFRESH_EVERY)
    }

    fn with_refresh(source: Arc<dyn CredentialSource>, refresh_every: Duration) -> Self {
        Self { source, refresh_every, cache: tokio::sync::Mutex::new(None) }
    }
}

impl std::fmt::Debug for CachedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CachedCredentials") // never the keys
    }
}

#[async_trait::async_trait]
impl CredentialProvider for CachedCredentials {
    type Credential = AwsCredential;

    async fn get_credential(&self) -> object_store::Result<Arc<AwsCredential>> {
        let mut cache = self.cache.lock().await;
        if let Some((credential, fetched)) = cache.as_ref() {
            if fetched.elapsed() < self.refresh_every {
                return Ok(credential.clone());
            }
        }
        let source = self.source.clone();
        let fetched = tokio::task::spawn_blocking(move || source.credentials())
            .await
            .map_err(|e| credential_error(Error::InvalidArgument(format!("AWS credentials: {e}"))))?
            .map_err(credential_error)?;
        let credential =
            Arc::new(AwsCredential { key_id: fetched.key_id, secret_key: fetched.secret_key, token: fetched.token });
        *cache = Some((credential.clone(), Instant::now()));
        Ok(credential)
    }
}

fn credential_error(err: Error) -> object_store::Error {
    object_store::Error::Generic { store: "S3", source: Box::new(err) }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    struct Counting(AtomicUsize);

    impl CredentialSource for Counting {
        fn open(&self) -> Result<Option<SourceRegion>> {
            Ok(Some(SourceRegion(None)))
        }

        fn credentials(&self) -> Result<Credentials> {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            if n == 2 {
                return Err(Error::InvalidArgument("the SSO token has expired".into()));
            }
            Ok(Credentials { key_id: format!("key-{n}"), secret_key: "secret".into(), token: None })
        }
    }

    #[test]
    fn credentials_are_cached_then_fetched_again() {
        let source = Arc::new(Counting(AtomicUsize::new(0)));
        let cached = CachedCredentials::with_refresh(source.clone(), Duration::from_hours(1));
        let first = crate::core::storage::runtime::block_on(cached.get_credential()).unwrap();
        let second = crate::core::storage::runtime::block_on(cached.get_credential()).unwrap();
        assert_eq!((first.key_id.as_str(), second.key_id.as_str()), ("key-0", "key-0"));
        assert_eq!(source.0.load(Ordering::SeqCst), 1);

        let refreshing = CachedCredentials::with_refresh(source.clone(), Duration::ZERO);
        assert_eq!(crate::core::storage::runtime::block_on(refreshing.get_credential()).unwrap().key_id, "key-1");
        // A failing source is an error naming the cause, not stale keys.
        let err = crate::core::storage::runtime::block_on(refreshing.get_credential()).unwrap_err();
        assert!(err.to_string().contains("the SSO token has expired"), "{err}");
        assert_eq!(crate::core::storage::runtime::block_on(refreshing.get_credential()).unwrap().key_id, "key-3");
    }
}
