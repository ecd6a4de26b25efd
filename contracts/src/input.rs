//! Untrusted text at the edges. Every text input is checked for control characters before
//! anything reaches the database: query strings and path segments (by the layer in
//! `platform::web`), JSON bodies (by command-api's body extractor, with
//! [`control_character_path`]), and the value types' constructors. The little text kept
//! as data from elsewhere (the `User-Agent` in the audit trail, an approved platform's
//! words) is cleaned rather than refused ([`kept_text`], [`header_text`]).
//!
//! A control character is Unicode's `Cc` category: C0 (`U+0000`–`U+001F`, tab and
//! newline included), DEL and C1 (`U+0080`–`U+009F`). No field of the API is multi-line,
//! so none allows a newline.

use std::fmt::Write as _;

use serde_json::Value;

/// Whether `c` is a control character (Unicode `Cc`): refused in every text input.
pub fn is_control(c: char) -> bool {
    c.is_control()
}

pub fn contains_control(text: &str) -> bool {
    text.chars().any(is_control)
}

/// The path of the first string in `value` that holds a control character, as a client
/// names a field: `name`, `billing_address.line1`, `lines[2].label`; `$` for a bare
/// string. A key holding one is reported by its own (escaped) path.
pub fn control_character_path(value: &Value) -> Option<String> {
    fn walk(value: &Value, path: &mut String) -> bool {
        match value {
            Value::String(s) => contains_control(s),
            Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
                let len = path.len();
                let _ = write!(path, "[{i}]");
                let found = walk(item, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            Value::Object(map) => map.iter().any(|(key, item)| {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                if contains_control(key) {
                    path.push_str(&excerpt(key, 64));
                    return true;
                }
                path.push_str(key);
                let found = walk(item, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            Value::Null | Value::Bool(_) | Value::Number(_) => false,
        }
    }
    let mut path = String::new();
    walk(value, &mut path).then(|| {
        if path.is_empty() {
            "$".to_owned()
        } else {
            path
        }
    })
}

/// A header's value as text worth keeping (the `User-Agent` of the audit trail): bytes
/// that are not UTF-8 become `U+FFFD`, then as [`kept_text`].
pub fn header_text(bytes: &[u8], max_chars: usize) -> Option<String> {
    kept_text(&String::from_utf8_lossy(bytes), max_chars)
}

/// Text from elsewhere kept as data: control characters become spaces, then trimmed and
/// cut to `max_chars`; `None` when nothing is left.
pub fn kept_text(text: &str, max_chars: usize) -> Option<String> {
    let cleaned: String = text
        .chars()
        .map(|c| if is_control(c) { ' ' } else { c })
        .collect();
    let kept: String = cleaned.trim().chars().take(max_chars).collect();
    let kept = kept.trim_end();
    (!kept.is_empty()).then(|| kept.to_owned())
}

/// What is wrong with a query string or a path: which parameter or segment, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The parameter's name or the path segment, escaped and shortened for an error body.
    pub name: String,
    pub reason: &'static str,
}

const NOT_UTF8: &str = "is not valid UTF-8";
const CONTROL: &str = "holds a control character";

/// `%XY` decoded (and `+` as a space when `plus_is_space`, as in a query string), without
/// judging the result; a `%` not followed by two hex digits stays as it is.
fn percent_decode(raw: &str, plus_is_space: bool) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = (b == b'%')
            .then(|| Some((hex(*bytes.get(i + 1)?)?, hex(*bytes.get(i + 2)?)?)))
            .flatten();
        match escaped {
            Some((high, low)) => {
                out.push(high << 4 | low);
                i += 3;
            }
            None => {
                out.push(if plus_is_space && b == b'+' { b' ' } else { b });
                i += 1;
            }
        }
    }
    out
}

fn judge(decoded: &[u8]) -> Result<&str, &'static str> {
    let text = std::str::from_utf8(decoded).map_err(|_| NOT_UTF8)?;
    if contains_control(text) {
        return Err(CONTROL);
    }
    Ok(text)
}

/// Checks every name and value of a query string (`a=1&b=x%00`): each must decode to
/// UTF-8 without a control character. The error names the parameter.
pub fn check_query(query: &str) -> Result<(), Refused> {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name_bytes = percent_decode(name, true);
        let shown = excerpt(&String::from_utf8_lossy(&name_bytes), 64);
        judge(&name_bytes).map_err(|reason| Refused {
            name: shown.clone(),
            reason,
        })?;
        judge(&percent_decode(value, true)).map_err(|reason| Refused {
            name: shown.clone(),
            reason,
        })?;
    }
    Ok(())
}

/// Checks every segment of a request path: each must decode to UTF-8 without a control
/// character. The error names the segment.
pub fn check_path(path: &str) -> Result<(), Refused> {
    for segment in path.split('/') {
        let decoded = percent_decode(segment, false);
        judge(&decoded).map_err(|reason| Refused {
            name: excerpt(&String::from_utf8_lossy(&decoded), 64),
            reason,
        })?;
    }
    Ok(())
}

/// `raw` fit for an error message: control characters escaped, at most `max_chars`
/// characters (then `…`), so that an error never echoes a huge or binary input.
pub fn excerpt(raw: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for (i, c) in raw.chars().enumerate() {
        if i == max_chars {
            out.push('…');
            break;
        }
        if is_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn every_kind_of_control_character_is_one() {
        for c in [
            '\0', '\t', '\n', '\r', '\u{1b}', '\u{7f}', '\u{80}', '\u{85}', '\u{9f}',
        ] {
            assert!(is_control(c), "{c:?}");
        }
        for c in [' ', 'é', '\u{a0}', '\u{200b}', '\u{301}', '😀'] {
            assert!(!is_control(c), "{c:?}");
        }
    }

    #[test]
    fn a_control_character_is_found_with_its_field_path() {
        assert_eq!(control_character_path(&json!({"name": "ok"})), None);
        assert_eq!(
            control_character_path(&json!({"name": "a\u{0}b"})).as_deref(),
            Some("name")
        );
        assert_eq!(
            control_character_path(&json!({"billing": {"line1": "x", "city": "Pa\nris"}}))
                .as_deref(),
            Some("billing.city")
        );
        assert_eq!(
            control_character_path(&json!({"lines": [{"label": "ok"}, {"label": "\u{85}"}]}))
                .as_deref(),
            Some("lines[1].label")
        );
        assert_eq!(
            control_character_path(&json!({"a\u{0}": 1})).as_deref(),
            Some("a\\u{0}")
        );
        assert_eq!(control_character_path(&json!("\t")).as_deref(), Some("$"));
        assert_eq!(control_character_path(&json!([1, true, null, "é"])), None);
    }

    #[test]
    fn queries_and_paths_are_refused_by_name() {
        assert_eq!(check_query("q=vis+%C3%A9crou&page=2"), Ok(()));
        assert_eq!(check_query(""), Ok(()));
        let refused = check_query("page=1&q=a%00b").unwrap_err();
        assert_eq!(refused.name, "q");
        assert_eq!(refused.reason, CONTROL);
        assert_eq!(check_query("status=%FF").unwrap_err().reason, NOT_UTF8);
        assert_eq!(check_query("st%0Atus=x").unwrap_err().name, "st\\ntus");
        assert_eq!(check_query("q=%C2%85").unwrap_err().reason, CONTROL);
        // A lone `%` is kept as it is, as the query extractor does.
        assert_eq!(check_query("q=100%"), Ok(()));
        assert_eq!(check_path("/products/%E2%82%AC"), Ok(()));
        assert_eq!(check_path("/products/%FF").unwrap_err().reason, NOT_UTF8);
        assert_eq!(check_path("/products/a%00").unwrap_err().name, "a\\u{0}");
        // `+` in a path is a plus.
        assert_eq!(check_path("/a+b"), Ok(()));
    }

    #[test]
    fn a_header_kept_as_data_loses_its_control_characters() {
        assert_eq!(
            header_text(b"curl/8\tx\x7f", 256).as_deref(),
            Some("curl/8 x")
        );
        assert_eq!(
            header_text("Mozilla \u{85}5".as_bytes(), 256).as_deref(),
            Some("Mozilla  5")
        );
        assert_eq!(header_text(b"\xff ok", 256).as_deref(), Some("\u{fffd} ok"));
        assert_eq!(header_text(b" \t ", 256), None);
        assert_eq!(header_text("ééé".as_bytes(), 2).as_deref(), Some("éé"));
    }

    #[test]
    fn an_excerpt_is_bounded_and_escaped() {
        assert_eq!(excerpt("abc", 2), "ab…");
        assert_eq!(excerpt("a\u{0}", 10), "a\\u{0}");
        assert_eq!(excerpt(&"😀".repeat(10_000), 3), "😀😀😀…");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn checks_never_panic_and_agree_with_the_text(raw in any::<String>()) {
            let _ = check_path(&raw);
            let _ = check_query(&raw);
            let _ = excerpt(&raw, 16);
            let cleaned = header_text(raw.as_bytes(), 50);
            prop_assert!(!cleaned.as_deref().is_some_and(contains_control));
            let found = control_character_path(&json!({ "field": raw.clone() }));
            prop_assert_eq!(found.is_some(), contains_control(&raw));
        }

        #[test]
        fn a_percent_encoded_value_is_judged_on_what_it_decodes_to(raw in any::<String>()) {
            let encoded: String = raw.bytes().map(|b| format!("%{b:02X}")).collect();
            prop_assert_eq!(check_query(&format!("q={encoded}")).is_err(), contains_control(&raw));
        }
    }
}
