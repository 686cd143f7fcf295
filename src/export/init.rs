//! `init --from-export`: my `me.toml` from my own export files — name and headline from
//! `Profile.csv`, current company from `Positions.csv` — with the default policy, each field
//! commented so the file explains itself.

use super::records::MyProfile;
use crate::error::{Error, Result};
use crate::me::Policy;
use crate::untrusted;
use std::path::Path;

/// The `me.toml` text for this profile.
pub fn me_toml(mine: &MyProfile) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let p = Policy::default();
    let mut out = String::from(
        "# Who I am and how I handle requests; written by `notewright init --from-export`.\n",
    );
    match &mine.name {
        Some(name) => out.push_str(&format!("name = {}\n", quote(name))),
        None => out.push_str(
            "# name = \"…\"            # not in Profile.csv: add it (drafts are signed with it)\n",
        ),
    }
    if let Some(h) = &mine.headline {
        out.push_str(&format!("headline = {}\n", quote(h)));
    }
    if let Some(c) = mine.employers.first() {
        out.push_str(&format!("company = {}\n", quote(c)));
    }
    out.push_str(&format!(
        "tier = \"free\"          # free: 200-character invitation notes; premium: 300\n\
         call_minutes = 10      # length of the call proposed in follow-ups (the articles say 5–10)\n\
         # signature = \"…\"     # how I sign messages (default: my first name)\n\
         \n\
         [policy]\n\
         only_met = {}                 # true: decline (with an opening) everyone I have not met\n\
         min_connections = {}          # fewer connections counts against a stranger's request\n\
         require_photo = {}            # no headshot: decline rather than ask\n\
         accept_genuine_strangers = {}  # a specific note, with nothing known against the profile, is accepted without asking\n\
         ask_when_unsure = {}           # a vague note from a stranger: ask (true) or decline (false)\n\
         # statement = \"I keep LinkedIn for people I've worked with\"   # my policy in my words, quoted in declines\n",
        p.only_met, p.min_connections, p.require_photo, p.accept_genuine_strangers, p.ask_when_unsure
    ));
    out
}

/// Check the fields a draft will quote (my name signs every message), then write `path`
/// atomically; an existing file is kept unless `force`.
pub fn write_me(mine: &MyProfile, source: &str, path: &Path, force: bool) -> Result<()> {
    for (field, value) in [("name", &mine.name), ("headline", &mine.headline)] {
        if let Some(v) = value {
            if let Some(why) = untrusted::refusal(v) {
                return Err(Error::Usage(format!("{source}: field `{field}`: {why}")));
            }
        }
    }
    if path.exists() && !force {
        return Err(Error::Usage(format!(
            "{} already exists; pass --force to overwrite it (or --out FILE to write elsewhere)",
            path.display()
        )));
    }
    crate::output::write_atomic(path, me_toml(mine).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_file_loads_as_me_and_says_what_each_field_is() {
        let mine = MyProfile {
            name: Some("Zoë \"ZZ\" Müller".into()),
            headline: Some("Product lead".into()),
            employers: vec!["Frostline".into(), "Maersk".into()],
            schools: vec![],
        };
        let text = me_toml(&mine);
        let me: crate::me::Me = toml::from_str(&text).unwrap();
        assert_eq!(me.name.as_deref(), Some("Zoë \"ZZ\" Müller"));
        assert_eq!(me.company.as_deref(), Some("Frostline"));
        assert_eq!(me.policy, Policy::default());
        assert!(text.contains("# true: decline"), "{text}");
    }

    #[test]
    fn an_existing_file_is_kept_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("me.toml");
        std::fs::write(&path, "name = \"Mine\"\n").unwrap();
        let mine = MyProfile {
            name: Some("Other".into()),
            ..MyProfile::default()
        };
        let e = write_me(&mine, "Profile.csv", &path, false).unwrap_err();
        assert!(e.to_string().contains("--force"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "name = \"Mine\"\n");
        write_me(&mine, "Profile.csv", &path, true).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains("Other"));
    }
}
