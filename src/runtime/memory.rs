//! The memory limit of users' queries: one DataFusion runtime for every session of the process
//! (Spark SQL, Glue scripts' frames, Athena), whose memory pool holds what its operators buffer
//! to `GLUELESS_MEMORY_LIMIT` (`8G`, `512M`, bytes, at least 64M; `off` for none), by default three quarters
//! of the machine's (or its cgroup's) memory. Past the limit a sort, a grouping or a DISTINCT
//! spills to the temporary folder; what cannot spill (a hash join's build side) fails with one
//! [`Error::MemoryLimit`] line instead of meeting the OOM killer.

use std::num::NonZeroUsize;
use std::sync::{Arc, OnceLock};

use datafusion::execution::memory_pool::{FairSpillPool, TrackConsumersPool};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};

use crate::error::{Error, Result};

/// The environment variable that sets the limit.
pub(crate) const MEMORY_LIMIT_VARIABLE: &str = "GLUELESS_MEMORY_LIMIT";

/// The share of the machine's memory the default limit is.
const DEFAULT_SHARE: f64 = 0.75;

/// The smallest limit taken: DataFusion's operators reserve batches of rows (and a sort 10 MiB
/// for its merge), and under a pool of a few MiB its spilling repartition can wait forever.
const MINIMUM: usize = 64 << 20;

/// The process's DataFusion runtime (created on first use from the environment).
///
/// # Errors
/// [`Error::InvalidArgument`] when `GLUELESS_MEMORY_LIMIT` is not a size.
pub(crate) fn runtime_env() -> Result<Arc<RuntimeEnv>> {
    static RUNTIME: OnceLock<std::result::Result<Arc<RuntimeEnv>, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            let limit = memory_limit(std::env::var(MEMORY_LIMIT_VARIABLE).ok().as_deref())?;
            let mut builder = RuntimeEnvBuilder::new();
            if let Some(bytes) = limit {
                // Spilling operators share the pool fairly; the five largest consumers are named
                // when it runs out.
                let top = NonZeroUsize::new(5).unwrap_or(NonZeroUsize::MIN);
                builder = builder.with_memory_pool(Arc::new(TrackConsumersPool::new(FairSpillPool::new(bytes), top)));
            }
            builder.build_arc().map_err(|e| e.to_string())
        })
        .clone()
        .map_err(Error::InvalidArgument)
}

/// The limit `setting` asks for (`None`: no limit); unset, the default share of the machine.
fn memory_limit(setting: Option<&str>) -> std::result::Result<Option<usize>, String> {
    let Some(text) = setting.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(machine_memory().map(default_limit));
    };
    if ["off", "none", "unlimited"].contains(&text.to_ascii_lowercase().as_str()) {
        return Ok(None);
    }
    let bytes = parse_size(text).ok_or_else(|| {
        format!("{MEMORY_LIMIT_VARIABLE}={text:?} is not a size: write bytes or a number with K, M, G or T (8G, 512M), or off")
    })?;
    if bytes < MINIMUM {
        return Err(format!("{MEMORY_LIMIT_VARIABLE}={text:?} is below glueless's minimum of 64M"));
    }
    Ok(Some(bytes))
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)] // a share of a size
fn default_limit(machine: usize) -> usize {
    ((machine as f64 * DEFAULT_SHARE) as usize).max(MINIMUM)
}

/// `8G`, `512M`, `1.5G`, `64KiB`, `1000000`: bytes (binary multiples).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
pub(crate) fn parse_size(text: &str) -> Option<usize> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let unit = unit.trim().to_ascii_uppercase();
    let unit = unit.trim_end_matches('B').trim_end_matches('I');
    let scale: f64 = match unit {
        "" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        "T" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = number * scale;
    (bytes.is_finite() && bytes >= 1.0 && bytes < usize::MAX as f64).then_some(bytes as usize)
}

/// The memory this process may use: the machine's (`/proc/meminfo`), or its cgroup's limit
/// where lower; `None` where neither is known.
fn machine_memory() -> Option<usize> {
    let physical = std::fs::read_to_string("/proc/meminfo").ok().and_then(|info| {
        let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
        kib.checked_mul(1024)
    });
    let cgroup = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok()?.trim().parse::<usize>().ok());
    match (physical, cgroup) {
        (Some(p), Some(c)) => Some(p.min(c)),
        (p, c) => p.or(c),
    }
}

/// Named in the memory reservation of a join's build side on a kernel (`runtime::plans`), so
/// that its line says why it cannot spill, as DataFusion's hash join's does.
pub(crate) const JOIN_BUILD_SIDE: &str = "join build side";

/// The one line for a query that outgrew the limit (DataFusion's `ResourcesExhausted`).
pub(crate) fn exhausted(detail: &str) -> Error {
    let setting = std::env::var(MEMORY_LIMIT_VARIABLE).ok().filter(|s| !s.trim().is_empty());
    let limit = setting.unwrap_or_else(|| "the default, 3/4 of the machine's memory".to_string());
    let detail = detail.lines().find(|l| l.contains("Failed to allocate")).unwrap_or(detail).trim();
    let detail = detail.trim_start_matches("Error: ").trim_start_matches("Resources exhausted: ");
    let build_side = detail.contains("HashJoin") || detail.contains(JOIN_BUILD_SIDE);
    let why = if build_side { " (a join's build side is held in memory, it cannot spill)" } else { "" };
    Error::MemoryLimit(format!(
        "the query needs more memory than {MEMORY_LIMIT_VARIABLE} ({limit}) allows{why}: {detail}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_binary_multiples_and_bad_ones_are_refused() {
        assert_eq!(parse_size("8G"), Some(8 << 30));
        assert_eq!(parse_size("512m"), Some(512 << 20));
        assert_eq!(parse_size("64KiB"), Some(64 << 10));
        assert_eq!(parse_size("1.5G"), Some(3 << 29));
        assert_eq!(parse_size("1000000"), Some(1_000_000));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("5X"), None);
        assert_eq!(memory_limit(Some("off")), Ok(None));
        assert_eq!(memory_limit(Some("2G")), Ok(Some(2 << 30)));
        assert!(memory_limit(Some("0")).is_err());
        assert!(memory_limit(Some("16M")).unwrap_err().contains("minimum of 64M"));
        assert!(memory_limit(Some("twelve")).unwrap_err().contains("GLUELESS_MEMORY_LIMIT=\"twelve\""));
        if let Some(machine) = machine_memory() {
            assert_eq!(memory_limit(None), Ok(Some(default_limit(machine))));
        }
    }
}
