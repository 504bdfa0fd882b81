//! Checks on the raw request and answer that need no parsing: document size, bracket nesting
//! (the parser recurses once per level, so a deep document must be refused before it is parsed),
//! and the size of the serialized answer.

use std::io;

/// Deepest bracket nesting (`{`, `[`, `(`) a document may have before it is parsed. Well above
/// any selection depth limit, far below what could exhaust a worker's stack in the parser.
pub const MAX_BRACKET_NESTING: usize = 64;

/// How deeply `{`, `[` and `(` nest in a GraphQL document, outside strings and comments.
///
/// Stops counting once past `MAX_BRACKET_NESTING`, so it is linear in the length and never
/// recurses.
pub fn bracket_nesting(document: &str) -> usize {
    let bytes = document.as_bytes();
    let (mut i, mut depth, mut deepest) = (0, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    // An escaped triple quote inside a block string.
                    if bytes[i..].starts_with(b"\\\"\"\"") {
                        i += 4;
                    } else {
                        i += 1;
                    }
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > MAX_BRACKET_NESTING {
                    return deepest;
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// A buffer that refuses to grow past its cap, so an oversized answer is cut off while it is
/// being serialized instead of after.
pub struct CappedWriter {
    buf: Vec<u8>,
    cap: usize,
}

impl CappedWriter {
    /// An empty buffer holding at most `cap` bytes.
    pub fn new(cap: usize) -> Self {
        Self {
            buf: Vec::with_capacity(cap.min(16 * 1024)),
            cap,
        }
    }

    /// The bytes written.
    pub fn into_inner(self) -> Vec<u8> {
        self.buf
    }
}

impl io::Write for CappedWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len() + data.len() > self.cap {
            return Err(io::Error::other("answer exceeds the response size limit"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn nesting_ignores_strings_and_comments() {
        assert_eq!(bracket_nesting("{ a { b(x: [1]) } }"), 4);
        assert_eq!(bracket_nesting(r#"{ a(s: "{{{{[[[") }"#), 2);
        assert_eq!(bracket_nesting("{ a # {{{{\n }"), 1);
        assert_eq!(
            bracket_nesting("{ a(s: \"\"\" {{{ \\\"\"\" {{ \"\"\") }"),
            2
        );
        assert_eq!(bracket_nesting(r#"{ a(s: "\"{{") }"#), 2);
        let deep = "{a".repeat(100_000);
        assert_eq!(bracket_nesting(&deep), MAX_BRACKET_NESTING + 1);
        // Unterminated strings and stray closers neither panic nor loop.
        assert_eq!(bracket_nesting("\"\"\"{"), 0);
        assert_eq!(bracket_nesting("}}}{"), 1);
    }

    #[test]
    fn the_capped_writer_refuses_past_its_cap() {
        let mut w = CappedWriter::new(4);
        assert!(w.write_all(b"abcd").is_ok());
        assert!(w.write_all(b"e").is_err());
        assert_eq!(w.into_inner(), b"abcd");
    }
}
