//! Facts: what a draft may say about the other person, chosen from the profile by strength.
//! Order (strongest first): met at an event > referral > their content > shared employer /
//! school / group > shared connection > shared interest.

use crate::profile::Profile;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    Met,
    Referral,
    Content,
    Employer,
    School,
    Group,
    Connection,
    Interest,
}

impl FactKind {
    /// Higher is stronger.
    pub fn strength(self) -> u8 {
        match self {
            FactKind::Met => 6,
            FactKind::Referral => 5,
            FactKind::Content => 4,
            FactKind::Employer | FactKind::School | FactKind::Group => 3,
            FactKind::Connection => 2,
            FactKind::Interest => 1,
        }
    }
}

/// One fact from the profile. `value` is the profile's own words; `detail` adds context
/// (when we met, the kind of content).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Fact {
    pub kind: FactKind,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
}

impl Fact {
    fn new(kind: FactKind, value: &str) -> Option<Fact> {
        let value = value.trim();
        (!value.is_empty()).then(|| Fact {
            kind,
            value: value.to_string(),
            detail: None,
            topic: None,
        })
    }

    /// A short label for `facts_used` in JSON output: "met: DevConf Lisbon".
    pub fn label(&self) -> String {
        let kind = serde_json::to_value(self.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        format!("{kind}: {}", self.value)
    }
}

/// All facts of a profile, strongest first (stable within a strength: profile order).
pub fn extract(profile: &Profile) -> Vec<Fact> {
    let mut facts = Vec::new();
    if let Some(met) = &profile.met {
        if let Some(place) = met
            .place
            .as_deref()
            .and_then(|p| Fact::new(FactKind::Met, p))
        {
            facts.push(Fact {
                detail: crate::text::non_blank(met.when.as_deref()).map(str::to_string),
                topic: crate::text::non_blank(met.topic.as_deref()).map(str::to_string),
                ..place
            });
        }
    }
    facts.extend(
        profile
            .referred_by
            .as_deref()
            .and_then(|r| Fact::new(FactKind::Referral, r)),
    );
    for content in &profile.their_content {
        if let Some(mut fact) = Fact::new(FactKind::Content, &content.title) {
            fact.detail = crate::text::non_blank(content.kind.as_deref()).map(str::to_string);
            facts.push(fact);
        }
    }
    let c = &profile.common;
    for (kind, values) in [
        (FactKind::Employer, &c.employers),
        (FactKind::School, &c.schools),
        (FactKind::Group, &c.groups),
        (FactKind::Connection, &c.connections),
        (FactKind::Interest, &c.interests),
    ] {
        facts.extend(values.iter().filter_map(|v| Fact::new(kind, v)));
    }
    facts.sort_by_key(|f| std::cmp::Reverse(f.kind.strength()));
    facts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Common, Content, Met};

    #[test]
    fn strongest_fact_first() {
        let profile = Profile {
            name: "Dana Reyes".into(),
            common: Common {
                interests: vec!["cycling".into()],
                schools: vec!["MIT".into()],
                ..Common::default()
            },
            their_content: vec![Content {
                title: "Cold chains".into(),
                kind: Some("article".into()),
            }],
            met: Some(Met {
                place: Some("DevConf".into()),
                when: Some("May".into()),
                topic: None,
                kind: None,
            }),
            ..Profile::default()
        };
        let kinds: Vec<FactKind> = extract(&profile).iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            vec![
                FactKind::Met,
                FactKind::Content,
                FactKind::School,
                FactKind::Interest
            ]
        );
    }

    #[test]
    fn blank_values_are_not_facts() {
        let profile = Profile {
            name: "X".into(),
            referred_by: Some("  ".into()),
            common: Common {
                groups: vec!["".into()],
                ..Common::default()
            },
            ..Profile::default()
        };
        assert!(extract(&profile).is_empty());
    }
}
