//! Reading user input: files and stdin as UTF-8 with size limits, JSON and TOML with the failing
//! field named, and batches of notes from JSONL or LinkedIn's `Invitations.csv`.

use crate::error::{Error, Result, Source};
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use std::io::Read;
use std::path::Path;

/// A note longer than this is not a connection note (LinkedIn messages stop at 8 000 characters).
pub const MAX_NOTE_BYTES: usize = 64 * 1024;
/// Batch files are large but not absurd; refuse anything bigger before it fills memory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Profiles, `me.toml` and prompt templates are a few kilobytes; anything past this is the wrong
/// file (or a device like `/dev/zero`), so stop long before it costs memory.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Read a profile, config or template file: UTF-8, at most [`MAX_CONFIG_BYTES`].
pub fn read_text_file(path: &Path) -> Result<String> {
    read_text_file_limited(path, MAX_CONFIG_BYTES, "profiles, configs and templates")
}

/// Read a file as UTF-8, refusing it past `limit` bytes; `what` names the kind of input in the
/// message ("larger than the 1 MiB limit for {what}").
///
/// The size is enforced while reading, not from `metadata().len()`: devices, FIFOs and
/// `/dev/stdin` report 0 bytes and can be endless.
pub fn read_text_file_limited(path: &Path, limit: u64, what: &str) -> Result<String> {
    // `-` is standard input, for every file argument.
    if path.as_os_str() == "-" {
        let bytes = read_bounded(std::io::stdin().lock(), limit, |e| Error::io(path, e))?;
        if bytes.len() as u64 > limit {
            return Err(too_large(Source::Stdin, limit, what));
        }
        return decode_utf8(bytes, Source::Stdin);
    }
    let source = Source::File(path.into());
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::input(source, "is a directory, expected a file"));
    }
    // A regular file that is too big is refused without opening it.
    if meta.len() > limit {
        return Err(too_large(source, limit, what));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let bytes = read_bounded(file, limit, |e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(source, limit, what));
    }
    decode_utf8(bytes, source)
}

/// Read at most `limit + 1` bytes, so a caller sees an over-long input (`len() > limit`) without
/// an endless one (`/dev/zero`, a pipe that never closes) ever filling memory.
pub(crate) fn read_bounded(
    reader: impl Read,
    limit: u64,
    io_error: impl FnOnce(std::io::Error) -> Error,
) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    Ok(bytes)
}

fn too_large(source: Source, limit: u64, what: &str) -> Error {
    Error::input(
        source,
        format!("larger than the {} limit for {what}", human_bytes(limit)),
    )
}

/// `1048576` → `1 MiB`, `65536` → `64 KiB`; other sizes in bytes.
fn human_bytes(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    UNITS
        .iter()
        .find(|(unit, _)| bytes >= *unit && bytes.is_multiple_of(*unit))
        .map_or_else(
            || format!("{bytes} bytes"),
            |(unit, name)| format!("{} {name}", bytes / unit),
        )
}

/// Decode bytes as UTF-8 (a leading BOM is dropped), naming the line and column of the first bad byte.
pub fn decode_utf8(mut bytes: Vec<u8>, source: Source) -> Result<String> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
        Error::input_at(source, Some(line), Some(column), None, "invalid UTF-8")
    })
}

/// Read one note from stdin: the whole stream is one note (a pasted multi-line message).
pub fn read_note_from_stdin() -> Result<String> {
    let bytes = read_bounded(std::io::stdin().lock(), MAX_NOTE_BYTES as u64, |e| {
        Error::input(Source::Stdin, e.to_string())
    })?;
    // Checked before decoding: the cut after the limit may split a character, and the size is
    // the problem to report.
    if bytes.len() > MAX_NOTE_BYTES {
        return Err(note_too_large(Source::Stdin));
    }
    let text = decode_utf8(bytes, Source::Stdin)?;
    if text.trim().is_empty() {
        return Err(Error::input(
            Source::Stdin,
            "no note given: pass the note as an argument or pipe it on stdin",
        ));
    }
    Ok(text)
}

pub fn check_note_size(text: &str, source: Source) -> Result<()> {
    if text.len() > MAX_NOTE_BYTES {
        return Err(note_too_large(source));
    }
    Ok(())
}

fn note_too_large(source: Source) -> Error {
    Error::input(
        source,
        format!(
            "larger than the {} limit for a note (a LinkedIn message is at most 8 000 characters)",
            human_bytes(MAX_NOTE_BYTES as u64)
        ),
    )
}

/// Parse JSON, naming the path of the field that failed (`common.connections[2]`) and its position.
pub fn parse_json<T: DeserializeOwned>(text: &str, source: Source) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = parsed.map_err(|e| {
        let field = field_path(e.path());
        let inner = e.into_inner();
        Error::input_at(
            source.clone(),
            Some(inner.line()).filter(|&l| l > 0),
            Some(inner.column()).filter(|&c| c > 0),
            field,
            strip_json_position(&inner.to_string()),
        )
    })?;
    de.end().map_err(|e| {
        Error::input_at(
            source,
            Some(e.line()),
            Some(e.column()),
            None,
            strip_json_position(&e.to_string()),
        )
    })?;
    Ok(value)
}

/// Parse TOML, naming the failing field and its line and column.
pub fn parse_toml<T: DeserializeOwned>(text: &str, source: Source) -> Result<T> {
    let de = toml::Deserializer::new(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = field_path(e.path());
        let inner = e.into_inner();
        let (line, column) = inner
            .span()
            .map(|span| line_col(text, span.start))
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        Error::input_at(source, line, column, field, inner.message().to_string())
    })
}

fn field_path(path: &serde_path_to_error::Path) -> Option<String> {
    let rendered = path.to_string();
    (rendered != "." && rendered != "?" && !rendered.is_empty()).then_some(rendered)
}

/// serde_json appends " at line L column C"; we print the position in front instead.
fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The 1-based line where `key` is first written as a key (`"key"` in JSON, `key =` in TOML),
/// for errors found after parsing.
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    text.lines()
        .position(|l| {
            l.contains(&quoted)
                || l.trim_start().starts_with(&format!("{key} "))
                || l.trim_start().starts_with(&format!("{key}="))
        })
        .map(|i| i + 1)
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// One note of a batch, with the id it is reported under.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchNote {
    pub id: serde_json::Value,
    pub text: String,
    /// The expected label when the batch is labelled (for `eval`).
    pub label: Option<String>,
    /// The kind of note it is, when the batch says (`eval` reports recall per genre).
    pub genre: Option<String>,
    /// The line of the file it starts on.
    pub line: usize,
}

/// A batch as read: the notes that parsed, and every row that did not (file:line and why),
/// so one bad row never costs the rest.
#[derive(Debug)]
pub struct Batch {
    pub notes: Vec<BatchNote>,
    pub skipped: Vec<Error>,
}

/// Read a batch of notes, keeping every good row and reporting every bad one (a bad JSONL line,
/// an oversized note, a duplicate id). A file that cannot be read at all is still an error.
pub fn read_batch_rows(path: &Path) -> Result<Batch> {
    let text = read_text_file_limited(path, MAX_FILE_BYTES, "batch input")?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    parse_batch_rows(&text, Source::File(path.into()), is_csv)
}

/// A batch file's text: an Invitations.csv when `is_csv` or its first line is a CSV header,
/// otherwise JSONL.
pub fn parse_batch_rows(text: &str, source: Source, is_csv: bool) -> Result<Batch> {
    let is_csv = is_csv
        || text
            .lines()
            .next()
            .is_some_and(|l| !l.trim_start().starts_with('{') && l.contains(','));
    let batch = if is_csv {
        read_invitations_csv(text, source.clone())?
    } else {
        read_jsonl_rows(text, source.clone())
    };
    if batch.notes.is_empty() && batch.skipped.is_empty() {
        return Err(Error::input(source, "no notes found (an Invitations.csv needs INCOMING rows; JSONL needs one {\"text\": ...} per line)"));
    }
    Ok(batch)
}

/// Read a batch of notes: a LinkedIn `Invitations.csv` (INCOMING rows, `Message` column; id = row
/// number) when the file name says CSV or the first line is a CSV header, otherwise JSONL
/// (`{"id", "text"}` per line, other fields ignored). Strict: the first bad row is the error
/// (for `eval`, whose figures need every labelled note).
pub fn read_batch(path: &Path) -> Result<Vec<BatchNote>> {
    let batch = read_batch_rows(path)?;
    match batch.skipped.into_iter().next() {
        Some(first) => Err(first),
        None => Ok(batch.notes),
    }
}

fn read_jsonl(text: &str, source: Source) -> Vec<Result<BatchNote>> {
    #[derive(serde::Deserialize)]
    struct Line {
        #[serde(default)]
        id: Option<serde_json::Value>,
        text: String,
        #[serde(default)]
        label: Option<String>,
        #[serde(default)]
        genre: Option<String>,
    }
    let parse_line = |(index, line): (usize, &str)| -> Result<BatchNote> {
        let line_no = index + 1;
        if !line.trim_start().starts_with('{') {
            let found = if line.trim_start().starts_with('[') {
                "found a JSON array: write one object per line (JSON Lines), "
            } else {
                ""
            };
            return Err(Error::input_at(
                source.clone(),
                Some(line_no),
                Some(1),
                None,
                format!("{found}expected a JSON object like {{\"id\": 1, \"text\": \"...\"}} on each line (JSONL), or an Invitations.csv"),
            ));
        }
        let parsed: Line = parse_json(line, source.clone()).map_err(|e| relocate(e, line_no))?;
        check_note_size(&parsed.text, source.clone()).map_err(|e| relocate(e, line_no))?;
        Ok(BatchNote {
            id: parsed
                .id
                .unwrap_or_else(|| serde_json::Value::from(line_no)),
            text: parsed.text,
            label: parsed.label,
            genre: parsed.genre,
            line: line_no,
        })
    };
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .collect();
    // Parsed on all cores, reported in file order.
    lines.into_par_iter().map(parse_line).collect()
}

/// Every JSONL row: good ones kept, bad ones (and duplicate ids) reported by line.
pub fn read_jsonl_rows(text: &str, source: Source) -> Batch {
    let mut notes = Vec::new();
    let mut skipped = Vec::new();
    let mut first_line_of: std::collections::HashMap<String, usize> =
        std::collections::HashMap::new();
    for row in read_jsonl(text, source.clone()) {
        match row {
            Ok(note) => {
                // A missing id defaults to the line number, which may clash with a given one.
                let key = note.id.to_string();
                if let Some(first) = first_line_of.get(&key) {
                    skipped.push(Error::input_at(
                        source.clone(),
                        Some(note.line),
                        None,
                        Some("id".into()),
                        format!("duplicate id {key} (first used on line {first})"),
                    ));
                    continue;
                }
                first_line_of.insert(key, note.line);
                notes.push(note);
            }
            Err(e) => skipped.push(e),
        }
    }
    Batch { notes, skipped }
}

/// A JSON error inside one JSONL line reports line 1 of that line; move it to the file's line.
fn relocate(err: Error, line_no: usize) -> Error {
    match err {
        Error::Input {
            origin,
            position,
            field,
            message,
        } => Error::Input {
            origin,
            position: crate::error::Position {
                line: Some(line_no),
                column: position.column,
            },
            field,
            message,
        },
        other => other,
    }
}

/// The INCOMING rows of an `Invitations.csv` (any file with a `Message` column), read by header
/// name with the export's quirks (BOM, preamble, `;` or tab delimiters); unreadable rows are
/// reported, not fatal.
fn read_invitations_csv(text: &str, source: Source) -> Result<Batch> {
    use crate::export::table::Table;
    let table = Table::parse(text, source.clone(), &["Message"])?;
    let message_col = table.require("Message")?;
    let direction_col = table.column("Direction");
    let label_col = table.column("label");
    let mut notes = Vec::new();
    let mut skipped = table.skipped;
    for (index, row) in table.rows.iter().enumerate() {
        if direction_col.is_some() && !row.get(direction_col).eq_ignore_ascii_case("INCOMING") {
            continue;
        }
        let text = row.raw(Some(message_col)).to_string();
        if let Err(e) = check_note_size(&text, source.clone()) {
            skipped.push(relocate(e, row.line));
            continue;
        }
        let label = label_col.map(|_| row.get(label_col).to_string());
        notes.push(BatchNote {
            id: serde_json::Value::from(index + 1),
            text,
            label,
            genre: None,
            line: row.line,
        });
    }
    Ok(Batch { notes, skipped })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let err = decode_utf8(b"ok\nab\xffc".to_vec(), Source::Stdin).unwrap_err();
        assert_eq!(err.to_string(), "<stdin>:2:3: invalid UTF-8");
    }

    #[test]
    fn jsonl_ids_default_to_line_numbers_and_errors_name_the_line() {
        let notes: Vec<BatchNote> = read_jsonl(
            "{\"text\": \"a\"}\n\n{\"id\": \"x\", \"text\": \"b\", \"extra\": 1}\n",
            Source::Stdin,
        )
        .into_iter()
        .collect::<Result<_>>()
        .unwrap();
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].id, serde_json::json!(1));
        assert_eq!(notes[1].id, serde_json::json!("x"));
        let err = read_jsonl("{\"text\": \"a\"}\n{\"text\": 3}\n", Source::Stdin)
            .into_iter()
            .collect::<Result<Vec<_>>>()
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("<stdin>:2:"), "{msg}");
        assert!(msg.contains("field `text`"), "{msg}");
    }

    #[test]
    fn invitations_csv_keeps_incoming_rows_with_quoted_fields() {
        let csv = "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n\
            \"O'Neil, Anne\",Me,\"1/29/26, 2:37 PM\",\"Hi,\nwe met at \"\"DevConf\"\"\",INCOMING,u,v\n\
            Me,Bob,\"1/30/26, 9:00 AM\",Hello,OUTGOING,u,v\n\
            Zed,Me,\"2/1/26, 1:00 PM\",,INCOMING,u,v\n";
        let notes = read_invitations_csv(csv, Source::Stdin).unwrap().notes;
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].text, "Hi,\nwe met at \"DevConf\"");
        assert_eq!(notes[1].text, "");
        assert_eq!(notes[1].id, serde_json::json!(3));
    }

    #[test]
    fn csv_without_message_column_is_rejected() {
        let err = read_invitations_csv("a,b\n1,2\n", Source::Stdin).unwrap_err();
        assert!(
            err.to_string()
                .contains("no CSV header with Message found (the file starts with \"a,b\")"),
            "{err}"
        );
        // A preamble before the header and a `;` delimiter are read.
        let batch = read_invitations_csv(
            "Notes:\n\"About this file\"\n\nFrom;Message;Direction\nAna;Hi, Sam;INCOMING\n",
            Source::Stdin,
        )
        .unwrap();
        assert_eq!(batch.notes[0].text, "Hi, Sam");
        assert_eq!(batch.notes[0].line, 5);
    }

    #[test]
    fn toml_errors_name_field_and_line() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            n: u32,
        }
        let err = parse_toml::<T>("\nn = \"x\"\n", Source::Stdin).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("<stdin>:2:"), "{msg}");
        assert!(msg.contains("field `n`"), "{msg}");
    }

    #[test]
    fn limits_are_named_in_binary_units() {
        assert_eq!(human_bytes(MAX_FILE_BYTES), "256 MiB");
        assert_eq!(human_bytes(MAX_CONFIG_BYTES), "1 MiB");
        assert_eq!(human_bytes(MAX_NOTE_BYTES as u64), "64 KiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }

    #[test]
    fn an_endless_reader_stops_one_byte_past_the_limit() {
        let bytes = read_bounded(std::io::repeat(b'x'), 10, |e| Error::io("x", e)).unwrap();
        assert_eq!(bytes.len(), 11);
    }

    #[test]
    fn files_over_the_limit_are_refused_with_the_limit_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, vec![b' '; MAX_CONFIG_BYTES as usize + 1]).unwrap();
        let err = read_text_file(&path).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().ends_with(
                "big.json: larger than the 1 MiB limit for profiles, configs and templates"
            ),
            "{err}"
        );
        std::fs::write(&path, vec![b' '; MAX_CONFIG_BYTES as usize]).unwrap();
        assert_eq!(
            read_text_file(&path).unwrap().len(),
            MAX_CONFIG_BYTES as usize
        );
    }

    /// Devices and pipes report a size of 0: the limit must hold while reading.
    #[cfg(target_os = "linux")]
    #[test]
    fn an_endless_device_is_refused_not_read_whole() {
        let err = read_text_file(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "/dev/zero: larger than the 1 MiB limit for profiles, configs and templates"
        );
        let err = read_batch(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "/dev/zero: larger than the 256 MiB limit for batch input"
        );
    }
}
