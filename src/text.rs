//! Small text helpers shared by the classifier, the drafter, the verifier and the linter.

/// Characters as the network counts them: Unicode scalar values.
pub fn char_count(text: &str) -> usize {
    text.chars().count()
}

/// Lower-case, strip accents, map curly quotes and dashes to ASCII, and collapse whitespace, so
/// that phrase matching works across "I’d"/"I'd", "Müller"/"muller" and stray spaces.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return fold_ascii(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last_space = true;
    let mut push = |c: char| {
        if c.is_ascii_lowercase() || c == '\'' {
            out.push(c);
            last_space = false;
            return;
        }
        // Accents go: decomposed letters leave their combining marks behind.
        if unicode_normalization::char::is_combining_mark(c) || is_invisible(c) {
            return;
        }
        let c = confusable(c).unwrap_or(c);
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            'ß' => {
                out.push_str("ss");
                last_space = false;
                return;
            }
            c => c,
        };
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.extend(c.to_lowercase());
            last_space = false;
        }
    };
    // Each character decomposed on its own: canonical reordering (the rest of NFD) only moves
    // combining marks, and those are dropped anyway.
    for c in text.chars() {
        if c.is_ascii() {
            // Nothing to decompose, confuse or look up in Unicode tables.
            match c {
                ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' => push(' '),
                '`' => push('\''),
                c => push(c.to_ascii_lowercase()),
            }
        } else {
            unicode_normalization::char::decompose_canonical(c, &mut push);
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Zero-width and other invisible format characters: a word split by them is still one word.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}')
}

/// Cyrillic and Greek letters that look like Latin ones ("Frее dеmо" with Cyrillic е and о),
/// so that a disguised word matches like the plain one.
fn confusable(c: char) -> Option<char> {
    Some(match c {
        'а' | 'α' => 'a',
        'е' | 'ε' => 'e',
        'о' | 'ο' => 'o',
        'р' | 'ρ' => 'p',
        'с' => 'c',
        'у' | 'γ' => 'y',
        'х' | 'χ' => 'x',
        'і' | 'ι' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ԁ' => 'd',
        'һ' => 'h',
        'ν' => 'v',
        'к' | 'κ' => 'k',
        'м' => 'm',
        'т' | 'τ' => 't',
        'в' => 'b',
        'н' | 'η' => 'h',
        'А' | 'Α' => 'A',
        'В' | 'Β' => 'B',
        'Е' | 'Ε' => 'E',
        'К' | 'Κ' => 'K',
        'М' | 'Μ' => 'M',
        'Н' | 'Η' => 'H',
        'О' | 'Ο' => 'O',
        'Р' | 'Ρ' => 'P',
        'С' => 'C',
        'Т' | 'Τ' => 'T',
        'Х' | 'Χ' => 'X',
        'У' => 'Y',
        'І' | 'Ι' => 'I',
        'Ѕ' => 'S',
        _ => return None,
    })
}

/// Whether a text disguises its words: invisible characters inside it, or Latin words with
/// Cyrillic/Greek look-alike letters mixed in.
pub fn is_disguised(text: &str) -> bool {
    // Invisible characters and look-alike letters are all outside ASCII.
    if text.is_ascii()
        || !text
            .chars()
            .any(|c| is_invisible(c) || confusable(c).is_some())
    {
        return false;
    }
    if text.chars().any(is_invisible) {
        return true;
    }
    text.split(|c: char| !c.is_alphanumeric()).any(|word| {
        let latin = word.chars().any(|c| c.is_ascii_alphabetic());
        latin && word.chars().any(|c| confusable(c).is_some())
    })
}

/// [`fold`] for ASCII text, which has no accents or typographic quotes to map (the common case).
fn fold_ascii(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    let mut last_space = true;
    for b in text.bytes() {
        if b.is_ascii_whitespace() || b == 0x0b {
            if !last_space {
                out.push(b' ');
            }
            last_space = true;
        } else {
            out.push(if b == b'`' {
                b'\''
            } else {
                b.to_ascii_lowercase()
            });
            last_space = false;
        }
    }
    if out.last() == Some(&b' ') {
        out.pop();
    }
    // Every byte pushed is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// The first `max` characters of a text on one line (line breaks become spaces), for listings.
pub fn one_line(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect()
}

/// Words of a folded text: maximal runs of letters, digits and apostrophes.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
}

/// Honorifics that precede a name and must not be taken for the first name.
const TITLES: &[&str] = &[
    "dr",
    "dr.",
    "prof",
    "prof.",
    "professor",
    "mr",
    "mr.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "mx",
    "mx.",
    "sir",
    "dame",
    "rev",
    "rev.",
    "herr",
    "frau",
    "m.",
    "mme",
    "mme.",
    "sr.",
    "sra.",
    "don",
    "dona",
];

/// The name to greet someone by: the first word of their name that is not a title,
/// keeping accents, apostrophes and hyphens ("Dr. Anne-Marie O'Neil, PhD" → "Anne-Marie").
pub fn first_name(full_name: &str) -> String {
    // "O'Neil, Anne" is last-name-first; "Anne O'Neil, PhD" has a suffix after the comma.
    let name = match full_name.split_once(',') {
        Some((_, after)) if !is_suffix(after) && !after.trim().is_empty() => after,
        Some((before, _)) => before,
        None => full_name,
    };
    let words: Vec<&str> = name.split_whitespace().collect();
    let is_title = |w: &str| TITLES.contains(&w.to_lowercase().as_str());
    let rest: Vec<&str> = words.iter().copied().skip_while(|w| is_title(w)).collect();
    let chosen = match (rest.as_slice(), words.first()) {
        // "Dr. Smith": with only a surname after the title, greet by title and surname.
        ([surname], Some(title)) if words.len() == 2 && is_title(title) => {
            format!("{title} {surname}")
        }
        // "Park Ji-ho", "Wang Mei-Ling": a common East Asian family name before a hyphenated
        // given name is written family name first.
        ([family, given], _) if is_family_first(family, given) => given.to_string(),
        // "Zhou Mingyu", "Takahashi Reiko", "Koh Wei Ming", "Nguyen Van An": a family name that
        // is no Western given name, followed by names that are no family names.
        ([family, given @ ..], _)
            if (1..=3).contains(&given.len()) && is_family_first_unhyphenated(family, given) =>
        {
            if VIETNAMESE_FAMILY.contains(&fold(family).as_str()) {
                // Vietnamese names are said by the last given name.
                given[given.len() - 1].to_string()
            } else {
                given.join(" ")
            }
        }
        ([first, ..], _) => first
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_string(),
        ([], _) => String::new(),
    };
    let chosen = if chosen.is_empty() {
        full_name.trim().to_string()
    } else {
        chosen
    };
    if chosen.chars().filter(|c| c.is_alphabetic()).count() > 1
        && !chosen.chars().any(char::is_lowercase)
    {
        title_case(&chosen)
    } else {
        chosen
    }
}

/// Family names that, written before a hyphenated given name, mark family-name-first order.
const FAMILY_FIRST: &[&str] = &[
    "park", "kim", "lee", "choi", "jung", "jeong", "kang", "cho", "yoon", "jang", "lim", "han",
    "shin", "seo", "kwon", "hwang", "ahn", "song", "wang", "li", "zhang", "liu", "chen", "yang",
    "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo", "lin", "he", "gao",
    "luo", "tan", "ng", "wong", "chan", "cheung", "lau", "nguyen", "tran", "le", "pham", "baek",
    "bae", "yoo", "nam", "noh", "ryu", "jeon", "hong", "kwak", "cha", "joo", "min", "yu",
    // Taiwanese (Wade-Giles) spellings
    "hsu", "tsai", "hsieh", "chiu", "kuo", "lai", "tseng", "chang", "chou", "yeh", "su", "lo",
    "liang", "cheng", "weng", "tsao", "hung", "chien", "chuang", "hsiao",
];

/// Family names that are no Western given names (unlike "Lee", "Kim", "Le", "Ma" or "Song"), so
/// that written first, without a hyphenated given name, they still mark family-name-first order.
const FAMILY_FIRST_UNAMBIGUOUS: &[&str] = &[
    // Chinese (mainland, Taiwan, Singapore and Malaysia spellings)
    "zhou",
    "zhang",
    "wang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "xu",
    "zhu",
    "guo",
    "gao",
    "luo",
    "hu",
    "deng",
    "feng",
    "cao",
    "peng",
    "zeng",
    "xiao",
    "tian",
    "dong",
    "pan",
    "yuan",
    "cai",
    "jiang",
    "du",
    "ye",
    "cheng",
    "xie",
    "shen",
    "yao",
    "zhong",
    "tang",
    "koh",
    "goh",
    "teo",
    "ong",
    "tan",
    "chua",
    "yeo",
    "toh",
    "wong",
    "cheung",
    "chan",
    "lau",
    "ng",
    // Japanese
    "sato",
    "suzuki",
    "takahashi",
    "tanaka",
    "watanabe",
    "ito",
    "yamamoto",
    "nakamura",
    "kobayashi",
    "kato",
    "yoshida",
    "yamada",
    "sasaki",
    "yamaguchi",
    "matsumoto",
    "inoue",
    "kimura",
    "hayashi",
    "shimizu",
    "yamazaki",
    "ikeda",
    "hashimoto",
    "ishikawa",
    "ogawa",
    "okada",
    "fujita",
    "goto",
    "hasegawa",
    "murakami",
    "kondo",
    "ishii",
    "saito",
    "sakamoto",
    "endo",
    "aoki",
    "fujii",
    "nishimura",
    "fukuda",
    "miura",
    "fujiwara",
    "okamoto",
    "matsuda",
    "nakagawa",
    "nakano",
    "harada",
    "tamura",
    "takeuchi",
    "kaneko",
    "wada",
    "nakayama",
    "ishida",
    "ueda",
    "morita",
    "shibata",
    "sakai",
    "kudo",
    "yokoyama",
    "miyazaki",
    "miyamoto",
    "uchida",
    "takagi",
    "ando",
    "taniguchi",
    "maruyama",
    "imai",
    "takeda",
    "murata",
    "ueno",
    "sugiyama",
    "masuda",
    "hirano",
    "otsuka",
    "kubo",
    "matsui",
    "iwasaki",
    "sakurai",
    "kinoshita",
    "noguchi",
    "matsuo",
    "nomura",
    "kikuchi",
    "sano",
    "onishi",
    "sugimoto",
    "arai",
    // Vietnamese
    "nguyen",
    "tran",
    "pham",
    "hoang",
    "phan",
    "vu",
    "vo",
    "dang",
    "bui",
    "ngo",
    "duong",
];

const VIETNAMESE_FAMILY: &[&str] = &[
    "nguyen", "tran", "le", "pham", "hoang", "phan", "vu", "vo", "dang", "bui", "do", "ho", "ngo",
    "duong",
];

/// Endings of Japanese family names ("Morimoto", "Nakagawa", "Oshima") that Western given names
/// do not have.
const JAPANESE_FAMILY_ENDINGS: &[&str] = &[
    "moto", "mura", "kawa", "gawa", "yama", "shita", "saki", "zaki", "hara", "bara", "jima",
    "shima", "guchi", "hashi", "naka", "tani", "mori",
];

fn looks_japanese_family_first(family: &str, given: &[&str]) -> bool {
    let [given] = given else { return false };
    let g = fold(given);
    family.chars().count() >= 5
        && JAPANESE_FAMILY_ENDINGS.iter().any(|e| family.ends_with(e))
        && !JAPANESE_FAMILY_ENDINGS.iter().any(|e| g.ends_with(e))
        && g.ends_with(['a', 'e', 'i', 'o', 'u', 'n'])
}

fn is_family_first_unhyphenated(family: &str, given: &[&str]) -> bool {
    let is_family = |w: &str| {
        let w = fold(w);
        FAMILY_FIRST.contains(&w.as_str()) || FAMILY_FIRST_UNAMBIGUOUS.contains(&w.as_str())
    };
    let family = fold(family);
    // Only Vietnamese names run to three given names ("Trần Thị Mai Anh").
    if given.len() == 3 && !VIETNAMESE_FAMILY.contains(&family.as_str()) {
        return false;
    }
    (FAMILY_FIRST_UNAMBIGUOUS.contains(&family.as_str())
        || looks_japanese_family_first(&family, given))
        && !given.iter().any(|g| is_family(g))
        && given
            .iter()
            .all(|g| g.chars().next().is_some_and(char::is_uppercase))
}

fn is_family_first(family: &str, given: &str) -> bool {
    FAMILY_FIRST.contains(&fold(family).as_str())
        && given.contains('-')
        && given.chars().next().is_some_and(char::is_uppercase)
}

const SUFFIXES: &[&str] = &[
    "phd", "ph.d.", "mba", "md", "m.d.", "jr", "jr.", "sr", "sr.", "cpa", "pe", "esq", "esq.",
    "ii", "iii", "iv", "dds", "rn", "msc", "ma", "bsc", "ba", "cfa", "pmp", "llm", "mph", "frcs",
];

fn is_suffix(text: &str) -> bool {
    let words: Vec<String> = text
        .split([',', ' '])
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    !words.is_empty() && words.iter().all(|w| SUFFIXES.contains(&w.as_str()))
}

/// "ANNE-MARIE" → "Anne-Marie", "O'NEIL" → "O'Neil".
fn title_case(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut start = true;
    for c in word.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphanumeric();
    }
    out
}

/// Join paragraphs written one clause per line: consecutive non-empty lines form a paragraph
/// joined by single spaces; blank lines separate paragraphs; a line ending in `\\` keeps its
/// line break (for sign-offs). Spaces before punctuation go.
pub fn tidy_paragraphs(raw: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut hard_break = false;
    for line in raw.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            hard_break = false;
            continue;
        }
        let (line, breaks) = match line.strip_suffix('\\') {
            Some(rest) => (rest.trim_end(), true),
            None => (line, false),
        };
        if !current.is_empty() {
            current.push(if hard_break { '\n' } else { ' ' });
        }
        current.push_str(line);
        hard_break = breaks;
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs
        .iter()
        .map(|p| {
            p.lines()
                .map(collapse_spaces)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let glue = matches!(
            word.chars().next(),
            Some(',' | '.' | '!' | '?' | ';' | ':' | ')')
        );
        if !out.is_empty() && !glue {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// An optional field's text, trimmed, or `None` when absent or blank.
pub fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// Capitalise the first letter of every sentence that starts after ". ", "! " or "? " (a clause
/// that continues "Hi Dana," stays lower case).
pub fn capitalize_sentences(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_stop = false;
    let mut prev_space = false;
    for c in text.chars() {
        if after_stop && prev_space && c.is_lowercase() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        if matches!(c, '.' | '!' | '?') {
            after_stop = true;
        } else if !c.is_whitespace() {
            after_stop = after_stop && c == '"';
        }
        prev_space = c == ' ';
    }
    out
}

/// Join a list the way a person writes it: "a", "a and b", "a, b and c".
pub fn join_list(items: &[String], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_scalar_values_not_bytes() {
        assert_eq!(char_count("Zoë 🚀"), 5);
        assert_eq!("Zoë 🚀".len(), 9);
    }

    #[test]
    fn fold_strips_accents_quotes_and_spaces() {
        assert_eq!(fold("  I’d  like\tMÜLLER  Café "), "i'd like muller cafe");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold(" Hi\n\tTHERE `x` "), "hi there 'x'");
        // Decomposed input, stacked marks, Vietnamese, German, Cyrillic look-alikes.
        assert_eq!(
            fold("Cafe\u{301} Nguyễn Ðà Nẵng Ärger Frее"),
            "cafe nguyen ðа nang arger free".replace('а', "a")
        );
    }

    #[test]
    fn fold_matches_full_nfd_on_the_corpus() {
        use unicode_normalization::UnicodeNormalization;
        // The reference: the whole text through NFD, then the same mapping per character.
        fn reference(text: &str) -> String {
            let mapped: String = text
                .nfd()
                .filter(|&c| !unicode_normalization::char::is_combining_mark(c) && !is_invisible(c))
                .map(|c| confusable(c).unwrap_or(c))
                .collect();
            fold(&mapped)
        }
        let notes = crate::embed_classifier::corpus();
        for note in notes
            .iter()
            .map(|n| n.text.as_str())
            .chain(["e\u{301}\u{323}x", "ǅ Ω Å"])
        {
            assert_eq!(fold(note), reference(note), "{note:?}");
        }
    }

    #[test]
    fn first_name_skips_titles_and_suffixes() {
        assert_eq!(first_name("Dr. Anne-Marie O'Neil, PhD"), "Anne-Marie");
        assert_eq!(first_name("José Álvarez"), "José");
        assert_eq!(first_name("Prof Zoë Li"), "Zoë");
        assert_eq!(first_name("Cher"), "Cher");
        assert_eq!(first_name("D'Arcy Smith"), "D'Arcy");
        assert_eq!(first_name("O'Neil, Anne"), "Anne");
        assert_eq!(first_name("Anne O'Neil, PhD, MBA"), "Anne");
        assert_eq!(first_name("Dr. Smith"), "Dr. Smith");
        assert_eq!(first_name("ANNE-MARIE DUPONT"), "Anne-Marie");
        assert_eq!(first_name("Dr."), "Dr.");
        assert_eq!(first_name("Park Ji-ho"), "Ji-ho");
        assert_eq!(first_name("Zhou Mingyu"), "Mingyu");
        assert_eq!(first_name("Prof. Takahashi Reiko"), "Reiko");
        assert_eq!(first_name("Koh Wei Ming"), "Wei Ming");
        assert_eq!(first_name("Nguyen Van An"), "An");
        assert_eq!(first_name("Trần Thị Mai Anh"), "Anh");
        assert_eq!(first_name("Baek Seo-yeon"), "Seo-yeon");
        assert_eq!(first_name("Hsu Pei-ling"), "Pei-ling");
        assert_eq!(first_name("Morimoto Haruka"), "Haruka");
        assert_eq!(first_name("Haruka Morimoto"), "Haruka");
        assert_eq!(first_name("Anna Nakamura"), "Anna");
        assert_eq!(first_name("Mingyu Zhou"), "Mingyu");
        assert_eq!(first_name("Kim Jensen"), "Kim");
        assert_eq!(first_name("Tan Chen"), "Tan");
        assert_eq!(first_name("Lee Park"), "Lee");
        assert_eq!(first_name("Jae-won Choi"), "Jae-won");
    }

    #[test]
    fn tidy_joins_lines_and_keeps_paragraphs() {
        let raw = "Hi Dana,\n  thanks for reaching out .\n\n\n\nBest, \\\nSam\n";
        assert_eq!(
            tidy_paragraphs(raw),
            "Hi Dana, thanks for reaching out.\n\nBest,\nSam"
        );
    }

    #[test]
    fn sentences_start_with_a_capital() {
        assert_eq!(
            capitalize_sentences("Hi Dana, thanks for the note. great meeting you! what next?"),
            "Hi Dana, thanks for the note. Great meeting you! What next?"
        );
    }

    #[test]
    fn disguised_words_fold_like_plain_ones() {
        assert_eq!(
            fold("W\u{200b}e h\u{200b}elp Frее dеmо"),
            "we help free demo"
        );
        assert!(is_disguised("Frее dеmо"));
        assert!(is_disguised("W\u{200b}e help"));
        assert!(!is_disguised("Привет, Dana"));
        assert!(!is_disguised("Café Zoë"));
    }

    #[test]
    fn join_list_reads_naturally() {
        let items: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(join_list(&items, "and"), "a, b and c");
        assert_eq!(join_list(&items[..1], "and"), "a");
    }
}
