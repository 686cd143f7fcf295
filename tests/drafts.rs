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
            // A profile with nothing to personalise an invite with gets an error, not the default text.
            let text = match drafter.draft(&DraftOptions::new(kind), None) {
                Ok(mut drafts) => drafts.remove(0).text,
                Err(e) => format!("error: {e}"),
            };
            insta::assert_snapshot!(format!("{name}__{}", kind.as_str()), text);
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
                            allow_generic: true,
                            force: false,
                        };
                        let drafts = match drafter.draft(&opts, None) {
                            Ok(d) => d,
                            // Only a limit below the shortest wording may refuse, and only for
                            // long messages; an invite back to a pitcher always does.
                            Err(e) if drafter.refusal(&opts).is_some() => {
                                assert_eq!(Some(e.to_string()), drafter.refusal(&opts));
                                continue;
                            }
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

/// One situation of the draft-quality set: a profile, the user, and what the case is about.
struct Situation {
    name: String,
    profile: Profile,
    me: Me,
}

/// The situation set under tests/fixtures/situations/{dev,heldout,final,final2,final3,final4}: varied people and cases
/// (met at an event or long ago, referral, content, stranger with a good or a default note,
/// pitcher, scam, policies), loaded through the same parsers as the CLI.
fn situations() -> Vec<Situation> {
    let mut out = Vec::new();
    // Every set: each folder of tests/fixtures/situations.
    let root = std::path::Path::new("tests/fixtures/situations");
    let mut sets: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    sets.sort();
    for set in &sets {
        let dir = root.join(set);
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            let source = notewright::error::Source::File(path.clone());
            let profile =
                Profile::from_json(&value["profile"].to_string(), source.clone()).unwrap();
            let me: Me = serde_json::from_value(value["me"].clone())
                .unwrap_or_else(|e| panic!("{}: me: {e}", path.display()));
            out.push(Situation {
                name: format!("{set}/{}", path.file_stem().unwrap().to_string_lossy()),
                profile,
                me,
            });
        }
    }
    assert!(out.len() >= 40, "expected at least 40 situations");
    out
}

/// Every kind for every situation passes the verifier, and no sentence of eight words or more
/// (the seeds' own question aside) appears in more than a quarter of the drafts of a kind.
#[test]
fn situation_drafts_pass_the_verifier_and_are_not_boilerplate() {
    let prompts = Prompts::builtin();
    let set = situations();
    for kind in DraftKind::ALL {
        let mut texts = Vec::new();
        for s in &set {
            let drafter = Drafter::new(&prompts, &s.profile, &s.me);
            let opts = DraftOptions::new(kind);
            let draft = match drafter.draft(&opts, None) {
                Ok(mut d) => d.remove(0),
                // A kind that fits nobody here (a reply to a request never sent, an invite to
                // someone who sent one, a reply to a scam), or one against my own policy, is
                // refused with what to do instead.
                Err(e) if drafter.refusal(&opts).is_some() => {
                    assert_eq!(Some(e.to_string()), drafter.refusal(&opts), "{}", s.name);
                    assert_eq!(e.exit_code(), 2);
                    continue;
                }
                Err(e) => {
                    // Only an invite may refuse: with nothing to personalise it, or to a pitcher.
                    assert_eq!(kind, DraftKind::Invite, "{}: {e}", s.name);
                    let pitch = drafter.situation().note_class == Some("sales_pitch");
                    assert!(
                        drafter.situation().is_generic_invite() || pitch,
                        "{}: {e}",
                        s.name
                    );
                    let msg = e.to_string();
                    assert!(
                        msg.contains("--allow-generic") || msg.contains("sales pitch"),
                        "{e}"
                    );
                    continue;
                }
            };
            let limit = opts.effective_limit(&s.me);
            let verdict = verify::verify(&draft.text, drafter.grounding_for(kind), Some(limit));
            assert!(
                verdict.passed(),
                "{} {kind:?}: {} — {}",
                s.name,
                verdict.summary(),
                draft.text
            );
            texts.push(draft.text);
        }
        let shared = notewright::draft::shared_sentences(texts.iter().map(String::as_str));
        let top = shared.first().cloned().unwrap_or_default();
        println!(
            "{:<8} {} drafts; most shared sentence of 8+ words in {:.0}%: {:?}",
            kind.as_str(),
            texts.len(),
            top.1 * 100.0,
            top.0
        );
        assert!(
            top.1 <= 0.25,
            "{kind:?}: {:.0}% of drafts share {:?}",
            top.1 * 100.0,
            top.0
        );
    }
}

/// A policy is stated only if it is mine: with only_met false and no statement of my own, no
/// decline or ask claims that I only connect with people I have met.
#[test]
fn drafts_state_only_my_own_policy() {
    let prompts = Prompts::builtin();
    for s in situations() {
        for kind in [DraftKind::Ask, DraftKind::Decline] {
            let drafter = Drafter::new(&prompts, &s.profile, &s.me);
            if drafter.misfit(kind).is_some() {
                continue;
            }
            // Forced past a policy conflict too: no draft may claim a policy that is not mine.
            let opts = DraftOptions {
                force: true,
                ..DraftOptions::new(kind)
            };
            let text = drafter
                .draft(&opts, None)
                .unwrap()
                .remove(0)
                .text
                .to_lowercase();
            let claims_only_met = text.contains("only connect")
                || text.contains("people i've met")
                || text.contains("people i have met")
                || text.contains("small circle");
            if claims_only_met {
                assert!(
                    s.me.policy.only_met || s.me.policy.statement.is_some(),
                    "{} {kind:?} states a policy that is not mine: {text}",
                    s.name
                );
            }
        }
    }
}
