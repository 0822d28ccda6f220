"""HumanEval-Rust+: more inputs per problem, within its domain, with expected values from independent references
(issue 25; in progress). `mutate` grows an input pool from a problem's base inputs; `domain` keeps the inputs that
lie in the domain every base input shares."""
