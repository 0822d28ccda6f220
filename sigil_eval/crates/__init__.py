"""Crate-level tasks (issue 26, in progress): a task is a whole crate — its `Cargo.toml`, stub sources, tests and
instructions — and an answer edits the files the task lets it (Exercism's `files.solution`). `task` reads the
tasks; `answer` turns a model's answer into files."""
