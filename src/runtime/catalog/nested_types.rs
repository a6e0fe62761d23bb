//! Hive's nested column types in DDL (`array<string>`, `map<string,bigint>`,
//! `struct<os:string,version:int>`) past a SQL parser that reads `struct<…>` as BigQuery's:
//! each is hidden behind a placeholder type name before parsing and put back after, spelled as
//! the catalog stores types (lower case, no spaces).

/// The placeholder type name of the `n`th nested type of a statement.
fn placeholder(n: usize) -> String {
    format!("glueless_nested_type_{n}")
}

/// `text` with each nested type outside quotes replaced by a placeholder, and the types hidden.
pub(crate) fn hide(text: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut hidden = Vec::new();
    let bytes = text.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else if matches!(c, b'\'' | b'"' | b'`') {
            quote = Some(c);
        } else if let Some(end) = nested_type_end(text, i) {
            hidden.push(text[i..end].chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase());
            out.push_str(&placeholder(hidden.len() - 1));
            i = end;
            continue;
        }
        out.push(char::from(c));
        i += 1;
    }
    // The loop copies bytes as chars: only valid for ASCII; anything else is left untouched.
    if text.is_ascii() {
        (out, hidden)
    } else {
        (text.to_string(), Vec::new())
    }
}

/// Where the nested type starting at `start` ends (after its matching `>`), if one starts there:
/// `array`, `map` or `struct` as a whole word, then `<`.
fn nested_type_end(text: &str, start: usize) -> Option<usize> {
    let before = text[..start].chars().next_back();
    if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let rest = &text[start..];
    let word = ["array", "map", "struct"]
        .into_iter()
        .find(|w| rest.len() > w.len() && rest[..w.len()].eq_ignore_ascii_case(w))?;
    let after = rest[word.len()..].trim_start();
    if !after.starts_with('<') {
        return None;
    }
    let open = start + (rest.len() - after.len());
    let mut depth = 0usize;
    for (offset, c) in text[open..].char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + offset + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// A parsed type's name with a placeholder put back as the type it hid.
pub(crate) fn restore(type_name: &str, hidden: &[String]) -> String {
    (0..hidden.len())
        .find(|&n| type_name == placeholder(n))
        .map_or_else(|| type_name.to_string(), |n| hidden[n].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_types_are_hidden_and_restored() {
        let (text, hidden) =
            hide("CREATE TABLE t (a array<string>, `b` STRUCT< os:string, v:array<int> >, c string COMMENT 'map<x>')");
        assert_eq!(
            text,
            "CREATE TABLE t (a glueless_nested_type_0, `b` glueless_nested_type_1, c string COMMENT 'map<x>')"
        );
        assert_eq!(hidden, vec!["array<string>".to_string(), "struct<os:string,v:array<int>>".to_string()]);
        assert_eq!(restore("glueless_nested_type_1", &hidden), "struct<os:string,v:array<int>>");
        assert_eq!(restore("bigint", &hidden), "bigint");
    }
}
