//! The generator's pass that takes progenitor's `api-version` header out of the client.
//!
//! progenitor 0.15 puts the spec's `info.version` in an `api-version` header on every request,
//! with no setting to leave it out. GitHub does not read it (it reads `X-GitHub-Api-Version`,
//! which the client's defaults carry), so each request would build a header map for it and the
//! `pre` hook would take it out again. This pass removes the statement from each operation and
//! the slot it reserved in the operation's header map. When progenitor's code no longer has the
//! shape this pass knows, generation fails and names this file.

use proc_macro2::{Delimiter, Group, Literal, TokenStream, TokenTree};

/// The client's tokens without the `api-version` header.
pub fn remove(tokens: TokenStream) -> Result<TokenStream, String> {
    let mut counts = Counts::default();
    let tokens = walk(tokens, &mut counts).map_err(|e| {
        format!("progenitor's code changed: {e}; see crates/agent-tasks-raw/api_version_header.rs")
    })?;
    if counts.removed == 0 || counts.removed != counts.shrunk {
        return Err(format!(
            "progenitor's code changed: {} `api-version` statements taken out, {} header maps \
             shrunk (both should be one per operation); see crates/agent-tasks-raw/api_version_header.rs",
            counts.removed, counts.shrunk
        ));
    }
    Ok(tokens)
}

#[derive(Default)]
struct Counts {
    /// `header_map.append(..."api-version"...);` statements taken out.
    removed: usize,
    /// `HeaderMap::with_capacity(N)` made `N - 1`.
    shrunk: usize,
}

fn walk(tokens: TokenStream, counts: &mut Counts) -> Result<TokenStream, String> {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        let rest = &trees[i..];
        // `header_map . append ( HeaderName::from_static("api-version"), ... ) ;`
        if let [
            TokenTree::Ident(receiver),
            TokenTree::Punct(dot),
            TokenTree::Ident(method),
            TokenTree::Group(args),
            TokenTree::Punct(semi),
            ..,
        ] = rest
            && receiver == "header_map"
            && dot.as_char() == '.'
            && method == "append"
            && args.delimiter() == Delimiter::Parenthesis
            && semi.as_char() == ';'
            && names_api_version(args.stream())
        {
            counts.removed += 1;
            i += 5;
            continue;
        }
        // `HeaderMap :: with_capacity ( Nusize )`
        if let [TokenTree::Ident(function), TokenTree::Group(arg), ..] = rest
            && function == "with_capacity"
            && arg.delimiter() == Delimiter::Parenthesis
            && after_header_map(&out)
            && let Some(n) = usize_literal(arg.stream())
            && let Some(smaller) = n.checked_sub(1)
        {
            // A map that nothing else goes in is never changed: `let mut` would warn.
            if smaller == 0 && !drop_mut_of_header_map(&mut out) {
                return Err("an empty header map is not bound by `let mut header_map`".to_owned());
            }
            let mut group = Group::new(
                Delimiter::Parenthesis,
                TokenTree::Literal(Literal::usize_suffixed(smaller)).into(),
            );
            group.set_span(arg.span());
            out.push(TokenTree::Ident(function.clone()));
            out.push(TokenTree::Group(group));
            counts.shrunk += 1;
            i += 2;
            continue;
        }
        out.push(match &trees[i] {
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), walk(group.stream(), counts)?);
                inner.set_span(group.span());
                TokenTree::Group(inner)
            }
            other => other.clone(),
        });
        i += 1;
    }
    Ok(out.into_iter().collect())
}

/// Takes `mut` out of the `let mut header_map =` that the tokens so far end in (with the
/// path to `HeaderMap`); false when they do not.
fn drop_mut_of_header_map(out: &mut Vec<TokenTree>) -> bool {
    let Some(at) = out
        .iter()
        .rposition(|tree| matches!(tree, TokenTree::Ident(name) if name == "header_map"))
    else {
        return false;
    };
    let Some(before) = at.checked_sub(2) else {
        return false;
    };
    let bound = matches!(
        &out[before..],
        [
            TokenTree::Ident(keyword),
            TokenTree::Ident(mutable),
            TokenTree::Ident(_),
            TokenTree::Punct(equals),
            ..,
        ] if keyword == "let" && mutable == "mut" && equals.as_char() == '='
    );
    if bound {
        out.remove(before + 1);
    }
    bound
}

/// Whether a call's arguments hold the literal `"api-version"`.
fn names_api_version(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Literal(literal) => literal.to_string() == "\"api-version\"",
        TokenTree::Group(group) => names_api_version(group.stream()),
        _ => false,
    })
}

/// Whether the tokens so far end in `HeaderMap ::`.
fn after_header_map(out: &[TokenTree]) -> bool {
    matches!(
        out,
        [
            ..,
            TokenTree::Ident(name),
            TokenTree::Punct(first),
            TokenTree::Punct(second),
        ] if name == "HeaderMap" && first.as_char() == ':' && second.as_char() == ':'
    )
}

/// `N` of a lone `Nusize` literal.
fn usize_literal(tokens: TokenStream) -> Option<usize> {
    let mut trees = tokens.into_iter();
    match (trees.next(), trees.next()) {
        (Some(TokenTree::Literal(literal)), None) => {
            literal.to_string().strip_suffix("usize")?.parse().ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::remove;

    /// One operation's code as progenitor 0.15 writes it, with `extra` header statements.
    fn operation(capacity: usize, extra: &str) -> String {
        format!(
            r#"pub async fn send(self) {{
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity({capacity}usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                );
                {extra}
                let request = client.client.get(url).headers(header_map).build()?;
            }}"#
        )
    }

    fn run(code: &str) -> Result<String, String> {
        let tokens = code.parse().map_err(|e| format!("test input: {e}"))?;
        remove(tokens).map(|t| t.to_string())
    }

    #[test]
    fn the_header_goes_and_a_map_left_empty_is_not_mut() {
        let out = run(&operation(1, "")).unwrap();
        assert!(!out.contains("api-version"), "{out}");
        assert!(out.contains("let header_map"), "{out}");
        assert!(out.contains("with_capacity (0usize)"), "{out}");
    }

    #[test]
    fn a_map_with_other_headers_keeps_their_slots() {
        let conditional = r#"if let Some(value) = if_none_match {
            header_map.append("If-None-Match", value.to_string().try_into()?);
        }"#;
        let out = run(&operation(2, conditional)).unwrap();
        assert!(!out.contains("api-version"), "{out}");
        assert!(out.contains("If-None-Match"), "{out}");
        assert!(out.contains("let mut header_map"), "{out}");
        assert!(out.contains("with_capacity (1usize)"), "{out}");
    }

    #[test]
    fn every_operation_is_rewritten() {
        let out = run(&format!("{}\n{}", operation(1, ""), operation(1, ""))).unwrap();
        assert_eq!(out.matches("with_capacity (0usize)").count(), 2, "{out}");
        assert!(!out.contains("api-version"), "{out}");
    }

    #[test]
    fn code_of_another_shape_fails_and_names_this_pass() {
        // progenitor stopped sending the header, or sends it another way.
        let without = "pub async fn send(self) { let mut header_map = \
                       ::reqwest::header::HeaderMap::with_capacity(1usize); }";
        let error = run(without).unwrap_err();
        assert!(error.contains("api_version_header.rs"), "{error}");
        assert!(error.contains("0 `api-version` statements"), "{error}");
        // The statement without the map it reserved a slot in.
        let unreserved = r#"fn f() { let mut header_map = ::reqwest::header::HeaderMap::new();
            header_map.append(HeaderName::from_static("api-version"), v); }"#;
        let error = run(unreserved).unwrap_err();
        assert!(
            error.contains("1 `api-version` statements taken out, 0 header maps"),
            "{error}"
        );
        // A map left empty that is not bound by `let mut header_map`.
        let unbound = r#"fn f() { let headers = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(HeaderName::from_static("api-version"), v); }"#;
        let error = run(unbound).unwrap_err();
        assert!(
            error.contains("not bound by `let mut header_map`"),
            "{error}"
        );
    }
}
