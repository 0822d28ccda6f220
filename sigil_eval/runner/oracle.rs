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

/// Arguments that travel as data (plus inputs): one JSON array per case, read back into the parameters' owned
/// types by `Input`, so that compiling the tests does not grow with the number of cases. The evaluator checks
/// every value against its type before it writes the data: malformed data is never the sample's doing, and
/// aborting on it (no value recorded) can only fail a run, never pass one.
pub struct Data<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn malformed() -> ! {
    std::process::abort()
}

impl<'a> Data<'a> {
    pub fn new(text: &'a str) -> Data<'a> {
        Data { bytes: text.as_bytes(), at: 0 }
    }

    fn skip_space(&mut self) {
        while self.at < self.bytes.len() && self.bytes[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> u8 {
        self.skip_space();
        if self.at < self.bytes.len() { self.bytes[self.at] } else { 0 }
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == byte {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, byte: u8) {
        if !self.eat(byte) {
            malformed();
        }
    }

    /// Opens the next case's argument list; false at the end of the data.
    pub fn next_case(&mut self) -> bool {
        if self.peek() == 0 {
            return false;
        }
        self.expect(b'[');
        true
    }

    /// The next argument of the open case.
    pub fn argument<T: Input>(&mut self) -> T {
        self.eat(b',');
        T::input(self)
    }

    pub fn end_case(&mut self) {
        self.expect(b']');
    }

    /// The items of a JSON array, each read by `item`.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Data<'a>) -> T) -> Vec<T> {
        self.expect(b'[');
        let mut items = Vec::new();
        while !self.eat(b']') {
            if !items.is_empty() {
                self.expect(b',');
            }
            items.push(item(self));
        }
        items
    }

    fn token(&mut self) -> &'a str {
        self.skip_space();
        let start = self.at;
        while self.at < self.bytes.len() && !b",]} \n\t\r".contains(&self.bytes[self.at]) {
            self.at += 1;
        }
        match std::str::from_utf8(&self.bytes[start..self.at]) {
            Ok(text) if !text.is_empty() => text,
            _ => malformed(),
        }
    }

    fn parsed<T: std::str::FromStr>(&mut self) -> T {
        match self.token().parse() {
            Ok(value) => value,
            Err(_) => malformed(),
        }
    }

    fn string(&mut self) -> String {
        self.expect(b'"');
        let mut out: Vec<u8> = Vec::new();
        loop {
            if self.at >= self.bytes.len() {
                malformed();
            }
            let byte = self.bytes[self.at];
            self.at += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let escape = if self.at < self.bytes.len() { self.bytes[self.at] } else { malformed() };
                    self.at += 1;
                    let ch = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => self.unicode_escape(),
                        _ => malformed(),
                    };
                    let mut buffer = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buffer).as_bytes());
                }
                _ => out.push(byte),
            }
        }
        match String::from_utf8(out) {
            Ok(text) => text,
            Err(_) => malformed(),
        }
    }

    fn hex4(&mut self) -> u32 {
        if self.at + 4 > self.bytes.len() {
            malformed();
        }
        let digits = match std::str::from_utf8(&self.bytes[self.at..self.at + 4]) {
            Ok(text) => text,
            Err(_) => malformed(),
        };
        self.at += 4;
        match u32::from_str_radix(digits, 16) {
            Ok(code) => code,
            Err(_) => malformed(),
        }
    }

    fn unicode_escape(&mut self) -> char {
        let mut code = self.hex4();
        if (0xD800..0xDC00).contains(&code) {
            if !(self.eat(b'\\') && self.eat(b'u')) {
                malformed();
            }
            let low = self.hex4();
            code = 0x10000 + ((code - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3ff);
        }
        match char::from_u32(code) {
            Some(ch) => ch,
            None => malformed(),
        }
    }
}

pub trait Input: Sized {
    fn input(data: &mut Data<'_>) -> Self;
}

impl Input for i8 {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for i16 {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for i32 {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for i64 {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for i128 {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for isize {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for u8 {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for u16 {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for u32 {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for u64 {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for u128 {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for usize {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for f32 {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for f64 {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for bool {
    fn input(data: &mut Data<'_>) -> Self {
        data.parsed()
    }
}

impl Input for char {
    fn input(data: &mut Data<'_>) -> Self {
        let text = data.string();
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(ch), None) => ch,
            _ => malformed(),
        }
    }
}

impl Input for String {
    fn input(data: &mut Data<'_>) -> Self {
        data.string()
    }
}

impl<T: Input> Input for Vec<T> {
    fn input(data: &mut Data<'_>) -> Self {
        data.list(T::input)
    }
}

impl<T: Input> Input for Option<T> {
    fn input(data: &mut Data<'_>) -> Self {
        if data.peek() == b'n' {
            if data.token() != "null" {
                malformed();
            }
            None
        } else {
            Some(T::input(data))
        }
    }
}

impl<A: Input, B: Input> Input for (A, B) {
    fn input(data: &mut Data<'_>) -> Self {
        data.expect(b'[');
        let value = (data.argument(), data.argument());
        data.expect(b']');
        value
    }
}

impl<A: Input, B: Input, C: Input> Input for (A, B, C) {
    fn input(data: &mut Data<'_>) -> Self {
        data.expect(b'[');
        let value = (data.argument(), data.argument(), data.argument());
        data.expect(b']');
        value
    }
}

impl<A: Input, B: Input, C: Input, D: Input> Input for (A, B, C, D) {
    fn input(data: &mut Data<'_>) -> Self {
        data.expect(b'[');
        let value = (data.argument(), data.argument(), data.argument(), data.argument());
        data.expect(b']');
        value
    }
}

/// A map from its list of [key, value] pairs (`oracle.canonical`'s form).
impl<K: Input + std::hash::Hash + Eq, V: Input> Input for std::collections::HashMap<K, V> {
    fn input(data: &mut Data<'_>) -> Self {
        data.list(<(K, V)>::input).into_iter().collect()
    }
}
