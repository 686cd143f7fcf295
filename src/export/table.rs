//! One CSV file of a LinkedIn export, read the way the exports are actually written: a UTF-8
//! BOM, CRLF line ends, `Connections.csv`'s "Notes:" preamble, quoted fields with commas, quotes
//! and newlines, and (from spreadsheets that re-saved them) `;` or tab delimiters. Columns are
//! found by header name, never by position.

use crate::error::{Error, Result, Source};

/// A parsed CSV file: its header and its rows, each with the file line it starts on.
#[derive(Debug)]
pub struct Table {
    pub source: Source,
    pub headers: Vec<String>,
    /// The file line the header is on (1-based).
    pub header_line: usize,
    pub rows: Vec<Row>,
    /// Rows the CSV reader could not parse, reported by line and skipped.
    pub skipped: Vec<Error>,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    pub record: csv::StringRecord,
}

/// A column's header as compared: case, spaces and underscores do not matter.
pub fn header_key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

impl Table {
    /// Parse `text` and keep every row. `expected` names the columns the file must have; any one
    /// of them tells the header line from a preamble.
    pub fn parse(text: &str, source: Source, expected: &[&str]) -> Result<Table> {
        let mut rows = Vec::new();
        let mut table = Table::stream(text, source, expected, |_, row| rows.push(row.clone()))?;
        table.rows = rows;
        Ok(table)
    }

    /// Parse `text`, handing each row to `on_row` as it is read (one record buffer for the
    /// whole file: a 200,000-row messages.csv is never held twice). The returned table has the
    /// header and the skipped rows, no rows.
    pub fn stream(
        text: &str,
        source: Source,
        expected: &[&str],
        mut on_row: impl FnMut(&Table, &Row),
    ) -> Result<Table> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Err(Error::input_at(
                source,
                Some(1),
                None,
                None,
                format!(
                    "the file is empty: expected a CSV header ({})",
                    expected.join(",")
                ),
            ));
        }
        // The header is the first line that holds one of the expected column names; anything
        // before it (LinkedIn's "Notes:" preamble) is skipped. Lines are counted from the file's
        // start so that errors name the line a user sees in an editor.
        let wanted: Vec<String> = expected.iter().map(|h| header_key(h)).collect();
        let mut offset = 0;
        let mut header_line = None;
        for (index, line) in text.split_inclusive('\n').enumerate() {
            let delimiter = sniff_delimiter(line);
            let is_header = line
                .trim_end_matches(['\r', '\n'])
                .split(delimiter as char)
                .any(|cell| wanted.contains(&header_key(cell.trim_matches('"'))));
            if is_header {
                header_line = Some((index, delimiter));
                break;
            }
            offset += line.len();
            if index >= 20 {
                break;
            }
        }
        let Some((header_index, delimiter)) = header_line else {
            let first = text.lines().next().unwrap_or("").trim();
            let shown: String = first.chars().take(80).collect();
            return Err(Error::input_at(
                source,
                Some(1),
                None,
                None,
                format!(
                    "no CSV header with {} found (the file starts with {shown:?})",
                    expected.join(", ")
                ),
            ));
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(&text.as_bytes()[offset..]);
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| {
                Error::input_at(
                    source.clone(),
                    Some(header_index + 1),
                    None,
                    None,
                    e.to_string(),
                )
            })?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let mut table = Table {
            source: source.clone(),
            headers,
            header_line: header_index + 1,
            rows: Vec::new(),
            skipped: Vec::new(),
        };
        // Every expected column must be there, before any row is read.
        for column in expected {
            table.require(column)?;
        }
        // Lines are counted from byte offsets (the csv crate's own count differs with CRLF),
        // incrementally, so a 200,000-row file is scanned once.
        let data = &text.as_bytes()[offset..];
        let (mut counted_to, mut line_at) = (0usize, header_index + 1);
        let mut line_of = |byte: usize| {
            // After a CRLF the csv crate puts the next record's start on the LF.
            let mut byte = byte.min(data.len());
            while byte < data.len() && (data[byte] == b'\n' || data[byte] == b'\r') {
                byte += 1;
            }
            if byte >= counted_to {
                line_at += data[counted_to..byte]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                counted_to = byte;
            }
            line_at
        };
        let mut row = Row {
            line: 0,
            record: csv::StringRecord::new(),
        };
        loop {
            match reader.read_record(&mut row.record) {
                Ok(false) => break,
                Ok(true) => {
                    row.line = line_of(row.record.position().map_or(0, |p| p.byte() as usize));
                    // A blank line inside the data is no row.
                    if row.record.iter().all(|f| f.trim().is_empty()) {
                        continue;
                    }
                    on_row(&table, &row);
                }
                Err(e) => {
                    let line = e.position().map(|p| line_of(p.byte() as usize));
                    table.skipped.push(Error::input_at(
                        source.clone(),
                        line,
                        None,
                        None,
                        e.to_string(),
                    ));
                    // A UTF-8 or I/O error mid-file leaves the reader where it was.
                    if !matches!(
                        e.kind(),
                        csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }
                    ) {
                        break;
                    }
                }
            }
        }
        Ok(table)
    }

    /// The index of a column, if the header has it.
    pub fn column(&self, name: &str) -> Option<usize> {
        let key = header_key(name);
        self.headers.iter().position(|h| header_key(h) == key)
    }

    /// The index of a column the file cannot be used without.
    pub fn require(&self, name: &str) -> Result<usize> {
        self.column(name).ok_or_else(|| {
            Error::input_at(
                self.source.clone(),
                Some(self.header_line),
                None,
                Some(name.into()),
                format!(
                    "missing column (the header has: {})",
                    self.headers.join(", ")
                ),
            )
        })
    }
}

impl Row {
    /// A field by column index, trimmed; "" when the row is short.
    pub fn get(&self, column: Option<usize>) -> &str {
        self.raw(column).trim()
    }

    /// A field as written; "" when the row is short.
    pub fn raw(&self, column: Option<usize>) -> &str {
        column.and_then(|c| self.record.get(c)).unwrap_or("")
    }
}

/// The delimiter a header line uses: the most frequent of `,`, `;` and tab outside quotes.
fn sniff_delimiter(line: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> Source {
        Source::File("Connections.csv".into())
    }

    #[test]
    fn the_notes_preamble_bom_and_crlf_are_skipped_and_lines_stay_true() {
        let text = "\u{feff}Notes:\r\n\"When exporting your connection data, you may notice…\"\r\n\r\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\r\nAna,\"Lima, Jr.\",,,Acme,CTO,08 Feb 2026\r\nJo,\"Lee \"\"JJ\"\"\",,,B,C,01 Jan 2020\r\n";
        let t = Table::parse(text, source(), &["First Name", "Connected On"]).unwrap();
        assert_eq!(t.headers.len(), 7);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].line, 5);
        assert_eq!(t.rows[0].get(t.column("last name")), "Lima, Jr.");
        assert_eq!(t.rows[1].get(t.column("LastName")), "Lee \"JJ\"");
        assert_eq!(t.rows[1].line, 6);
    }

    #[test]
    fn semicolon_and_tab_delimiters_are_read() {
        for d in [";", "\t"] {
            let text = format!("From{d}To{d}Message\na{d}b{d}hello, there\n");
            let t = Table::parse(&text, source(), &["Message"]).unwrap();
            assert_eq!(t.rows[0].get(t.column("Message")), "hello, there", "{d:?}");
        }
    }

    #[test]
    fn an_empty_file_and_a_missing_column_say_so() {
        let e = Table::parse("", source(), &["Message"]).unwrap_err();
        assert!(e.to_string().contains("the file is empty"), "{e}");
        let e = Table::parse("[{\"text\": 1}]\n", source(), &["Message"]).unwrap_err();
        assert!(e.to_string().contains("no CSV header with Message"), "{e}");
        let t = Table::parse("From,Message\na,b\n", source(), &["Message"]).unwrap();
        let e = t.require("Direction").unwrap_err();
        assert!(
            e.to_string()
                .contains("field `Direction`: missing column (the header has: From, Message)"),
            "{e}"
        );
    }

    #[test]
    fn multi_line_fields_keep_the_next_row_on_its_own_line() {
        let text = "A,B\n1,\"two\nlines\"\n3,4\n";
        let t = Table::parse(text, source(), &["A"]).unwrap();
        assert_eq!(t.rows[0].line, 2);
        assert_eq!(t.rows[1].line, 4);
    }
}
