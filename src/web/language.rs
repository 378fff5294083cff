//! The language a request is answered in.
//!
//! A reader's languages, best first, are the one they chose with a page's language switch (kept
//! in a cookie), then those their browser asks for (`Accept-Language`). A partner's form adds the
//! invitation's language between the two, and offers the instrument's languages rather than the
//! interface's.
//!
//! Every request runs inside [`negotiate`], which settles the interface catalogue once and keeps
//! it for the request, so a page and an error page alike read [`interface`] without each handler
//! passing the language along.

use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use super::AppState;
use super::cookies::{cookie_value, site_cookie};
use super::messages::{CATALOGUES, EN, Messages};
use crate::instrument::{Instrument, Texts};

/// The cookie that keeps a reader's chosen language.
const COOKIE: &str = "partnerscope_lang";
/// How long a chosen language is kept: a year.
const KEPT_SECONDS: i64 = 365 * 24 * 60 * 60;
/// The longest `Accept-Language` read; browsers send a few dozen bytes, and a longer header is
/// not worth parsing.
const MAX_ACCEPT: usize = 1024;

tokio::task_local! {
    static REQUEST: Reader;
}

/// What a request says about its reader's languages.
#[derive(Debug)]
pub struct Reader {
    /// The language chosen with a language switch, if any.
    chosen: Option<String>,
    /// The browser's languages, best first.
    accepted: Vec<String>,
    /// The request's path, which a language switch comes back to.
    path: String,
    /// The interface catalogue for this reader: the first of their languages there is one for,
    /// else English. Settled once, as every page and error reads it many times.
    interface: &'static Messages,
}

impl Reader {
    /// The reader of a request with `headers` for `path`.
    fn of(headers: &HeaderMap, path: &str) -> Reader {
        let accepted = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .filter(|value| value.len() <= MAX_ACCEPT)
            .map(accept_language::parse)
            .unwrap_or_default();
        let mut reader = Reader {
            chosen: cookie_value(headers, COOKIE).filter(|tag| is_tag(tag)),
            accepted,
            path: path.to_string(),
            interface: &EN,
        };
        reader.interface = reader.pick(None, Messages::of).unwrap_or(&EN);
        reader
    }

    /// The first of the reader's languages that `offered` has, trying the chosen language, then
    /// `invited` (a partner's invitation language), then the browser's; `None` when none is.
    pub fn pick<T>(&self, invited: Option<&str>, offered: impl Fn(&str) -> Option<T>) -> Option<T> {
        self.chosen
            .as_deref()
            .into_iter()
            .chain(invited)
            .chain(self.accepted.iter().map(String::as_str))
            .find_map(offered)
    }
}

/// The texts of `instrument` a reader sees: of the instrument's languages, the one they chose,
/// then `invited` (a partner's invitation language), then their browser's; the instrument's
/// default language when it has none of these.
pub fn texts_for<'i>(instrument: &'i Instrument, invited: Option<&str>) -> &'i Texts {
    let offered = |tag: &str| instrument.texts_in(tag);
    REQUEST
        .try_with(|reader| reader.pick(invited, offered))
        // Outside a request only the invitation speaks for the reader.
        .unwrap_or_else(|_| invited.and_then(offered))
        .unwrap_or(instrument.texts())
}

/// `instrument` with the texts a reader sees as its own (see [`texts_for`]), for the pages a
/// facilitator or a meeting reads; downloads keep the default language.
pub fn for_reader(instrument: &Instrument) -> Instrument {
    instrument.in_language(texts_for(instrument, None).lang())
}

/// Whether `tag` can be a language tag: short, letters, digits and hyphens. It goes into a
/// cookie and a page, so nothing else is kept.
fn is_tag(tag: &str) -> bool {
    (2..=35).contains(&tag.len()) && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The interface catalogue of the request being answered; English outside a request.
pub fn interface() -> &'static Messages {
    REQUEST.try_with(|reader| reader.interface).unwrap_or(&EN)
}

/// The path of the request being answered, for a language switch to come back to.
pub fn path() -> String {
    REQUEST
        .try_with(|reader| reader.path.clone())
        .unwrap_or_else(|_| "/".to_string())
}

/// Middleware: answers the request with its reader's languages known to [`interface`] and
/// [`texts_for`].
pub async fn negotiate(request: Request, next: Next) -> Response {
    let reader = Reader::of(request.headers(), request.uri().path());
    REQUEST.scope(reader, next.run(request)).await
}

/// The `Set-Cookie` value that keeps `tag` as the reader's chosen language.
pub fn remember(state: &AppState, tag: &str) -> String {
    site_cookie(state, COOKIE, tag, "/", KEPT_SECONDS)
}

/// The query of a language switch: the language, and the page to come back to.
#[derive(Deserialize)]
pub struct Switch {
    /// The language chosen.
    to: String,
    /// The path of the page the switch was on.
    back: String,
}

/// `GET /language?to=es&back=/path`: keeps the chosen language and goes back to the page.
pub async fn switch(State(state): State<AppState>, Query(switch): Query<Switch>) -> Response {
    // Only a path of this site: never `//host` or `/\host`, which browsers read as another site.
    let back = if switch.back.starts_with('/')
        && !switch.back.starts_with("//")
        && !switch.back.starts_with("/\\")
        && !switch.back.chars().any(char::is_control)
    {
        switch.back.as_str()
    } else {
        "/"
    };
    let mut response = Redirect::to(back).into_response();
    if is_tag(&switch.to)
        && let Ok(cookie) = remember(&state, &switch.to).parse()
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// One entry of a language switch: a language by its own name, and where choosing it leads.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The language tag.
    pub tag: String,
    /// The language's name in that language ("Español").
    pub name: String,
    /// Whether the page is in this language.
    pub current: bool,
    /// The switch's link: `/language` with the tag and the page to come back to.
    pub href: String,
}

/// The interface languages, for the switch of a page in language `shown` at `back`.
pub fn interface_choices(shown: &str, back: &str) -> Vec<Choice> {
    let back = utf8_percent_encode(back, NON_ALPHANUMERIC);
    CATALOGUES
        .iter()
        .map(|m| Choice {
            tag: m.lang.to_string(),
            name: m.language_name.to_string(),
            current: m.lang == shown,
            href: format!("/language?to={}&back={back}", m.lang),
        })
        .collect()
}

/// The name of language `tag` in that language, from its catalogue; the tag itself for a
/// language the interface does not have.
pub fn name_of(tag: &str) -> String {
    Messages::of(tag).map_or_else(|| tag.to_string(), |m| m.language_name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn reader(cookie: Option<&str>, accept: Option<&str>) -> Reader {
        let mut headers = HeaderMap::new();
        if let Some(cookie) = cookie {
            headers.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        }
        if let Some(accept) = accept {
            headers.insert(
                header::ACCEPT_LANGUAGE,
                HeaderValue::from_str(accept).unwrap(),
            );
        }
        Reader::of(&headers, "/s/x")
    }

    fn offered(tags: &'static [&'static str]) -> impl Fn(&str) -> Option<&'static str> {
        move |tag: &str| {
            let primary = tag.split('-').next().unwrap_or_default();
            tags.iter().copied().find(|t| *t == primary)
        }
    }

    #[test]
    fn the_chosen_language_comes_first_then_the_invitation_then_the_browser() {
        let both = offered(&["en", "es"]);
        let browser = reader(None, Some("es-MX,es;q=0.9,en;q=0.5"));
        assert_eq!(browser.pick(None, &both), Some("es"));
        assert_eq!(browser.pick(Some("en"), &both), Some("en"));
        let chose = reader(Some("partnerscope_lang=en"), Some("es-MX"));
        assert_eq!(chose.pick(Some("es"), &both), Some("en"));
        // Languages nobody offers are passed over; with none left there is no pick.
        let french = reader(None, Some("fr-CA, fr;q=0.8, es;q=0.2"));
        assert_eq!(french.pick(None, &both), Some("es"));
        assert_eq!(reader(None, Some("fr")).pick(None, &both), None);
        // Weights order the browser's languages, not their order in the header.
        let weighted = reader(None, Some("en;q=0.3, es;q=0.9"));
        assert_eq!(weighted.pick(None, &both), Some("es"));
    }

    #[test]
    fn the_interface_is_english_unless_the_reader_asks_for_a_language_it_has() {
        assert_eq!(reader(None, None).interface.lang, "en");
        assert_eq!(reader(None, Some("es-419")).interface.lang, "es");
        assert_eq!(reader(None, Some("de, fr")).interface.lang, "en");
        assert_eq!(
            reader(Some("partnerscope_lang=es"), Some("en"))
                .interface
                .lang,
            "es"
        );
        // A cookie that is no language tag is ignored.
        assert_eq!(
            reader(Some("partnerscope_lang=<es>"), None).interface.lang,
            "en"
        );
    }

    #[test]
    fn every_interface_language_names_itself() {
        let choices = interface_choices("es", "/s/a b");
        let names: Vec<(&str, &str, bool)> = choices
            .iter()
            .map(|c| (c.tag.as_str(), c.name.as_str(), c.current))
            .collect();
        assert_eq!(names, [("en", "English", false), ("es", "Español", true)]);
        assert_eq!(choices[0].href, "/language?to=en&back=%2Fs%2Fa%20b");
        assert_eq!(name_of("es-MX"), "Español");
        assert_eq!(name_of("de"), "de");
    }
}
