//! Percent-decoding of path segments and query strings, and the encoding of query values
//! into `Link` headers.
//!
//! Everything here works on bytes: a request's path and query are hostile, and a `%` may be
//! followed by anything, including half of a multi-byte character. Decoded bytes that are not
//! UTF-8 become U+FFFD, never an error or a panic.

/// Decodes one path segment (`%XX` only; a `+` stays a `+`).
pub(crate) fn decode_path_segment(s: &str) -> String {
    decode(s.as_bytes(), false)
}

/// Decodes one query key or value (`%XX`, and `+` for a space).
pub(crate) fn decode_query_component(s: &str) -> String {
    decode(s.as_bytes(), true)
}

fn decode(bytes: &[u8], plus_is_space: bool) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex);
                let lo = bytes.get(i + 2).copied().and_then(hex);
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push(hi << 4 | lo);
                    i += 3;
                    continue;
                }
                // Not an escape: keep the `%` as it is, like browsers and GitHub do.
                out.push(b'%');
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The `key=value` pairs of a query string, decoded, in order (a key may repeat).
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode_query_component(k), decode_query_component(v))
        })
        .collect()
}

/// Encodes a query value for a `Link` header: everything but unreserved characters and the
/// `,` and `:` GitHub leaves bare is escaped, so the header stays valid whatever came in.
pub(crate) fn encode_query_component(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' | b':' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Escapes what may not stand bare in a `Link` header's `<...>` target: a raw path keeps its
/// slashes and existing escapes, anything outside RFC 3986's path characters is escaped.
pub(crate) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'/'
            | b'%'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b':'
            | b'@' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `text` with anything but printable ASCII replaced by `?`, at most 100 characters: safe to
/// echo back in an error message.
pub(crate) fn printable(text: &str) -> String {
    text.chars()
        .take(100)
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_decode_and_broken_ones_stay() {
        assert_eq!(decode_query_component("a%2Cb+c"), "a,b c");
        assert_eq!(decode_path_segment("a+b%20c"), "a+b c");
        assert_eq!(decode_query_component("%"), "%");
        assert_eq!(decode_query_component("%4"), "%4");
        assert_eq!(decode_query_component("%zz"), "%zz");
        assert_eq!(decode_query_component("%C3%A9"), "é");
        assert_eq!(decode_query_component("%ff"), "\u{fffd}");
    }

    #[test]
    fn a_percent_before_a_multibyte_character_is_kept() {
        // Once sliced a `&str` inside `é` and panicked with the state lock held.
        assert_eq!(decode_query_component("%a\u{e9}"), "%a\u{e9}");
        assert_eq!(decode_query_component("%\u{e9}"), "%\u{e9}");
        assert_eq!(
            query_pairs(Some("state=%a\u{e9}")),
            [("state".to_owned(), "%a\u{e9}".to_owned())]
        );
    }

    proptest! {
        #[test]
        fn decoding_never_panics_on_any_text(s in "\\PC*") {
            let _ = decode_query_component(&s);
            let _ = decode_path_segment(&s);
            let _ = query_pairs(Some(&s));
        }

        #[test]
        fn decoding_never_panics_on_escapes_mixed_with_anything(
            parts in proptest::collection::vec(
                prop_oneof!["%[0-9a-fA-F]{0,2}", "[%+=&]", "\\PC{0,3}", "[\u{80}-\u{10ffff}]"],
                0..24,
            )
        ) {
            let s = parts.concat();
            let _ = decode_query_component(&s);
            let _ = decode_path_segment(&s);
            let _ = query_pairs(Some(&s));
        }

        #[test]
        fn decoding_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode(&bytes, true);
            let _ = decode(&bytes, false);
        }

        #[test]
        fn encoded_paths_are_plain_ascii(s in "\\PC*") {
            let encoded = encode_path(&s);
            prop_assert!(encoded.bytes().all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>'));
        }

        #[test]
        fn encoding_round_trips(s in "\\PC*") {
            let encoded = encode_query_component(&s);
            prop_assert!(encoded.bytes().all(|b| b.is_ascii_graphic()));
            prop_assert_eq!(decode_query_component(&encoded), s);
        }
    }
}
