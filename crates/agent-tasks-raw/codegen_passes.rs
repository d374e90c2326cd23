//! What the generator changes in progenitor's code, and why: each change is a pass over the
//! client's tokens that progenitor 0.15 has no setting for. A pass that no longer finds the
//! shape it knows fails generation, naming this file, so that a new progenitor is looked at
//! rather than silently let through.
//!
//! - **No `api-version` header.** progenitor puts the spec's `info.version` in an
//!   `api-version` header on every request. GitHub does not read it (it reads
//!   `X-GitHub-Api-Version`, which the client's defaults carry), so each request built a header
//!   map for it and the `pre` hook took it out again. The pass removes the statement and the
//!   slot it reserved in the operation's header map.
//! - **Answers decoded by the crate's own `from_response`** (`src/decode.rs`): progenitor's
//!   copies every header of every answer, then drops the original.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, TokenStream, TokenTree};

/// The client's tokens after every pass.
pub fn apply(tokens: TokenStream) -> Result<TokenStream, String> {
    let tokens = without_api_version(tokens)?;
    own_decoder(tokens)
}

/// What a pass does at one place of the tokens: `Some(n)` when it consumed the `n` tokens
/// that start there (having pushed what replaces them onto `out`), `None` to leave them be.
type Step<'a> = dyn FnMut(&[TokenTree], &mut Vec<TokenTree>) -> Result<Option<usize>, String> + 'a;

/// Runs `step` at every place of `tokens`, inside groups too.
fn rewrite(tokens: TokenStream, step: &mut Step<'_>) -> Result<TokenStream, String> {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        if let Some(consumed) = step(&trees[i..], &mut out)? {
            i += consumed.max(1);
            continue;
        }
        out.push(match &trees[i] {
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), rewrite(group.stream(), step)?);
                inner.set_span(group.span());
                TokenTree::Group(inner)
            }
            other => other.clone(),
        });
        i += 1;
    }
    Ok(out.into_iter().collect())
}

fn changed(what: String) -> String {
    format!("progenitor's code changed: {what}; see crates/agent-tasks-raw/codegen_passes.rs")
}

/// Takes `header_map.append(HeaderName::from_static("api-version"), ...);` out of every
/// operation, and its slot out of `HeaderMap::with_capacity(N)`.
fn without_api_version(tokens: TokenStream) -> Result<TokenStream, String> {
    let (mut removed, mut shrunk) = (0usize, 0usize);
    let tokens = rewrite(tokens, &mut |rest, out| {
        // The statement, in the block whose map was shrunk for it (below).
        if is_api_version_statement(rest) {
            let shrunk_here = out
                .iter()
                .any(|tree| matches!(tree, TokenTree::Ident(name) if name == "with_capacity"));
            if !shrunk_here {
                return Err(changed(
                    "an `api-version` statement without `HeaderMap::with_capacity` before it in \
                     its block"
                        .to_owned(),
                ));
            }
            removed += 1;
            return Ok(Some(5));
        }
        // `HeaderMap :: with_capacity ( Nusize )`, of a block that appends `api-version`
        // after it: another map keeps its size.
        if let [
            TokenTree::Ident(function),
            TokenTree::Group(arg),
            after @ ..,
        ] = rest
            && function == "with_capacity"
            && arg.delimiter() == Delimiter::Parenthesis
            && ends_with_path(out, Some("HeaderMap"))
            && (0..after.len()).any(|i| is_api_version_statement(&after[i..]))
            && let Some(n) = usize_literal(arg.stream())
            && let Some(smaller) = n.checked_sub(1)
        {
            // A map that nothing else goes in is never changed: `let mut` would warn.
            if smaller == 0 && !drop_mut_of_header_map(out) {
                return Err(changed(
                    "an empty header map is not bound by `let mut header_map`".to_owned(),
                ));
            }
            let mut group = Group::new(
                Delimiter::Parenthesis,
                TokenTree::Literal(Literal::usize_suffixed(smaller)).into(),
            );
            group.set_span(arg.span());
            out.push(TokenTree::Ident(function.clone()));
            out.push(TokenTree::Group(group));
            shrunk += 1;
            return Ok(Some(2));
        }
        Ok(None)
    })?;
    if removed == 0 || removed != shrunk {
        return Err(changed(format!(
            "{removed} `api-version` statements taken out, {shrunk} header maps shrunk (both \
             should be one per operation)"
        )));
    }
    Ok(tokens)
}

/// Makes every `ResponseValue::from_response` the crate's `crate::decode::from_response`.
fn own_decoder(tokens: TokenStream) -> Result<TokenStream, String> {
    let (mut replaced, mut qualified) = (0usize, 0usize);
    let tokens = rewrite(tokens, &mut |rest, out| {
        // `ResponseValue :: from_response`, not itself part of a longer path.
        if let [
            TokenTree::Ident(value),
            TokenTree::Punct(first),
            TokenTree::Punct(second),
            TokenTree::Ident(function),
            ..,
        ] = rest
            && value == "ResponseValue"
            && first.as_char() == ':'
            && second.as_char() == ':'
            && function == "from_response"
        {
            // `some::path::ResponseValue::from_response`: a shape this pass does not know.
            if ends_with_path(out, None) {
                qualified += 1;
                return Ok(None);
            }
            let span = value.span();
            out.push(TokenTree::Ident(Ident::new("crate", span)));
            push_path_separator(out);
            out.push(TokenTree::Ident(Ident::new("decode", span)));
            push_path_separator(out);
            out.push(TokenTree::Ident(function.clone()));
            replaced += 1;
            return Ok(Some(4));
        }
        Ok(None)
    })?;
    if replaced == 0 || qualified > 0 {
        return Err(changed(format!(
            "{replaced} `ResponseValue::from_response` sent to `crate::decode`, {qualified} \
             behind a longer path left as they were (every one should be sent)"
        )));
    }
    Ok(tokens)
}

fn push_path_separator(out: &mut Vec<TokenTree>) {
    out.push(TokenTree::Punct(Punct::new(':', Spacing::Joint)));
    out.push(TokenTree::Punct(Punct::new(':', Spacing::Alone)));
}

/// Whether `tokens` start with `header_map . append ( ... "api-version" ... ) ;`.
fn is_api_version_statement(tokens: &[TokenTree]) -> bool {
    matches!(
        tokens,
        [
            TokenTree::Ident(receiver),
            TokenTree::Punct(dot),
            TokenTree::Ident(method),
            TokenTree::Group(args),
            TokenTree::Punct(semi),
            ..,
        ] if receiver == "header_map"
            && dot.as_char() == '.'
            && method == "append"
            && args.delimiter() == Delimiter::Parenthesis
            && semi.as_char() == ';'
            && names_api_version(args.stream())
    )
}

/// Whether a call's arguments hold the literal `"api-version"`.
fn names_api_version(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Literal(literal) => literal.to_string() == "\"api-version\"",
        TokenTree::Group(group) => names_api_version(group.stream()),
        _ => false,
    })
}

/// Whether the tokens so far end in `::`, after `segment` when one is given.
fn ends_with_path(out: &[TokenTree], segment: Option<&str>) -> bool {
    let Some(start) = out.len().checked_sub(2) else {
        return false;
    };
    let separator = matches!(
        &out[start..],
        [TokenTree::Punct(first), TokenTree::Punct(second)]
            if first.as_char() == ':' && second.as_char() == ':'
    );
    separator
        && segment.is_none_or(|segment| {
            matches!(
                start.checked_sub(1).map(|i| &out[i]),
                Some(TokenTree::Ident(name)) if name == segment
            )
        })
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
    use super::apply;

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
                match response.status().as_u16() {{
                    200u16 => ResponseValue::from_response(response).await,
                    _ => Err(Error::UnexpectedResponse(response)),
                }}
            }}"#
        )
    }

    fn run(code: &str) -> Result<String, String> {
        let tokens = code.parse().map_err(|e| format!("test input: {e}"))?;
        apply(tokens).map(|t| t.to_string())
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
    fn answers_go_to_the_crates_decoder() {
        let out = run(&operation(1, "")).unwrap();
        assert!(
            out.contains("crate :: decode :: from_response (response) . await"),
            "{out}"
        );
        assert!(!out.contains("ResponseValue :: from_response"), "{out}");
    }

    #[test]
    fn every_operation_is_rewritten() {
        let out = run(&format!("{}\n{}", operation(1, ""), operation(1, ""))).unwrap();
        assert_eq!(out.matches("with_capacity (0usize)").count(), 2, "{out}");
        assert_eq!(out.matches("crate :: decode :: from_response").count(), 2);
        assert!(!out.contains("api-version"), "{out}");
    }

    #[test]
    fn code_of_another_shape_fails_and_names_this_file() {
        // progenitor stopped sending the header, or sends it another way.
        let without = "pub async fn send(self) { let mut header_map = \
                       ::reqwest::header::HeaderMap::with_capacity(1usize); }";
        let error = run(without).unwrap_err();
        assert!(error.contains("codegen_passes.rs"), "{error}");
        assert!(error.contains("0 `api-version` statements"), "{error}");
        // The statement without the map it reserved a slot in.
        let unreserved = r#"fn f() { let mut header_map = ::reqwest::header::HeaderMap::new();
            header_map.append(HeaderName::from_static("api-version"), v); }"#;
        let error = run(unreserved).unwrap_err();
        assert!(
            error.contains("without `HeaderMap::with_capacity` before it"),
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
        // Answers decoded some other way.
        let error = run(&operation(1, "").replace("ResponseValue::", "Decoded::")).unwrap_err();
        assert!(
            error.contains("0 `ResponseValue::from_response` sent"),
            "{error}"
        );
        assert!(error.contains("codegen_passes.rs"), "{error}");
        // Some of them behind a longer path: they would still copy every header.
        let mixed = format!(
            "{}\n{}",
            operation(1, ""),
            operation(1, "").replace("ResponseValue::", "progenitor_client::ResponseValue::")
        );
        let error = run(&mixed).unwrap_err();
        assert!(error.contains("1 behind a longer path"), "{error}");
        // The statement in a block whose map was not reserved for it.
        let elsewhere = r#"fn f() { let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize); }
            fn g() { header_map.append(HeaderName::from_static("api-version"), v); }"#;
        let error = run(elsewhere).unwrap_err();
        assert!(
            error.contains("without `HeaderMap::with_capacity`"),
            "{error}"
        );
    }

    #[test]
    fn a_header_map_that_gets_no_api_version_keeps_its_size() {
        let other =
            "fn other() { let mut headers = ::reqwest::header::HeaderMap::with_capacity(2usize); }";
        let out = run(&format!("{}\n{other}", operation(1, ""))).unwrap();
        assert!(out.contains("with_capacity (2usize)"), "{out}");
        assert!(out.contains("let mut headers"), "{out}");
        assert_eq!(out.matches("with_capacity (0usize)").count(), 1, "{out}");
    }
}
