//! Library-level draft tests: snapshots of the canonical drafts for every example profile, and
//! the property that every draft for every example, kind, tone and limit passes the verifier.

use notewright::draft::{DraftKind, DraftOptions, Drafter, Tone};
use notewright::me::Me;
use notewright::profile::Profile;
use notewright::prompts::Prompts;
use notewright::verify;

fn examples() -> Vec<(String, Profile)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("examples").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            out.push((name, Profile::load(&path).unwrap()));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 5, "expected the bundled example profiles");
    out
}

fn me() -> Me {
    Me::load(std::path::Path::new("examples/me.toml")).unwrap()
}

#[test]
fn snapshots_of_canonical_drafts() {
    let prompts = Prompts::builtin();
    let me = me();
    for (name, profile) in examples() {
        let drafter = Drafter::new(&prompts, &profile, &me);
        for kind in DraftKind::ALL {
            let draft = drafter
                .draft(&DraftOptions::new(kind), None)
                .unwrap()
                .remove(0);
            insta::assert_snapshot!(format!("{name}__{}", kind.as_str()), draft.text);
        }
    }
}

#[test]
fn every_draft_passes_the_verifier() {
    let prompts = Prompts::builtin();
    let mut checked = 0;
    for tier_limit in [None, Some(200), Some(300), Some(120)] {
        for (name, profile) in examples() {
            for signed in [true, false] {
                let me = if signed { me() } else { Me::default() };
                let drafter = Drafter::new(&prompts, &profile, &me);
                for kind in DraftKind::ALL {
                    for tone in Tone::ALL {
                        let opts = DraftOptions {
                            kind,
                            tone,
                            limit: tier_limit,
                            variants: 4,
                            seed: 11,
                        };
                        let drafts = match drafter.draft(&opts, None) {
                            Ok(d) => d,
                            // Only a limit below the shortest wording may refuse, and only for long messages.
                            Err(e) => {
                                assert_eq!(tier_limit, Some(120), "{name} {kind:?} {tone:?}: {e}");
                                assert_eq!(e.exit_code(), 2);
                                continue;
                            }
                        };
                        assert!(!drafts.is_empty());
                        for d in drafts {
                            let limit = opts.effective_limit(&me);
                            let verdict =
                                verify::verify(&d.text, drafter.grounding_for(kind), Some(limit));
                            assert!(
                                verdict.passed(),
                                "{name} {kind:?} {tone:?}: {} — {}",
                                verdict.summary(),
                                d.text
                            );
                            assert!(d.chars <= limit);
                            assert!(!d.text.contains("  "), "double space in {}", d.text);
                            assert!(
                                d.text.contains(&profile.first_name()),
                                "no greeting name: {}",
                                d.text
                            );
                            if kind == DraftKind::Invite
                                && !drafter.facts().is_empty()
                                && limit >= 200
                            {
                                assert!(
                                    !d.facts_used.is_empty(),
                                    "{name}: invite cites no fact: {}",
                                    d.text
                                );
                            }
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 500, "checked only {checked} drafts");
}
