//! Text from the server made inert before it reaches a terminal: control characters (escape
//! sequences, carriage returns, bells) are shown escaped, never obeyed.

/// `text` with every control character escaped (`\u{1b}` for ESC); a newline too, so that one
/// field stays on one line.
pub fn inert(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Like [`inert`], but keeps newlines and tabs (for multi-line text such as an error message).
pub fn inert_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| inert(line).replace("\\t", "\t"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        assert_eq!(inert("plain"), "plain");
        assert_eq!(inert("\u{1b}[31mred\u{7}"), "\\u{1b}[31mred\\u{7}");
        assert_eq!(inert("a\rb\nc"), "a\\rb\\nc");
        assert_eq!(inert_lines("a\nb\u{1b}"), "a\nb\\u{1b}");
    }
}
