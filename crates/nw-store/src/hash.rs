//! sha256 helpers and the progress bar.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sha2::{Digest, Sha256};

use crate::error::{io_err, StoreError};

const CHUNK: usize = 1 << 20;

/// Lower-case hex sha256 of a file's content.
pub fn sha256_file(path: &Path) -> Result<String, StoreError> {
    let mut f = File::open(path).map_err(io_err("cannot open", path))?;
    let (hash, _) = copy_hashing(&mut f, None, &ProgressBar::hidden())
        .map_err(|e| e.into_store_error(path, path))?;
    Ok(hash)
}

/// Which side of a copy failed.
pub(crate) enum CopyError {
    Read(std::io::Error),
    Write(std::io::Error),
}

impl CopyError {
    pub(crate) fn into_store_error(self, src: &Path, dst: &Path) -> StoreError {
        match self {
            CopyError::Read(e) => io_err("cannot read", src)(e),
            CopyError::Write(e) => io_err("cannot write", dst)(e),
        }
    }
}

/// Stream `reader` into `writer` (if any) while hashing; returns (sha256 hex, bytes).
pub(crate) fn copy_hashing(
    reader: &mut dyn Read,
    mut writer: Option<&mut File>,
    pb: &ProgressBar,
) -> Result<(String, u64), CopyError> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        };
        let chunk = &buf[..n];
        hasher.update(chunk);
        if let Some(w) = writer.as_deref_mut() {
            w.write_all(chunk).map_err(CopyError::Write)?;
        }
        total += n as u64;
        pb.inc(n as u64);
    }
    if let Some(w) = writer {
        w.flush().map_err(CopyError::Write)?;
        w.sync_all().map_err(CopyError::Write)?;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

/// A byte progress bar on stderr, or a hidden one.
pub(crate) fn progress_bar(show: bool, len: u64, msg: String) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:30!} [{elapsed_precise}] [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} ({eta})",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(msg);
    pb
}
