//! The minijinja templates every phrasing lives in: the draft templates and the model prompts.
//! Defaults are compiled in from `prompts/`; `--prompts DIR` overrides any of them by file name.

use crate::error::{Error, Result};
use minijinja::{Environment, Value};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// The built-in templates, by name.
const BUILTIN: &[(&str, &str)] = &[
    ("invite.j2", include_str!("../prompts/invite.j2")),
    ("ask.j2", include_str!("../prompts/ask.j2")),
    ("decline.j2", include_str!("../prompts/decline.j2")),
    ("followup.j2", include_str!("../prompts/followup.j2")),
    (
        "rewrite_system.j2",
        include_str!("../prompts/rewrite_system.j2"),
    ),
    (
        "rewrite_user.j2",
        include_str!("../prompts/rewrite_user.j2"),
    ),
    ("judge.j2", include_str!("../prompts/judge.j2")),
];

/// A loaded set of templates: the built-ins, with any file of the same name in the override
/// directory taking their place.
pub struct Prompts {
    env: Environment<'static>,
    sources: BTreeMap<String, String>,
}

impl Prompts {
    pub fn builtin() -> Prompts {
        // Built-in templates are part of the binary and covered by tests.
        Prompts::load(None).unwrap_or_else(|e| panic!("built-in templates: {e}"))
    }

    pub fn load(override_dir: Option<&Path>) -> Result<Prompts> {
        let mut overridden: BTreeMap<String, PathBuf> = BTreeMap::new();
        let mut sources: BTreeMap<String, String> = BUILTIN
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect();
        if let Some(dir) = override_dir {
            if !dir.is_dir() {
                return Err(Error::Usage(format!(
                    "--prompts {}: not a directory",
                    dir.display()
                )));
            }
            for name in BUILTIN.iter().map(|(n, _)| *n) {
                let path: PathBuf = dir.join(name);
                if path.is_file() {
                    sources.insert(name.to_string(), crate::input::read_text_file(&path)?);
                    overridden.insert(name.to_string(), path);
                }
            }
        }
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_function("pick", pick);
        // Python string methods (`.split()`, `.strip()`…) for users' own templates.
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_filter("join_list", join_list);
        for (name, text) in &sources {
            // A broken override is bad input: name its file and line.
            env.add_template_owned(name.clone(), text.clone())
                .map_err(|e| match overridden.get(name) {
                    Some(path) => crate::Error::input_at(
                        crate::error::Source::File(path.clone()),
                        e.line(),
                        None,
                        None,
                        e.to_string(),
                    ),
                    None => Error::Template {
                        name: name.clone(),
                        message: describe(&e),
                    },
                })?;
        }
        Ok(Prompts { env, sources })
    }

    pub fn render(&self, name: &str, context: &Value) -> Result<String> {
        let template = self.env.get_template(name).map_err(|e| Error::Template {
            name: name.into(),
            message: describe(&e),
        })?;
        template.render(context).map_err(|e| Error::Template {
            name: name.into(),
            message: describe(&e),
        })
    }

    /// Every word written literally in the draft templates (outside `{{ }}`/`{% %}` tags, plus
    /// quoted strings inside them): what the rule engine itself may say, for the verifier. The
    /// model prompts are left out: a model copying their examples is inventing.
    pub fn vocabulary(&self) -> HashSet<String> {
        let mut words = HashSet::new();
        let drafts = self
            .sources
            .iter()
            .filter(|(name, _)| !name.starts_with("rewrite_") && *name != "judge.j2");
        for (_, text) in drafts {
            let mut literal = String::with_capacity(text.len());
            let mut rest = text.as_str();
            while let Some(open) = rest.find(['{']) {
                let (before, after) = rest.split_at(open);
                literal.push_str(before);
                let close_tag = match after.get(..2) {
                    Some("{{") => "}}",
                    Some("{%") => "%}",
                    Some("{#") => "#}",
                    _ => {
                        literal.push('{');
                        rest = &after[1..];
                        continue;
                    }
                };
                let end = after.find(close_tag).map_or(after.len(), |i| i + 2);
                let tag = &after[..end];
                if !tag.starts_with("{#") {
                    // String literals inside tags are phrasings too ("pick(['Hi', 'Hello'])");
                    // an apostrophe inside a double-quoted one ("I'd") does not end it.
                    for quoted in string_literals(tag) {
                        literal.push(' ');
                        literal.push_str(quoted);
                    }
                }
                literal.push(' ');
                rest = &after[end..];
            }
            literal.push_str(rest);
            words.extend(crate::text::words(&crate::text::fold(&literal)).map(str::to_string));
        }
        words
    }
}

/// The string literals of a template tag, each up to its own closing quote.
fn string_literals(tag: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = tag;
    while let Some(open) = rest.find(['"', '\'']) {
        let quote = rest.as_bytes()[open] as char;
        let body = &rest[open + 1..];
        let Some(close) = body.find(quote) else {
            break;
        };
        out.push(&body[..close]);
        rest = &body[close + 1..];
    }
    out
}

fn describe(err: &minijinja::Error) -> String {
    match err.line() {
        Some(line) => format!("line {line}: {err}"),
        None => err.to_string(),
    }
}

/// `pick(["Hi", "Hello"])`: a deterministic choice from the list, varied by the render's `seed`
/// and `voice` (the person written to) so that each call site picks independently, the same
/// person and seed give the same draft, and different people get different wordings.
fn pick(state: &minijinja::State, items: Vec<Value>) -> Result<Value, minijinja::Error> {
    if items.is_empty() {
        return Err(minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            "pick() of an empty list",
        ));
    }
    let number = |name: &str| {
        state
            .lookup(name)
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(0)
    };
    let mut key = Vec::with_capacity(64);
    key.extend_from_slice(&number("seed").to_le_bytes());
    key.extend_from_slice(&number("voice").to_le_bytes());
    for item in &items {
        key.extend_from_slice(item.to_string().as_bytes());
        key.push(0);
    }
    // FNV's low bits are weak; the splitmix64 finaliser spreads them before the modulo.
    let mut z = fnv1a(&key);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    Ok(items[(z % items.len() as u64) as usize].clone())
}

/// FNV-1a: stable across Rust releases and platforms, so a seed gives the same wording
/// everywhere.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A stable hash of a text (a person's name), for `voice`: the same person always gets the
/// same wording for a seed, different people get different ones.
pub fn stable_hash(text: &str) -> u64 {
    fnv1a(text.as_bytes())
}

/// `names | join_list("and")` → "a, b and c".
fn join_list(items: Vec<String>, and: Option<String>) -> String {
    crate::text::join_list(&items, and.as_deref().unwrap_or("and"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_compile_and_have_a_vocabulary() {
        let p = Prompts::builtin();
        let v = p.vocabulary();
        assert!(v.contains("thanks") || v.contains("thank"));
        assert!(!v.contains("endif"), "tags leaked into the vocabulary");
    }

    #[test]
    fn override_dir_replaces_a_template_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("ask.j2"),
            "Custom ask for {{ them.first_name }}",
        )
        .unwrap();
        let p = Prompts::load(Some(dir.path())).unwrap();
        let ctx = minijinja::context! { them => minijinja::context! { first_name => "Dana" } };
        assert_eq!(p.render("ask.j2", &ctx).unwrap(), "Custom ask for Dana");
    }

    #[test]
    fn broken_override_names_the_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("invite.j2"), "{% if %}").unwrap();
        let err = Prompts::load(Some(dir.path())).err().unwrap();
        assert!(err.to_string().contains("invite.j2"), "{err}");
    }

    #[test]
    fn pick_is_deterministic_per_seed() {
        let p = Prompts::load(None).unwrap();
        let mut env = Environment::new();
        env.add_function("pick", pick);
        let t = "{{ pick(['a','b','c','d','e','f','g']) }}";
        let r = |seed: u64| env.render_str(t, minijinja::context! { seed }).unwrap();
        assert_eq!(r(0), r(0));
        assert_eq!(r(7), r(7));
        assert!((1..20).map(r).collect::<HashSet<_>>().len() > 1);
        drop(p);
    }
}
