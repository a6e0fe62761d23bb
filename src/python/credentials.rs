//! The Python side's AWS credential chain (botocore's, `glueless.aws.CredentialChain`), installed
//! into the core so every S3 store without keys in the environment signs with it.

use std::sync::Arc;

use pyo3::prelude::*;

use crate::core::storage::credentials::{self, CredentialSource, Credentials, SourceRegion};
use crate::error::{Error, Result};

/// A Python object with `open() -> str | None` and `credentials() -> (key, secret, token)`.
struct PythonChain(Py<PyAny>);

/// The exception's own message (already one line, naming the profile), as a core error.
fn one_line(py: Python<'_>, err: PyErr) -> Error {
    Error::InvalidArgument(err.value(py).to_string())
}

impl CredentialSource for PythonChain {
    fn open(&self) -> Result<Option<SourceRegion>> {
        Python::attach(|py| {
            let region: Option<String> =
                self.0.call_method0(py, "open").and_then(|r| r.extract(py)).map_err(|e| one_line(py, e))?;
            // None: no chain here; "": a chain whose profile names no region.
            Ok(region.map(|r| SourceRegion(Some(r).filter(|r| !r.is_empty()))))
        })
    }

    fn credentials(&self) -> Result<Credentials> {
        Python::attach(|py| {
            let (key_id, secret_key, token): (String, String, Option<String>) =
                self.0.call_method0(py, "credentials").and_then(|c| c.extract(py)).map_err(|e| one_line(py, e))?;
            Ok(Credentials { key_id, secret_key, token })
        })
    }
}

/// Sign S3 requests with `chain` wherever the environment holds no AWS keys.
#[pyfunction]
pub(crate) fn install_credential_chain(chain: Py<PyAny>) {
    credentials::install(Arc::new(PythonChain(chain)));
}
