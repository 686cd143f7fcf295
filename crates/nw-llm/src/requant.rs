//! GGUF reading, and requantization of tensor types that candle runs without SIMD kernels.
//!
//! candle 0.11 has no AVX kernel for Q4_1 / Q5_0 / Q5_1, so those matmuls run scalar code and are
//! ~3x slower. We convert such tensors once to a type that has a kernel and cache the result as a
//! GGUF file keyed by the source's sha256.

use crate::LlmError;
use candle_core::quantized::gguf_file::{self, Content, Value};
use candle_core::quantized::{GgmlDType, QStorage, QTensor};
use candle_core::Device;
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// Bumped whenever the cache layout or conversion changes, so stale caches are ignored.
const CACHE_VERSION: u32 = 1;
const KEY_SOURCE_SHA: &str = "nw_llm.source_sha256";
const KEY_VERSION: &str = "nw_llm.requant_version";
const KEY_TARGET: &str = "nw_llm.requant_target";
/// Size and modification time of the file the cache was built from: a source changed in place
/// (same name, same claimed sha256) no longer matches, and the cache is rebuilt.
const KEY_SOURCE_STAMP: &str = "nw_llm.source_stamp";

/// `size:mtime` of a file, as recorded in its cache.
pub(crate) fn source_stamp(path: &Path) -> String {
    let meta = std::fs::metadata(path).ok();
    let size = meta.as_ref().map_or(0, std::fs::Metadata::len);
    let mtime = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("{size}:{mtime}")
}

/// Bytes of a GGUF file, memory-mapped when possible.
pub(crate) enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

pub(crate) fn map_file(path: &Path) -> Result<Bytes, LlmError> {
    let file = std::fs::File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            LlmError::NotFound(path.to_path_buf())
        } else {
            LlmError::io(path, e)
        }
    })?;
    // SAFETY: the mapping is read-only; model files are not expected to change while loaded
    // (the same assumption llama.cpp makes). Falls back to reading when mapping fails.
    match unsafe { memmap2::Mmap::map(&file) } {
        Ok(m) => Ok(Bytes::Mapped(m)),
        Err(_) => std::fs::read(path)
            .map(Bytes::Owned)
            .map_err(|e| LlmError::io(path, e)),
    }
}

/// Parse the GGUF header. Any parse failure (or a panic in the parser) becomes `InvalidGguf`.
pub(crate) fn read_content(bytes: &[u8], path: &Path) -> Result<Content, LlmError> {
    let invalid = |reason: String| LlmError::InvalidGguf {
        path: path.to_path_buf(),
        reason,
    };
    let res = std::panic::catch_unwind(|| Content::read(&mut Cursor::new(bytes)));
    let ct = match res {
        Ok(Ok(ct)) => ct,
        Ok(Err(e)) => return Err(invalid(e.to_string())),
        Err(_) => return Err(invalid("parser panicked".into())),
    };
    // Check every tensor lies inside the file, so a truncated file fails here with a clear
    // message rather than half-way through building the model.
    let len = bytes.len() as u64;
    for (name, info) in &ct.tensor_infos {
        let elems = info
            .shape
            .dims()
            .iter()
            .try_fold(1u64, |a, &d| a.checked_mul(d as u64));
        let bs = info.ggml_dtype.block_size() as u64;
        let size = elems
            .filter(|e| e % bs == 0)
            .and_then(|e| (e / bs).checked_mul(info.ggml_dtype.type_size() as u64));
        let end = size.and_then(|s| {
            ct.tensor_data_offset
                .checked_add(info.offset)
                .and_then(|o| o.checked_add(s))
        });
        match end {
            Some(end) if end <= len => {}
            Some(end) => {
                return Err(invalid(format!(
                    "tensor `{name}` ends at byte {end} but the file has only {len} bytes"
                )))
            }
            None => return Err(invalid(format!("tensor `{name}` has an invalid shape"))),
        }
    }
    Ok(ct)
}

/// Hex sha256 of a byte slice.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(bytes);
    hex::encode(h.finalize())
}

/// Types for which candle 0.11 has only a scalar CPU kernel.
pub(crate) fn lacks_simd(dt: GgmlDType) -> bool {
    matches!(
        dt,
        GgmlDType::Q4_1 | GgmlDType::Q5_0 | GgmlDType::Q5_1 | GgmlDType::Q8_1
    )
}

/// Requantization target. Q4K by default: with rows padded to 256 it runs on candle's repacked
/// x86 kernels (AVX2, AVX512-VNNI, and AMX for prompts of 32+ tokens), half the bytes of Q8_0,
/// and greedy output stayed as sensible as the Q4_1 original in our checks.
/// `NW_LLM_REQUANT` = `q8_0` | `q4k` | `q4_0` | `q6k` | `off` overrides it, for experiments.
pub(crate) fn requant_target() -> Option<GgmlDType> {
    match std::env::var("NW_LLM_REQUANT").ok().as_deref() {
        Some("off") | Some("none") => None,
        Some("q8_0") => Some(GgmlDType::Q8_0),
        Some("q4_0") => Some(GgmlDType::Q4_0),
        Some("q6k") => Some(GgmlDType::Q6K),
        _ => Some(GgmlDType::Q4K),
    }
}

fn dtype_tag(dt: GgmlDType) -> String {
    format!("{dt:?}").to_lowercase()
}

/// Row width that candle's repacked x86 kernels (AVX512-VNNI / AMX) require.
pub(crate) const PAD_K: usize = 256;

/// How the cache is made: the target type and whether weight rows are zero-padded to
/// [`PAD_K`] (only for architectures whose forward pass pads activations to match).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    pub target: GgmlDType,
    pub pad: bool,
}

impl Plan {
    pub(crate) fn tag(&self) -> String {
        if self.pad {
            format!("{}-pad{PAD_K}", dtype_tag(self.target))
        } else {
            dtype_tag(self.target)
        }
    }
}

fn wants_pad(plan: &Plan, dims: &[usize]) -> bool {
    plan.pad && dims.len() == 2 && !dims[1].is_multiple_of(PAD_K)
}

pub(crate) fn needs_requant(ct: &Content, plan: &Plan) -> bool {
    ct.tensor_infos
        .values()
        .any(|t| lacks_simd(t.ggml_dtype) || wants_pad(plan, t.shape.dims()))
}

/// Default cache directory: the user's cache directory (`~/.cache/notewright/nw-llm` on Linux),
/// not the model's folder, which may be read-only, shared or inside a source checkout; next to the
/// model only when the cache directory cannot be written, else the temp directory.
pub(crate) fn default_cache_dir(model: &Path) -> PathBuf {
    if let Some(dir) = dirs::cache_dir().map(|d| d.join("notewright").join("nw-llm")) {
        if std::fs::create_dir_all(&dir).is_ok() && dir_writable(&dir) {
            return dir;
        }
    }
    let beside = model
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    if dir_writable(&beside) {
        return beside;
    }
    std::env::temp_dir()
}

fn dir_writable(dir: &Path) -> bool {
    let probe = dir.join(format!(".nw-llm-write-probe-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(_) => false,
    }
}

pub(crate) fn cache_path(dir: &Path, model: &Path, sha: &str, plan: &Plan) -> PathBuf {
    let stem = model
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    dir.join(format!(
        "{stem}.nw-{}-v{CACHE_VERSION}-{sha}.gguf",
        plan.tag()
    ))
}

/// Whether a parsed cache file was produced from `sha` (the file as it is now: `stamp`) with
/// the current conversion.
pub(crate) fn cache_matches(ct: &Content, sha: &str, stamp: &str, plan: &Plan) -> bool {
    let s = |k: &str| match ct.metadata.get(k) {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    s(KEY_SOURCE_SHA) == Some(sha)
        && s(KEY_SOURCE_STAMP) == Some(stamp)
        && s(KEY_TARGET) == Some(plan.tag().as_str())
        && matches!(ct.metadata.get(KEY_VERSION), Some(Value::U32(v)) if *v == CACHE_VERSION)
}

/// Append zero columns to a 2-D quantized tensor at the byte level: an all-zero block decodes
/// to zeros in every GGML type, so this is exact.
fn pad_cols(t: QTensor, kp: usize) -> candle_core::Result<QTensor> {
    let (n, k) = t.shape().dims2()?;
    let dt = t.dtype();
    let bs = dt.block_size();
    if !k.is_multiple_of(bs) || !kp.is_multiple_of(bs) || kp < k {
        candle_core::bail!("cannot pad a {dt:?} row of {k} to {kp}");
    }
    let row = k / bs * dt.type_size();
    let prow = kp / bs * dt.type_size();
    let data = t.data()?;
    let mut out = vec![0u8; n * prow];
    for (src, dst) in data.chunks_exact(row).zip(out.chunks_exact_mut(prow)) {
        dst[..row].copy_from_slice(src);
    }
    let storage = QStorage::from_data(std::borrow::Cow::Owned(out), &Device::Cpu, dt)?;
    QTensor::new(storage, (n, kp))
}

fn convert_one(
    ct: &Content,
    bytes: &[u8],
    name: &str,
    plan: &Plan,
) -> candle_core::Result<QTensor> {
    let dev = Device::Cpu;
    let mut t = ct.tensor(&mut Cursor::new(bytes), name, &dev)?;
    if wants_pad(plan, t.shape().dims()) {
        let k = t.shape().dims()[1];
        t = pad_cols(t, k.next_multiple_of(PAD_K))?;
    }
    if !lacks_simd(t.dtype()) {
        return Ok(t);
    }
    let last = t.shape().dims().last().copied().unwrap_or(0);
    // k-quants need rows that are a multiple of 256; fall back to Q8_0 (block 32) otherwise.
    let dt = if last.is_multiple_of(plan.target.block_size()) {
        plan.target
    } else if last.is_multiple_of(GgmlDType::Q8_0.block_size()) {
        GgmlDType::Q8_0
    } else {
        GgmlDType::F32
    };
    let f = t.dequantize(&dev)?;
    QTensor::quantize(&f, dt)
}

/// Convert all tensors lacking SIMD kernels to the plan's target (padding rows if asked) and
/// serialize the result as a GGUF file in memory.
pub(crate) fn requantize(
    ct: &Content,
    bytes: &[u8],
    sha: &str,
    stamp: &str,
    plan: &Plan,
) -> Result<Vec<u8>, LlmError> {
    // Keep the source tensor order (by offset) so the file layout stays familiar.
    let mut names: Vec<&String> = ct.tensor_infos.keys().collect();
    names.sort_by_key(|n| ct.tensor_infos.get(*n).map(|t| t.offset).unwrap_or(0));
    let n_threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    // Quantization is single-threaded in candle; spread tensors over plain threads.
    let mut results: Vec<Option<candle_core::Result<QTensor>>> =
        (0..names.len()).map(|_| None).collect();
    let per = names.len().div_ceil(n_threads).max(1);
    std::thread::scope(|s| {
        for (c, chunk) in results.chunks_mut(per).enumerate() {
            let names = &names;
            s.spawn(move || {
                for (j, slot) in chunk.iter_mut().enumerate() {
                    let name = names[c * per + j];
                    *slot = Some(
                        std::panic::catch_unwind(|| convert_one(ct, bytes, name, plan))
                            .unwrap_or_else(|_| {
                                Err(candle_core::Error::Msg(format!(
                                    "panic while converting tensor {name}"
                                )))
                            }),
                    );
                }
            });
        }
    });
    let mut tensors = Vec::with_capacity(names.len());
    for (name, r) in names.iter().zip(results) {
        match r {
            Some(Ok(t)) => tensors.push((name.as_str(), t)),
            Some(Err(e)) => return Err(LlmError::Candle(e)),
            None => return Err(LlmError::Internal(format!("tensor {name} not converted"))),
        }
    }

    let extra = [
        (KEY_SOURCE_SHA, Value::String(sha.to_string())),
        (KEY_SOURCE_STAMP, Value::String(stamp.to_string())),
        (KEY_VERSION, Value::U32(CACHE_VERSION)),
        (KEY_TARGET, Value::String(plan.tag())),
    ];
    let mut md: Vec<(&str, &Value)> = ct
        .metadata
        .iter()
        // The writer always aligns to 32 bytes; a copied alignment key would contradict it.
        .filter(|(k, _)| k.as_str() != "general.alignment" && !k.starts_with("nw_llm."))
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    md.sort_by(|a, b| a.0.cmp(b.0));
    md.extend(extra.iter().map(|(k, v)| (*k, v)));
    let tref: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (*n, t)).collect();
    let mut out = Cursor::new(Vec::with_capacity(bytes.len() * 2));
    gguf_file::write(&mut out, &md, &tref)?;
    Ok(out.into_inner())
}

/// Write `data` to `path` atomically (temp file in the same directory, then rename).
pub(crate) fn write_atomic(path: &Path, data: &[u8]) -> Result<(), LlmError> {
    nw_store::write_atomic(path, data).map_err(|e| LlmError::io(path, e))
}
