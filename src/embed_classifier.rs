//! The accurate classifier: a multinomial logistic regression over the note's sentence embedding
//! (all-MiniLM-L6-v2 via `nw-embed`) plus the rule signals. The embedding carries topic and tone;
//! the rules carry intent (specifics, offers, calls to action), so the two together beat either.
//!
//! The model is trained on the labelled corpus built into the binary (`data/notes.jsonl`) on first
//! use and cached by content hash (corpus + embedding weights + feature version), so there is no
//! training step to remember.

use crate::char_ngrams::CharNgrams;
use crate::classify::{self, Classification};
use crate::error::{Error, Result};
use crate::signals::{self, Hit, Kind, Label};
use nw_embed::Embedder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The built-in labelled corpus (see data/README.md).
pub const CORPUS: &str = include_str!("../data/notes.jsonl");
/// Bump when the features or the training change, to invalidate caches.
const FEATURE_VERSION: &str = "v3";

/// Rule-signal kinds used as binary features, in a fixed order.
const KIND_FEATURES: [Kind; 19] = [
    Kind::Empty,
    Kind::DefaultText,
    Kind::GenericNetworking,
    Kind::Flattery,
    Kind::Event,
    Kind::Referral,
    Kind::Content,
    Kind::SharedHistory,
    Kind::Question,
    Kind::Role,
    Kind::Specific,
    Kind::Offer,
    Kind::Price,
    Kind::CallToAction,
    Kind::Link,
    Kind::Growth,
    Kind::ServicesPitch,
    Kind::EmojiSpam,
    Kind::Injection,
];

/// One labelled note of the corpus.
#[derive(Debug, Clone, Deserialize)]
pub struct LabelledNote {
    #[serde(default)]
    pub id: Option<serde_json::Value>,
    pub text: String,
    pub label: Label,
    /// The kind of note (see data/README.md, "Genres").
    #[serde(default)]
    pub genre: Option<String>,
}

pub fn corpus() -> Vec<LabelledNote> {
    CORPUS
        .lines()
        .filter(|l| !l.trim().is_empty())
        // The corpus is compiled in and checked by tests; a bad line is a build defect, skipped here.
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The `k` labelled examples nearest to `note` by wording (character n-grams, no model): what
/// `--explain` shows when the rules classify.
pub fn nearest_by_wording(note: &str, k: usize) -> Vec<Neighbour> {
    let corpus = corpus();
    let texts: Vec<&str> = corpus.iter().map(|n| n.text.as_str()).collect();
    let ngrams = CharNgrams::fit(&texts, NGRAM_MIN_NOTES);
    let query = ngrams.transform(note);
    let dot = |a: &[(u32, f32)], b: &[(u32, f32)]| {
        let (mut i, mut j, mut sum) = (0, 0, 0.0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += a[i].1 * b[j].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    };
    nearest(&corpus, k, |i| dot(&query, &ngrams.transform(texts[i])))
}

/// The `k` corpus notes with the highest `similarity`, most similar first.
fn nearest(corpus: &[LabelledNote], k: usize, similarity: impl Fn(usize) -> f32) -> Vec<Neighbour> {
    let mut scored: Vec<(f32, usize)> = (0..corpus.len()).map(|i| (similarity(i), i)).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
        .into_iter()
        .take(k)
        .map(|(similarity, i)| Neighbour {
            text: corpus[i].text.clone(),
            label: corpus[i].label,
            genre: corpus[i].genre.clone(),
            similarity,
        })
        .collect()
}

/// The rule half of the features: the three rule scores and one indicator per signal kind.
fn rule_features(hits: &[Hit]) -> Vec<f32> {
    let scores = classify::rule_scores(hits);
    let mut out: Vec<f32> = scores.to_vec();
    out.extend(KIND_FEATURES.iter().map(|k| {
        if hits.iter().any(|h| h.kind == *k) {
            1.0
        } else {
            0.0
        }
    }));
    out
}

/// One note as the logistic regression sees it: a dense part (embedding, then rule features),
/// standardised, and a sparse part (character n-grams), already scaled.
#[derive(Debug, Clone, Default)]
pub struct Example {
    pub dense: Vec<f32>,
    pub sparse: Vec<(u32, f32)>,
}

/// The relative weight of each feature block. The penalty is the same for every weight, so a
/// block's scale sets how much it may say: the 22 rule features carry most of the intent, the 384
/// embedding dimensions the topic and tone, and the thousands of n-grams the wording.
const EMBEDDING_SCALE: f32 = 1.5;
const RULE_SCALE: f32 = 2.0;
const NGRAM_SCALE: f32 = 100.0;
/// L2 penalty on the mean log-loss, and full-batch epochs.
const L2: f32 = 0.6;
const EPOCHS: usize = 600;
/// An n-gram must occur in this many labelled notes to become a feature.
const NGRAM_MIN_NOTES: usize = 2;

/// Per-dense-feature scales: the embedding dimensions, then the rule features.
fn dense_scales(embedding_dim: usize) -> Vec<f32> {
    let rules = 3 + KIND_FEATURES.len();
    std::iter::repeat_n(EMBEDDING_SCALE, embedding_dim)
        .chain(std::iter::repeat_n(RULE_SCALE, rules))
        .collect()
}

/// The trained model: n-gram vocabulary plus logistic regression.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoteModel {
    ngrams: CharNgrams,
    logistic: LogisticModel,
}

impl NoteModel {
    fn example(&self, embedding: &[f32], hits: &[Hit], note: &str) -> Example {
        example(&self.ngrams, embedding, hits, note)
    }
}

fn example(ngrams: &CharNgrams, embedding: &[f32], hits: &[Hit], note: &str) -> Example {
    let mut dense = embedding.to_vec();
    dense.extend(rule_features(hits));
    let sparse = ngrams
        .transform(note)
        .into_iter()
        .map(|(i, v)| (i, v * NGRAM_SCALE))
        .collect();
    Example { dense, sparse }
}

/// A trained multinomial logistic regression over standardised dense features plus sparse ones.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogisticModel {
    mean: Vec<f32>,
    /// Per dense feature: the block scale over the standard deviation.
    scale: Vec<f32>,
    /// 3 × (dense + sparse) weights, row per label in [`Label::ALL`] order.
    weights: Vec<Vec<f32>>,
    bias: [f32; 3],
}

impl LogisticModel {
    /// Full-batch Adam on the mean log-loss plus `l2`/2 · ‖w‖²; deterministic. Dense feature `j`
    /// is standardised and multiplied by `dense_scales[j]`; sparse indices are below `sparse_dim`.
    pub fn train(
        xs: &[Example],
        ys: &[Label],
        dense_scales: &[f32],
        sparse_dim: usize,
        l2: f32,
        epochs: usize,
    ) -> LogisticModel {
        let n = xs.len().max(1) as f32;
        let d = xs.first().map_or(0, |x| x.dense.len());
        let mut mean = vec![0.0f32; d];
        for x in xs {
            for (m, v) in mean.iter_mut().zip(&x.dense) {
                *m += v / n;
            }
        }
        let mut var = vec![0.0f32; d];
        for x in xs {
            for ((s, v), m) in var.iter_mut().zip(&x.dense).zip(&mean) {
                *s += (v - m).powi(2) / n;
            }
        }
        let scale: Vec<f32> = var
            .iter()
            .enumerate()
            .map(|(j, s)| {
                let block = dense_scales.get(j).copied().unwrap_or(1.0);
                if *s > 1e-12 {
                    block / s.sqrt()
                } else {
                    0.0
                }
            })
            .collect();
        let zs: Vec<Vec<f32>> = xs
            .iter()
            .map(|x| standardise(&x.dense, &mean, &scale))
            .collect();
        let width = d + sparse_dim;
        let mut weights = vec![vec![0.0f32; width]; 3];
        let mut bias = [0.0f32; 3];
        // Adam keeps a few hundred epochs enough whatever the feature scales.
        let (b1, b2, lr, eps) = (0.9f32, 0.999f32, 0.05f32, 1e-8f32);
        let mut m_w = vec![vec![0.0f32; width]; 3];
        let mut v_w = vec![vec![0.0f32; width]; 3];
        let mut m_b = [0.0f32; 3];
        let mut v_b = [0.0f32; 3];
        let mut grad_w = vec![vec![0.0f32; width]; 3];
        for epoch in 1..=epochs {
            for g in &mut grad_w {
                g.fill(0.0);
            }
            let mut grad_b = [0.0f32; 3];
            for ((z, x), y) in zs.iter().zip(xs).zip(ys) {
                let p = classify::softmax(logits(&weights, &bias, z, &x.sparse));
                for c in 0..3 {
                    let err = (p[c] - if y.index() == c { 1.0 } else { 0.0 }) / n;
                    grad_b[c] += err;
                    for (g, v) in grad_w[c][..d].iter_mut().zip(z) {
                        *g += err * v;
                    }
                    for &(i, v) in &x.sparse {
                        if let Some(g) = grad_w[c].get_mut(d + i as usize) {
                            *g += err * v;
                        }
                    }
                }
            }
            let t = epoch as i32;
            let (c1, c2) = (1.0 - b1.powi(t), 1.0 - b2.powi(t));
            // A step that shrinks as 1/√t settles on the optimum instead of circling it.
            let lr = lr / (epoch as f32).sqrt();
            for c in 0..3 {
                for j in 0..width {
                    let g = grad_w[c][j] + l2 * weights[c][j];
                    m_w[c][j] = b1 * m_w[c][j] + (1.0 - b1) * g;
                    v_w[c][j] = b2 * v_w[c][j] + (1.0 - b2) * g * g;
                    weights[c][j] -= lr * (m_w[c][j] / c1) / ((v_w[c][j] / c2).sqrt() + eps);
                }
                let g = grad_b[c];
                m_b[c] = b1 * m_b[c] + (1.0 - b1) * g;
                v_b[c] = b2 * v_b[c] + (1.0 - b2) * g * g;
                bias[c] -= lr * (m_b[c] / c1) / ((v_b[c] / c2).sqrt() + eps);
            }
        }
        LogisticModel {
            mean,
            scale,
            weights,
            bias,
        }
    }

    /// Each feature's push toward `label`: its standardised value times the label's weight less
    /// the mean weight of the three labels. Dense features in order; sparse ones by index.
    pub fn push_toward(&self, x: &Example, label: usize) -> (Vec<f32>, HashMap<u32, f32>) {
        let d = self.mean.len();
        let push = |j: usize, v: f32| {
            let mean = self.weights.iter().map(|row| row[j]).sum::<f32>() / 3.0;
            v * (self.weights[label][j] - mean)
        };
        let dense = standardise(&x.dense, &self.mean, &self.scale)
            .into_iter()
            .enumerate()
            .map(|(j, v)| push(j, v))
            .collect();
        let sparse = x
            .sparse
            .iter()
            .filter(|(i, _)| d + (*i as usize) < self.weights[label].len())
            .map(|&(i, v)| (i, push(d + i as usize, v)))
            .collect();
        (dense, sparse)
    }

    pub fn probabilities(&self, x: &Example) -> [f32; 3] {
        let z = standardise(&x.dense, &self.mean, &self.scale);
        classify::softmax(logits(&self.weights, &self.bias, &z, &x.sparse))
    }
}

fn standardise(x: &[f32], mean: &[f32], scale: &[f32]) -> Vec<f32> {
    x.iter()
        .zip(mean)
        .zip(scale)
        .map(|((v, m), s)| (v - m) * s)
        .collect()
}

/// Label scores of an example: its standardised dense part `z`, then its sparse part.
fn logits(weights: &[Vec<f32>], bias: &[f32; 3], z: &[f32], sparse: &[(u32, f32)]) -> [f32; 3] {
    let d = z.len();
    let mut out = *bias;
    for (c, row) in weights.iter().enumerate() {
        out[c] += row.iter().zip(z).map(|(w, v)| w * v).sum::<f32>();
        out[c] += sparse
            .iter()
            .filter_map(|&(i, v)| row.get(d + i as usize).map(|w| w * v))
            .sum::<f32>();
    }
    out
}

/// The cached, trained classifier with the corpus embeddings kept for `--explain`.
#[derive(Serialize, Deserialize)]
struct Trained {
    model: NoteModel,
    corpus_embeddings: Vec<Vec<f32>>,
}

impl Trained {
    /// Whether a cache read back has the shapes its use needs: one embedding per corpus note,
    /// weights for every feature, finite numbers. A truncated or edited cache is retrained.
    fn is_consistent(&self, corpus_len: usize) -> bool {
        let m = &self.model.logistic;
        let emb = self.corpus_embeddings.first().map_or(0, Vec::len);
        let d = m.mean.len();
        let finite = |xs: &[f32]| xs.iter().all(|v| v.is_finite());
        self.corpus_embeddings.len() == corpus_len
            && emb > 0
            && self
                .corpus_embeddings
                .iter()
                .all(|e| e.len() == emb && finite(e))
            && d == emb + rule_features(&[]).len()
            && m.scale.len() == d
            && finite(&m.mean)
            && finite(&m.scale)
            && m.weights.len() == 3
            && m.weights
                .iter()
                .all(|w| w.len() == d + self.model.ngrams.dim() && finite(w))
            && self.model.ngrams.is_consistent()
    }
}

/// A nearest labelled example, for `--explain`.
#[derive(Debug, Clone, Serialize)]
pub struct Neighbour {
    pub text: String,
    pub label: Label,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub genre: Option<String>,
    pub similarity: f32,
}

/// What `--explain` shows for the embedding classifier.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub neighbours: Vec<Neighbour>,
    pub push: Push,
}

/// How far each block of features pushed the note toward its label: the label's score minus the
/// mean of the three labels' scores, split by block.
#[derive(Debug, Clone, Serialize)]
pub struct Push {
    pub label: Label,
    pub embedding: f32,
    pub rules: f32,
    pub wording: f32,
    /// The words whose character n-grams pushed hardest toward the label, strongest first.
    pub words: Vec<WordWeight>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WordWeight {
    pub word: String,
    pub weight: f32,
}

pub struct EmbedClassifier {
    embedder: Embedder,
    model: NoteModel,
    corpus: Vec<LabelledNote>,
    corpus_embeddings: Vec<Vec<f32>>,
}

impl EmbedClassifier {
    /// Load the embedder from `model_dir` and the trained classifier from the cache, training
    /// (and caching) it first if needed. `weights_sha256` identifies the embedding model.
    pub fn load(
        model_dir: &Path,
        weights_sha256: &str,
        cache_dir: Option<&Path>,
    ) -> Result<EmbedClassifier> {
        let embedder = Embedder::load(model_dir).map_err(|e| Error::Model(e.to_string()))?;
        let corpus = corpus();
        let key = {
            let mut h = Sha256::new();
            h.update(CORPUS.as_bytes());
            h.update(weights_sha256.as_bytes());
            h.update(FEATURE_VERSION.as_bytes());
            h.update(
                format!(
                    "{EMBEDDING_SCALE}/{RULE_SCALE}/{NGRAM_SCALE}/{L2}/{EPOCHS}/{NGRAM_MIN_NOTES}/{}",
                    signals::fingerprint()
                )
                .as_bytes(),
            );
            hex::encode(&h.finalize()[..12])
        };
        let cache_path = cache_dir
            .map(Path::to_path_buf)
            .or_else(default_cache_dir)
            .map(|d| d.join(format!("classifier-{key}.json")));
        if let Some(trained) = cache_path
            .as_deref()
            .and_then(read_cache)
            .filter(|t| t.is_consistent(corpus.len()))
        {
            return Ok(EmbedClassifier {
                embedder,
                model: trained.model,
                corpus,
                corpus_embeddings: trained.corpus_embeddings,
            });
        }
        let texts: Vec<&str> = corpus.iter().map(|n| n.text.as_str()).collect();
        let corpus_embeddings = embedder
            .embed(&texts)
            .map_err(|e| Error::Model(e.to_string()))?;
        let model = train(
            corpus
                .iter()
                .zip(&corpus_embeddings)
                .map(|(n, e)| (e.as_slice(), n.text.as_str(), n.label)),
        );
        let trained = Trained {
            model,
            corpus_embeddings,
        };
        if let Some(path) = &cache_path {
            write_cache(path, &trained);
        }
        Ok(EmbedClassifier {
            embedder,
            model: trained.model,
            corpus,
            corpus_embeddings: trained.corpus_embeddings,
        })
    }

    pub fn embedder(&self) -> &Embedder {
        &self.embedder
    }

    /// Classify many notes in embedding batches.
    pub fn classify_batch(&self, notes: &[&str]) -> Result<Vec<Classification>> {
        let embeddings = self
            .embedder
            .embed(notes)
            .map_err(|e| Error::Model(e.to_string()))?;
        Ok(notes
            .iter()
            .zip(&embeddings)
            .map(|(note, e)| self.classify_embedded(note, e))
            .collect())
    }

    pub fn classify(&self, note: &str) -> Result<Classification> {
        Ok(self.classify_batch(&[note])?.remove(0))
    }

    fn classify_embedded(&self, note: &str, embedding: &[f32]) -> Classification {
        predict(&self.model, embedding, note)
    }

    /// Classify one note for `--explain`: the classification, the `k` most similar labelled
    /// notes, and what pushed the note to its label.
    pub fn explain(&self, note: &str, k: usize) -> Result<(Classification, Explanation)> {
        let embedding = self
            .embedder
            .embed_one(note)
            .map_err(|e| Error::Model(e.to_string()))?;
        let (classification, example) = predict_with_example(&self.model, &embedding, note);
        let label = classification.label;
        let (dense, sparse) = self.model.logistic.push_toward(&example, label.index());
        let embedding_dim = embedding.len().min(dense.len());
        // An n-gram's push is shared among its occurrences, so a word gets its own part.
        let words = self.model.ngrams.words_with_ngrams(note);
        let mut occurrences: HashMap<u32, f32> = HashMap::new();
        for i in words.iter().flat_map(|(_, grams)| grams) {
            *occurrences.entry(*i).or_insert(0.0) += 1.0;
        }
        let originals: Vec<&str> = note.split_whitespace().collect();
        let mut word_weights: Vec<WordWeight> = words
            .iter()
            .enumerate()
            .map(|(n, (folded, grams))| WordWeight {
                word: match originals.get(n) {
                    Some(original) if originals.len() == words.len() => original.to_string(),
                    _ => folded.clone(),
                },
                weight: grams
                    .iter()
                    .map(|i| sparse.get(i).copied().unwrap_or(0.0) / occurrences[i])
                    .sum(),
            })
            .filter(|w| w.weight > 0.0)
            .collect();
        word_weights.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        word_weights.truncate(3);
        let explanation = Explanation {
            neighbours: self.neighbours(&embedding, k),
            push: Push {
                label,
                embedding: dense[..embedding_dim].iter().sum(),
                rules: dense[embedding_dim..].iter().sum(),
                wording: sparse.values().sum(),
                words: word_weights,
            },
        };
        Ok((classification, explanation))
    }

    /// The `k` labelled notes whose embeddings are most similar to `embedding`.
    fn neighbours(&self, embedding: &[f32], k: usize) -> Vec<Neighbour> {
        nearest(&self.corpus, k, |i| {
            nw_embed::cosine(embedding, &self.corpus_embeddings[i])
        })
    }
}

/// Train the classifier on labelled notes given with their embeddings.
fn train<'a>(examples: impl Iterator<Item = (&'a [f32], &'a str, Label)>) -> NoteModel {
    let examples: Vec<(&[f32], &str, Label)> = examples.collect();
    let texts: Vec<&str> = examples.iter().map(|(_, t, _)| *t).collect();
    let ngrams = CharNgrams::fit(&texts, NGRAM_MIN_NOTES);
    let hits = signals::detect_batch(&texts);
    let xs: Vec<Example> = examples
        .iter()
        .zip(&hits)
        .map(|((e, t, _), h)| example(&ngrams, e, h, t))
        .collect();
    let ys: Vec<Label> = examples.iter().map(|(_, _, l)| *l).collect();
    let embedding_dim = examples.first().map_or(0, |(e, _, _)| e.len());
    let logistic = LogisticModel::train(
        &xs,
        &ys,
        &dense_scales(embedding_dim),
        ngrams.len(),
        L2,
        EPOCHS,
    );
    NoteModel { ngrams, logistic }
}

/// Classify one embedded note.
fn predict(model: &NoteModel, embedding: &[f32], note: &str) -> Classification {
    predict_with_example(model, embedding, note).0
}

/// [`predict`], also returning the features the note was classified on.
fn predict_with_example(
    model: &NoteModel,
    embedding: &[f32],
    note: &str,
) -> (Classification, Example) {
    let hits = signals::detect(note);
    let example = model.example(embedding, &hits, note);
    let probabilities = model.logistic.probabilities(&example);
    (
        classify::from_probabilities(probabilities, hits, "embed"),
        example,
    )
}

/// Train on `train` and predict `test` from precomputed embeddings: the cross-validation step.
pub fn fit_predict(
    train_set: &[(Vec<f32>, &str, Label)],
    test: &[(Vec<f32>, &str)],
) -> Vec<Classification> {
    let model = train(train_set.iter().map(|(e, t, l)| (e.as_slice(), *t, *l)));
    test.iter().map(|(e, t)| predict(&model, e, t)).collect()
}

fn default_cache_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("notewright"))
}

fn read_cache(path: &Path) -> Option<Trained> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Best effort: a read-only cache directory only costs retraining next time.
fn write_cache(path: &Path, trained: &Trained) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(json) = serde_json::to_vec(trained) else {
        return;
    };
    if crate::output::write_atomic(path, &json).is_err() {
        return;
    }
    // Models trained on an older corpus, model or feature set are never read again.
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("classifier-") && name.ends_with(".json") && entry.path() != path {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_parses_whole_and_is_balanced() {
        let lines = CORPUS.lines().filter(|l| !l.trim().is_empty()).count();
        let notes = corpus();
        assert_eq!(notes.len(), lines, "every corpus line must parse");
        assert!(notes.len() >= 300);
        for label in Label::ALL {
            let count = notes.iter().filter(|n| n.label == label).count();
            assert!(count * 4 >= notes.len(), "{label}: {count}");
        }
    }

    #[test]
    fn logistic_regression_separates_separable_data() {
        let xs: Vec<Vec<f32>> = (0..30)
            .map(|i| {
                vec![
                    (i % 3) as f32,
                    ((i % 3) * 2) as f32 + 0.1 * (i as f32 % 2.0),
                ]
            })
            .collect();
        let ys: Vec<Label> = (0..30).map(|i| Label::ALL[i % 3]).collect();
        let xs: Vec<Example> = xs
            .into_iter()
            .map(|dense| Example {
                dense,
                sparse: Vec::new(),
            })
            .collect();
        let m = LogisticModel::train(&xs, &ys, &[1.0, 1.0], 0, 0.001, 300);
        for (x, y) in xs.iter().zip(&ys) {
            let p = m.probabilities(x);
            let best = (0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
            assert_eq!(best, y.index());
        }
    }
}
