//! sigil-eval's oracle channel, for problems whose tests are recorded (arguments, result) pairs: the test
//! calls the entry point and `record`s what it returned, as one JSON line `case<TAB>value`; the evaluator
//! compares it with the expected value, which never enters the sample's process.
//! Written without macros or `unsafe`, so that nothing a sample defines or forbids at its crate root changes
//! what this module does (macro_rules! shadow built-in macros textually; `#![forbid(unsafe_code)]`).

use std::io::Write;

/// Where values go: the sample process's standard input, which the harness opens write-only on its
/// channel (a pipe the harness holds, in a batch and on the isolated path alike), owned by root, so
/// that they cannot be reopened by name through /proc. A sample can write there as this module can (and so
/// fail its own cases), in either path alike; it cannot read from there.
pub static SINK: std::sync::Mutex<Option<std::fs::File>> = std::sync::Mutex::new(None);

/// Called by the test before the first case.
pub fn open_sink() {
    use std::os::fd::AsFd;
    let mut sink = SINK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if sink.is_none() {
        *sink = std::io::stdin().as_fd().try_clone_to_owned().ok().map(std::fs::File::from);
    }
}

pub fn record<T: Emit + ?Sized>(case: usize, value: &T) {
    let mut line = case.to_string();
    line.push('\t');
    value.emit(&mut line);
    line.push('\n');
    let mut sink = SINK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let written = match sink.as_mut() {
        Some(file) => file.write_all(line.as_bytes()).is_ok(),
        None => false,
    };
    if !written {
        std::process::abort(); // no value recorded means no verdict: never a silent pass
    }
}

pub trait Emit {
    fn emit(&self, out: &mut String);
}

impl Emit for i64 {
    fn emit(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl Emit for i8 {
    fn emit(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl Emit for i16 {
    fn emit(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl Emit for i32 {
    fn emit(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl Emit for i128 {
    fn emit(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl Emit for isize {
    fn emit(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl Emit for u8 {
    fn emit(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl Emit for u16 {
    fn emit(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl Emit for u32 {
    fn emit(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl Emit for u64 {
    fn emit(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl Emit for u128 {
    fn emit(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl Emit for usize {
    fn emit(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl Emit for f32 {
    fn emit(&self, out: &mut String) {
        // Display is the shortest text that reads back to the same f32 (the evaluator rounds it to f32 again)
        if self.is_finite() {
            out.push_str(&self.to_string());
        } else {
            emit_str(&self.to_string(), out);
        }
    }
}

impl Emit for str {
    fn emit(&self, out: &mut String) {
        emit_str(self, out);
    }
}

impl<T: Emit + ?Sized> Emit for &T {
    fn emit(&self, out: &mut String) {
        (**self).emit(out);
    }
}

impl Emit for f64 {
    fn emit(&self, out: &mut String) {
        // Display is the shortest text that reads back to the same f64; JSON has no NaN or infinity
        if self.is_finite() {
            out.push_str(&self.to_string());
        } else {
            emit_str(&self.to_string(), out);
        }
    }
}

impl Emit for bool {
    fn emit(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl Emit for char {
    fn emit(&self, out: &mut String) {
        emit_str(&self.to_string(), out);
    }
}

impl Emit for String {
    fn emit(&self, out: &mut String) {
        emit_str(self, out);
    }
}

fn emit_str(text: &str, out: &mut String) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str("\\u");
                let code = c as u32;
                for shift in [12, 8, 4, 0] {
                    out.push(char::from_digit((code >> shift) & 0xf, 16).unwrap_or('0'));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON array of already-typed items (tuples, map pairs).
fn emit_items(items: &[&dyn Emit], out: &mut String) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        item.emit(out);
    }
    out.push(']');
}

impl<T: Emit> Emit for Vec<T> {
    fn emit(&self, out: &mut String) {
        let items: Vec<&dyn Emit> = self.iter().map(|item| item as &dyn Emit).collect();
        emit_items(&items, out);
    }
}

impl<T: Emit> Emit for Option<T> {
    fn emit(&self, out: &mut String) {
        match self {
            Some(value) => value.emit(out),
            None => out.push_str("null"),
        }
    }
}

impl<A: Emit, B: Emit> Emit for (A, B) {
    fn emit(&self, out: &mut String) {
        emit_items(&[&self.0, &self.1], out);
    }
}

impl<A: Emit, B: Emit, C: Emit> Emit for (A, B, C) {
    fn emit(&self, out: &mut String) {
        emit_items(&[&self.0, &self.1, &self.2], out);
    }
}

impl<A: Emit, B: Emit, C: Emit, D: Emit> Emit for (A, B, C, D) {
    fn emit(&self, out: &mut String) {
        emit_items(&[&self.0, &self.1, &self.2, &self.3], out);
    }
}

impl<A: Emit, B: Emit, C: Emit, D: Emit, E: Emit> Emit for (A, B, C, D, E) {
    fn emit(&self, out: &mut String) {
        emit_items(&[&self.0, &self.1, &self.2, &self.3, &self.4], out);
    }
}

impl<A: Emit, B: Emit, C: Emit, D: Emit, E: Emit, F: Emit> Emit for (A, B, C, D, E, F) {
    fn emit(&self, out: &mut String) {
        emit_items(&[&self.0, &self.1, &self.2, &self.3, &self.4, &self.5], out);
    }
}

/// A map as a list of [key, value] pairs, in whatever order it iterates: the evaluator compares them as a map.
impl<K: Emit, V: Emit> Emit for std::collections::HashMap<K, V> {
    fn emit(&self, out: &mut String) {
        out.push('[');
        for (i, (key, value)) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            emit_items(&[key, value], out);
        }
        out.push(']');
    }
}
