//! Mapping of [`crate::Error`] to the exception classes of `glueless.exceptions`, which subclass
//! the matching builtins (a missing path is a `FileNotFoundError`, a bad argument a `ValueError`).

use pyo3::exceptions::{
    PyFileNotFoundError, PyMemoryError, PyNotImplementedError, PyOSError, PyPermissionError, PyRuntimeError,
    PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::error::Error;

/// A core error as a Python exception, so `?` converts it in every binding.
impl From<Error> for PyErr {
    fn from(err: Error) -> PyErr {
        to_py(err)
    }
}

fn to_py(err: Error) -> PyErr {
    let class = match &err {
        Error::NotFound { .. } => "NotFoundError",
        Error::MissingInput { .. } => "MissingInputError",
        Error::InvalidArgument(_) => "InvalidArgumentError",
        Error::Io { .. } | Error::Storage { .. } => "StorageError",
        Error::AccessDenied { .. } => "AccessDeniedError",
        Error::Checkpoint { .. } => "CheckpointError",
        Error::Conflict(_) => "ConflictError",
        Error::Unsupported(_) => "UnsupportedError",
        Error::MemoryLimit(_) => "MemoryLimitError",
        Error::Sql(_) => "SqlError",
        Error::Arrow(_) | Error::Parquet(_) => "DataError",
    };
    let message = err.to_string();
    Python::attach(|py| match glueless_class(py, class) {
        Some(cls) => PyErr::from_type(cls, message),
        // Only when the package's Python half is missing: fall back to the builtin base.
        None => match err {
            Error::NotFound { .. } | Error::MissingInput { .. } => PyFileNotFoundError::new_err(message),
            Error::InvalidArgument(_) | Error::Sql(_) => PyValueError::new_err(message),
            Error::Io { .. } | Error::Storage { .. } => PyOSError::new_err(message),
            Error::AccessDenied { .. } => PyPermissionError::new_err(message),
            Error::Unsupported(_) => PyNotImplementedError::new_err(message),
            Error::MemoryLimit(_) => PyMemoryError::new_err(message),
            Error::Arrow(_) | Error::Parquet(_) | Error::Checkpoint { .. } | Error::Conflict(_) => {
                PyRuntimeError::new_err(message)
            }
        },
    })
}

fn glueless_class<'py>(py: Python<'py>, name: &str) -> Option<Bound<'py, PyType>> {
    let module = py.import("glueless.exceptions").ok()?;
    module.getattr(name).ok()?.cast_into::<PyType>().ok()
}
