//! `--jq EXPRESSION`: jq filters over the JSON output, run in-process by jaq (no `jq` binary
//! needed).

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use serde_json::Value;

/// Outputs one filter run may produce, at most (`range(1e9)` must not fill memory).
const MAX_OUTPUTS: usize = 100_000;

/// A checked jq expression.
#[derive(Debug)]
pub struct Jq {
    expression: String,
}

impl Jq {
    /// Checks that `expression` parses and compiles.
    pub fn compile(expression: &str) -> Result<Jq, String> {
        let jq = Jq {
            expression: expression.to_owned(),
        };
        jq.with_filter(|_| Ok(()))?;
        Ok(jq)
    }

    /// The filter's outputs for `input`.
    pub fn run(&self, input: Value) -> Result<Vec<Value>, String> {
        let bytes = serde_json::to_vec(&input).map_err(|e| e.to_string())?;
        let input = jaq_json::read::parse_single(&bytes)
            .map_err(|e| format!("--jq: cannot read the input: {e}"))?;
        self.with_filter(|filter| {
            let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
            let mut outputs = Vec::new();
            for out in filter.id.run((ctx, input)).map(unwrap_valr) {
                let out = out.map_err(|e| format!("--jq: {e}"))?;
                let text = out.to_string();
                outputs.push(serde_json::from_str(&text).unwrap_or(Value::String(text)));
                if outputs.len() >= MAX_OUTPUTS {
                    return Err(format!("--jq: more than {MAX_OUTPUTS} outputs"));
                }
            }
            Ok(outputs)
        })
    }

    fn with_filter<T>(
        &self,
        body: impl FnOnce(
            &jaq_core::compile::Filter<jaq_core::Native<data::JustLut<Val>>>,
        ) -> Result<T, String>,
    ) -> Result<T, String> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let loader = Loader::new(defs);
        let arena = Arena::default();
        let program = File {
            code: self.expression.as_str(),
            path: (),
        };
        let invalid = || {
            format!(
                "--jq: `{}` is not a valid jq expression",
                crate::text::inert(&self.expression)
            )
        };
        let modules = loader.load(&arena, program).map_err(|_| invalid())?;
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|_| invalid())?;
        body(&filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_run_and_bad_ones_are_refused() {
        let jq = Jq::compile(".[].id").unwrap();
        let out = jq
            .run(serde_json::json!([{"id": "a"}, {"id": "b"}]))
            .unwrap();
        assert_eq!(out, vec![Value::from("a"), Value::from("b")]);
        assert!(Jq::compile(".[").is_err());
        let count = Jq::compile("map(select(.state == \"completed\")) | length").unwrap();
        assert_eq!(
            count
                .run(serde_json::json!([{"state": "completed"}, {"state": "failed"}]))
                .unwrap(),
            vec![Value::from(1)]
        );
        assert!(Jq::compile("range(1e9)").unwrap().run(Value::Null).is_err());
    }
}
