//! Who is who across the export's files: a person is known by profile URL where a file gives
//! one, else by full name (older files have no URL columns; messages name people only by name).

use crate::text;

/// A profile URL as compared: scheme, `www.`, query and trailing slash do not matter.
pub fn url_key(url: &str) -> Option<String> {
    let u = url.trim().to_lowercase();
    if u.is_empty() {
        return None;
    }
    let u = u.split(['?', '#']).next().unwrap_or("");
    let u = u
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.")
        .trim_end_matches('/');
    (!u.is_empty()).then(|| u.to_string())
}

/// A full name as compared: case, accents' composed form, inner spacing and quotes do not matter.
pub fn name_key(name: &str) -> Option<String> {
    let folded = text::fold(name);
    let key: Vec<&str> = folded
        .split(|c: char| c.is_whitespace() || c == '"')
        .filter(|w| !w.is_empty())
        .collect();
    (!key.is_empty()).then(|| key.join(" "))
}

/// LinkedIn's own sponsored and system messages, which are no person.
pub fn is_linkedin_itself(name: &str) -> bool {
    let n = name.trim();
    n.eq_ignore_ascii_case("LinkedIn Member") || n.eq_ignore_ascii_case("LinkedIn")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_names_compare_loosely() {
        assert_eq!(
            url_key("https://www.linkedin.com/in/ana-lima-4b2a/?trk=x"),
            url_key("http://linkedin.com/in/Ana-Lima-4b2a")
        );
        assert_eq!(url_key("  "), None);
        assert_eq!(name_key("José  Álvarez"), name_key("josé álvarez"));
        assert!(is_linkedin_itself("LinkedIn Member"));
    }
}
