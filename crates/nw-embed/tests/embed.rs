//! Integration tests against the real all-MiniLM-L6-v2 weights.
//!
//! Weights: `$NOTEWRIGHT_TEST_EMBED_DIR` (config.json, tokenizer.json, model.safetensors), else
//! `<workspace>/models/all-minilm-l6-v2/`. When absent, tests are skipped with a note on stderr,
//! except under `CI=true`, where they fail.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use nw_embed::{cosine, EmbedError, Embedder};

fn model_dir() -> PathBuf {
    match std::env::var_os("NOTEWRIGHT_TEST_EMBED_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/all-minilm-l6-v2"),
    }
}

fn embedder() -> Option<&'static Embedder> {
    static E: OnceLock<Option<Embedder>> = OnceLock::new();
    E.get_or_init(|| {
        let dir = model_dir();
        let complete = ["config.json", "tokenizer.json", "model.safetensors"]
            .iter()
            .all(|f| dir.join(f).is_file());
        if !complete {
            let msg = format!(
                "embedding model not found in {} (set NOTEWRIGHT_TEST_EMBED_DIR to a directory with \
                 config.json, tokenizer.json and model.safetensors)",
                dir.display()
            );
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{msg}");
            }
            eprintln!("note: skipping nw-embed model test: {msg}");
            return None;
        }
        Some(Embedder::load(&dir).unwrap_or_else(|e| panic!("loading {}: {e}", dir.display())))
    })
    .as_ref()
}

macro_rules! need_model {
    () => {
        match embedder() {
            Some(e) => e,
            None => return,
        }
    };
}

fn golden() -> serde_json::Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/embed_golden.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("read golden")).expect("parse golden")
}

#[test]
fn golden_cosine() {
    let e = need_model!();
    let g = golden();
    let items = g["sentences"].as_array().expect("sentences");
    assert!(items.len() >= 6);
    let texts: Vec<&str> = items
        .iter()
        .map(|s| s["text"].as_str().expect("text"))
        .collect();
    let batch = e.embed(&texts).expect("embed");
    for (item, got) in items.iter().zip(&batch) {
        let text = item["text"].as_str().unwrap_or_default();
        let want: Vec<f32> = item["embedding"]
            .as_array()
            .expect("embedding")
            .iter()
            .map(|v| v.as_f64().expect("f64") as f32)
            .collect();
        assert_eq!(want.len(), 384);
        let n_tokens = item["n_tokens"].as_u64().expect("n_tokens") as usize;
        assert_eq!(
            e.token_ids(text).expect("tokenize").len(),
            n_tokens,
            "token count for {text:?}"
        );
        let c_batch = cosine(got, &want);
        let c_one = cosine(&e.embed_one(text).expect("embed_one"), &want);
        eprintln!(
            "golden {c_batch:.7} / {c_one:.7}  {:?}",
            text.chars().take(40).collect::<String>()
        );
        assert!(c_batch >= 0.999, "batch cosine {c_batch} for {text:?}");
        assert!(c_one >= 0.999, "one-by-one cosine {c_one} for {text:?}");
    }
}

fn mixed_texts() -> Vec<String> {
    let mut v = vec![
        String::new(),
        "Hi".to_string(),
        "Loved your talk on Rust at the meetup in Berlin!".to_string(),
        "word ".repeat(400),
        "Hello Priya, we met at the logistics summit; I'd like to connect and hear more about \
         your warehouse automation project."
            .to_string(),
        "Quick question 🙂".to_string(),
        "Nous nous sommes rencontrés à Paris lors de la conférence sur les données.".to_string(),
    ];
    for i in 0..40 {
        v.push(format!(
            "note number {i} about {}",
            "supply chain analytics ".repeat(i % 9)
        ));
    }
    v
}

#[test]
fn batch_matches_one_by_one_and_preserves_order() {
    let e = need_model!();
    let texts = mixed_texts();
    let refs: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
    for bs in [1usize, 3, 32, 100] {
        let e2 = Embedder::load(&model_dir())
            .expect("load")
            .with_batch_size(bs);
        let batch = e2.embed(&refs).expect("embed");
        assert_eq!(batch.len(), refs.len());
        for (t, b) in refs.iter().zip(&batch) {
            let one = e.embed_one(t).expect("embed_one");
            let c = cosine(&one, b);
            assert!(c > 0.9999, "batch size {bs}: cosine {c} for {t:?}");
        }
    }
    // Reversing the input reverses the output.
    let rev: Vec<&str> = refs.iter().rev().copied().collect();
    let a = e.embed(&refs).expect("embed");
    let b = e.embed(&rev).expect("embed");
    for (x, y) in a.iter().zip(b.iter().rev()) {
        assert!(cosine(x, y) > 0.9999);
    }
    // Distinct texts give distinct vectors in their own slots.
    assert!(cosine(&a[1], &a[3]) < 0.99);
    assert!(e.embed(&[]).expect("empty batch").is_empty());
}

#[test]
fn empty_string_ok() {
    let e = need_model!();
    let v = e.embed_one("").expect("empty");
    assert_eq!(v.len(), 384);
    assert!(v.iter().all(|x| x.is_finite()));
    assert_eq!(e.token_ids("").expect("ids").len(), 2); // [CLS] [SEP]
    let b = e.embed(&["", "", "x"]).expect("batch");
    assert!(cosine(&b[0], &v) > 0.9999 && cosine(&b[1], &v) > 0.9999);
}

#[test]
fn very_long_text_is_truncated() {
    let e = need_model!();
    let long: String = "Supply chains, data platforms and hiring plans; "
        .chars()
        .cycle()
        .take(10_000)
        .collect();
    assert_eq!(long.chars().count(), 10_000);
    assert_eq!(e.token_ids(&long).expect("ids").len(), 256);
    let v = e.embed_one(&long).expect("long");
    assert_eq!(v.len(), 384);
    assert!(v.iter().all(|x| x.is_finite()));
    // Truncation: what comes after the first 256 tokens does not matter.
    let longer = format!("{long} completely different ending about cooking pasta");
    assert!(cosine(&v, &e.embed_one(&longer).expect("longer")) > 0.9999);
}

#[test]
fn dim_and_unit_norm() {
    let e = need_model!();
    assert_eq!(e.dim(), 384);
    let texts = mixed_texts();
    let refs: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
    for v in e.embed(&refs).expect("embed") {
        assert_eq!(v.len(), 384);
        let n: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((n - 1.0).abs() < 1e-4, "norm {n}");
    }
}

#[test]
fn semantics_sanity() {
    let e = need_model!();
    let v = e
        .embed(&[
            "I would love to connect and talk about data engineering.",
            "Let's connect to discuss data pipelines and analytics.",
            "My grandmother bakes the best apple pie.",
        ])
        .expect("embed");
    assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]) + 0.2);
}

#[test]
fn agrees_with_candle_bert_model() {
    // Cross-check the packed forward pass against candle-transformers' BertModel (padded batch,
    // attention mask, masked mean pooling).
    use candle_core::{DType, Device, Tensor};
    use candle_nn::VarBuilder;
    use candle_transformers::models::bert::{BertModel, Config};
    let e = need_model!();
    let dir = model_dir();
    let cfg: Config =
        serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).expect("cfg"))
            .expect("cfg");
    // SAFETY: the weights file is not modified while mapped.
    let vb = unsafe {
        VarBuilder::from_mmaped_safetensors(
            &[dir.join("model.safetensors")],
            DType::F32,
            &Device::Cpu,
        )
    }
    .expect("vb");
    let bert = BertModel::load(vb, &cfg).expect("bert");
    let texts = [
        "",
        "Hi there",
        "Great meeting you at the Data Council panel on streaming pipelines.",
    ];
    let ids: Vec<Vec<u32>> = texts.iter().map(|t| e.token_ids(t).expect("ids")).collect();
    let max = ids.iter().map(|v| v.len()).max().unwrap_or(0);
    let mut flat = Vec::new();
    let mut mask = Vec::new();
    for v in &ids {
        for i in 0..max {
            flat.push(v.get(i).copied().unwrap_or(0));
            mask.push(u32::from(i < v.len()));
        }
    }
    let dev = Device::Cpu;
    let input = Tensor::from_vec(flat, (texts.len(), max), &dev).expect("t");
    let mask = Tensor::from_vec(mask, (texts.len(), max), &dev).expect("t");
    let types = input.zeros_like().expect("t");
    let out = bert.forward(&input, &types, Some(&mask)).expect("fwd"); // (b, s, h)
    let m = mask
        .to_dtype(DType::F32)
        .expect("t")
        .unsqueeze(2)
        .expect("t");
    let pooled = (out.broadcast_mul(&m).expect("t").sum(1).expect("t"))
        .broadcast_div(&m.sum(1).expect("t"))
        .expect("t");
    let pooled: Vec<Vec<f32>> = pooled.to_vec2().expect("t");
    let ours = e.embed(&texts).expect("embed");
    for ((t, a), b) in texts.iter().zip(&ours).zip(&pooled) {
        let c = cosine(a, b);
        assert!(c > 0.9999, "candle BertModel disagrees ({c}) on {t:?}");
    }
}

#[test]
fn missing_dir_is_error_naming_path() {
    let p = Path::new("/nonexistent/nw-embed-test-model-dir");
    match Embedder::load(p) {
        Err(e @ EmbedError::MissingFile(_)) => {
            assert!(
                e.to_string()
                    .contains("/nonexistent/nw-embed-test-model-dir"),
                "{e}"
            )
        }
        other => panic!("expected MissingFile, got {other:?}"),
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let err = Embedder::load_files(
        &tmp.path().join("config.json"),
        &tmp.path().join("tokenizer.json"),
        &tmp.path().join("model.safetensors"),
    )
    .expect_err("must fail");
    assert!(err.to_string().contains("config.json"), "{err}");
}
