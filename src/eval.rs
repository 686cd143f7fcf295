//! `eval`: measure a classifier on labelled notes — accuracy, macro-F1, per-class precision and
//! recall, the confusion matrix and the misclassified notes — and K-fold cross-validation.

use crate::error::{Error, Result, Source};
use crate::input::{self, BatchNote};
use crate::signals::Label;
use serde::Serialize;
use std::fmt::Write;
use std::path::Path;

/// A labelled note.
#[derive(Debug, Clone)]
pub struct Example {
    pub id: serde_json::Value,
    pub text: String,
    pub label: Label,
    /// The kind of note (financial adviser, referral, …), when the data says.
    pub genre: Option<String>,
}

/// Read labelled notes: JSONL (`{"text", "label"}`, optional `id`) or an `Invitations.csv` with
/// an added `label` column. Every note must carry a known label.
pub fn read_labelled(path: &Path) -> Result<Vec<Example>> {
    let notes = input::read_batch(path)?;
    let source = Source::File(path.to_path_buf());
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    notes
        .into_iter()
        .map(
            |BatchNote {
                 id,
                 text,
                 label,
                 genre,
                 line,
             }| {
                let raw = label.ok_or_else(|| {
                    let (line, msg) = if is_csv {
                        (
                            1,
                            "missing column: add a `label` column (genuine, vague or sales_pitch)",
                        )
                    } else {
                        (line, "missing: every line needs a label")
                    };
                    Error::input_at(source.clone(), Some(line), None, Some("label".into()), msg)
                })?;
                let label = Label::parse(&raw).ok_or_else(|| {
                    Error::input_at(
                        source.clone(),
                        Some(line),
                        None,
                        Some("label".into()),
                        format!("unknown label {raw:?}; expected genuine, vague or sales_pitch"),
                    )
                })?;
                Ok(Example {
                    id,
                    text,
                    label,
                    genre,
                })
            },
        )
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassMetrics {
    pub label: Label,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub id: serde_json::Value,
    pub text: String,
    pub expected: Label,
    pub predicted: Label,
    pub confidence: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub engine: String,
    pub notes: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_class: Vec<ClassMetrics>,
    /// `confusion[expected][predicted]`, in [`Label::ALL`] order.
    pub confusion: [[usize; 3]; 3],
    /// Recall within each genre, when the notes carry genres (worst first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub per_genre: Vec<GenreRecall>,
    pub misclassified: Vec<Miss>,
}

/// How many notes of one genre got their label.
#[derive(Debug, Clone, Serialize)]
pub struct GenreRecall {
    pub genre: String,
    pub notes: usize,
    pub correct: usize,
    pub recall: f64,
}

/// Recall per genre, worst first (ties by name).
fn per_genre(examples: &[Example], predictions: &[(Label, f64)]) -> Vec<GenreRecall> {
    let mut by: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for (e, (p, _)) in examples.iter().zip(predictions) {
        if let Some(g) = &e.genre {
            let entry = by.entry(g.as_str()).or_default();
            entry.0 += 1;
            entry.1 += usize::from(*p == e.label);
        }
    }
    let mut out: Vec<GenreRecall> = by
        .into_iter()
        .map(|(genre, (notes, correct))| GenreRecall {
            genre: genre.to_string(),
            notes,
            correct,
            recall: correct as f64 / notes as f64,
        })
        .collect();
    out.sort_by(|a, b| a.recall.total_cmp(&b.recall).then(a.genre.cmp(&b.genre)));
    out
}

/// Leave-one-genre-out folds: each genre's notes are one fold (notes with no genre are in
/// none), so a classifier is always tested on a genre it was not trained on.
pub fn genre_folds(examples: &[Example]) -> Vec<Vec<usize>> {
    let mut by: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for (i, e) in examples.iter().enumerate() {
        if let Some(g) = &e.genre {
            by.entry(g.as_str()).or_default().push(i);
        }
    }
    by.into_values().collect()
}

/// Score predictions (label, confidence) against the examples, in the same order.
pub fn evaluate(engine: &str, examples: &[Example], predictions: &[(Label, f64)]) -> Report {
    let mut confusion = [[0usize; 3]; 3];
    let mut misclassified = Vec::new();
    for (example, &(predicted, confidence)) in examples.iter().zip(predictions) {
        confusion[example.label.index()][predicted.index()] += 1;
        if predicted != example.label {
            misclassified.push(Miss {
                id: example.id.clone(),
                text: example.text.clone(),
                expected: example.label,
                predicted,
                confidence,
            });
        }
    }
    let per_class: Vec<ClassMetrics> = Label::ALL
        .iter()
        .map(|&label| {
            let i = label.index();
            let tp = confusion[i][i] as f64;
            let predicted: usize = (0..3).map(|r| confusion[r][i]).sum();
            let support: usize = confusion[i].iter().sum();
            let precision = if predicted > 0 {
                tp / predicted as f64
            } else {
                0.0
            };
            let recall = if support > 0 {
                tp / support as f64
            } else {
                0.0
            };
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            ClassMetrics {
                label,
                precision,
                recall,
                f1,
                support,
            }
        })
        .collect();
    let n = examples.len();
    let correct: usize = (0..3).map(|i| confusion[i][i]).sum();
    Report {
        engine: engine.to_string(),
        notes: n,
        accuracy: if n > 0 {
            correct as f64 / n as f64
        } else {
            0.0
        },
        macro_f1: macro_f1(&per_class, &confusion),
        per_class,
        confusion,
        per_genre: per_genre(examples, predictions),
        misclassified,
    }
}

/// Mean F1 over the labels that occur in the expected or the predicted labels (as scikit-learn
/// does), so a file with two classes is not marked down for the third.
fn macro_f1(per_class: &[ClassMetrics], confusion: &[[usize; 3]; 3]) -> f64 {
    let present: Vec<&ClassMetrics> = per_class
        .iter()
        .filter(|c| {
            let i = c.label.index();
            c.support > 0 || (0..3).any(|r| confusion[r][i] > 0)
        })
        .collect();
    if present.is_empty() {
        return 0.0;
    }
    present.iter().map(|c| c.f1).sum::<f64>() / present.len() as f64
}

/// Stratified K folds: each label's examples dealt round-robin, so every fold has every label.
pub fn folds(labels: &[Label], k: usize) -> Vec<Vec<usize>> {
    let k = k.max(2);
    let mut out = vec![Vec::new(); k];
    let mut next = [0usize; 3];
    for (i, label) in labels.iter().enumerate() {
        let slot = &mut next[label.index()];
        out[*slot % k].push(i);
        *slot += 1;
    }
    out
}

pub fn render(report: &Report) -> String {
    let mut out = format!(
        "engine {}: {} notes, accuracy {:.3}, macro-F1 {:.3}\n\n{:<12} {:>9} {:>7} {:>6} {:>8}\n",
        report.engine,
        report.notes,
        report.accuracy,
        report.macro_f1,
        "label",
        "precision",
        "recall",
        "f1",
        "support"
    );
    for c in &report.per_class {
        let _ = writeln!(
            out,
            "{:<12} {:>9.3} {:>7.3} {:>6.3} {:>8}",
            c.label.as_str(),
            c.precision,
            c.recall,
            c.f1,
            c.support
        );
    }
    let _ = write!(
        out,
        "\nconfusion (rows: expected, columns: predicted)\n{:<12}",
        ""
    );
    for l in Label::ALL {
        let _ = write!(out, " {:>11}", l.as_str());
    }
    out.push('\n');
    for l in Label::ALL {
        let _ = write!(out, "{:<12}", l.as_str());
        for count in report.confusion[l.index()] {
            let _ = write!(out, " {count:>11}");
        }
        out.push('\n');
    }
    if !report.per_genre.is_empty() {
        let _ = writeln!(
            out,
            "\nrecall by genre (worst first)\n{:<22} {:>6} {:>8} {:>7}",
            "genre", "notes", "correct", "recall"
        );
        for g in &report.per_genre {
            let _ = writeln!(
                out,
                "{:<22} {:>6} {:>8} {:>7.3}",
                g.genre, g.notes, g.correct, g.recall
            );
        }
    }
    if !report.misclassified.is_empty() {
        let _ = writeln!(out, "\nmisclassified ({}):", report.misclassified.len());
        for m in &report.misclassified {
            let text = crate::text::one_line(&m.text, 100);
            let more = if m.text.chars().count() > 100 {
                "…"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  [{}] {} → {} ({:.0}%): {text}{more}",
                m.id,
                m.expected,
                m.predicted,
                m.confidence * 100.0
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(label: Label) -> Example {
        Example {
            id: serde_json::json!(1),
            text: "x".into(),
            label,
            genre: None,
        }
    }

    #[test]
    fn genre_folds_hold_out_one_genre_each_and_recall_is_per_genre() {
        let mk = |label, genre: &str| Example {
            genre: Some(genre.into()),
            ..ex(label)
        };
        let examples = vec![
            mk(Label::SalesPitch, "insurance"),
            mk(Label::Genuine, "referral"),
            mk(Label::SalesPitch, "insurance"),
            ex(Label::Vague),
        ];
        let folds = genre_folds(&examples);
        assert_eq!(folds, vec![vec![0, 2], vec![1]]);
        let predictions = vec![
            (Label::SalesPitch, 0.9),
            (Label::Genuine, 0.9),
            (Label::Vague, 0.6),
            (Label::Vague, 0.9),
        ];
        let report = evaluate("t", &examples, &predictions);
        // Worst first: insurance 1 of 2, referral 1 of 1; the note with no genre is in none.
        assert_eq!(report.per_genre.len(), 2);
        assert_eq!(report.per_genre[0].genre, "insurance");
        assert_eq!(
            (report.per_genre[0].notes, report.per_genre[0].correct),
            (2, 1)
        );
        assert!((report.per_genre[1].recall - 1.0).abs() < 1e-9);
    }

    #[test]
    fn metrics_match_a_hand_computed_case() {
        let examples = vec![
            ex(Label::Genuine),
            ex(Label::Genuine),
            ex(Label::Vague),
            ex(Label::SalesPitch),
        ];
        let preds = vec![
            (Label::Genuine, 0.9),
            (Label::Vague, 0.6),
            (Label::Vague, 0.8),
            (Label::SalesPitch, 0.7),
        ];
        let r = evaluate("rules", &examples, &preds);
        assert_eq!(r.accuracy, 0.75);
        assert_eq!(r.confusion[0], [1, 1, 0]);
        let g = &r.per_class[0];
        assert_eq!((g.precision, g.recall), (1.0, 0.5));
        let v = &r.per_class[1];
        assert_eq!((v.precision, v.recall), (0.5, 1.0));
        assert!((r.macro_f1 - (2.0 / 3.0 + 2.0 / 3.0 + 1.0) / 3.0).abs() < 1e-9);
        assert_eq!(r.misclassified.len(), 1);
        assert!(render(&r).contains("macro-F1 0.778"));
    }

    #[test]
    fn macro_f1_ignores_absent_classes() {
        let examples = vec![ex(Label::Genuine), ex(Label::Vague)];
        let r = evaluate(
            "rules",
            &examples,
            &[(Label::Genuine, 0.9), (Label::Vague, 0.9)],
        );
        assert_eq!(r.macro_f1, 1.0);
    }

    #[test]
    fn folds_are_stratified_and_cover_everything() {
        let labels: Vec<Label> = (0..30).map(|i| Label::ALL[i % 3]).collect();
        let f = folds(&labels, 5);
        assert_eq!(f.iter().map(Vec::len).sum::<usize>(), 30);
        for fold in &f {
            for l in Label::ALL {
                assert_eq!(fold.iter().filter(|&&i| labels[i] == l).count(), 2);
            }
        }
    }

    #[test]
    fn unknown_and_missing_labels_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.jsonl");
        std::fs::write(
            &p,
            "{\"text\": \"a\", \"label\": \"vague\"}\n{\"text\": \"b\", \"label\": \"spam\"}\n",
        )
        .unwrap();
        let msg = read_labelled(&p).unwrap_err().to_string();
        assert!(
            msg.contains("l.jsonl:2") && msg.contains("field `label`") && msg.contains("spam"),
            "{msg}"
        );
        let c = dir.path().join("Invitations.csv");
        std::fs::write(&c, "From,To,Sent At,Message,Direction\nA,B,x,hi,INCOMING\n").unwrap();
        let msg = read_labelled(&c).unwrap_err().to_string();
        assert!(
            msg.contains("Invitations.csv:1") && msg.contains("label"),
            "{msg}"
        );
    }
}
