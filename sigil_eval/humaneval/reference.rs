// Our Rust reference solutions for the built-in HumanEval-Rust set: for each problem, the body that follows
// the prompt's open signature, closing brace included. Written for sigil-eval; checked by `sigil-eval dataset check`.

