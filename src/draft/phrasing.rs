//! How profile values read inside a sentence: institutions with their article, dates said the
//! way people say them, a `reason` joined as a verb phrase, a sentence or a topic, long titles
//! cut to a recognisable reference. Pure string work: no templates, no facts.

use serde::Serialize;

/// What a name stands for, which decides whether it takes "the".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    School,
    Group,
    Event,
    Employer,
}

/// Head words after which an institution's name is a description that takes "the"
/// ("the London School of Economics", "the Supply Chain Women Network").
const SCHOOL_OF: &[&str] = &[
    "university of",
    "institute of",
    "college of",
    "school of",
    "academy of",
    "conservatory of",
    "polytechnic of",
];
const GROUP_TAILS: &[&str] = &[
    "network",
    "association",
    "society",
    "forum",
    "club",
    "group",
    "council",
    "alliance",
    "community",
    "collective",
    "guild",
    "circle",
    "foundation",
    "initiative",
    "chapter",
    "committee",
    "federation",
    "league",
    "union",
    "consortium",
];
const EVENT_TAILS: &[&str] = &[
    "summit",
    "conference",
    "forum",
    "expo",
    "congress",
    "fair",
    "meetup",
    "festival",
    "symposium",
    "workshop",
    "convention",
    "awards",
    "roundtable",
    "hackathon",
    "retreat",
    "week",
];

/// `name` as it reads after "at" or "of": with "the" where English puts one.
pub fn with_article(name: &str, role: Role) -> String {
    let name = name.trim();
    // "MRO Americas, Dallas": the place after the comma reads "in Dallas".
    if let Some((head, city)) = name.rsplit_once(", ") {
        let is_place = !city.is_empty()
            && city.split_whitespace().count() <= 3
            && city.split_whitespace().all(|w| {
                w.chars().next().is_some_and(char::is_uppercase)
                    && !w.chars().any(|c| c.is_ascii_digit())
            });
        if is_place && !head.trim().is_empty() {
            return format!("{} in {city}", with_article(head, role));
        }
    }
    let folded = crate::text::fold(name);
    if folded.starts_with("the ") || role == Role::Employer {
        return name.to_string();
    }
    let last = folded.rsplit(' ').next().unwrap_or("");
    let needs = match role {
        Role::School => SCHOOL_OF
            .iter()
            .any(|head| folded.starts_with(head) || folded.contains(&format!(" {head}"))),
        Role::Group => GROUP_TAILS.contains(&last),
        Role::Event => EVENT_TAILS.contains(&last) && folded.split(' ').count() >= 2,
        Role::Employer => false,
    };
    if needs {
        format!("the {name}")
    } else {
        name.to_string()
    }
}

pub(super) const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// A `when` as it reads at the end of a clause: "May 2025" → "in May 2025", "2009" → "back in
/// 2009" (long ago for colleagues and classmates) or "in 2024", "last March" stays as it is.
/// `long_ago` is for meetings the seeds call "a long time ago" (former colleagues, classmates).
pub fn natural_when(when: &str, long_ago: bool) -> String {
    natural_when_at(when, long_ago, today())
}

/// [`natural_when`] as of `today` (year, month 1–12): a month of this year is just "in May", one
/// of the last twelve months "last May"; older dates keep their year.
pub fn natural_when_at(when: &str, long_ago: bool, today: (i32, u32)) -> String {
    let when = when.trim().trim_matches(['(', ')']).trim();
    let folded = crate::text::fold(when);
    let first = folded.split(' ').next().unwrap_or("");
    let starts_with_digit = first.starts_with(|c: char| c.is_ascii_digit());
    let relative = [
        "last", "this", "earlier", "recently", "in", "at", "during", "back", "on", "a", "years",
        "two", "three", "over",
    ]
    .contains(&first);
    if relative {
        return when.to_string();
    }
    let month = MONTHS
        .iter()
        .position(|m| *m == first.trim_end_matches(['.', ',']))
        .map(|i| {
            if i < 12 {
                i as u32 + 1
            } else {
                MONTH_OF_ABBREVIATION[i - 12]
            }
        });
    if let Some(month) = month {
        // "May 2025" said the way people say it, relative to today.
        let words: Vec<&str> = when.split_whitespace().collect();
        if let [name, year] = words.as_slice() {
            if let Ok(year) = year.parse::<i32>() {
                let (this_year, this_month) = today;
                if year == this_year && month <= this_month {
                    return format!("in {name}");
                }
                if year == this_year - 1 && month > this_month {
                    return format!("last {name}");
                }
            }
        }
        return format!("in {when}");
    }
    if starts_with_digit {
        // A span of years: "from 2010 to 2012".
        if let Some((from, to)) = when
            .split_once(" to ")
            .or_else(|| when.split_once('–'))
            .or_else(|| when.split_once(" - "))
            .or_else(|| {
                when.split_once('-')
                    .filter(|(a, b)| a.len() == 4 && b.trim().len() == 4)
            })
        {
            return format!("from {} to {}", from.trim(), to.trim());
        }
        let year_only = folded.len() <= 9 && !folded.contains(' ');
        return if year_only && long_ago {
            format!("back in {when}")
        } else {
            format!("in {when}")
        };
    }
    when.to_string()
}

/// The month number of each abbreviation in [`MONTHS`] after the twelve full names.
const MONTH_OF_ABBREVIATION: [u32; 12] = [1, 2, 3, 4, 6, 7, 8, 9, 9, 10, 11, 12];

/// Today's (year, month) by the system clock, UTC.
pub fn today() -> (i32, u32) {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil-from-days (H. Hinnant): exact for the proleptic Gregorian calendar.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month)
}

/// How a user's `reason` joins a sentence.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reason {
    /// `verb`: "discuss data sharing for the pilot" (follows "I'd like to"); `sentence`: a
    /// whole sentence of mine, said as is; `topic`: a noun phrase (follows "talk about").
    pub form: &'static str,
    /// The joinable text: a verb phrase or topic without final punctuation and with "they"
    /// turned to "you"; a sentence capitalised and punctuated.
    pub text: String,
    /// `text` as it continues "Hi Dana," on the same line (lower case unless it starts with
    /// "I" or a name).
    pub after_greeting: String,
}

/// Verbs a reason written as an instruction to myself starts with ("compare notes on …").
const REASON_VERBS: &[&str] = &[
    "agree",
    "settle",
    "finalise",
    "finalize",
    "sort",
    "decide",
    "book",
    "schedule",
    "fix",
    "resolve",
    "clarify",
    "update",
    "email",
    "forward",
    "visit",
    "support",
    "mentor",
    "sign",
    "send",
    "show",
    "offer",
    "pass",
    "thank",
    "catch",
    "check",
    "review",
    "bring",
    "give",
    "tell",
    "help",
    "walk",
    "arrange",
    "confirm",
    "discuss",
    "learn",
    "compare",
    "ask",
    "talk",
    "hear",
    "explore",
    "share",
    "get",
    "understand",
    "exchange",
    "swap",
    "introduce",
    "invite",
    "follow",
    "see",
    "find",
    "meet",
    "collaborate",
    "trade",
    "know",
    "chat",
    "pick",
    "review",
    "brainstorm",
    "catch",
    "reconnect",
    "congratulate",
    "offer",
    "present",
    "show",
    "walk",
    "plan",
    "join",
    "partner",
    "work",
    "continue",
    "build",
    "test",
    "check",
    "benchmark",
    "figure",
    "dig",
    "go",
    "look",
    "bounce",
    "thank",
    "keep",
    "stay",
    "connect",
    "hire",
    "recruit",
    "interview",
    "feature",
    "co-author",
    "coordinate",
    "align",
    "map",
    "run",
    "set",
    "help",
    "support",
    "involve",
    "put",
    "bring",
    "visit",
    "sound",
    "gather",
    "collect",
    "invite",
    "tell",
    "show",
    "answer",
    "advise",
    "assess",
    "attend",
    "buy",
    "create",
    "deliver",
    "describe",
    "develop",
    "discover",
    "evaluate",
    "explain",
    "extend",
    "improve",
    "inform",
    "install",
    "invest",
    "launch",
    "maintain",
    "mention",
    "negotiate",
    "organise",
    "organize",
    "pay",
    "prepare",
    "promote",
    "propose",
    "provide",
    "publish",
    "raise",
    "reach",
    "read",
    "recommend",
    "register",
    "renew",
    "sell",
    "serve",
    "speak",
    "sponsor",
    "start",
    "submit",
    "suggest",
    "teach",
    "translate",
    "verify",
    "volunteer",
    "write",
    "open",
    "close",
    "lend",
    "borrow",
    "make",
    "do",
    "take",
    "try",
    "apply",
    "approve",
    "calibrate",
    "certify",
    "donate",
    "grow",
    "inspect",
    "lobby",
    "photograph",
    "refer",
    "restore",
    "upgrade",
    "welcome",
];

/// Words that start a reason written as a sentence about me, us or them.
const SENTENCE_STARTS: &[&str] = &[
    "i",
    "i'm",
    "i've",
    "i'd",
    "i'll",
    "we",
    "we're",
    "we've",
    "we'd",
    "we'll",
    "my",
    "our",
    "your",
    "you",
    "you're",
    "you've",
    "you'd",
    "there",
    "it",
    "it's",
    "this",
    "since",
    "because",
    "as",
    "she",
    "he",
    "they",
    "she's",
    "he's",
    "they're",
    "could",
    "would",
    "should",
    "might",
    "may",
    "maybe",
    "perhaps",
    "hopefully",
    "worth",
    "happy",
    "glad",
    "keen",
    "interested",
    "looking",
];

/// Words that speak of the reader in the third person: a reason written as a note to myself
/// ("She asked a good question") is not said to her.
const ABOUT_THEM: &[&str] = &["she", "he", "her", "him", "his", "hers", "she's", "he's"];

impl Reason {
    pub fn parse(reason: &str) -> Option<Reason> {
        let reason = reason.trim().trim_end_matches(['.', '!', ';', ',']).trim();
        if reason.is_empty() {
            return None;
        }
        let reason = reason.strip_prefix("to ").unwrap_or(reason);
        // "possible customer for the pilot", "could be useful, we need cover": a note to
        // myself about them, not words to say to them.
        let folded_reason = crate::text::fold(reason);
        if [
            "possible ",
            "potential ",
            "prospect",
            "could be ",
            "might be ",
            "maybe ",
            "lead:",
            "note:",
            "todo",
        ]
        .iter()
        .any(|p| folded_reason.starts_with(p))
        {
            // "Could be useful, we need a nurse from March": the need after the aside is mine
            // to say.
            return reason
                .split_once([',', ';', ':'])
                .map(|(_, rest)| rest.trim())
                .filter(|rest| {
                    let first = crate::text::fold(rest.split_whitespace().next().unwrap_or(""));
                    ["we", "we're", "i", "i'm", "our", "my"].contains(&first.as_str())
                })
                .and_then(Reason::parse);
        }
        let first = crate::text::fold(reason.split_whitespace().next().unwrap_or(""));
        let first = first.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
        if REASON_VERBS.contains(&first) {
            return Some(Reason::new("verb", you_for_they(&lower_first(reason))));
        }
        // "Pedro tells me you removed lead from a glaze line": a clause with its own verb is a
        // sentence of mine, said as is, not a topic.
        let folded = crate::text::fold(reason);
        let finite = [
            " tells ",
            " told ",
            " says ",
            " said ",
            " is ",
            " are ",
            " was ",
            " were ",
            " has ",
            " have ",
            " had ",
            " will ",
            " would ",
            " can ",
            " could ",
            " thinks ",
            " mentioned ",
            " suggested ",
        ]
        .iter()
        .any(|v| folded.contains(v));
        let has_wh = ["how ", "what ", "why ", "whether "]
            .iter()
            .any(|w| folded.starts_with(w));
        if SENTENCE_STARTS.contains(&first) || reason.ends_with('?') || (finite && !has_wh) {
            if crate::text::words(&folded).any(|w| ABOUT_THEM.contains(&w)) {
                return None;
            }
            let reason = match first {
                "because" | "since" | "as" => reason
                    .split_once(' ')
                    .map(|(_, rest)| rest)
                    .unwrap_or(reason),
                _ => reason,
            };
            return Some(Reason::new("sentence", sentence(reason)));
        }
        Some(Reason::new("topic", you_for_they(&lower_first(reason))))
    }

    fn new(form: &'static str, text: String) -> Reason {
        Reason {
            form,
            after_greeting: lower_first(&text),
            text,
        }
    }
}

/// Sentence-case a free text and end it with punctuation.
pub fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// Lower-case the first letter of a common first word ("Compare notes" → "compare notes"); a
/// name, an acronym or "I" keeps its capital ("Santiago pilot data", "SAP rollout").
pub fn lower_first(text: &str) -> String {
    let first_word = text.split_whitespace().next().unwrap_or("");
    let folded = crate::text::fold(first_word);
    let folded = folded.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
    let letters: Vec<char> = first_word.chars().filter(|c| c.is_alphabetic()).collect();
    let acronym = letters.len() > 1 && letters.iter().all(|c| c.is_uppercase());
    let common = crate::verify::is_sentence_word(folded) || REASON_VERBS.contains(&folded);
    if acronym || folded == "i" || folded.starts_with("i'") || !common {
        return text.to_string();
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// In a note I write to them, "how they run cross-dock scheduling" means "how you run …".
fn you_for_they(text: &str) -> String {
    // Only a "they" that is the subject of what I want to learn ("how they run …", or opening
    // the phrase) is them; after it, their "their"/"them" are too. "How shops choose their
    // listings" keeps its "their". "She"/"her"/"he"/"his" at the same places are them as well.
    const WH: &[&str] = &[
        "how", "what", "why", "where", "when", "whether", "if", "that", "which", "who",
    ];
    let words: Vec<&str> = text.split(' ').collect();
    let mut addressed = false;
    let mut out = String::with_capacity(text.len());
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let core = word.trim_end_matches([',', '.', ';', ':', '?', '!']);
        let tail = &word[core.len()..];
        let subject_slot = i <= 1 || words.get(i.wrapping_sub(1)).is_some_and(|w| WH.contains(w));
        let replaced = match core {
            "they" | "she" | "he" if subject_slot => {
                addressed = true;
                "you"
            }
            "they're" | "they’re" | "she's" | "he's" if subject_slot => {
                addressed = true;
                "you're"
            }
            "they've" | "they’ve" if subject_slot => {
                addressed = true;
                "you've"
            }
            "they'd" | "they’d" if subject_slot => {
                addressed = true;
                "you'd"
            }
            // "show her our results": "her" before a determiner is the object, "you".
            "her"
                if (addressed || i <= 1)
                    && words.get(i + 1).is_none_or(|next| {
                        [
                            "our", "my", "the", "a", "an", "this", "that", "these", "those",
                            "some", "how", "what", "why", "about", "to", "for", "with", "on", "in",
                            "at",
                        ]
                        .contains(next)
                    }) =>
            {
                "you"
            }
            "their" | "her" | "his" if addressed || i <= 1 => "your",
            "them" | "him" if addressed => "you",
            "theirs" if addressed => "yours",
            "themselves" | "herself" | "himself" if addressed => "yourself",
            other => other,
        };
        out.push_str(replaced);
        out.push_str(tail);
    }
    out
}

/// A topic we discussed, said to them: "her kayak film pitch" → "your kayak film pitch".
pub fn about_them(topic: &str) -> String {
    topic
        .split(' ')
        .enumerate()
        .map(|(i, w)| match w {
            "her" | "his" | "their" if i == 0 => "your",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Characters a quoted title may have before it is cut to a reference.
const TITLE_MAX: usize = 80;

/// A title short enough to quote in a note: whole when short, else its main title (before a
/// colon or dash), else its first words with an ellipsis.
pub fn short_title(title: &str) -> String {
    let title = title.trim().trim_matches(['"', '“', '”']).trim();
    if crate::text::char_count(title) <= TITLE_MAX {
        return title.to_string();
    }
    for sep in [": ", " — ", " – ", " - ", "? ", ", "] {
        if let Some((head, _)) = title.split_once(sep) {
            let head = if sep == "? " {
                format!("{head}?")
            } else {
                head.to_string()
            };
            // A title's first clause stands for it ("Why our wards stopped…, and what
            // happened" → its head), if it is a phrase of its own.
            let min_words = if sep == ", " { 4 } else { 2 };
            if head.split_whitespace().count() >= min_words
                && crate::text::char_count(&head) <= TITLE_MAX
            {
                return head;
            }
        }
    }
    let mut out = String::new();
    for word in title.split_whitespace() {
        if crate::text::char_count(&out) + word.chars().count() + 1 > TITLE_MAX - 5 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    let out = out
        .trim_end_matches([',', ';', ':', '-', '—', '–'])
        .to_string();
    format!("{out}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn institutions_take_their_article() {
        assert_eq!(
            with_article("London School of Economics", Role::School),
            "the London School of Economics"
        );
        assert_eq!(
            with_article("University of Toronto", Role::School),
            "the University of Toronto"
        );
        assert_eq!(
            with_article("University College Cork", Role::School),
            "University College Cork"
        );
        assert_eq!(
            with_article("Supply Chain Women Network", Role::Group),
            "the Supply Chain Women Network"
        );
        assert_eq!(
            with_article("Lisbon Data Summit", Role::Event),
            "the Lisbon Data Summit"
        );
        assert_eq!(
            with_article("the Lisbon Data Summit", Role::Event),
            "the Lisbon Data Summit"
        );
        assert_eq!(
            with_article("DevConf Lisbon", Role::Event),
            "DevConf Lisbon"
        );
        assert_eq!(
            with_article("DHL Supply Chain", Role::Employer),
            "DHL Supply Chain"
        );
        assert_eq!(
            with_article("ICOM General Conference, Milan", Role::Event),
            "the ICOM General Conference in Milan"
        );
        assert_eq!(
            with_article("Aegean Tramp Shipping, Piraeus", Role::Employer),
            "Aegean Tramp Shipping in Piraeus"
        );
    }

    #[test]
    fn dates_read_naturally() {
        assert_eq!(natural_when_at("May 2025", false, (2028, 1)), "in May 2025");
        assert_eq!(
            natural_when_at("(May 2025)", false, (2028, 1)),
            "in May 2025"
        );
        assert_eq!(natural_when_at("May 2026", false, (2026, 12)), "in May");
        assert_eq!(
            natural_when_at("2010 to 2012", true, (2026, 12)),
            "from 2010 to 2012"
        );
        assert_eq!(
            natural_when_at("2010–2012", true, (2026, 12)),
            "from 2010 to 2012"
        );
        assert_eq!(
            natural_when_at("2008-2013", true, (2026, 12)),
            "from 2008 to 2013"
        );
        assert_eq!(
            natural_when_at("September 2025", false, (2026, 3)),
            "last September"
        );
        assert_eq!(
            natural_when_at("March 2025", false, (2026, 3)),
            "in March 2025"
        );
        let (y, m) = today();
        assert!(y >= 2024 && (1..=12).contains(&m));
        assert_eq!(natural_when("2009", true), "back in 2009");
        assert_eq!(natural_when("2024", false), "in 2024");
        assert_eq!(natural_when("last March", false), "last March");
    }

    #[test]
    fn reasons_join_by_their_grammar() {
        let r = Reason::parse("Compare notes on port congestion forecasting.").unwrap();
        assert_eq!(r.form, "verb");
        assert_eq!(r.text, "compare notes on port congestion forecasting");
        let r = Reason::parse("learn how they run cross-dock scheduling").unwrap();
        assert_eq!(r.text, "learn how you run cross-dock scheduling");
        let r = Reason::parse("Ask how they measured the emissions baseline").unwrap();
        assert_eq!(r.text, "ask how you measured the emissions baseline");
        let r = Reason::parse("I'm building a cold-chain tool and would value your view").unwrap();
        assert_eq!(r.form, "sentence");
        assert_eq!(
            r.text,
            "I'm building a cold-chain tool and would value your view."
        );
        let r = Reason::parse("your findings match what we see").unwrap();
        assert_eq!(r.text, "Your findings match what we see.");
        let r = Reason::parse("the emissions baseline for our fleet").unwrap();
        assert_eq!(r.form, "topic");
        assert_eq!(r.text, "the emissions baseline for our fleet");
        let r = Reason::parse("Santiago pilot data sharing").unwrap();
        assert_eq!(r.text, "Santiago pilot data sharing");
        let r = Reason::parse("Pedro tells me you removed lead from a glaze line").unwrap();
        assert_eq!(r.form, "sentence");
        let r = Reason::parse("hear how independent shops are choosing their listings").unwrap();
        assert_eq!(
            r.text,
            "hear how independent shops are choosing their listings"
        );
        let r = Reason::parse("learn how they run their cross-dock").unwrap();
        assert_eq!(r.text, "learn how you run your cross-dock");
        assert!(Reason::parse("  . ").is_none());
    }

    #[test]
    fn notes_to_myself_are_not_said_but_a_need_after_them_is() {
        assert!(Reason::parse("possible customer for the spring pilot").is_none());
        assert!(Reason::parse("Could be useful, she knows the buyers").is_none());
        let r =
            Reason::parse("Could be useful, we need a nurse to cover maternity leave from March.")
                .unwrap();
        assert_eq!(r.form, "sentence");
        assert_eq!(
            r.text,
            "We need a nurse to cover maternity leave from March."
        );
    }

    #[test]
    fn long_titles_become_a_reference() {
        assert_eq!(short_title("Cold chains"), "Cold chains");
        assert_eq!(
            short_title("Why rural clinics miss their vaccine targets: evidence from 40 districts in three countries over a decade"),
            "Why rural clinics miss their vaccine targets"
        );
        let t = short_title("The long and winding road of warehouse automation in small and medium enterprises across southern Europe");
        assert!(t.ends_with('…') && t.chars().count() <= TITLE_MAX, "{t}");
        assert!(t.starts_with("The long and winding road"), "{t}");
    }
}
