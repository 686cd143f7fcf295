//! The verifier: every draft, rule-built or model-written, passes through it before output.
//! A draft is rejected when it names a person, organisation, place, number, date or URL that is
//! not in the inputs, leaves a placeholder, breaks the character limit, is LinkedIn's default
//! text, or uses the generic phrases people complain about.

use crate::text;
use regex::Regex;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::OnceLock;

/// What a draft may mention: the words and numbers of the inputs and of the templates.
#[derive(Debug, Clone, Default)]
pub struct Grounding {
    /// Folded words of every input string (profile, me, the note).
    input_words: HashSet<String>,
    /// Folded words the templates write themselves.
    template_words: HashSet<String>,
    /// Folded words that the inputs write with a capital: the only ones a capitalised word in
    /// mid-sentence (a name) may be.
    input_caps: HashSet<String>,
    /// Folded inputs joined, for URL / e-mail look-ups.
    input_text: String,
}

impl Grounding {
    pub fn new<'a>(
        inputs: impl IntoIterator<Item = &'a str>,
        template_words: HashSet<String>,
    ) -> Grounding {
        let mut input_words = HashSet::new();
        let mut input_caps = HashSet::new();
        let mut input_text = String::new();
        for input in inputs {
            let folded = text::fold(input);
            input_words.extend(text::words(&folded).map(str::to_string));
            for word in
                input.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
            {
                if word.chars().next().is_some_and(char::is_uppercase) {
                    input_caps.extend(text::words(&text::fold(word)).map(str::to_string));
                }
            }
            input_text.push_str(&folded);
            input_text.push('\n');
        }
        Grounding {
            input_words,
            template_words,
            input_caps,
            input_text,
        }
    }

    fn knows_word(&self, folded_word: &str) -> bool {
        self.input_words.contains(folded_word) || self.template_words.contains(folded_word)
    }

    /// A capitalised word in mid-sentence is a name: the inputs must write it capitalised too
    /// (so "Will" is not grounded by "will" in a reason), or the templates must use it.
    fn knows_name(&self, folded_word: &str) -> bool {
        self.input_caps.contains(folded_word) || self.template_words.contains(folded_word)
    }

    /// Whether a folded phrase occurs in the inputs (the user's own words are not the tool's fault).
    fn inputs_contain(&self, folded_phrase: &str) -> bool {
        contains_phrase(&self.input_text, folded_phrase)
    }

    fn knows_number(&self, digits: &str) -> bool {
        self.input_words
            .iter()
            .chain(self.template_words.iter())
            .any(|w| {
                w.split(|c: char| !c.is_ascii_digit())
                    .any(|run| run == digits)
            })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    Empty,
    OverLimit {
        chars: usize,
        limit: usize,
    },
    DefaultText,
    Placeholder {
        text: String,
    },
    UnknownName {
        text: String,
    },
    UnknownNumber {
        text: String,
    },
    UnknownLink {
        text: String,
    },
    ControlChar {
        text: String,
    },
    GenericPhrase {
        text: String,
    },
    /// A model rewrite whose words mostly do not come from the draft it was asked to rewrite.
    Drifted {
        percent: u8,
    },
    /// A model rewrite cut off by its token budget.
    Unfinished,
    /// A model rewrite's clause that says something the draft did not.
    AddedClaim {
        text: String,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Empty => f.write_str("the draft is empty"),
            Problem::OverLimit { chars, limit } => {
                write!(f, "{chars} characters, over the {limit}-character limit")
            }
            Problem::DefaultText => f.write_str("uses LinkedIn's default invitation text"),
            Problem::Placeholder { text } => write!(f, "leaves a placeholder: {text}"),
            Problem::UnknownName { text } => {
                write!(f, "names \"{text}\", which is not in the inputs")
            }
            Problem::UnknownNumber { text } => write!(
                f,
                "states the number \"{text}\", which is not in the inputs"
            ),
            Problem::UnknownLink { text } => {
                write!(f, "contains the link \"{text}\" (drafts never carry links)")
            }
            Problem::ControlChar { text } => write!(f, "contains the control character {text}"),
            Problem::GenericPhrase { text } => write!(f, "generic phrase: \"{text}\""),
            Problem::Unfinished => f.write_str("the model stopped mid-message"),
            Problem::AddedClaim { text } => write!(f, "adds a claim of its own: \"{text}\""),
            Problem::Drifted { percent } => write!(
                f,
                "drifted from the draft: only {percent}% of its words come from it"
            ),
        }
    }
}

impl Grounding {
    /// Grounded decoding: whether a text being generated may still become a draft the verifier
    /// passes. Nothing written so far may be an unknown name, number, link, placeholder, chat
    /// token, control character or condemned filler, and the word in progress must still be able
    /// to become a known name or number. A model asks this of every token it considers.
    pub fn allows_prefix(&self, text: &str) -> bool {
        if text.contains([
            '[', ']', '{', '}', '<', '>', '|', '@', '#', '_', '\n', '*', '\\', '=',
        ]) {
            return false;
        }
        let folded = text::fold(text);
        if FORBIDDEN_WHILE_DECODING
            .iter()
            .any(|phrase| folded.contains(phrase))
        {
            return false;
        }
        let cut = text
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let (done, partial) = text.split_at(cut);
        let verdict = verify(done, self, None);
        let forbidden = verdict.problems.iter().any(|p| {
            matches!(
                p,
                Problem::UnknownName { .. }
                    | Problem::UnknownNumber { .. }
                    | Problem::UnknownLink { .. }
                    | Problem::Placeholder { .. }
                    | Problem::ControlChar { .. }
                    | Problem::GenericPhrase { .. }
                    | Problem::DefaultText
            )
        });
        if forbidden {
            return false;
        }
        if partial.is_empty() {
            return true;
        }
        let digits: String = partial.chars().filter(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            return self
                .input_words
                .iter()
                .chain(self.template_words.iter())
                .any(|w| {
                    w.split(|c: char| !c.is_ascii_digit())
                        .any(|run| run.starts_with(&digits))
                });
        }
        let at_sentence_start = done
            .trim_end()
            .chars()
            .next_back()
            .is_none_or(|c| matches!(c, '.' | '!' | '?' | ':' | '"' | '“' | '(' | ';'));
        if partial.chars().count() > 30 {
            return false;
        }
        let capitalised = partial.chars().next().is_some_and(char::is_uppercase)
            || partial.contains('-') && partial.chars().any(char::is_uppercase);
        if capitalised && at_sentence_start {
            // A capitalised word opening a sentence is a common word or a known one.
            let folded = text::fold(partial);
            let parts: Vec<&str> = folded.split('-').collect();
            let (last, whole) = parts.split_last().unwrap_or((&"", &[]));
            let known = |w: &str| SENTENCE_WORDS.contains(&w) || self.knows_word(w);
            return whole.iter().all(|p| known(p))
                && (SENTENCE_WORDS.iter().any(|w| w.starts_with(last))
                    || self
                        .input_words
                        .iter()
                        .chain(self.template_words.iter())
                        .any(|w| w.starts_with(last)));
        }
        if capitalised {
            // "Anne-Ma…": every finished part must be a known name, the last a prefix of one.
            let folded = text::fold(partial);
            let parts: Vec<&str> = folded.split('-').collect();
            let (last, whole) = parts.split_last().unwrap_or((&"", &[]));
            return whole.iter().all(|p| self.knows_name(p))
                && self
                    .input_caps
                    .iter()
                    .chain(self.template_words.iter())
                    .any(|w| w.starts_with(last));
        }
        true
    }
}

/// Phrases a model may not write at all: the filler the seeds condemn and the rewrite prompt's
/// own words leaking into the message.
const FORBIDDEN_WHILE_DECODING: &[&str] = &[
    "http",
    "www",
    ".com",
    "hope this message finds",
    "hope this finds you",
    "hope this note finds",
    "hope you are doing well",
    "hope you're doing well",
    "hope you're well",
    "hope you are well",
    "paraphrase",
    "rewrit",
    "no new details",
    "same meaning",
    "keep every name",
    "reads naturally",
    "original message",
    "the message was",
    "rewritten message",
];

/// The verifier's answer: no problems means the draft may be shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Verdict {
    pub problems: Vec<Problem>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn summary(&self) -> String {
        self.problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Phrases that make a message sound generic or machine-written (folded forms), with the fix the
/// linter suggests.
pub const GENERIC_PHRASES: &[(&str, &str)] = &[
    (
        "i hope this message finds you well",
        "open with the reason you are writing",
    ),
    (
        "i hope this finds you well",
        "open with the reason you are writing",
    ),
    (
        "your profile stood out",
        "say what in their profile, specifically",
    ),
    (
        "your profile caught my eye",
        "say what in their profile, specifically",
    ),
    (
        "i came across your profile",
        "say where and why you noticed them",
    ),
    (
        "loved your recent post",
        "name the post and what you took from it",
    ),
    (
        "i was impressed by your background",
        "name the part of their work you mean",
    ),
    ("synergy", "say concretely what you could do together"),
    ("synergies", "say concretely what you could do together"),
    ("touch base", "say what you want to talk about"),
    ("circle back", "say what you want to talk about"),
    ("leverage", "use a plain verb"),
    ("in today's fast-paced", "cut the preamble"),
    (
        "i'd love to pick your brain",
        "ask one specific question instead",
    ),
    ("win-win", "say what each of you gains"),
    ("as an ai", "write in your own voice"),
];

/// LinkedIn's default invitation text, folded.
pub const DEFAULT_TEXT_MARKERS: &[&str] = &[
    "i'd like to add you to my professional network",
    "i'd like to add you to my linkedin network",
    "i would like to add you to my professional network",
];

/// Words that may start a sentence capitalised without being a name.
const SENTENCE_WORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "again",
    "all",
    "also",
    "an",
    "and",
    "any",
    "anyway",
    "appreciate",
    "are",
    "as",
    "at",
    "be",
    "because",
    "before",
    "best",
    "both",
    "but",
    "by",
    "can",
    "cheers",
    "congratulations",
    "could",
    "dear",
    "did",
    "do",
    "enjoyed",
    "even",
    "every",
    "excited",
    "feel",
    "for",
    "from",
    "glad",
    "good",
    "great",
    "had",
    "happy",
    "has",
    "have",
    "hello",
    "hey",
    "hi",
    "hope",
    "how",
    "i",
    "i'd",
    "i'll",
    "i'm",
    "i've",
    "if",
    "in",
    "is",
    "it",
    "it's",
    "just",
    "kind",
    "kindly",
    "let",
    "let's",
    "looking",
    "many",
    "may",
    "maybe",
    "meanwhile",
    "more",
    "most",
    "much",
    "my",
    "nice",
    "no",
    "not",
    "now",
    "of",
    "on",
    "once",
    "one",
    "or",
    "our",
    "perhaps",
    "please",
    "pleasure",
    "regards",
    "really",
    "since",
    "sincerely",
    "so",
    "sorry",
    "still",
    "thank",
    "thanks",
    "that",
    "the",
    "their",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "to",
    "today",
    "together",
    "unless",
    "we",
    "we'd",
    "we're",
    "we've",
    "warm",
    "warmly",
    "welcome",
    "well",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "would",
    "yes",
    "yet",
    "you",
    "you're",
    "your",
    "linkedin",
    "mr",
    "ms",
    "mrs",
    "dr",
    "sir",
    "madam",
    "hola",
    "bonjour",
    "hallo",
    "what's",
    "it's",
    "that's",
    "there's",
    "here's",
    "let's",
    "how's",
    "who's",
    "she's",
    "he's",
    "they're",
    "we'll",
    "you'll",
    "fantastic",
    "wonderful",
    "lovely",
    "absolutely",
    "certainly",
    "sure",
    "ok",
    "okay",
    "ps",
];

/// Whether a folded word is a common word that may start a sentence capitalised.
pub fn is_sentence_word(folded: &str) -> bool {
    SENTENCE_WORDS.contains(&folded)
}

/// Whether `phrase` occurs in `text` as whole words (both folded).
pub fn contains_phrase(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Spelled-out numbers are numbers too: "twenty days" must come from the inputs like "20 days".
const NUMBER_WORDS: &[&str] = &[
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "billion",
    "dozen",
    "dozens",
];

/// "Dana's" → "dana": a possessive is grounded by the name.
fn strip_possessive(folded: &str) -> &str {
    folded.strip_suffix("'s").unwrap_or(folded)
}

/// A word of a draft: letters and digits with inner apostrophes and hyphens.
fn token() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"[\p{L}\p{N}][\p{L}\p{N}'’-]*").expect("static regex"))
}

/// Check a draft against the inputs. `limit` is in characters (Unicode scalar values).
pub fn verify(draft: &str, grounding: &Grounding, limit: Option<usize>) -> Verdict {
    let mut problems = Vec::new();
    let folded = text::fold(draft);
    if folded.is_empty() {
        return Verdict {
            problems: vec![Problem::Empty],
        };
    }
    if let Some(limit) = limit {
        let chars = text::char_count(draft);
        if chars > limit {
            problems.push(Problem::OverLimit { chars, limit });
        }
    }
    if DEFAULT_TEXT_MARKERS
        .iter()
        .any(|m| folded.contains(m) && !grounding.inputs_contain(m))
    {
        problems.push(Problem::DefaultText);
    }
    // The same placeholder and link patterns that refuse them in the inputs.
    let (placeholder, link, token) = (
        crate::untrusted::placeholder(),
        crate::untrusted::link(),
        token(),
    );
    // Placeholders, links, chat tokens and control characters are refused whatever the inputs
    // say: inputs are data, and a hostile profile must not carry them into a reply.
    for m in placeholder.find_iter(draft) {
        problems.push(Problem::Placeholder {
            text: m.as_str().to_string(),
        });
    }
    let mut link_spans = Vec::new();
    for m in link.find_iter(draft) {
        link_spans.push(m.range());
        problems.push(Problem::UnknownLink {
            text: m.as_str().to_string(),
        });
    }
    if let Some(token) = crate::untrusted::chat_token(draft) {
        problems.push(Problem::Placeholder {
            text: token.to_string(),
        });
    }
    if let Some(c) = crate::untrusted::control_char(draft) {
        problems.push(Problem::ControlChar {
            text: format!("{c:?}"),
        });
    }
    let mut seen = HashSet::new();
    let mut sentence_start = true;
    let mut last_end = 0;
    for m in token.find_iter(draft) {
        let gap = &draft[last_end..m.start()];
        if last_end == 0 || gap.contains(['.', '!', '?', '\n', ':', '"', '“', '(', '—', ';']) {
            sentence_start = true;
        }
        last_end = m.end();
        let at_start = std::mem::replace(&mut sentence_start, false);
        if link_spans.iter().any(|r| r.contains(&m.start())) {
            continue;
        }
        let word = m.as_str().trim_end_matches(['\'', '’', '-']);
        let folded_full = text::fold(word);
        let folded_word = strip_possessive(&folded_full).to_string();
        if word.chars().any(|c| c.is_ascii_digit()) {
            for digits in word
                .split(|c: char| !c.is_ascii_digit())
                .filter(|d| !d.is_empty())
            {
                if !grounding.knows_number(digits) && seen.insert(digits.to_string()) {
                    problems.push(Problem::UnknownNumber {
                        text: word.to_string(),
                    });
                }
            }
            continue;
        }
        if NUMBER_WORDS.contains(&folded_word.as_str()) {
            if !grounding.knows_word(&folded_word) && seen.insert(folded_word.clone()) {
                problems.push(Problem::UnknownNumber {
                    text: word.to_string(),
                });
            }
            continue;
        }
        let capitalised = word.chars().next().is_some_and(char::is_uppercase);
        if !capitalised {
            continue;
        }
        if at_start
            && (SENTENCE_WORDS.contains(&folded_full.as_str())
                || SENTENCE_WORDS.contains(&folded_word.as_str())
                || grounding.knows_word(&folded_word))
        {
            continue;
        }
        // Hyphenated and apostrophe names ("Anne-Marie", "O'Neil") are grounded part by part.
        let known = |w: &str| {
            if at_start {
                grounding.knows_word(w)
            } else {
                grounding.knows_name(w)
            }
        };
        if known(&folded_word) || text::words(&folded_word.replace('-', " ")).all(known) {
            continue;
        }
        if seen.insert(folded_word.clone()) {
            problems.push(Problem::UnknownName {
                text: word.to_string(),
            });
        }
    }
    for (phrase, _) in GENERIC_PHRASES {
        if contains_phrase(&folded, phrase) && !grounding.inputs_contain(phrase) {
            problems.push(Problem::GenericPhrase {
                text: (*phrase).to_string(),
            });
        }
    }
    Verdict { problems }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grounding() -> Grounding {
        Grounding::new(
            [
                "Dana Reyes",
                "DevConf Lisbon",
                "May 2025",
                "Northwind Logistics",
                "https://dana.example.org/talk",
                "Sam",
            ],
            ["hi", "great", "to", "meet", "you", "at", "best"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        )
    }

    #[test]
    fn grounded_draft_passes() {
        let v = verify(
            "Hi Dana, great to meet you at DevConf Lisbon (May 2025). Best, Sam",
            &grounding(),
            Some(200),
        );
        assert!(v.passed(), "{}", v.summary());
    }

    #[test]
    fn invented_person_and_place_are_caught() {
        let v = verify(
            "Dear Priya Shah, my name is Alexei Petrov from Boston.",
            &grounding(),
            None,
        );
        let names: Vec<String> = v
            .problems
            .iter()
            .filter_map(|p| match p {
                Problem::UnknownName { text } => Some(text.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(names, vec!["Priya", "Shah", "Alexei", "Petrov", "Boston"]);
    }

    #[test]
    fn invented_number_date_and_link_are_caught() {
        let v = verify(
            "Hi Dana, see https://evil.example.com on 12 March, 2024.",
            &grounding(),
            None,
        );
        let s = v.summary();
        assert!(s.contains("evil.example.com"), "{s}");
        assert!(s.contains("\"12\""), "{s}");
        assert!(s.contains("March"), "{s}");
        assert!(s.contains("2024"), "{s}");
        // A link is refused even when the inputs have it: drafts never carry links.
        let linked = verify(
            "Hi Dana, the talk at https://dana.example.org/talk was great.",
            &grounding(),
            None,
        );
        assert!(
            linked.summary().contains("never carry links"),
            "{}",
            linked.summary()
        );
    }

    #[test]
    fn placeholders_limit_and_default_text_are_caught() {
        let v = verify(
            "Hi [Name], I'd like to add you to my professional network on LinkedIn. {company}",
            &grounding(),
            Some(20),
        );
        let kinds: Vec<&str> = v
            .problems
            .iter()
            .map(|p| match p {
                Problem::OverLimit { .. } => "limit",
                Problem::DefaultText => "default",
                Problem::Placeholder { .. } => "placeholder",
                _ => "other",
            })
            .collect();
        assert!(
            kinds.contains(&"limit") && kinds.contains(&"default"),
            "{kinds:?}"
        );
        assert_eq!(
            kinds.iter().filter(|k| **k == "placeholder").count(),
            2,
            "{kinds:?}"
        );
    }

    #[test]
    fn limit_counts_characters_not_bytes() {
        let g = Grounding::new(["Zoë"], HashSet::new());
        assert!(verify("Zoë", &g, Some(3)).passed());
        assert!(!verify("Zoë!", &g, Some(3)).passed());
    }

    #[test]
    fn generic_phrases_are_rejected() {
        let v = verify(
            "Hi Dana, I hope this message finds you well.",
            &grounding(),
            None,
        );
        assert!(v.summary().contains("generic phrase"), "{}", v.summary());
    }

    #[test]
    fn possessives_contractions_and_case_sensitive_names() {
        let g = Grounding::new(["Dana Reyes", "I will help"], HashSet::new());
        assert!(verify("What's new? Dana's talk was great.", &g, None).passed());
        let v = verify("Thanks, I met Will there.", &g, None);
        assert!(v.summary().contains("Will"), "{}", v.summary());
    }

    #[test]
    fn spelled_out_numbers_must_be_grounded() {
        let g = Grounding::new(["a team of twelve"], HashSet::new());
        assert!(verify("Your team of twelve impressed me.", &g, None).passed());
        assert!(verify("See you in twenty days.", &g, None)
            .summary()
            .contains("twenty"));
    }

    #[test]
    fn the_users_own_words_are_not_problems() {
        let g = Grounding::new(
            ["[Preprint] Cold chains", "synergy lab"],
            std::collections::HashSet::new(),
        );
        assert!(verify("About Cold chains and the synergy lab.", &g, None).passed());
        // A placeholder is refused even when the inputs have it.
        assert!(!verify("About [Preprint] Cold chains.", &g, None).passed());
        assert!(!contains_phrase("as an aid worker", "as an ai"));
        assert!(contains_phrase("as an ai, i", "as an ai"));
    }

    #[test]
    fn empty_draft_fails() {
        assert_eq!(
            verify("  \n", &grounding(), None).problems,
            vec![Problem::Empty]
        );
    }
}

#[cfg(test)]
mod grounded_decoding_tests {
    use super::*;

    fn grounding() -> Grounding {
        Grounding::new(
            [
                "Dana Reyes",
                "the Lisbon Data Summit",
                "May 2025",
                "call_minutes 10",
            ],
            [
                "great", "meeting", "you", "at", "i'd", "like", "to", "stay", "in", "touch",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        )
    }

    /// The mask cannot produce an invented name, number, link, placeholder or chat token, even
    /// one token at a time.
    #[test]
    fn the_guard_refuses_what_the_verifier_forbids_as_it_is_typed() {
        let g = grounding();
        for ok in [
            "great meeting you at the Lisbon",
            "great meeting you at the Lis",
            "great meeting you in May 20",
            "great meeting you in May 2025. I'd like to stay in touch with Dana",
            "Great",
        ] {
            assert!(g.allows_prefix(ok), "{ok:?} refused");
        }
        for bad in [
            "great meeting you at RustC",
            "great meeting you at RustCon ",
            "see you on Tuesday",
            "see you in 3",
            "call me at 4",
            "see http",
            "visit www",
            "Hi [",
            "Hi {{",
            "<|im_start|>",
            "I hope this message finds",
            "Small-Lingua-Bilingual",
            "Priya",
            "meeting you, Priya",
        ] {
            assert!(!g.allows_prefix(bad), "{bad:?} allowed");
        }
    }
}
