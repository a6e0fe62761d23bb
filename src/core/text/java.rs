//! Numbers as Java writes them (`Double.toString`, `Float.toString`): how Spark shows doubles and
//! floats and casts them to strings, whatever reads or prints them.

/// A double as Java's `Double.toString` writes it (Spark's `show()` and string casts): `1.0`,
/// `0.1`, `1.5E7`, `1.0E-4`, `NaN`, `Infinity`.
#[must_use]
pub(crate) fn java_double_text(value: f64) -> String {
    java_style(&format!("{value}"), &format!("{value:e}"), value)
}

/// A float as Java's `Float.toString` writes it: its own shortest digits, in Java's layout.
#[must_use]
pub(crate) fn java_float_text(value: f32) -> String {
    java_style(&format!("{value}"), &format!("{value:e}"), f64::from(value))
}

/// Java's layout of the shortest digits: plain from 10^-3 up to 10^7, else `d.dddE±n`.
fn java_style(plain: &str, scientific: &str, value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if value == 0.0 || (1e-3..1e7).contains(&value.abs()) {
        return if plain.contains('.') { plain.to_string() } else { format!("{plain}.0") };
    }
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((scientific, "0"));
    let mantissa = if mantissa.contains('.') { mantissa.to_string() } else { format!("{mantissa}.0") };
    format!("{mantissa}E{exponent}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_and_floats_as_java_writes_them() {
        assert_eq!(java_double_text(9_999_999.0), "9999999.0");
        assert_eq!(java_double_text(1e7), "1.0E7");
        assert_eq!(java_double_text(1e-4), "1.0E-4");
        assert_eq!(java_double_text(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(java_float_text(0.1), "0.1");
    }
}
