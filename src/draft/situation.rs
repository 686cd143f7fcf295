//! The situation a draft is written for: what I know about the other person and how it reads in
//! a sentence. The templates decide from it which sentences a draft has and in what order, so
//! a former colleague, a stranger with the default text and a pitcher each get their own note.

use super::note_claims::{self, NoteClaims};
use super::phrasing::{self, Reason, Role};
use crate::me::Me;
use crate::profile::{MetKind, Profile};
use crate::signals::Label;
use serde::Serialize;

/// How we met, ready to use: "at the Lisbon Data Summit" + "in May 2025" + "temperature sensors".
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Meeting {
    /// event | work | school | meeting
    pub kind: &'static str,
    /// The place with its article ("the London School of Economics"), if known; an occasion
    /// written as "a video call on …" reads "our video call on …".
    pub place: Option<String>,
    /// The preposition before `place`: "at" a place, "during" an occasion.
    pub prep: &'static str,
    /// `place` as it reads after "after": "a logistics conference" → "the logistics conference".
    pub after: Option<String>,
    /// "in May 2025", "back in 2009", "last March".
    pub when: Option<String>,
    pub topic: Option<String>,
    /// Colleagues or classmates from years back: the seeds ask for more reason, not less.
    pub long_ago: bool,
}

/// The strongest common element that is not a meeting, ready to use.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Shared {
    /// employer | school | group | interest
    pub kind: &'static str,
    /// With its article where it takes one.
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Situation {
    pub met: Option<Meeting>,
    /// Who suggested the connection (`referred_by`): an invite may name them.
    pub referral: Option<String>,
    /// Who thought we should talk: their note's claim, else `referred_by`; for replies.
    pub referrer: Option<String>,
    /// We have exchanged messages before.
    pub talked: bool,
    /// Already connected (the profile's `connected`).
    pub connected: bool,
    /// Their strongest piece of content: kind and a quotable (shortened) title.
    pub content: Option<ContentRef>,
    pub shared: Option<Shared>,
    /// Shared connections (not named in invites: ask them first).
    pub shared_connections: usize,
    pub reason: Option<Reason>,
    /// They sent me a request (the profile has their note, even an empty one).
    pub requested: bool,
    /// The class of their note: genuine | vague | sales_pitch; none when there is no request.
    pub note_class: Option<&'static str>,
    /// Their note is empty or LinkedIn's default text.
    pub note_default: bool,
    /// What kind of offer a pitch is: `scam` (crypto, "guaranteed returns", a chat-app link),
    /// `recruiter` (a role for me) or `pitch` (a service); none when the note is not a pitch.
    pub offer: Option<&'static str>,
    /// Their note offers something my own reason says I need: a reply takes it up.
    pub wanted_offer: bool,
    /// What their note says that a reply may refer to.
    pub claims: NoteClaims,
    /// Neither met, referred, nor a meeting they claim: someone I do not know.
    pub stranger: bool,
    /// My policy, only as I hold it.
    pub only_met: bool,
    /// My policy in my words, as a sentence.
    pub policy_statement: Option<String>,
    /// The call's purpose for a follow-up, as a verb phrase ("discuss the Santiago pilot").
    pub call_purpose: Option<String>,
    /// Their company, for a pitch decline.
    pub their_company: Option<String>,
    /// What a reply to a pitch turns down: "LeadRocket's services", else "what you offer".
    pub their_services: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ContentRef {
    /// article | talk | podcast | … (lower case)
    pub kind: String,
    pub title: String,
    /// Whether it is something to listen to, watch, or read.
    pub medium: &'static str,
}

impl Situation {
    /// The situation, with their note (if they sent one) read as `reading` says.
    pub fn new(
        profile: &Profile,
        me: &Me,
        reading: Option<&crate::classify::Classification>,
    ) -> Situation {
        let note = profile.note.as_deref();
        let note_class = note
            .and(reading)
            .map(|c| match crate::triage::reply_label(c, profile) {
                Label::Genuine => "genuine",
                Label::Vague => "vague",
                Label::SalesPitch => "sales_pitch",
            });
        let is_pitch = note_class == Some("sales_pitch");
        let wanted_offer = note.is_some()
            && reading.is_some_and(|c| c.label == Label::SalesPitch)
            && !is_pitch
            && crate::triage::wants_their_offer(profile);
        // A recruiter may write a note that reads as genuine: their reply is about the role
        // either way.
        let offer = match note {
            Some(n) if is_pitch => Some(offer_kind(n)),
            Some(n) if is_recruiter_note(n) => Some("recruiter"),
            _ => None,
        };
        let note_default = note.is_some_and(|n| {
            let folded = crate::text::fold(n);
            folded.trim().is_empty() || folded.contains("add you to my professional network")
        });
        let claims = note
            .map(|n| note_claims::extract(n, is_pitch))
            .unwrap_or_default();
        let met = meeting(profile);
        let referral = crate::text::non_blank(profile.referred_by.as_deref()).map(str::to_string);
        // Who thought we should talk: their note's word, else `referred_by`. Replies say it
        // both ways round ("X thought we should talk"), since either of us may have been sent.
        let referrer = claims.referrer.clone().or_else(|| referral.clone());
        let content = profile.their_content.first().and_then(|c| {
            let title = phrasing::short_title(&c.title);
            (!title.is_empty()).then(|| {
                let kind = c
                    .kind
                    .as_deref()
                    .map(|k| k.trim().to_lowercase())
                    .filter(|k| !k.is_empty())
                    .unwrap_or_else(|| "piece".into());
                let medium = match kind.as_str() {
                    "podcast" | "episode" | "interview" => "listen",
                    "talk" | "video" | "webinar" | "keynote" | "presentation" | "session" => {
                        "watch"
                    }
                    _ => "read",
                };
                ContentRef {
                    kind,
                    title,
                    medium,
                }
            })
        });
        let reason = profile.reason.as_deref().and_then(Reason::parse);
        let stranger = met.is_none()
            && referral.is_none()
            && referrer.is_none()
            && claims.event.is_none()
            && profile.talked != Some(true);
        let call_purpose = match (&reason, &met) {
            (Some(r), _) if r.form == "verb" => Some(call_purpose_of(&r.text)),
            (Some(r), _) if r.form == "topic" => Some(format!("talk about {}", r.text)),
            // A topic from years back is what we studied or worked on then, not a
            // conversation to pick up.
            (_, Some(m)) if m.topic.is_some() && !m.long_ago => Some(format!(
                "pick up our conversation about {}",
                m.topic.clone().unwrap_or_default()
            )),
            _ if claims.invitation == Some("mentor") => {
                Some("talk about the mentoring you asked about".to_string())
            }
            _ if claims.invitation.is_some() => Some(format!(
                "go through the details of {}",
                claims.invitation_noun.unwrap_or("the talk")
            )),
            _ => match (&claims.question, &claims.topic, claims.asks) {
                (Some(q), _, _) => Some(format!("go through your question about {q}")),
                (None, Some(t), _) => Some(format!("talk about {t}")),
                (None, None, true) => Some("go through your question".to_string()),
                (None, None, false) => None,
            },
        };
        let shared = shared(profile, met.as_ref());
        // With nothing else to talk about (no reason of mine either), what we share is the
        // call's subject.
        let call_purpose = call_purpose.or_else(|| match &shared {
            Some(sh) if sh.kind == "interest" && reason.is_none() => {
                Some(format!("compare notes on {}", sh.value))
            }
            _ => None,
        });
        let their_company = crate::text::non_blank(profile.company.as_deref())
            .filter(|c| !is_no_company(c))
            .map(str::to_string);
        Situation {
            shared,
            shared_connections: profile.common.connections.len(),
            met,
            referral,
            referrer,
            talked: profile.talked == Some(true),
            connected: profile.connected == Some(true),
            content,
            reason,
            requested: note.is_some(),
            note_class,
            note_default,
            offer,
            wanted_offer,
            claims,
            stranger,
            only_met: me.policy.only_met,
            policy_statement: crate::text::non_blank(me.policy.statement.as_deref())
                .map(phrasing::sentence),
            call_purpose,
            their_services: match &their_company {
                Some(c) if c.ends_with('s') => format!("{c}' services"),
                Some(c) => format!("{c}'s services"),
                None => "what you offer".to_string(),
            },
            their_company,
        }
    }

    /// Whether an invite would have nothing to cite and no reason: LinkedIn's default text in
    /// other words, which the seeds rule out.
    pub fn is_generic_invite(&self) -> bool {
        self.met.is_none()
            && self.referral.is_none()
            && self.content.is_none()
            && self.shared.is_none()
            && self.shared_connections == 0
            && self.reason.is_none()
    }
}

fn meeting(profile: &Profile) -> Option<Meeting> {
    let met = profile.met.as_ref().filter(|m| !m.is_empty())?;
    let place = crate::text::non_blank(met.place.as_deref());
    let folded_place = place.map(crate::text::fold);
    let among = |list: &[String]| {
        folded_place
            .as_ref()
            .is_some_and(|p| list.iter().any(|x| crate::text::fold(x) == *p))
    };
    let kind = met.kind.unwrap_or(if among(&profile.common.employers) {
        MetKind::Work
    } else if among(&profile.common.schools) {
        MetKind::School
    } else {
        MetKind::Event
    });
    let (kind_name, role) = match kind {
        MetKind::Event => ("event", Role::Event),
        MetKind::Work => ("work", Role::Employer),
        MetKind::School => ("school", Role::School),
        MetKind::Meeting => ("meeting", Role::Event),
    };
    // "a video call on the lab project", "our supplier review": a meeting we both had, said
    // "during our …"; "a logistics conference in Singapore" stays an event "at a …".
    let event_word = place.is_some_and(|p| {
        let folded = crate::text::fold(p);
        [
            "conference",
            "summit",
            "forum",
            "fair",
            "meetup",
            "expo",
            "congress",
            "festival",
            "symposium",
            "workshop",
            "webinar",
            "convention",
            "week",
        ]
        .iter()
        .any(|w| folded.contains(w))
    });
    let occasion = place
        .filter(|_| kind == MetKind::Meeting || (met.kind.is_none() && !event_word))
        .and_then(|p| {
            ["a ", "an ", "our ", "my "]
                .iter()
                .find_map(|article| p.strip_prefix(article))
                .map(|rest| format!("our {}", phrasing::with_article(rest, Role::Employer)))
                // "site visit to the caravanserai": a meeting named in lower case is ours too.
                .or_else(|| {
                    (kind == MetKind::Meeting
                        && p.chars().next().is_some_and(char::is_lowercase)
                        && !p.starts_with("the "))
                    .then(|| format!("our {}", phrasing::with_article(p, Role::Employer)))
                })
        });
    let (kind_name, prep) = match (&occasion, kind_name) {
        (Some(_), _) => ("meeting", "during"),
        (None, k) => (k, "at"),
    };
    // Colleagues and classmates are from years back; an event with only a year, two or more
    // years ago, too. The seeds ask for more reason then, not less.
    let place_text = occasion
        .clone()
        .or_else(|| place.map(|p| phrasing::with_article(p, role)));
    let after = place_text.as_ref().map(|p| {
        ["a ", "an "]
            .iter()
            .find_map(|article| p.strip_prefix(article))
            .map_or_else(|| p.clone(), |rest| format!("the {rest}"))
    });
    let long_ago = matches!(kind, MetKind::Work | MetKind::School)
        || met
            .when
            .as_deref()
            .and_then(|w| w.trim().parse::<i32>().ok())
            .is_some_and(|year| year <= phrasing::today().0 - 2);
    Some(Meeting {
        kind: kind_name,
        prep,
        place: place_text,
        after,
        when: crate::text::non_blank(met.when.as_deref())
            .map(|w| phrasing::natural_when(w, long_ago)),
        topic: crate::text::non_blank(met.topic.as_deref())
            .map(|t| phrasing::about_them(&phrasing::lower_first(t.trim_end_matches(['.', '!'])))),
        long_ago,
    })
}

/// The strongest shared employer, school, group or interest, leaving out the place we met
/// (a former employer we met at is said once, as the meeting).
fn shared(profile: &Profile, met: Option<&Meeting>) -> Option<Shared> {
    let c = &profile.common;
    let met_place = met
        .and_then(|m| m.place.as_deref())
        .map(|p| crate::text::fold(p.trim_start_matches("the ")));
    let first = |list: &[String]| {
        list.iter()
            .map(|v| v.trim())
            .find(|v| !v.is_empty() && met_place.as_deref() != Some(&crate::text::fold(v)))
            .map(str::to_string)
    };
    if let Some(e) = first(&c.employers) {
        return Some(Shared {
            kind: "employer",
            value: e,
        });
    }
    if let Some(s) = first(&c.schools) {
        return Some(Shared {
            kind: "school",
            value: phrasing::with_article(&s, Role::School),
        });
    }
    if let Some(g) = first(&c.groups) {
        return Some(Shared {
            kind: "group",
            value: phrasing::with_article(&g, Role::Group),
        });
    }
    first(&c.interests).map(|i| Shared {
        kind: "interest",
        value: phrasing::lower_first(&i),
    })
}

/// The kind of offer in a pitch: a scam, a recruiter's role, or a service.
/// A recruiter's note, by what recruiters say of themselves (not by "role" or "hiring" alone,
/// which job seekers write too).
fn is_recruiter_note(note: &str) -> bool {
    let folded = crate::text::fold(note);
    [
        "recruit",
        "headhunt",
        "executive search",
        " search for a",
        "exclusive search",
        "search for a ",
        "i'm hiring",
        "i am hiring",
        "we're hiring",
        "we are hiring",
        "hiring for a",
        "confidential chat",
        "your next move",
        "open to new opportunities",
        "opportunity for you",
    ]
    .iter()
    .any(|w| folded.contains(w))
        || (folded.contains(" search ") && whole_words(&folded, &["role", "head of"]))
        // "I'm partnering with a logistics group on an FP&A Lead role (confidential…)"
        || ((folded.contains("confidential") || folded.contains("partnering with") || folded.contains("on behalf of"))
            && whole_words(&folded, &["role", "position", "vacancy", "opening"]))
        || ["looks like a strong match", "looks like a strong fit", "would be a strong fit", "a great fit for"]
            .iter()
            .any(|w| folded.contains(w))
            && whole_words(&folded, &["role", "position", "vacancy", "opening"])
}

/// Whether any phrase occurs as whole words ("head of" in "head of sales", not in "ahead of").
fn whole_words(folded: &str, phrases: &[&str]) -> bool {
    let words: String = folded
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let padded = format!(" {words} ");
    phrases.iter().any(|p| padded.contains(&format!(" {p} ")))
}

fn offer_kind(note: &str) -> &'static str {
    let folded = crate::text::fold(note);
    if crate::triage::is_scam(note) {
        "scam"
    } else if is_recruiter_note(note)
        // "Role", "position" or "opening" alone are not a recruiter's: "a review of your
        // position" is a wealth planner's.
        || whole_words(
            &folded,
            &[
                "recruiting",
                "recruiter",
                "headhunt",
                "headhunter",
                "your next move",
                "opportunity for you",
                "search for a",
            ],
        )
    {
        "recruiter"
    } else {
        "pitch"
    }
}

/// What a call is for, from a reason of mine: things sent are gone through on a call, not
/// sent on it ("send you the drying curves" → "go through the drying curves").
fn call_purpose_of(verb_phrase: &str) -> String {
    // "book a 10-minute call to scope the review": the call is the one being proposed.
    static CALL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let call = CALL.get_or_init(|| {
        regex::Regex::new(r"^(?:book|schedule|set up|arrange|have|get) (?:a |an )?(?:quick |short |brief )?(?:\d+[- ]minutes?[- ])?(?:video |phone )?(?:call|chat|meeting) (?:to|about|on) ")
            .expect("static regex")
    });
    if let Some(m) = call.find(verb_phrase) {
        let rest = &verb_phrase[m.end()..];
        return if m.as_str().ends_with("to ") {
            call_purpose_of(rest)
        } else {
            format!("talk about {rest}")
        };
    }
    for sent in [
        "send you ",
        "email you ",
        "forward you ",
        "send ",
        "share ",
        "email ",
    ] {
        if let Some(rest) = verb_phrase.strip_prefix(sent) {
            return format!("go through {rest}");
        }
    }
    verb_phrase.to_string()
}

/// A company field that names no company ("Self-employed", "Freelance"): nothing to wish
/// them well with.
fn is_no_company(company: &str) -> bool {
    let folded = crate::text::fold(company);
    [
        "self-employed",
        "self employed",
        "freelance",
        "freelancer",
        "independent",
        "retired",
        "none",
        "n/a",
        "-",
        "student",
        "unemployed",
        "open to work",
        "stealth",
    ]
    .contains(&folded.trim())
}
