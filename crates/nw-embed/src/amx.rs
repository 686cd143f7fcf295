//! Intel AMX (bf16 tile) matrix multiply for the linear layers.
//!
//! On CPUs with AMX-BF16 (Sapphire Rapids and later) one core multiplies bf16 tiles an order of
//! magnitude faster than f32 FMA, which is what lets a 2-core machine embed several hundred notes
//! per second. Weights are rounded to bf16 once at load time and packed in the "VNNI" pair
//! layout `tdpbf16ps` expects; activations are rounded to bf16 per call; products accumulate in
//! f32. AMX is used only when CPUID reports it, the kernel grants the tile-data permission
//! (`arch_prctl(ARCH_REQ_XCOMP_PERM)`), and `NW_EMBED_NO_AMX` is unset; otherwise the f32 GEMM
//! path is used.
//!
//! The tile instructions are emitted with `asm!` (the AMX intrinsics are not stable Rust).

use std::arch::asm;
use std::sync::OnceLock;

use rayon::prelude::*;

/// Rows of A (and of the output) per block: two 16-row tiles.
const MB: usize = 32;
/// Columns of B per block: two 16-column tiles.
const NB: usize = 32;
/// Depth per `tdpbf16ps` step: 32 bf16 values (64 bytes) per tile row.
const KB: usize = 32;

/// Whether the AMX path can run in this process (checked once).
pub(crate) fn available() -> bool {
    static OK: OnceLock<bool> = OnceLock::new();
    *OK.get_or_init(|| {
        if std::env::var_os("NW_EMBED_NO_AMX").is_some_and(|v| !v.is_empty() && v != "0") {
            return false;
        }
        let r = std::arch::x86_64::__cpuid_count(7, 0);
        let amx_bf16 = (r.edx >> 22) & 1 == 1;
        let amx_tile = (r.edx >> 24) & 1 == 1;
        if !(amx_bf16 && amx_tile) {
            return false;
        }
        const ARCH_REQ_XCOMP_PERM: libc::c_long = 0x1023;
        const XFEATURE_XTILEDATA: libc::c_long = 18;
        // SAFETY: plain syscall with integer arguments; fails harmlessly on kernels without AMX.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_arch_prctl,
                ARCH_REQ_XCOMP_PERM,
                XFEATURE_XTILEDATA,
            )
        };
        rc == 0
    })
}

/// Whether a `(k, n)` weight matrix fits the block sizes.
pub(crate) fn supports(k: usize, n: usize) -> bool {
    k > 0 && n > 0 && k.is_multiple_of(KB) && n.is_multiple_of(NB)
}

/// A `(k, n)` weight matrix in bf16, laid out as `[n/16][k/2][16][2]`: for each 16-column block,
/// one 64-byte row per pair of k indices, which is the B-tile layout of `tdpbf16ps`.
pub(crate) struct PackedB {
    k: usize,
    n: usize,
    data: Vec<u16>,
}

#[inline]
fn bf16(x: f32) -> u16 {
    let b = x.to_bits();
    // Round to nearest even (inputs are finite).
    ((b.wrapping_add(0x7fff + ((b >> 16) & 1))) >> 16) as u16
}

impl PackedB {
    /// Packs a row-major `(k, n)` f32 matrix; `supports(k, n)` must hold.
    pub(crate) fn pack(w: &[f32], k: usize, n: usize) -> PackedB {
        assert!(supports(k, n) && w.len() == k * n);
        let mut data = vec![0u16; k * n];
        let mut o = 0;
        for nb in 0..n / 16 {
            for kp in 0..k / 2 {
                for c in 0..16 {
                    let col = nb * 16 + c;
                    data[o] = bf16(w[(2 * kp) * n + col]);
                    data[o + 1] = bf16(w[(2 * kp + 1) * n + col]);
                    o += 2;
                }
            }
        }
        PackedB { k, n, data }
    }
}

#[repr(C, align(64))]
struct TileCfg([u8; 64]);

fn tile_cfg() -> TileCfg {
    let mut c = TileCfg([0; 64]);
    c.0[0] = 1; // palette 1
    for t in 0..8 {
        // every tile: 16 rows of 64 bytes
        c.0[16 + 2 * t] = 64;
        c.0[48 + t] = 16;
    }
    c
}

/// `dst (m×n) += a (m×k) @ b`, with `a` rounded to bf16 and f32 accumulation.
/// `m` must be a multiple of 32; the output tiles are accumulated in place in `dst`.
pub(crate) fn matmul_acc(dst: &mut [f32], a: &[f32], m: usize, b: &PackedB) {
    let (k, n) = (b.k, b.n);
    assert!(available() && m.is_multiple_of(MB) && dst.len() >= m * n && a.len() >= m * k);
    if m == 0 {
        return;
    }
    let mut abf = vec![0u16; m * k];
    abf.par_chunks_mut(k * 64)
        .zip(a[..m * k].par_chunks(k * 64))
        .for_each(|(d, s)| d.iter_mut().zip(s).for_each(|(d, &s)| *d = bf16(s)));

    let abf = &abf;
    dst[..m * n]
        .par_chunks_mut(MB * n)
        .enumerate()
        .for_each(|(mb, out)| {
            debug_assert_eq!(out.len(), MB * n);
            let cfg = tile_cfg();
            let a0 = abf[mb * MB * k..(mb + 1) * MB * k].as_ptr();
            let a_stride = k * 2;
            let c_stride = n * 4;
            let b_block = (k / 2) * 32; // u16 per 16-column block
                                        // SAFETY: AMX is enabled for this process (`available()`) and the config is valid
                                        // and 64-byte aligned. Every tile load/store touches 16 rows of 64 bytes inside the
                                        // slices it is derived from: A rows mb*32..mb*32+32 (of m) and columns
                                        // ks*32..ks*32+32 (of k); B block nb (of n/16), pair rows ks*16..ks*16+16 (of k/2);
                                        // C rows 0..32 of `out` (32 rows of n) and columns nb2*32..nb2*32+32 (of n).
            unsafe {
                let a1 = a0.add(16 * k);
                asm!("ldtilecfg [{}]", in(reg) cfg.0.as_ptr(), options(nostack, readonly));
                for nb2 in 0..n / NB {
                    let b0 = b.data.as_ptr().add(2 * nb2 * b_block);
                    let b1 = b0.add(b_block);
                    let c00 = out.as_mut_ptr().add(nb2 * NB);
                    let c01 = c00.add(16);
                    let c10 = c00.add(16 * n);
                    let c11 = c10.add(16);
                    asm!(
                        "tileloadd tmm0, [{c00} + {s}*1]",
                        "tileloadd tmm1, [{c01} + {s}*1]",
                        "tileloadd tmm2, [{c10} + {s}*1]",
                        "tileloadd tmm3, [{c11} + {s}*1]",
                        c00 = in(reg) c00, c01 = in(reg) c01, c10 = in(reg) c10, c11 = in(reg) c11,
                        s = in(reg) c_stride,
                        options(nostack, readonly),
                    );
                    for ks in 0..k / KB {
                        asm!(
                            "tileloadd tmm4, [{a0} + {sa}*1]",
                            "tileloadd tmm5, [{a1} + {sa}*1]",
                            "tileloadd tmm6, [{b0} + {sb}*1]",
                            "tileloadd tmm7, [{b1} + {sb}*1]",
                            "tdpbf16ps tmm0, tmm4, tmm6",
                            "tdpbf16ps tmm1, tmm4, tmm7",
                            "tdpbf16ps tmm2, tmm5, tmm6",
                            "tdpbf16ps tmm3, tmm5, tmm7",
                            a0 = in(reg) a0.add(ks * KB),
                            a1 = in(reg) a1.add(ks * KB),
                            b0 = in(reg) b0.add(ks * 16 * 32),
                            b1 = in(reg) b1.add(ks * 16 * 32),
                            sa = in(reg) a_stride,
                            sb = in(reg) 64usize,
                            options(nostack, readonly),
                        );
                    }
                    asm!(
                        "tilestored [{c00} + {s}*1], tmm0",
                        "tilestored [{c01} + {s}*1], tmm1",
                        "tilestored [{c10} + {s}*1], tmm2",
                        "tilestored [{c11} + {s}*1], tmm3",
                        c00 = in(reg) c00, c01 = in(reg) c01, c10 = in(reg) c10, c11 = in(reg) c11,
                        s = in(reg) c_stride,
                        options(nostack),
                    );
                }
                asm!("tilerelease", options(nostack, nomem));
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amx_matches_naive() {
        if !available() {
            eprintln!("note: AMX not available, skipping");
            return;
        }
        for &(m, k, n) in &[(32usize, 32usize, 32usize), (64, 64, 96), (128, 384, 128)] {
            let a: Vec<f32> = (0..m * k)
                .map(|i| ((i * 7 % 13) as f32 - 6.0) * 0.25)
                .collect();
            let w: Vec<f32> = (0..k * n)
                .map(|i| ((i * 5 % 11) as f32 - 5.0) * 0.125)
                .collect();
            let p = PackedB::pack(&w, k, n);
            let mut c = vec![1f32; m * n];
            matmul_acc(&mut c, &a, m, &p);
            for i in 0..m {
                for j in 0..n {
                    let r: f32 = 1.0 + (0..k).map(|t| a[i * k + t] * w[t * n + j]).sum::<f32>();
                    assert!(
                        (c[i * n + j] - r).abs() < 1e-3,
                        "({m},{k},{n}) [{i},{j}] {} vs {r}",
                        c[i * n + j]
                    );
                }
            }
        }
    }
}
