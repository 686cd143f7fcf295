//! Character n-gram TF-IDF features for the embedding classifier. The sentence embedding is
//! trained mostly on English; n-grams inside words ("recrut", "rabais", "kostenl") carry intent in
//! any language, survive typos and missing accents, and need no model.

use crate::text;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The n-gram sizes, taken inside words padded with one space on each side (so " pdg " and
/// "ceo " are n-grams of their own).
const SIZES: std::ops::RangeInclusive<usize> = 1..=4;

/// A fitted vocabulary with inverse document frequencies.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CharNgrams {
    index: HashMap<String, u32>,
    idf: Vec<f32>,
}

impl CharNgrams {
    /// How many n-gram features there are.
    pub fn dim(&self) -> usize {
        self.idf.len()
    }

    /// Whether the vocabulary and the weights agree (a cache read back must, or it is retrained).
    pub fn is_consistent(&self) -> bool {
        self.index.len() == self.idf.len()
            && self.index.values().all(|&i| (i as usize) < self.idf.len())
            && self.idf.iter().all(|v| v.is_finite())
    }
}

/// Call `f` with every n-gram of a folded text, one call per occurrence.
fn for_each_ngram(folded: &str, mut f: impl FnMut(&str)) {
    let mut padded = String::new();
    let mut bounds: Vec<usize> = Vec::new();
    for word in folded.split_whitespace() {
        padded.clear();
        padded.push(' ');
        padded.push_str(word);
        padded.push(' ');
        bounds.clear();
        bounds.extend(padded.char_indices().map(|(i, _)| i));
        bounds.push(padded.len());
        let chars = bounds.len() - 1;
        for n in SIZES {
            if n > chars {
                // A word shorter than n counts once, whole.
                f(&padded);
                break;
            }
            for start in 0..=chars - n {
                let gram = &padded[bounds[start]..bounds[start + n]];
                // The padding alone is in every note and says nothing.
                if gram != " " {
                    f(gram);
                }
            }
        }
    }
}

impl CharNgrams {
    /// Learn the n-grams that occur in at least `min_df` of `docs`, and their IDF.
    pub fn fit(docs: &[&str], min_df: usize) -> CharNgrams {
        let mut df: HashMap<String, usize> = HashMap::new();
        let mut seen: Vec<String> = Vec::new();
        for doc in docs {
            seen.clear();
            for_each_ngram(&text::fold(doc), |g| seen.push(g.to_string()));
            seen.sort_unstable();
            seen.dedup();
            for g in seen.drain(..) {
                *df.entry(g).or_insert(0) += 1;
            }
        }
        let mut kept: Vec<(String, usize)> = df.into_iter().filter(|(_, d)| *d >= min_df).collect();
        // Sorted, so the same corpus always gives the same indices.
        kept.sort_unstable();
        let n = docs.len() as f32;
        let idf = kept
            .iter()
            .map(|(_, d)| ((1.0 + n) / (1.0 + *d as f32)).ln() + 1.0)
            .collect();
        let index = kept
            .into_iter()
            .enumerate()
            .map(|(i, (g, _))| (g, i as u32))
            .collect();
        CharNgrams { index, idf }
    }

    pub fn len(&self) -> usize {
        self.idf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.idf.is_empty()
    }

    /// Each word of the folded note with the vocabulary indices of its n-grams, for explaining
    /// which words weighed in a decision.
    pub fn words_with_ngrams(&self, note: &str) -> Vec<(String, Vec<u32>)> {
        text::fold(note)
            .split_whitespace()
            .map(|word| {
                let mut indices = Vec::new();
                for_each_ngram(word, |g| indices.extend(self.index.get(g)));
                (word.to_string(), indices)
            })
            .collect()
    }

    /// The note as a sparse vector: sublinear term frequency × IDF, L2-normalised, sorted by index.
    pub fn transform(&self, note: &str) -> Vec<(u32, f32)> {
        let mut counts: HashMap<u32, f32> = HashMap::new();
        for_each_ngram(&text::fold(note), |g| {
            if let Some(&i) = self.index.get(g) {
                *counts.entry(i).or_insert(0.0) += 1.0;
            }
        });
        let mut vector: Vec<(u32, f32)> = counts
            .into_iter()
            .map(|(i, tf)| (i, (1.0 + tf.ln()) * self.idf[i as usize]))
            .collect();
        vector.sort_unstable_by_key(|&(i, _)| i);
        let norm = vector.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, v) in &mut vector {
                *v /= norm;
            }
        }
        vector
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grams(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_ngram(s, |g| out.push(g.to_string()));
        out
    }

    #[test]
    fn ngrams_stay_inside_padded_words() {
        let g = grams("ab cde");
        assert!(g.contains(&" a".to_string()));
        assert!(g.contains(&"ab ".to_string()));
        assert!(g.contains(&"cde ".to_string()));
        assert!(!g.iter().any(|x| x.contains("b c")), "{g:?}");
        // "ab" padded is 4 characters: as a 4-gram it counts once.
        assert_eq!(g.iter().filter(|x| x.as_str() == " ab ").count(), 1);
    }

    #[test]
    fn ngrams_respect_multibyte_characters() {
        assert!(grams("日本語 ok").iter().any(|g| g == "日本"));
    }

    #[test]
    fn transform_is_normalised_and_ignores_accents_and_case() {
        let v = CharNgrams::fit(&["Réseau professionnel", "reseau local", "autre chose"], 2);
        assert!(!v.is_empty());
        let a = v.transform("RÉSEAU");
        let b = v.transform("reseau");
        assert_eq!(a, b);
        let norm: f32 = a.iter().map(|(_, x)| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!(v.transform("zzz").is_empty());
    }
}
