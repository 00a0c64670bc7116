//! The bytes of an uploaded or given file, turned into UTF-8 text as they are read: the
//! encoding is told from a byte-order mark or the first 64 KiB (UTF-8, else CP932 with
//! the NEC and IBM extensions), the file's SHA-256 is taken on the way, and a file larger
//! than the limit, empty, or binary is refused before any row is read.

use std::cell::RefCell;
use std::io::{self, Cursor, Read};
use std::rc::Rc;

use encoding_rs::{Encoding, SHIFT_JIS, UTF_8};
use encoding_rs_io::DecodeReaderBytesBuilder;
use sha2::{Digest, Sha256};

use super::rows::Problem;

/// Files above this size are refused; a month of a large city is a few megabytes.
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
const SNIFF_BYTES: usize = 64 * 1024;

/// Hashes and counts what passes through, and stops a stream that grows past the limit.
struct Tally<R> {
    inner: R,
    state: Rc<RefCell<(Sha256, u64)>>,
}

impl<R: Read> Read for Tally<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut state = self.state.borrow_mut();
        state.0.update(&buf[..n]);
        state.1 += n as u64;
        if state.1 > MAX_FILE_BYTES {
            return Err(io::Error::other("file too large"));
        }
        Ok(n)
    }
}

/// A file being read as text.
pub struct Source {
    pub encoding: &'static str,
    pub text: Box<dyn Read>,
    state: Rc<RefCell<(Sha256, u64)>>,
}

impl Source {
    /// The SHA-256 of the bytes read so far (all of them once the text is read to the end).
    pub fn sha256(&self) -> String {
        crate::domain::secret::hex(&self.state.borrow().0.clone().finalize())
    }
}

fn looks_like_utf8(head: &[u8], complete: bool) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // The sample may end inside a character; only then is an error at its very end fine.
        Err(e) => !complete && e.error_len().is_none(),
    }
}

/// Opens `bytes` (of `size` bytes when known) as text, or says why it cannot be read.
pub fn open(bytes: impl Read + 'static, size: Option<u64>) -> Result<Source, Problem> {
    let too_large = || {
        Problem::new(0, None, "card_problem_too_large")
            .with("max", (MAX_FILE_BYTES / 1024 / 1024).to_string())
    };
    if size.is_some_and(|s| s > MAX_FILE_BYTES) {
        return Err(too_large());
    }
    let state = Rc::new(RefCell::new((Sha256::new(), 0u64)));
    let mut tally = Tally {
        inner: bytes,
        state: state.clone(),
    };
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    (&mut tally)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|_| too_large())?;
    let complete = head.len() < SNIFF_BYTES;
    if head.iter().all(|b| b.is_ascii_whitespace()) && complete {
        return Err(Problem::new(0, None, "card_problem_empty"));
    }
    // UTF-16 is text, but not an encoding these files come in.
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(Problem::new(0, None, "card_problem_encoding"));
    }
    if head.contains(&0) {
        return Err(Problem::new(0, None, "card_problem_binary"));
    }
    let encoding: &'static Encoding =
        if head.starts_with(b"\xEF\xBB\xBF") || looks_like_utf8(&head, complete) {
            UTF_8
        } else {
            let (_, _, had_errors) = SHIFT_JIS.decode(&head[..cut_at_line(&head, complete)]);
            if had_errors {
                return Err(Problem::new(0, None, "card_problem_encoding"));
            }
            SHIFT_JIS
        };
    let text = DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_override(true)
        .build(Cursor::new(head).chain(tally));
    Ok(Source {
        encoding: if encoding == UTF_8 { "UTF-8" } else { "CP932" },
        text: Box::new(LineFeeds {
            inner: text,
            pending_cr: false,
            ready: Vec::new(),
            served: 0,
        }),
        state,
    })
}

/// The length of `head` up to its last line break, so that a sample cut inside a
/// two-byte character is not taken for a wrong encoding.
fn cut_at_line(head: &[u8], complete: bool) -> usize {
    if complete {
        return head.len();
    }
    head.iter()
        .rposition(|b| *b == b'\n')
        .map_or(head.len(), |i| i + 1)
}

/// Turns CRLF and lone CR line ends into LF, so that the CSV reader counts lines as an
/// editor shows them (it counts one line short after a CRLF).
struct LineFeeds<R> {
    inner: R,
    pending_cr: bool,
    /// Converted bytes not yet handed out, and how many of them were.
    ready: Vec<u8>,
    served: usize,
}

impl<R: Read> Read for LineFeeds<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.served == self.ready.len() {
            let mut chunk = [0u8; 8192];
            let n = self.inner.read(&mut chunk)?;
            self.ready.clear();
            self.served = 0;
            if n == 0 {
                if !std::mem::take(&mut self.pending_cr) {
                    return Ok(0);
                }
                self.ready.push(b'\n');
                break;
            }
            for &byte in &chunk[..n] {
                if std::mem::take(&mut self.pending_cr) && byte != b'\n' {
                    self.ready.push(b'\n');
                }
                if byte == b'\r' {
                    self.pending_cr = true;
                } else {
                    self.ready.push(byte);
                }
            }
        }
        let n = out.len().min(self.ready.len() - self.served);
        out[..n].copy_from_slice(&self.ready[self.served..self.served + n]);
        self.served += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(text: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut feeds = LineFeeds {
            inner: text,
            pending_cr: false,
            ready: Vec::new(),
            served: 0,
        };
        feeds.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn every_line_end_becomes_a_line_feed() {
        assert_eq!(normalised(b"a\r\nb\rc\nd\r"), b"a\nb\nc\nd\n");
        assert_eq!(normalised(b""), b"");
    }
}
