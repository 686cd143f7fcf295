//! The other person's profile (`--profile P.json`): what I know about them and what we share.
//! Unknown fields are rejected by name, so a typo never silently drops a fact.

use crate::error::{Error, Result, Source};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    #[serde(default)]
    pub headline: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    /// Their connection count (LinkedIn shows "500+": write 500).
    #[serde(default)]
    pub connections: Option<u32>,
    /// Whether they have a real headshot (false: none, or a selfie / logo).
    #[serde(default)]
    pub photo: Option<bool>,
    #[serde(default)]
    pub common: Common,
    #[serde(default)]
    pub met: Option<Met>,
    #[serde(default)]
    pub their_content: Vec<Content>,
    /// Who suggested the connection (ask them before naming them in a note).
    #[serde(default)]
    pub referred_by: Option<String>,
    /// Why I want to connect, in my words.
    #[serde(default)]
    pub reason: Option<String>,
    /// The note they sent me with their request, if any.
    #[serde(default)]
    pub note: Option<String>,
    /// We are already connected (they accepted my invitation, or I accepted theirs): only a
    /// follow-up fits; there is no request left to send, answer or turn down.
    #[serde(default)]
    pub connected: Option<bool>,
    /// We have exchanged messages before (a conversation in my export): not a stranger.
    #[serde(default)]
    pub talked: Option<bool>,
}

/// What we have in common.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Common {
    #[serde(default)]
    pub connections: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub employers: Vec<String>,
    #[serde(default)]
    pub schools: Vec<String>,
    #[serde(default)]
    pub interests: Vec<String>,
}

impl Common {
    pub fn is_empty(&self) -> bool {
        self.connections.is_empty()
            && self.groups.is_empty()
            && self.employers.is_empty()
            && self.schools.is_empty()
            && self.interests.is_empty()
    }
}

/// Where and when we met, and what we talked about.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Met {
    #[serde(default, rename = "where")]
    pub place: Option<String>,
    #[serde(default)]
    pub when: Option<String>,
    #[serde(default)]
    pub topic: Option<String>,
    /// How we met: at an event, as colleagues at `where`, as students at `where`, or in a
    /// business meeting. Inferred when absent: `where` among the shared employers or schools
    /// reads as work or school, anything else as an event.
    #[serde(default)]
    pub kind: Option<MetKind>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MetKind {
    Event,
    Work,
    School,
    Meeting,
}

/// Something they wrote or made: a post, article, talk, book, podcast…
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Content {
    pub title: String,
    #[serde(default)]
    pub kind: Option<String>,
}

impl Met {
    /// Whether anything at all is known about the meeting.
    pub fn is_empty(&self) -> bool {
        [&self.place, &self.when, &self.topic]
            .iter()
            .all(|f| f.as_deref().is_none_or(|v| v.trim().is_empty()))
    }
}

impl Profile {
    /// Whether we have met: a `met` entry with at least one field filled in.
    pub fn has_met(&self) -> bool {
        self.met.as_ref().is_some_and(|m| !m.is_empty())
    }

    pub fn load(path: &Path) -> Result<Profile> {
        let text = crate::input::read_text_file(path)?;
        Profile::from_json(&text, Source::File(path.to_path_buf()))
    }

    pub fn from_json(text: &str, source: Source) -> Result<Profile> {
        // serde also reads a struct from a JSON array, by position: a profile must be an object.
        if !text.trim_start().starts_with('{') {
            return Err(Error::input_at(
                source,
                Some(1),
                None,
                None,
                "a profile must be a JSON object ({\"name\": …})",
            ));
        }
        let profile: Profile = crate::input::parse_json(text, source.clone())?;
        if profile
            .note
            .as_ref()
            .is_some_and(|n| n.len() > crate::input::MAX_NOTE_BYTES)
        {
            return Err(Error::input_at(
                source,
                crate::input::line_of_key(text, "note"),
                None,
                Some("note".into()),
                format!(
                    "longer than the {} KiB limit for a note",
                    crate::input::MAX_NOTE_BYTES / 1024
                ),
            ));
        }
        let name_line = crate::input::line_of_key(text, "name");
        if let Some(c) = profile.name.chars().find(|c| c.is_control()) {
            return Err(Error::input_at(
                source,
                name_line,
                None,
                Some("name".into()),
                format!("contains the control character {c:?}"),
            ));
        }
        if profile.name.trim().starts_with(['[', '{', '<']) {
            return Err(Error::input_at(
                source,
                name_line,
                None,
                Some("name".into()),
                format!(
                    "{:?} looks like a template placeholder, not a name",
                    profile.name.trim()
                ),
            ));
        }
        // Facts a draft may quote are data: nothing in them may reach a reply as markup, a
        // link, a phone number, a placeholder or an instruction.
        if let Some(problem) = crate::untrusted::refusal(&profile.name) {
            return Err(Error::input_at(
                source,
                name_line,
                None,
                Some("name".into()),
                problem,
            ));
        }
        for (path, key, value) in profile.quotable() {
            if let Some(problem) = crate::untrusted::refusal(value) {
                return Err(Error::input_at(
                    source,
                    crate::input::line_of_key(text, key),
                    None,
                    Some(path),
                    problem,
                ));
            }
        }
        // Their note is quoted only through short, cleaned claims, but terminal escapes in it
        // are refused all the same.
        if let Some(c) = profile
            .note
            .as_deref()
            .and_then(crate::untrusted::control_char)
        {
            return Err(Error::input_at(
                source,
                crate::input::line_of_key(text, "note"),
                None,
                Some("note".into()),
                format!("contains the control character {c:?}"),
            ));
        }
        if profile.name.trim().is_empty() {
            return Err(Error::input_at(
                source,
                name_line,
                None,
                Some("name".into()),
                "must not be empty",
            ));
        }
        Ok(profile)
    }

    /// Every field a draft may quote, with its path and JSON key (for the error's line).
    fn quotable(&self) -> Vec<(String, &'static str, &str)> {
        let mut out: Vec<(String, &'static str, &str)> = Vec::new();
        for (key, value) in [
            ("headline", &self.headline),
            ("company", &self.company),
            ("referred_by", &self.referred_by),
            ("reason", &self.reason),
        ] {
            if let Some(v) = value {
                out.push((key.to_string(), key, v.as_str()));
            }
        }
        if let Some(met) = &self.met {
            for (path, key, value) in [
                ("met.where", "where", &met.place),
                ("met.when", "when", &met.when),
                ("met.topic", "topic", &met.topic),
            ] {
                if let Some(v) = value {
                    out.push((path.to_string(), key, v.as_str()));
                }
            }
        }
        for (i, c) in self.their_content.iter().enumerate() {
            out.push((
                format!("their_content[{i}].title"),
                "title",
                c.title.as_str(),
            ));
            if let Some(kind) = &c.kind {
                out.push((format!("their_content[{i}].kind"), "kind", kind.as_str()));
            }
        }
        let c = &self.common;
        for (name, list) in [
            ("connections", &c.connections),
            ("groups", &c.groups),
            ("employers", &c.employers),
            ("schools", &c.schools),
            ("interests", &c.interests),
        ] {
            for (i, v) in list.iter().enumerate() {
                out.push((format!("common.{name}[{i}]"), "common", v.as_str()));
            }
        }
        out
    }

    pub fn first_name(&self) -> String {
        crate::text::first_name(&self.name)
    }

    /// Every string in the profile, for the verifier's grounding.
    pub fn strings(&self) -> Vec<String> {
        let mut out = vec![self.name.clone()];
        out.extend(self.headline.iter().cloned());
        out.extend(self.company.iter().cloned());
        out.extend(self.connections.map(|c| c.to_string()));
        let c = &self.common;
        for list in [
            &c.connections,
            &c.groups,
            &c.employers,
            &c.schools,
            &c.interests,
        ] {
            out.extend(list.iter().cloned());
        }
        if let Some(met) = &self.met {
            out.extend(met.place.iter().cloned());
            out.extend(met.when.iter().cloned());
            out.extend(met.topic.iter().cloned());
        }
        for content in &self.their_content {
            out.push(content.title.clone());
            out.extend(content.kind.iter().cloned());
        }
        out.extend(self.referred_by.iter().cloned());
        out.extend(self.reason.iter().cloned());
        out.extend(self.note.iter().cloned());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Profile> {
        Profile::from_json(text, Source::File("p.json".into()))
    }

    #[test]
    fn minimal_profile_needs_only_a_name() {
        let p = parse(r#"{"name": "Dana Reyes"}"#).unwrap();
        assert_eq!(p.first_name(), "Dana");
        assert!(p.common.is_empty());
    }

    #[test]
    fn unknown_field_is_named_with_its_position() {
        let err = parse("{\n  \"name\": \"Dana\",\n  \"comon\": {}\n}").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("p.json:3:"), "{msg}");
        assert!(msg.contains("comon"), "{msg}");
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn nested_unknown_field_names_the_path() {
        let err = parse(r#"{"name": "Dana", "common": {"school": ["MIT"]}}"#).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("common"), "{msg}");
        assert!(msg.contains("school"), "{msg}");
    }

    #[test]
    fn wrong_type_names_the_field() {
        let err = parse(r#"{"name": "Dana", "connections": "lots"}"#).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("field `connections`"), "{msg}");
    }

    #[test]
    fn placeholder_or_control_characters_in_name_are_errors() {
        assert!(parse(r#"{"name": "[Name]"}"#)
            .unwrap_err()
            .to_string()
            .contains("placeholder"));
        assert!(parse("{\"name\": \"Ana\\u0000\"}")
            .unwrap_err()
            .to_string()
            .contains("control character"));
    }

    #[test]
    fn a_profile_must_be_an_object_and_its_note_is_capped() {
        let err = parse(r#"["Dana Reyes"]"#).unwrap_err();
        assert!(err.to_string().contains("JSON object"), "{err}");
        let long = format!(r#"{{"name": "Dana", "note": "{}"}}"#, "a".repeat(70_000));
        let err = parse(&long).unwrap_err();
        assert!(err.to_string().contains("note"), "{err}");
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn missing_or_empty_name_is_an_error() {
        assert!(parse(r#"{"headline": "x"}"#)
            .unwrap_err()
            .to_string()
            .contains("name"));
        assert!(parse(r#"{"name": "  "}"#)
            .unwrap_err()
            .to_string()
            .contains("`name`"));
    }
}
