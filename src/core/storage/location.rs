//! Parsing of lake locations: local paths, `file://` URLs, `s3://` and `s3a://` URLs.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A place in a lake: a local path or an object-store prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A local directory or file.
    Local(PathBuf),
    /// An S3 bucket and key prefix (`s3://` and `s3a://` are the same thing).
    S3 { bucket: String, key: String },
}

impl Location {
    /// Parse a user-given location.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty string, an unknown scheme or an S3 URL without a bucket.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::InvalidArgument("empty location".into()));
        }
        if let Some(rest) = text.strip_prefix("file://") {
            if rest.is_empty() {
                return Err(Error::InvalidArgument(format!("bad location {text}: no path")));
            }
            return Ok(Location::Local(PathBuf::from(rest)));
        }
        for scheme in ["s3://", "s3a://"] {
            if let Some(rest) = text.strip_prefix(scheme) {
                let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(Error::InvalidArgument(format!("bad location {text}: no bucket")));
                }
                return Ok(Location::S3 { bucket: bucket.to_string(), key: key.trim_matches('/').to_string() });
            }
        }
        if let Some((scheme, _)) = text.split_once("://") {
            return Err(Error::InvalidArgument(format!(
                "bad location {text}: unsupported scheme {scheme}:// (use a path, file://, s3:// or s3a://)"
            )));
        }
        Ok(Location::Local(PathBuf::from(text)))
    }

    /// The location of `child` below this one.
    #[must_use]
    pub(crate) fn join(&self, child: &str) -> Self {
        match self {
            Location::Local(path) => Location::Local(path.join(child)),
            Location::S3 { bucket, key } => {
                let key = if key.is_empty() {
                    child.trim_matches('/').to_string()
                } else {
                    format!("{key}/{}", child.trim_matches('/'))
                };
                Location::S3 { bucket: bucket.clone(), key }
            }
        }
    }

    /// The local path, or an error saying that `what` works on local folders only.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for S3 locations.
    pub(crate) fn local_path(&self, what: &str) -> Result<&Path> {
        match self {
            Location::Local(path) => Ok(path),
            Location::S3 { .. } => Err(Error::Unsupported(format!("{self}: {what} works on local folders only"))),
        }
    }

    /// The last part of the location (a file or folder name).
    #[must_use]
    pub(crate) fn name(&self) -> &str {
        match self {
            Location::Local(path) => path.file_name().and_then(|n| n.to_str()).unwrap_or(""),
            Location::S3 { key, .. } => key.rsplit('/').next().unwrap_or(""),
        }
    }

    /// The location one level up (`None` at a bucket or filesystem root).
    #[must_use]
    pub(crate) fn parent(&self) -> Option<Self> {
        match self {
            Location::Local(path) => path.parent().map(|p| Location::Local(p.to_path_buf())),
            Location::S3 { key, .. } if key.is_empty() => None,
            Location::S3 { bucket, key } => Some(Location::S3 {
                bucket: bucket.clone(),
                key: key.rsplit_once('/').map_or("", |(parent, _)| parent).to_string(),
            }),
        }
    }

    /// `s3://bucket` for S3 locations, the location itself otherwise.
    #[must_use]
    pub(crate) fn bucket_url(&self) -> String {
        match self {
            Location::Local(_) => self.to_string(),
            Location::S3 { bucket, .. } => format!("s3://{bucket}"),
        }
    }
}

/// `path` made absolute against the working directory, with `.` and `..` resolved lexically.
///
/// # Errors
/// When the working directory cannot be read.
pub(crate) fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in std::path::absolute(path)?.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Ok(out)
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Local(path) => write!(f, "{}", path.display()),
            Location::S3 { bucket, key } if key.is_empty() => write!(f, "s3://{bucket}"),
            Location::S3 { bucket, key } => write!(f, "s3://{bucket}/{key}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_supported_form() {
        assert_eq!(Location::parse("./lake").unwrap(), Location::Local("./lake".into()));
        assert_eq!(Location::parse("file:///tmp/x").unwrap(), Location::Local("/tmp/x".into()));
        let s3 = Location::S3 { bucket: "stedi".into(), key: "a/b".into() };
        assert_eq!(Location::parse("s3://stedi/a/b/").unwrap(), s3);
        assert_eq!(Location::parse("s3a://stedi/a/b").unwrap(), s3);
        assert_eq!(Location::parse("s3://stedi").unwrap().to_string(), "s3://stedi");
    }

    #[test]
    fn rejects_bad_locations_with_a_reason() {
        for bad in ["", "s3://", "s3:///key", "gs://bucket/x", "file://"] {
            let err = Location::parse(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument(_)), "{bad}: {err}");
        }
    }

    #[test]
    fn joins_children() {
        let lake = Location::parse("s3://b").unwrap();
        assert_eq!(lake.join("customer/landing").to_string(), "s3://b/customer/landing");
        let lake = Location::parse("/l").unwrap();
        assert_eq!(lake.join("customer").to_string(), "/l/customer");
    }

    #[test]
    fn names_and_parents() {
        let table = Location::parse("s3://b/customer/trusted").unwrap();
        assert_eq!(table.name(), "trusted");
        assert_eq!(table.parent().unwrap().to_string(), "s3://b/customer");
        assert_eq!(Location::parse("s3://b/x").unwrap().parent().unwrap().to_string(), "s3://b");
        assert_eq!(Location::parse("s3://b").unwrap().parent(), None);
        assert_eq!(absolute(Path::new("/a/b/../c/./d")).unwrap(), Path::new("/a/c/d"));
    }
}
