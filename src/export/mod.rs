//! A LinkedIn data export ("Get a copy of your data"): the zip itself, its unzipped folder, or a
//! single CSV. Files are found by name, case- and space-insensitively, wherever they sit in the
//! zip or folder; columns are read by header name ([`table`]).
//!
//! Each file becomes typed records ([`records`]); [`inbox`] and [`audit`] work on those, and
//! [`init`] turns my own profile into a `me.toml`.

pub mod audit;
pub mod date;
pub mod html;
pub mod inbox;
pub mod init;
pub mod people;
pub mod records;
pub mod render;
pub mod table;

use crate::error::{Error, Result, Source};
use crate::input::{self, MAX_FILE_BYTES};
use std::collections::BTreeMap;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

/// Where the export's files are.
pub struct Export {
    pub path: PathBuf,
    /// Normalised file name ("invitations.csv") → where it is.
    files: BTreeMap<String, Location>,
    zip: Option<std::cell::RefCell<zip::ZipArchive<std::fs::File>>>,
}

enum Location {
    File(PathBuf),
    ZipEntry(String),
    /// A file given as (name, text): tests and fuzzing.
    Text(String, String),
}

/// A file name as compared: case, spaces, `_` and `-` do not matter ("Invitations.csv",
/// "invitations .CSV").
fn file_key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

impl Export {
    /// Open an export: a `.zip`, a folder, or one CSV file.
    pub fn open(path: &Path) -> Result<Export> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        let mut files = BTreeMap::new();
        if meta.is_dir() {
            collect_dir(path, 0, &mut files).map_err(|e| Error::io(path, e))?;
            tracing::info!(
                "export folder {}: {} CSV files",
                path.display(),
                files.len()
            );
            return Ok(Export {
                path: path.into(),
                files,
                zip: None,
            });
        }
        let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut magic = [0u8; 4];
        let is_zip = file.read_exact(&mut magic).is_ok() && &magic == b"PK\x03\x04";
        if !is_zip {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.insert(file_key(&name), Location::File(path.into()));
            return Ok(Export {
                path: path.into(),
                files,
                zip: None,
            });
        }
        file.seek(std::io::SeekFrom::Start(0))
            .map_err(|e| Error::io(path, e))?;
        let archive = zip::ZipArchive::new(file).map_err(|e| {
            Error::input(
                Source::File(path.into()),
                format!("not a readable zip: {e}"),
            )
        })?;
        for name in archive.file_names() {
            if !name.ends_with('/') {
                files
                    .entry(file_key(base_name(name)))
                    .or_insert_with(|| Location::ZipEntry(name.to_string()));
            }
        }
        Ok(Export {
            path: path.into(),
            files,
            zip: Some(std::cell::RefCell::new(archive)),
        })
    }

    /// An export made of files given as (name, text): what tests and the fuzz targets read.
    pub fn from_texts(files: &[(&str, &str)]) -> Export {
        Export {
            path: PathBuf::from("<memory>"),
            files: files
                .iter()
                .map(|(name, text)| {
                    (
                        file_key(name),
                        Location::Text(name.to_string(), text.to_string()),
                    )
                })
                .collect(),
            zip: None,
        }
    }

    /// Whether the export holds a file of this name.
    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(&file_key(name))
    }

    /// The text of one file, or `None` when the export does not have it.
    pub fn read(&self, name: &str) -> Result<Option<(Source, String)>> {
        let Some(location) = self.files.get(&file_key(name)) else {
            return Ok(None);
        };
        match location {
            Location::File(path) => {
                let text = input::read_text_file_limited(path, MAX_FILE_BYTES, "export files")?;
                Ok(Some((Source::File(path.clone()), text)))
            }
            Location::Text(file, text) => {
                Ok(Some((Source::File(self.path.join(file)), text.clone())))
            }
            Location::ZipEntry(entry) => {
                let shown = self.path.join(entry);
                let source = Source::File(shown.clone());
                let Some(zip) = &self.zip else {
                    return Ok(None);
                };
                let mut zip = zip.borrow_mut();
                let file = zip.by_name(entry).map_err(|e| {
                    Error::input(source.clone(), format!("cannot read from the zip: {e}"))
                })?;
                let bytes = input::read_bounded(file, MAX_FILE_BYTES, |e| Error::io(&shown, e))?;
                if bytes.len() as u64 > MAX_FILE_BYTES {
                    return Err(Error::input(
                        source,
                        "larger than the 256 MiB limit for export files",
                    ));
                }
                Ok(Some((source.clone(), input::decode_utf8(bytes, source)?)))
            }
        }
    }

    /// The file names found, as written in the export (for messages about a missing file).
    pub fn names(&self) -> Vec<String> {
        self.files
            .values()
            .map(|l| match l {
                Location::File(p) => p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                Location::ZipEntry(e) => base_name(e).to_string(),
                Location::Text(name, _) => name.clone(),
            })
            .collect()
    }
}

fn collect_dir(
    dir: &Path,
    depth: usize,
    files: &mut BTreeMap<String, Location>,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() && depth < 2 {
            collect_dir(&path, depth + 1, files)?;
        } else if kind.is_file() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.to_lowercase().ends_with(".csv") {
                files.entry(file_key(&name)).or_insert(Location::File(path));
            }
        }
    }
    Ok(())
}
