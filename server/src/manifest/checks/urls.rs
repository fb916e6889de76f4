//! Office loads an add-in and everything it refers to over https only, from URLs of at most
//! 2048 characters. `server.public_url` may be http for a loopback host (local runs), so such
//! URLs pass here; the generator marks those manifests as fit for local testing only.

use super::problem;
use crate::config::ConfigProblem;
use crate::manifest::input::ManifestInput;

pub(super) const MAX_URL_CHARS: usize = 2048;

/// Checks the URLs of a generated document, given as `(place, url)` with `place` naming where
/// each appears (e.g. `<IconUrl>`); `template` is what to change if no setting produced a URL.
/// One problem per setting: most URLs derive from the public URL, and one fix mends them all.
pub(super) fn check_all<'a>(
    urls: impl IntoIterator<Item = (String, &'a str)>,
    input: &ManifestInput<'_>,
    template: &str,
) -> Vec<ConfigProblem> {
    let mut problems: Vec<ConfigProblem> = Vec::new();
    for (place, url) in urls {
        if let Some(found) = check(url, &place, input, template) {
            if !problems.iter().any(|p| p.key == found.key) {
                problems.push(found);
            }
        }
    }
    problems
}

fn check(
    url: &str,
    place: &str,
    input: &ManifestInput<'_>,
    template: &str,
) -> Option<ConfigProblem> {
    let key = || input.url_key(url).unwrap_or_else(|| template.to_string());
    let length = url.chars().count();
    if length > MAX_URL_CHARS {
        return Some(problem(
            key(),
            format!("makes {place} {length} characters long"),
            format!("URLs of at most {MAX_URL_CHARS} characters"),
        ));
    }
    let acceptable = url::Url::parse(url).is_ok_and(|parsed| {
        parsed.scheme() == "https"
            || (parsed.scheme() == "http" && crate::identity::is_loopback(&parsed))
    });
    if acceptable {
        return None;
    }
    Some(problem(
        key(),
        format!("makes {place} `{url}`, which is not an https URL"),
        "an https URL: Outlook loads add-ins and their resources only over https",
    ))
}
