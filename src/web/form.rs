//! The survey form: reading a posted form into [`Answers`], the completeness rule, and the view
//! of the form for the template; and the strict reading of every form body ([`FormFields`]).
//!
//! Field names: `item-{id}` (a scale value or missing code), `comment-{id}`, `consent=yes`,
//! `sector={code}`, `action=save|submit`, and `form_id` on the open link. A field or value the
//! rendered form cannot produce means the request did not come from our form: it is refused
//! whole (422) and nothing is stored. Missing answers, by contrast, are the partner's to fix: the
//! form comes back with an error summary and everything entered kept.
//!
//! Every form body of the site, the partner's and the facilitator's, is read by [`FormFields`]:
//! a body that does not decode exactly ([`decode_body`]: a malformed `%` escape, bytes that are
//! not UTF-8) is refused with 400, and a control character in any name or value with 422 naming
//! the field, before any handler sees the form. Nothing is decoded lossily, so what is stored is
//! exactly what was typed.

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};

use super::errors::AppError;
use super::language;
use super::messages::Messages;
use crate::instrument::{Instrument, Texts};
use crate::survey::answers::{Answer, Answers};
use crate::survey::text::{self, Kind, TextError};

pub use super::body::{BodyError, FieldRef, decode_body};

/// The form body as name/value pairs, decoded strictly, with line breaks normalised to LF and
/// control characters refused; rejections are answered by our own error pages.
pub struct FormFields(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<FormFields, AppError> {
        if !is_form(req.headers()) {
            return Err(AppError::NotAForm(None));
        }
        let body = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::NotAForm(Some(rejection))
            }
        })?;
        let mut fields = decode_body(&body).map_err(AppError::Undecodable)?;
        refuse_control_characters(&mut fields)?;
        Ok(FormFields(fields))
    }
}

impl FormFields {
    /// The value of field `name`, or empty.
    pub fn field(&self, name: &str) -> &str {
        field(&self.0, name)
    }
}

/// The value of the field `name` among `fields`, or empty.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Whether the request says its body is a URL-encoded form (what every form of the site sends).
fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            mime.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// Fields whose reader reports control characters in its own terms, so [`FormFields`] leaves
/// them to it: the pasted partner list, whose reader names the row and column of each.
const CHECKED_BY_THEIR_READER: &[&str] = &["list"];

/// Normalises every value's line breaks (a browser sends a textarea's as CRLF) and refuses a
/// control character other than tab and line feed in any name or value, naming the field.
fn refuse_control_characters(fields: &mut [(String, String)]) -> Result<(), AppError> {
    for (i, (name, value)) in fields.iter_mut().enumerate() {
        text::normalise_line_breaks(value);
        let checked = !CHECKED_BY_THEIR_READER.contains(&name.as_str());
        if text::has_control_character(name) || (checked && text::has_control_character(value)) {
            return Err(AppError::BadText {
                field: FieldRef::of(i + 1, name),
                problem: TextError::ControlCharacter,
            });
        }
    }
    Ok(())
}

/// Which button was pressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// "Save and finish later".
    Save,
    /// "Submit".
    Submit,
    /// The language switch: show the form again in the instrument's language with this tag,
    /// with what was entered.
    Language(String),
}

/// The prefix of the language switch's `action` values (`language:es`).
const SWITCH: &str = "language:";

/// The longest open-link form id read (the server's are about 60 characters).
const MAX_FORM_ID: usize = 128;

/// Where the form was posted: what it may contain depends on the link.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    /// Whether the partner chooses a sector on the form (not fixed by the invitation).
    pub asks_sector: bool,
    /// Whether the form carries a one-time form id (the open link).
    pub has_form_id: bool,
}

/// A form as posted, read against the round's instrument.
#[derive(Debug)]
pub struct Posted {
    /// The button pressed.
    pub action: Action,
    /// What was entered.
    pub answers: Answers,
    /// The one-time id of an open-link form.
    pub form_id: Option<String>,
}

/// Reads posted fields; refuses anything the rendered form cannot produce.
pub fn read(
    instrument: &Instrument,
    link: Link,
    m: &Messages,
    fields: Vec<(String, String)>,
) -> Result<Posted, AppError> {
    let mut seen = HashSet::new();
    let mut action = None;
    let mut form_id = None;
    let mut answers = Answers::default();
    for (i, (name, value)) in fields.into_iter().enumerate() {
        if !seen.insert(name.clone()) {
            return Err(AppError::BadForm(m.detail_repeated_field));
        }
        if let Some(id) = name.strip_prefix("item-") {
            let (index, _) = instrument
                .item(id)
                .ok_or(AppError::BadForm(m.detail_unknown_question))?;
            let answer = Answer::parse(instrument, index, &value)
                .ok_or(AppError::BadForm(m.detail_not_an_option))?;
            answers.items.insert(id.to_string(), answer);
        } else if let Some(id) = name.strip_prefix("comment-") {
            if !instrument.comments.iter().any(|c| c.id == id) {
                return Err(AppError::BadForm(m.detail_unknown_question));
            }
            let text = value.trim();
            text::check(Kind::Comment, text).map_err(|problem| AppError::BadText {
                field: FieldRef::of(i + 1, &name),
                problem,
            })?;
            if !text.is_empty() {
                answers.comments.insert(id.to_string(), text.to_string());
            }
        } else {
            match name.as_str() {
                "consent" if value == "yes" => answers.consent = true,
                "consent" => return Err(AppError::BadForm(m.detail_not_an_option)),
                "sector" if link.asks_sector => {
                    let known = instrument
                        .profile
                        .as_ref()
                        .is_some_and(|p| p.options.contains(&value));
                    if !known {
                        return Err(AppError::BadForm(m.detail_not_an_option));
                    }
                    answers.sector = Some(value);
                }
                "action" => {
                    let switch = value
                        .strip_prefix(SWITCH)
                        .and_then(|tag| instrument.texts_in(tag));
                    action = match (value.as_str(), switch) {
                        (_, Some(texts)) => Some(Action::Language(texts.lang().to_string())),
                        ("save", _) if !link.has_form_id => Some(Action::Save),
                        ("submit", _) => Some(Action::Submit),
                        _ => return Err(AppError::BadForm(m.detail_action)),
                    }
                }
                "lang" => {
                    let texts = instrument
                        .texts_in(&value)
                        .ok_or(AppError::BadForm(m.detail_not_an_option))?;
                    answers.language = Some(texts.lang().to_string());
                }
                "form_id" if link.has_form_id => {
                    // Whether the server issued it is the handler's to check; here only its
                    // size is bounded.
                    if value.is_empty() || value.len() > MAX_FORM_ID {
                        return Err(AppError::BadForm(m.detail_form_id));
                    }
                    form_id = Some(value);
                }
                _ => return Err(AppError::BadForm(m.detail_unknown_field)),
            }
        }
    }
    let action = action.ok_or(AppError::BadForm(m.detail_action))?;
    if link.has_form_id && form_id.is_none() {
        return Err(AppError::BadForm(m.detail_form_id));
    }
    Ok(Posted {
        action,
        answers,
        form_id,
    })
}

/// A problem that stops a submission, linked to the field that fixes it.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The id of the input to jump to.
    pub anchor: String,
    /// What to do.
    pub message: &'static str,
    /// The statement concerned, if any.
    pub subject: Option<String>,
}

/// The completeness rule for submitting: consent given (when the instrument asks for it), every
/// item answered with a scale value or one of its non-substantive options (e.g. "Don't know"),
/// and a sector chosen where the form asks for it. Comments are optional.
pub fn problems(
    instrument: &Instrument,
    texts: &Texts,
    link: Link,
    m: &Messages,
    answers: &Answers,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    if asks_consent(instrument) && !answers.consent {
        problems.push(Problem {
            anchor: "consent".into(),
            message: m.error_consent,
            subject: None,
        });
    }
    for item in &instrument.items {
        if !answers.items.contains_key(&item.id) {
            problems.push(Problem {
                anchor: format!("item-{}", item.id),
                message: m.error_item,
                subject: Some(texts.item_text(item).to_string()),
            });
        }
    }
    if link.asks_sector && instrument.profile.is_some() && answers.sector.is_none() {
        problems.push(Problem {
            anchor: "sector".into(),
            message: m.error_sector,
            subject: None,
        });
    }
    problems
}

fn asks_consent(instrument: &Instrument) -> bool {
    instrument.texts().consent().is_some_and(|c| !c.is_empty())
}

/// One radio button.
#[derive(Debug)]
pub struct Choice {
    /// The input's id (the first of a group is the group's error anchor).
    pub input_id: String,
    /// The submitted value.
    pub value: String,
    /// Its label.
    pub label: String,
    /// Whether it is selected.
    pub checked: bool,
    /// Whether it is a non-substantive option, shown apart from the scale.
    pub aside: bool,
}

/// One Likert item.
#[derive(Debug)]
pub struct ItemView {
    /// Its number on the form, from 1 in instrument order, as the paper form prints it.
    pub number: usize,
    /// Field name.
    pub name: String,
    /// The statement.
    pub text: String,
    /// Whether it is listed in the error summary.
    pub invalid: bool,
    /// Its options: the scale, then its missing options.
    pub choices: Vec<Choice>,
}

/// The items of one factor (or of a dimension directly).
#[derive(Debug)]
pub struct GroupView {
    /// Factor (or dimension) title.
    pub title: String,
    /// Its items, in file order.
    pub items: Vec<ItemView>,
}

/// One comment box.
#[derive(Debug)]
pub struct CommentView {
    /// Comment question id.
    pub id: String,
    /// The question.
    pub label: String,
    /// What was entered.
    pub text: String,
}

/// The sector question.
#[derive(Debug)]
pub struct SectorView {
    /// Field name.
    pub name: String,
    /// The question.
    pub label: String,
    /// Whether it is listed in the error summary.
    pub invalid: bool,
    /// The options.
    pub choices: Vec<Choice>,
}

/// Everything the form template shows, computed from the instrument and what was entered.
#[derive(Debug)]
pub struct FormView {
    /// Instrument title.
    pub title: String,
    /// Introduction text.
    pub introduction: String,
    /// Consent statement; empty when the instrument has none.
    pub consent: String,
    /// Whether consent is ticked.
    pub consent_given: bool,
    /// Whether consent is listed in the error summary.
    pub consent_invalid: bool,
    /// Items grouped by factor.
    pub groups: Vec<GroupView>,
    /// Comment boxes.
    pub comments: Vec<CommentView>,
    /// The sector question, where the form asks it.
    pub sector: Option<SectorView>,
    /// The problems of a refused submission.
    pub problems: Vec<Problem>,
    /// The language tag of the texts shown, which the form posts back.
    pub lang: String,
    /// The instrument's languages, each as its tag and its own name, for the switch.
    pub languages: Vec<(String, String)>,
}

impl FormView {
    /// The form for `instrument` in its `texts`, showing `answers` and `problems`.
    pub fn new(
        instrument: &Instrument,
        texts: &Texts,
        link: Link,
        answers: &Answers,
        problems: Vec<Problem>,
    ) -> FormView {
        let invalid = |anchor: &str| problems.iter().any(|p| p.anchor == anchor);
        let mut groups: Vec<GroupView> = Vec::new();
        let mut current = None;
        for (index, item) in instrument.items.iter().enumerate() {
            // Consecutive items of one factor (or of one dimension directly) form a group.
            let key = (item.dimension, item.factor);
            if current != Some(key) {
                current = Some(key);
                let title = match item.factor {
                    Some(f) => texts.factor_title(&instrument.factors[f]),
                    None => texts.dimension_title(&instrument.dimensions[item.dimension]),
                };
                groups.push(GroupView {
                    title: title.to_string(),
                    items: Vec::new(),
                });
            }
            let scale = &instrument.scales[item.scale];
            let given = answers.items.get(&item.id).map(Answer::as_form_value);
            let anchor = format!("item-{}", item.id);
            let options = texts
                .scale_labels(scale)
                .map(|(v, label)| (v.to_string(), label, false))
                .chain(
                    texts
                        .missing_options(scale)
                        .map(|(c, label)| (c.to_string(), label, true)),
                );
            let view = ItemView {
                number: index + 1,
                name: anchor.clone(),
                text: texts.item_text(item).to_string(),
                invalid: invalid(&anchor),
                choices: choices(&anchor, options, given.as_deref()),
            };
            if let Some(group) = groups.last_mut() {
                group.items.push(view);
            }
        }
        let sector = match &instrument.profile {
            Some(profile) if link.asks_sector => Some(SectorView {
                name: "sector".into(),
                label: texts.profile_text(profile).to_string(),
                invalid: invalid("sector"),
                choices: choices(
                    "sector",
                    texts
                        .profile_options(profile)
                        .map(|(code, label)| (code.to_string(), label, false)),
                    answers.sector.as_deref(),
                ),
            }),
            _ => None,
        };
        FormView {
            title: texts.title().to_string(),
            introduction: texts.introduction().unwrap_or_default().to_string(),
            consent: texts.consent().unwrap_or_default().to_string(),
            consent_given: answers.consent,
            consent_invalid: invalid("consent"),
            groups,
            comments: instrument
                .comments
                .iter()
                .map(|c| CommentView {
                    id: c.id.clone(),
                    label: texts.comment_text(c).to_string(),
                    text: answers.comments.get(&c.id).cloned().unwrap_or_default(),
                })
                .collect(),
            sector,
            problems,
            lang: texts.lang().to_string(),
            languages: instrument
                .translations()
                .iter()
                .map(|t| (t.lang().to_string(), language::name_of(t.lang())))
                .collect(),
        }
    }
}

/// Radio buttons for `options` (value, label, aside); the first input's id is `anchor`.
fn choices<'a>(
    anchor: &str,
    options: impl Iterator<Item = (String, &'a str, bool)>,
    given: Option<&str>,
) -> Vec<Choice> {
    options
        .enumerate()
        .map(|(i, (value, label, aside))| Choice {
            input_id: if i == 0 {
                anchor.to_string()
            } else {
                format!("{anchor}-{value}")
            },
            label: label.to_string(),
            checked: given == Some(value.as_str()),
            value,
            aside,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::messages::EN;

    fn mini() -> Instrument {
        let src = include_str!("../../tests/fixtures/web/mini.toml");
        crate::instrument::load_str("mini.toml", src).unwrap()
    }

    const INVITATION: Link = Link {
        asks_sector: false,
        has_form_id: false,
    };

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn refusal(pairs: &[(&str, &str)]) -> Option<&'static str> {
        match read(&mini(), INVITATION, &EN, fields(pairs)) {
            Err(AppError::BadForm(detail)) => Some(detail),
            _ => None,
        }
    }

    /// A body read through the extractor, as a handler gets it.
    async fn extracted(content_type: &str, body: &'static [u8]) -> Result<FormFields, AppError> {
        let request = Request::builder()
            .method("POST")
            .header("content-type", content_type)
            .body(axum::body::Body::from(body))
            .unwrap();
        FormFields::from_request(request, &()).await
    }

    /// The log line of a refused form prints the error with its sources, so none of them may
    /// quote what was sent (a field name is repeated only when it is short plain ASCII).
    #[tokio::test]
    async fn a_refused_body_is_described_by_field_and_problem_never_by_its_values() {
        let form = "application/x-www-form-urlencoded";
        for (body, expected) in [
            (
                &b"password=s3cret%FF"[..],
                "field `password`: not valid UTF-8",
            ),
            (
                b"password=s3cret%Z",
                "field `password`: `%` must be followed",
            ),
            (
                b"password=s3cret%00",
                "field `password`: contains a control character",
            ),
            (b"a=1&s3cret%00=x", "field 2: contains a control character"),
            (b"a=1&s3cret%ZZ=x", "field 2: `%` must be followed"),
        ] {
            let error = extracted(form, body).await.err().unwrap();
            let mut logged = error.to_string();
            let mut source = std::error::Error::source(&error);
            while let Some(inner) = source {
                logged.push_str(&format!(": {inner}"));
                source = inner.source();
            }
            assert!(logged.contains(expected), "{logged}");
            assert!(!logged.contains("s3cret"), "{logged}");
        }
    }

    #[tokio::test]
    async fn line_breaks_are_normalised_and_control_characters_refused_except_in_the_partner_list()
    {
        let form = "application/x-www-form-urlencoded";
        let FormFields(fields) = extracted(form, b"comment-c1=a%0D%0Ab%09c%0Ad&list=x%00y%0Dz")
            .await
            .ok()
            .unwrap();
        assert_eq!(
            fields,
            [
                ("comment-c1".to_string(), "a\nb\tc\nd".to_string()),
                ("list".to_string(), "x\0y\rz".to_string())
            ]
        );
        for body in [
            &b"a=x%0Dy"[..],
            b"a=%7F",
            b"a=%C2%85",
            b"a=%1B%5B2J",
            b"a%01=x",
        ] {
            match extracted(form, body).await {
                Err(AppError::BadText { problem, .. }) => {
                    assert_eq!(problem, TextError::ControlCharacter);
                }
                other => panic!("{body:?}: {:?}", other.map(|f| f.0)),
            }
        }
        assert!(matches!(
            extracted("text/plain", b"a=1").await,
            Err(AppError::NotAForm(None))
        ));
        assert!(
            extracted("application/x-www-form-urlencoded; charset=UTF-8", b"a=1")
                .await
                .is_ok()
        );
    }

    #[test]
    fn values_on_the_scale_and_missing_codes_are_read_and_blank_comments_dropped() {
        let posted = read(
            &mini(),
            INVITATION,
            &EN,
            fields(&[
                ("item-t1", "1"),
                ("item-t2", "dk"),
                ("comment-improve", "   "),
                ("consent", "yes"),
                ("action", "save"),
            ]),
        )
        .unwrap();
        assert_eq!(posted.action, Action::Save);
        assert_eq!(posted.answers.items["t1"], Answer::Value(1));
        assert_eq!(posted.answers.items["t2"], Answer::Code("dk".into()));
        assert!(posted.answers.comments.is_empty());
        assert!(posted.answers.consent);
    }

    #[test]
    fn anything_the_rendered_form_cannot_send_is_refused_with_its_reason() {
        let submit = ("action", "submit");
        assert_eq!(
            refusal(&[("item-zz", "1"), submit]),
            Some(EN.detail_unknown_question)
        );
        assert_eq!(
            refusal(&[("item-t1", "0"), submit]),
            Some(EN.detail_not_an_option)
        );
        assert_eq!(
            refusal(&[("item-t1", "na"), submit]),
            Some(EN.detail_not_an_option)
        );
        assert_eq!(
            refusal(&[("consent", "no"), submit]),
            Some(EN.detail_not_an_option)
        );
        assert_eq!(
            refusal(&[("sector", "nonprofit"), submit]),
            Some(EN.detail_unknown_field)
        );
        assert_eq!(
            refusal(&[("form_id", "x"), submit]),
            Some(EN.detail_unknown_field)
        );
        assert_eq!(
            refusal(&[("item-t1", "1"), ("item-t1", "2"), submit]),
            Some(EN.detail_repeated_field)
        );
        assert_eq!(refusal(&[("item-t1", "1")]), Some(EN.detail_action));
        assert_eq!(refusal(&[("action", "delete")]), Some(EN.detail_action));
    }

    #[test]
    fn a_comment_over_its_limit_is_refused_naming_its_field() {
        let longest = "é".repeat(text::MAX_COMMENT);
        let posted = read(
            &mini(),
            INVITATION,
            &EN,
            fields(&[
                ("comment-improve", &format!(" {longest}\n")),
                ("action", "save"),
            ]),
        )
        .unwrap();
        assert_eq!(posted.answers.comments["improve"], longest);
        let over = format!("{longest}é");
        match read(
            &mini(),
            INVITATION,
            &EN,
            fields(&[("action", "save"), ("comment-improve", &over)]),
        ) {
            Err(AppError::BadText { field, problem }) => {
                assert_eq!(field, FieldRef::Named("comment-improve".into()));
                assert!(matches!(problem, TextError::TooLong { max: 4000, .. }));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_open_link_needs_a_well_formed_form_id_and_has_no_drafts() {
        let open = Link {
            asks_sector: true,
            has_form_id: true,
        };
        let read_open = |pairs: &[(&str, &str)]| read(&mini(), open, &EN, fields(pairs));
        let id = "0123456789abcdef0123456789abcdef";
        assert!(
            read_open(&[
                ("action", "submit"),
                ("form_id", id),
                ("sector", "government")
            ])
            .is_ok()
        );
        assert!(read_open(&[("action", "submit")]).is_err());
        // Whether the server issued it is checked later; here only that it is there and small.
        assert!(read_open(&[("action", "submit"), ("form_id", "")]).is_err());
        let huge = "a".repeat(200);
        assert!(read_open(&[("action", "submit"), ("form_id", &huge)]).is_err());
        assert!(read_open(&[("action", "save"), ("form_id", id)]).is_err());
        assert!(
            read_open(&[
                ("action", "submit"),
                ("form_id", id),
                ("sector", "martians")
            ])
            .is_err()
        );
    }

    #[test]
    fn a_submission_needs_consent_every_item_and_the_asked_sector_but_no_comments() {
        let instrument = mini();
        let mut answers = Answers::default();
        let open = Link {
            asks_sector: true,
            has_form_id: true,
        };
        let anchors = |answers: &Answers, link| -> Vec<String> {
            problems(&instrument, instrument.texts(), link, &EN, answers)
                .into_iter()
                .map(|p| p.anchor)
                .collect()
        };
        assert_eq!(
            anchors(&answers, open),
            [
                "consent", "item-t1", "item-t2", "item-g1", "item-g2", "item-e1", "item-e2",
                "sector"
            ]
        );
        answers.consent = true;
        for item in &instrument.items {
            answers
                .items
                .insert(item.id.clone(), Answer::Code("dk".into()));
        }
        assert_eq!(anchors(&answers, open), ["sector"]);
        assert!(anchors(&answers, INVITATION).is_empty());
    }
}
