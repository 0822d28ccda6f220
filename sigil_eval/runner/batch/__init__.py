"""Rust-side batching: many samples in one crate, compiled once, tested by one forking harness.

share    ─ ≥ 2 samples of a problem that may share its tests (`sharing`) ─▶ its tests compiled once
unclosed ─ a batch of samples whose brackets do not close (rustc stops at the first such file) ─▶ each compiled
         as a crate of its own, all in one jail: its errors are its verdict; one that compiles joins the rest
compile  ─ error in a shared tests module or in a sample's shims ─▶ those samples take their own tests; rebuild
         ─ errors attributed by primary-span file (`attribution`) ─▶ those samples are compile errors; rebuild
         ─ error in the generated root ─▶ that sample goes isolated
         ─ nothing attributable (ICE, link error, OOM) ─▶ split in halves; a singleton goes isolated
         ─ timeout (a tight budget, see `crate.batch_compile_budget`) ─▶ split in halves; ≤ 8 members go isolated
run      ─ one forked child per sample (`harness_run`, harness.rs) ─▶ one record per sample; a missing one goes
         isolated

Modules, in that order: `source` (a member's module and the generated root), `crate` (the crate on disk and
its compile), `members` (what the batch found per member), `sharing`, `attribution`, `harness_run`, and `run`
(`run_batch`, the loop above).
"""
