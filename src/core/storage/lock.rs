//! An exclusive lock per job on a local lake (`ROOT/_glueless/locks/<name>.lock`, flock): a
//! second run of the same job fails at once instead of racing the first. The kernel releases the
//! lock when the process ends, however it ends, so a killed run never leaves it held. (S3 lakes
//! use an optimistic commit instead: see `s3_commit`.)

use std::fs::File;
use std::path::Path;

use rustix::fs::{flock, FlockOperation};

use crate::error::{Error, Result};

/// A held lock; dropped, it is released.
#[derive(Debug)]
pub(crate) struct LocalLock {
    _file: File,
}

impl LocalLock {
    /// Take the lock `name` under the lake `root`, or fail naming the holder's purpose.
    ///
    /// # Errors
    /// [`Error::Conflict`] when another process holds it; [`Error::Io`] when it cannot be created.
    pub(crate) fn acquire(root: &Path, name: &str) -> Result<Self> {
        let dir = root.join("_glueless").join("locks");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("creating", &dir, e))?;
        let path = dir.join(format!("{name}.lock"));
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("creating", &path, e))?;
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(Self { _file: file }),
            Err(err) if err == rustix::io::Errno::WOULDBLOCK => Err(Error::Conflict(format!(
                "another run of {name} is writing {} (lock {}); try again when it has finished",
                root.display(),
                path.display()
            ))),
            Err(err) => Err(Error::io("locking", &path, err.into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = crate::testing::tempdir();
        let first = LocalLock::acquire(dir.path(), "job").unwrap();
        let err = LocalLock::acquire(dir.path(), "job").unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{err}");
        assert!(LocalLock::acquire(dir.path(), "other").is_ok());
        drop(first);
        assert!(LocalLock::acquire(dir.path(), "job").is_ok());
    }
}
