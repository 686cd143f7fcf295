//! Me: who is writing, my account tier, and my policy for accepting requests
//! (`--me FILE`, else `$XDG_CONFIG_HOME/notewright/me.toml`), in JSON or TOML.

use crate::error::{Result, Source};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Free accounts: invitation notes up to 200 characters.
    #[default]
    Free,
    /// Premium accounts: invitation notes up to 300 characters.
    Premium,
}

impl Tier {
    pub fn note_limit(self) -> usize {
        match self {
            Tier::Free => 200,
            Tier::Premium => 300,
        }
    }
}

/// My rules for incoming requests, used by `triage`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Connect only with people I have met (Minter's rule): others get a decline with an opening.
    pub only_met: bool,
    /// Fewer connections than this counts against a stranger's request.
    pub min_connections: u32,
    /// No headshot counts as a reason to decline rather than ask.
    pub require_photo: bool,
    /// Accept strangers whose customized note is genuine and whose profile is sound, without asking first.
    pub accept_genuine_strangers: bool,
    /// A vague note from someone I never met: ask what prompted it (true) or decline with an opening (false).
    pub ask_when_unsure: bool,
    /// My policy in my own words ("I keep LinkedIn for people I've worked with"): declines and
    /// asks quote it instead of a wording of the tool's.
    pub statement: Option<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            only_met: false,
            min_connections: 500,
            require_photo: false,
            accept_genuine_strangers: true,
            ask_when_unsure: true,
            statement: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Me {
    pub name: Option<String>,
    pub headline: Option<String>,
    pub company: Option<String>,
    pub tier: Tier,
    /// Length of the introductory call proposed in follow-ups (the articles say 5–10 minutes).
    pub call_minutes: u32,
    /// How I sign messages; defaults to my first name.
    pub signature: Option<String>,
    pub policy: Policy,
}

impl Default for Me {
    fn default() -> Self {
        Me {
            name: None,
            headline: None,
            company: None,
            tier: Tier::Free,
            call_minutes: 10,
            signature: None,
            policy: Policy::default(),
        }
    }
}

impl Me {
    /// Load from an explicit file, else the per-user config file if present, else defaults.
    pub fn resolve(explicit: Option<&Path>) -> Result<Me> {
        match explicit {
            Some(path) => Me::load(path),
            None => match default_path().filter(|p| p.is_file()) {
                Some(path) => Me::load(&path),
                None => Ok(Me::default()),
            },
        }
    }

    pub fn load(path: &Path) -> Result<Me> {
        let text = crate::input::read_text_file(path)?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        Me::from_text(&text, Source::File(path.to_path_buf()), is_json)
    }

    /// Parse a me file's text: TOML, or JSON when `is_json` or the text starts with `{`.
    pub fn from_text(text: &str, source: Source, is_json: bool) -> Result<Me> {
        let is_json = is_json || text.trim_start().starts_with('{');
        let me: Me = if is_json {
            crate::input::parse_json(text, source.clone())?
        } else {
            crate::input::parse_toml(text, source.clone())?
        };
        for (key, value) in [("name", &me.name), ("signature", &me.signature)] {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(crate::error::Error::input_at(
                    source,
                    crate::input::line_of_key(text, key),
                    None,
                    Some(key.into()),
                    "is empty: leave it out instead, so drafts know there is no sign-off",
                ));
            }
        }
        for (key, value) in [
            ("name", &me.name),
            ("headline", &me.headline),
            ("company", &me.company),
            ("signature", &me.signature),
            ("statement", &me.policy.statement),
        ] {
            if let Some(problem) = value.as_deref().and_then(crate::untrusted::refusal) {
                return Err(crate::error::Error::input_at(
                    source,
                    crate::input::line_of_key(text, key),
                    None,
                    Some(if key == "statement" {
                        "policy.statement".into()
                    } else {
                        key.into()
                    }),
                    problem,
                ));
            }
        }
        if !(1..=60).contains(&me.call_minutes) {
            return Err(crate::error::Error::input_at(
                source,
                crate::input::line_of_key(text, "call_minutes"),
                None,
                Some("call_minutes".into()),
                format!(
                    "{} is not a sensible call length (1–60 minutes)",
                    me.call_minutes
                ),
            ));
        }
        Ok(me)
    }

    /// How I sign: the configured signature, else my first name, else nothing.
    pub fn sign_off(&self) -> Option<String> {
        self.signature
            .clone()
            .or_else(|| self.name.as_deref().map(crate::text::first_name))
    }

    /// Every string I supplied, for the verifier's grounding.
    pub fn strings(&self) -> Vec<String> {
        let mut out: Vec<String> = [&self.name, &self.headline, &self.company, &self.signature]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        out.extend(self.policy.statement.iter().cloned());
        out.push(self.call_minutes.to_string());
        out
    }
}

/// `$XDG_CONFIG_HOME/notewright/me.toml` (or the platform's config dir).
pub fn default_path() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(dirs::config_dir)
        .map(|d| d.join("notewright").join("me.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn toml_and_json_both_load() {
        let (_d, p) = write(
            "me.toml",
            "name = \"Sam Okafor\"\ntier = \"premium\"\n[policy]\nonly_met = true\n",
        );
        let me = Me::load(&p).unwrap();
        assert_eq!(me.tier.note_limit(), 300);
        assert!(me.policy.only_met);
        assert_eq!(me.policy.min_connections, 500);
        assert_eq!(me.sign_off().as_deref(), Some("Sam"));
        let (_d, p) = write("me.json", r#"{"name": "Sam", "call_minutes": 5}"#);
        assert_eq!(Me::load(&p).unwrap().call_minutes, 5);
    }

    #[test]
    fn an_empty_name_or_signature_is_an_error() {
        let (_d, p) = write("me.toml", "name = \"\"\n");
        let err = Me::load(&p).unwrap_err();
        assert!(err.to_string().contains("name"), "{err}");
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn unknown_policy_key_is_named() {
        let (_d, p) = write("me.toml", "[policy]\nonly_meet = true\n");
        let msg = Me::load(&p).unwrap_err().to_string();
        assert!(msg.contains("only_meet"), "{msg}");
        assert!(msg.contains(":2:"), "{msg}");
    }

    #[test]
    fn bad_tier_and_call_length_are_rejected() {
        let (_d, p) = write("me.toml", "tier = \"gold\"\n");
        assert!(Me::load(&p)
            .unwrap_err()
            .to_string()
            .contains("field `tier`"));
        let (_d, p) = write("me.toml", "call_minutes = 0\n");
        assert!(Me::load(&p)
            .unwrap_err()
            .to_string()
            .contains("call_minutes"));
    }
}
