//! Opening a responses file: its bytes, in whatever encoding and with whatever delimiter the
//! program that saved it chose, become UTF-8 CSV text and the delimiter to split it on.
//!
//! The files people really have come from Excel as often as from survey tools: "CSV" saved in
//! a European locale is separated by `;`, Excel's "Unicode text" is UTF-16LE with a byte-order
//! mark and tabs, plain "CSV" on Windows is Windows-1252, and LimeSurvey and "CSV UTF-8" start
//! with a UTF-8 byte-order mark. [`open`] looks at the start of the file once (at most
//! [`PEEK_BYTES`]), so a file that is not UTF-8 and has no byte-order mark is refused at once with
//! the encoding it most likely is in, instead of as a garbled cell thousands of rows later.
//! Everything after the peek is decoded as it streams, so memory stays bounded.

use std::io::{self, Chain, Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, REPLACEMENT, UTF_8, UTF_16BE, UTF_16LE};
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};

use super::problem::UnknownLabel;

/// How many bytes at the start of a file are checked and looked at for the delimiter: enough for
/// any header row and many data rows, little enough to hold in memory for every upload.
pub const PEEK_BYTES: usize = 64 * 1024;

/// The delimiters a responses file may use, in the order that breaks a tie.
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// Why a responses file cannot be read as text.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be read.
    #[error("could not read the responses file: {0}")]
    Io(#[from] io::Error),
    /// The file has no byte-order mark, no encoding was given, and its start is not UTF-8.
    #[error(
        "line {line} is not UTF-8 text; the file looks like {}: save it as UTF-8 (in Excel: \
         \"CSV UTF-8\") or pass --encoding {}",
        guess.name(),
        guess.name()
    )]
    NotUtf8 {
        /// The 1-based physical line of the first byte that is not UTF-8.
        line: u64,
        /// The encoding the file most likely is in (never UTF-8).
        guess: &'static Encoding,
    },
    /// An `--encoding` label that names no encoding we can decode.
    #[error("{}", UnknownLabel(label))]
    UnknownEncoding {
        /// The label as given.
        label: String,
    },
}

/// A responses file made ready for the CSV reader.
#[derive(Debug)]
pub struct Opened<R> {
    /// The whole file as UTF-8, without a byte-order mark. Invalid bytes after the peeked start
    /// of a file read as UTF-8 are passed on unchanged, for the CSV reader to place by row and
    /// column.
    pub reader: R,
    /// The delimiter: `,`, `;` or tab.
    pub delimiter: u8,
    /// The encoding the file is decoded from: its byte-order mark's, else the one asked for,
    /// else UTF-8.
    pub encoding: &'static Encoding,
}

/// Reads a responses file's text as UTF-8, decoding it on the fly, with every line end as `\n`;
/// built by [`open`].
///
/// Line ends are made `\n` because the CSV reader counts the lines of `\r\n` files one short
/// (BurntSushi/rust-csv#395), and a row number that is off by one sends a facilitator to the
/// wrong row. A line break inside a quoted cell becomes `\n` too, as it does in a form's text.
#[derive(Debug)]
pub struct Utf8Reader<R> {
    decoder: DecodeReaderBytes<Source<R>, Vec<u8>>,
    source_read: Arc<AtomicU64>,
    /// The last byte handed out was a `\r` (made `\n`), so a `\n` next belongs to it.
    after_cr: bool,
}

impl<R> Utf8Reader<R> {
    /// How many bytes of the file have been read so far, the peeked start included: the position
    /// to show progress against the file's size, since the decoded text may be longer (from
    /// Windows-1252) or about half as long (from UTF-16) as the file.
    pub fn source_position(&self) -> u64 {
        self.source_read.load(Ordering::Relaxed)
    }
}

impl<R: Read> Read for Utf8Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.decoder.read(buf)?;
            if n == 0 || (!self.after_cr && !buf[..n].contains(&b'\r')) {
                return Ok(n);
            }
            let mut kept = 0;
            for i in 0..n {
                let byte = buf[i];
                if byte == b'\n' && self.after_cr {
                    self.after_cr = false;
                    continue;
                }
                self.after_cr = byte == b'\r';
                buf[kept] = if self.after_cr { b'\n' } else { byte };
                kept += 1;
            }
            // A read that was only the `\n` of a `\r\n` split across reads hands out nothing,
            // which would read as the end of the file: read on.
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

/// The file again: its peeked start (past any byte-order mark), then the rest.
type Source<R> = Chain<Cursor<Vec<u8>>, Counted<R>>;

/// The file being read, counting its bytes for [`Utf8Reader::source_position`]. The count is
/// shared because the decoder, which owns this reader, does not lend it back.
#[derive(Debug)]
struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens a responses file: peeks at its start (up to [`PEEK_BYTES`]), strips a UTF-8 byte-order
/// mark, decodes UTF-16LE or UTF-16BE when a byte-order mark says so, decodes from `encoding`
/// otherwise when one is given (e.g. Windows-1252), and picks the delimiter from the first record.
///
/// A byte-order mark outranks `encoding`, as it does in browsers: a file that carries one says
/// what it is. Without either, the file must be UTF-8, and its peeked start is checked: a file
/// that is not is refused with [`InputError::NotUtf8`], which names the encoding it looks like.
pub fn open<R: Read>(
    input: R,
    encoding: Option<&'static Encoding>,
) -> Result<Opened<Utf8Reader<R>>, InputError> {
    let source_read = Arc::new(AtomicU64::new(0));
    let mut source = Counted {
        inner: input,
        read: Arc::clone(&source_read),
    };
    let mut peek = Vec::with_capacity(PEEK_BYTES);
    (&mut source)
        .take(PEEK_BYTES as u64)
        .read_to_end(&mut peek)?;
    let whole_file = peek.len() < PEEK_BYTES;

    let (encoding, bom_len) = match Encoding::for_bom(&peek) {
        Some((marked, len)) => (marked, len),
        None => (encoding.unwrap_or(UTF_8), 0),
    };
    if encoding == UTF_8 && bom_len == 0 {
        check_utf8(&peek, whole_file)?;
    }

    // Cut at the window's edge, a last character decodes to U+FFFD, which is no delimiter.
    let (text, _) = encoding.decode_without_bom_handling(&peek[bom_len..]);
    let delimiter = delimiter(&text);

    // The byte-order mark is settled above, so the decoder only transcodes. UTF-8 passes through
    // untouched: invalid bytes past the peek are the CSV reader's to report, at their cell.
    let mut builder = DecodeReaderBytesBuilder::new();
    builder.bom_sniffing(false);
    if encoding != UTF_8 {
        builder.encoding(Some(encoding));
    }
    let mut start = Cursor::new(peek);
    start.set_position(bom_len as u64);
    Ok(Opened {
        reader: Utf8Reader {
            decoder: builder.build(start.chain(source)),
            source_read,
            after_cr: false,
        },
        delimiter,
        encoding,
    })
}

/// The encoding `bytes` are most likely in, by Firefox's detector, for messages about text that
/// is not UTF-8 (never UTF-8 itself; Windows-1252 when nothing else fits better). `bytes` may
/// be a prefix of a longer text.
pub fn guess_encoding(bytes: &[u8]) -> &'static Encoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    // Not the last chunk: `bytes` may stop inside a character.
    detector.feed(bytes, false);
    detector.guess(None, Utf8Detection::Deny)
}

/// The encoding an `--encoding` label names, by the WHATWG labels ("windows-1252", "latin1",
/// "utf-16le", "iso-8859-15", …; case and surrounding spaces do not matter).
pub fn encoding_for_label(label: &str) -> Result<&'static Encoding, InputError> {
    match Encoding::for_label(label.trim().as_bytes()) {
        // The replacement encoding turns a whole file into a single U+FFFD; no one means it.
        Some(found) if found != REPLACEMENT => Ok(found),
        _ => Err(InputError::UnknownEncoding {
            label: label.to_string(),
        }),
    }
}

/// Checks that `peek`, the start of a file without a byte-order mark, is UTF-8. A character cut
/// by the end of the peek is fine unless the peek is the whole file.
fn check_utf8(peek: &[u8], whole_file: bool) -> Result<(), InputError> {
    // UTF-16 without a byte-order mark is valid UTF-8 full of NULs, and would otherwise reach the
    // CSV reader as columns named "r\0e\0s\0…".
    if let Some((utf16, at)) = utf16_without_bom(peek) {
        return Err(InputError::NotUtf8 {
            line: line_of(peek, at),
            guess: utf16,
        });
    }
    match std::str::from_utf8(peek) {
        Err(e) if e.error_len().is_some() || whole_file => Err(InputError::NotUtf8 {
            line: line_of(peek, e.valid_up_to()),
            guess: guess_encoding(peek),
        }),
        _ => Ok(()),
    }
}

/// Whether `bytes` look like UTF-16 text without a byte-order mark, and where the first NUL is.
/// Text of the Latin alphabet in UTF-16 has a NUL in every other byte, all at odd offsets
/// (little-endian) or all at even ones (big-endian); a stray NUL in UTF-8 text is not that.
fn utf16_without_bom(bytes: &[u8]) -> Option<(&'static Encoding, usize)> {
    let first = bytes.iter().position(|&b| b == 0)?;
    let (mut even, mut odd) = (0usize, 0usize);
    for (offset, _) in bytes.iter().enumerate().filter(|&(_, &b)| b == 0) {
        if offset % 2 == 0 {
            even += 1;
        } else {
            odd += 1;
        }
    }
    // At least one byte in four a NUL on one side: ASCII-heavy UTF-16 has one in two.
    if odd.max(even) * 4 < bytes.len() {
        return None;
    }
    Some((if odd > even { UTF_16LE } else { UTF_16BE }, first))
}

/// The 1-based physical line of the byte at `at`, counting `\n`, `\r\n` and a lone `\r` (old Mac
/// Excel) as line breaks.
fn line_of(bytes: &[u8], at: usize) -> u64 {
    let breaks = bytes[..at]
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    breaks as u64 + 1
}

/// The delimiter of the first record of `text`: whichever of `,`, `;` and tab occurs most often
/// outside double quotes, `,` when none does, ties going to the earlier of [`DELIMITERS`].
fn delimiter(text: &str) -> u8 {
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    // Bytes will do: every byte looked for is ASCII, and no byte of a multibyte UTF-8 character
    // is. A doubled quote inside a quoted field toggles twice and so changes nothing.
    for &byte in text.as_bytes() {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = DELIMITERS.iter().position(|&d| d == byte) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for (i, &count) in counts.iter().enumerate() {
        if count > counts[best] {
            best = i;
        }
    }
    DELIMITERS[best]
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::WINDOWS_1252;

    /// A source that counts the bytes taken from it, to show how much `open` reads ahead.
    struct Watched<'a> {
        bytes: &'a [u8],
        taken: Arc<AtomicU64>,
    }

    impl Read for Watched<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.bytes.read(buf)?;
            self.taken.fetch_add(n as u64, Ordering::Relaxed);
            Ok(n)
        }
    }

    fn read_all(
        bytes: &[u8],
        encoding: Option<&'static Encoding>,
    ) -> Result<(Vec<u8>, u8, &'static Encoding), InputError> {
        let mut opened = open(bytes, encoding)?;
        let mut text = Vec::new();
        opened.reader.read_to_end(&mut text)?;
        Ok((text, opened.delimiter, opened.encoding))
    }

    fn utf16le_with_bom(text: &str) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    }

    #[test]
    fn utf8_without_a_bom_passes_through_unchanged() {
        let file = "respondent,q1\nr1,Sí\n".as_bytes();
        let (text, delimiter, encoding) = read_all(file, None).unwrap();
        assert_eq!(text, file);
        assert_eq!(delimiter, b',');
        assert_eq!(encoding, UTF_8);
    }

    #[test]
    fn a_utf8_bom_is_stripped() {
        let file = b"\xEF\xBB\xBFrespondent,q1\nr1,5\n";
        let (text, delimiter, encoding) = read_all(file, None).unwrap();
        assert_eq!(text, b"respondent,q1\nr1,5\n");
        assert_eq!(delimiter, b',');
        assert_eq!(encoding, UTF_8);
    }

    #[test]
    fn a_bom_outranks_the_encoding_asked_for() {
        let file = "\u{FEFF}respondent;q1\nr1;Sí\n".as_bytes();
        let (text, _, encoding) = read_all(file, Some(WINDOWS_1252)).unwrap();
        assert_eq!(text, "respondent;q1\nr1;Sí\n".as_bytes());
        assert_eq!(encoding, UTF_8);
    }

    #[test]
    fn semicolons_are_the_delimiter_of_a_semicolon_file() {
        let file = b"respondent;group;q1;q2\nr1;g;4,5;3\n";
        assert_eq!(read_all(file, None).unwrap().1, b';');
    }

    #[test]
    fn tabs_are_the_delimiter_of_a_tab_file() {
        let file = b"respondent\tgroup\tq1\nr1\tA, B\t4\n";
        assert_eq!(read_all(file, None).unwrap().1, b'\t');
    }

    #[test]
    fn semicolons_inside_quotes_do_not_count_in_a_comma_file() {
        let file = b"respondent,\"q1; agree; disagree\",\"q2;x\"\nr1;2;3,4,5\n";
        assert_eq!(read_all(file, None).unwrap().1, b',');
    }

    #[test]
    fn only_the_first_record_decides_the_delimiter() {
        // The header's line break inside quotes is part of the first record; the second line's
        // many semicolons are not.
        let file = b"respondent;\"q1\n,\";q2\nr1,a,b,c,d,e;x\n";
        assert_eq!(read_all(file, None).unwrap().1, b';');
    }

    #[test]
    fn a_file_without_any_delimiter_is_read_with_commas() {
        assert_eq!(read_all(b"respondent\nr1\n", None).unwrap().1, b',');
        assert_eq!(read_all(b"", None).unwrap().1, b',');
    }

    #[test]
    fn a_tie_goes_to_the_comma_then_the_semicolon() {
        assert_eq!(read_all(b"a,b;c\n", None).unwrap().1, b',');
        assert_eq!(read_all(b"a;b\tc\n", None).unwrap().1, b';');
    }

    #[test]
    fn utf16le_with_a_bom_and_tabs_decodes_to_the_right_text() {
        let file = utf16le_with_bom("respondent\tq1\tcomment\r\nr1\t4\t¿Qué tal? 😀\r\n");
        let (text, delimiter, encoding) = read_all(&file, None).unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "respondent\tq1\tcomment\nr1\t4\t¿Qué tal? 😀\n"
        );
        assert_eq!(delimiter, b'\t');
        assert_eq!(encoding, UTF_16LE);
    }

    /// Hands out one byte per read, to split every `\r\n`.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some((&first, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            buf[0] = first;
            self.0 = rest;
            Ok(1)
        }
    }

    #[test]
    fn every_line_end_reads_as_one_newline_even_split_across_reads() {
        let file = b"a,b\r\n1,\"x\r\ny\"\r2,3\n\r\n4,5\r";
        for whole in [true, false] {
            let mut opened = if whole {
                let reader: Box<dyn Read> = Box::new(&file[..]);
                open(reader, None).unwrap()
            } else {
                let reader: Box<dyn Read> = Box::new(Trickle(&file[..]));
                open(reader, None).unwrap()
            };
            let mut text = Vec::new();
            opened.reader.read_to_end(&mut text).unwrap();
            assert_eq!(text, b"a,b\n1,\"x\ny\"\n2,3\n\n4,5\n", "whole: {whole}");
        }
        // Past the peeked start, where reads are the decoder's and split anywhere.
        let mut big = vec![b'x'; PEEK_BYTES + 3];
        big.extend_from_slice(b"\r\nend\r\n");
        let mut opened = open(Trickle(&big), None).unwrap();
        let mut text = Vec::new();
        opened.reader.read_to_end(&mut text).unwrap();
        assert!(text.ends_with(b"xxx\nend\n"));
        assert_eq!(text.len(), PEEK_BYTES + 3 + 5);
    }

    #[test]
    fn utf16_without_a_bom_is_refused_as_utf16() {
        let file: Vec<u8> = "respondent,q1\nr1,4\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let error = read_all(&file, None).unwrap_err();
        assert!(matches!(error, InputError::NotUtf8 { line: 1, guess } if guess == UTF_16LE));
        assert!(error.to_string().contains("--encoding UTF-16LE"), "{error}");
        let (text, _, _) = read_all(&file, Some(UTF_16LE)).unwrap();
        assert_eq!(text, b"respondent,q1\nr1,4\n");
    }

    #[test]
    fn windows_1252_is_refused_without_an_encoding_naming_its_line_and_encoding() {
        let file = b"respondent,comment\r\nr1,ok\r\nr2,\"S\xED, \xBFqu\xE9?\"\r\n";
        let error = read_all(file, None).unwrap_err();
        assert!(
            matches!(error, InputError::NotUtf8 { line: 3, guess } if guess == WINDOWS_1252),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.starts_with("line 3 is not UTF-8"), "{message}");
        assert!(message.contains("--encoding windows-1252"), "{message}");
    }

    #[test]
    fn windows_1252_is_read_correctly_with_its_encoding() {
        let file = b"respondent,comment\r\nr2,\"S\xED, \xBFqu\xE9?\"\r\n";
        let encoding = encoding_for_label("Windows-1252").unwrap();
        let (text, delimiter, used) = read_all(file, Some(encoding)).unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "respondent,comment\nr2,\"Sí, ¿qué?\"\n"
        );
        assert_eq!(delimiter, b',');
        assert_eq!(used, WINDOWS_1252);
    }

    #[test]
    fn lone_carriage_returns_count_as_line_breaks() {
        let file = b"respondent,comment\rr1,ok\rr2,\xE9\r";
        let error = read_all(file, None).unwrap_err();
        assert!(
            matches!(error, InputError::NotUtf8 { line: 3, .. }),
            "{error:?}"
        );
    }

    #[test]
    fn a_large_file_streams_through_after_a_bounded_peek() {
        let mut file = b"respondent;q1;q2;comment\n".to_vec();
        let mut row = 0;
        while file.len() < 5 << 20 {
            row += 1;
            file.extend(format!("r{row};4;5;caf\u{e9} n\u{b0}{row}\n").as_bytes());
        }
        let taken = Arc::new(AtomicU64::new(0));
        let source = Watched {
            bytes: &file,
            taken: Arc::clone(&taken),
        };
        let mut opened = open(source, None).unwrap();
        assert!(taken.load(Ordering::Relaxed) <= PEEK_BYTES as u64);
        assert_eq!(
            opened.reader.source_position(),
            taken.load(Ordering::Relaxed)
        );

        let mut text = Vec::new();
        let mut chunk = [0; 8192];
        let mut most_read_ahead = 0;
        loop {
            let n = opened.reader.read(&mut chunk).unwrap();
            if n == 0 {
                break;
            }
            text.extend_from_slice(&chunk[..n]);
            let ahead = taken.load(Ordering::Relaxed) - text.len() as u64;
            most_read_ahead = most_read_ahead.max(ahead);
        }
        assert_eq!(opened.delimiter, b';');
        assert_eq!(text, file);
        assert!(most_read_ahead <= PEEK_BYTES as u64, "{most_read_ahead}");
        assert_eq!(opened.reader.source_position(), file.len() as u64);
    }

    #[test]
    fn a_large_windows_1252_file_streams_through_decoded() {
        let mut file = b"respondent,comment\n".to_vec();
        while file.len() < 3 << 20 {
            file.extend(b"r,\"S\xED, \xBFqu\xE9?\"\n");
        }
        let (text, _, _) = read_all(&file, Some(WINDOWS_1252)).unwrap();
        let (expected, _, _) = WINDOWS_1252.decode(&file);
        assert_eq!(String::from_utf8(text).unwrap(), expected);
    }

    #[test]
    fn a_character_straddling_the_peek_window_is_not_an_error() {
        let mut file = b"respondent,comment\n".to_vec();
        file.resize(PEEK_BYTES - 1, b'x');
        // "é" is C3 A9: its first byte is the window's last.
        file.extend("é\nr2,ok\n".as_bytes());
        assert_eq!(file[PEEK_BYTES - 1], 0xC3);
        let (text, _, _) = read_all(&file, None).unwrap();
        assert_eq!(text, file);
    }

    #[test]
    fn a_character_cut_short_at_the_end_of_a_small_file_is_not_utf8() {
        let error = read_all(b"respondent,q1\nr1,\xC3", None).unwrap_err();
        assert!(
            matches!(error, InputError::NotUtf8 { line: 2, .. }),
            "{error:?}"
        );
    }

    #[test]
    fn invalid_bytes_past_the_peek_are_left_for_the_csv_reader() {
        let mut file = b"respondent,comment\n".to_vec();
        file.resize(PEEK_BYTES + 10, b'x');
        file.extend(b"\n\xE9\n");
        let (text, _, _) = read_all(&file, None).unwrap();
        assert_eq!(text, file);
    }

    #[test]
    fn guess_encoding_names_windows_1252_for_spanish_text() {
        let guess = guess_encoding(b"S\xED, \xBFqu\xE9? Ma\xF1ana, se\xF1or.");
        assert_eq!(guess.name(), "windows-1252");
    }

    #[test]
    fn encoding_labels_are_those_of_the_web() {
        assert_eq!(encoding_for_label("latin1").unwrap(), WINDOWS_1252);
        assert_eq!(encoding_for_label(" UTF-16LE ").unwrap(), UTF_16LE);
        assert_eq!(encoding_for_label("utf8").unwrap(), UTF_8);
    }

    #[test]
    fn an_unknown_or_replacement_label_is_refused_with_examples() {
        let error = encoding_for_label("klingon").unwrap_err();
        assert!(error.to_string().contains("windows-1252"), "{error}");
        assert!(encoding_for_label("iso-2022-kr").is_err());
    }
}
