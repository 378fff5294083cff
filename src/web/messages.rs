//! The interface text of the web pages: one catalogue per language, every message keyed by the
//! field name, so templates and handlers never spell out a sentence themselves.
//!
//! Instrument texts (items, scales, introduction) come from the instrument; these are the words
//! around them. A translation is one more `Messages` value.

/// Every interface message, by id.
#[derive(Debug)]
pub struct Messages {
    /// Language tag of the catalogue.
    pub lang: &'static str,
    /// Name of the product, in page titles.
    pub product: &'static str,
    /// Heading above the consent statement.
    pub consent_heading: &'static str,
    /// Label of the consent checkbox.
    pub consent_label: &'static str,
    /// Heading of the comments section.
    pub comments_heading: &'static str,
    /// Hint under the comments heading.
    pub comments_hint: &'static str,
    /// Hint under each statement's options.
    pub answer_hint: &'static str,
    /// Heading of the sector question.
    pub sector_heading: &'static str,
    /// Button that stores a draft.
    pub save_button: &'static str,
    /// Explanation of the draft button.
    pub save_hint: &'static str,
    /// Explanation on the open link, which keeps no drafts.
    pub open_hint: &'static str,
    /// Button that submits.
    pub submit_button: &'static str,
    /// Banner after a draft was saved.
    pub draft_saved: &'static str,
    /// Heading of the error summary.
    pub error_summary_heading: &'static str,
    /// Error: consent not given.
    pub error_consent: &'static str,
    /// Error: a statement was left unanswered.
    pub error_item: &'static str,
    /// Error: no sector chosen.
    pub error_sector: &'static str,
    /// Thank-you page heading.
    pub thanks_heading: &'static str,
    /// Thank-you page text.
    pub thanks_text: &'static str,
    /// Error page: unknown link.
    pub not_found_heading: &'static str,
    /// Error page: unknown link, explanation.
    pub not_found_text: &'static str,
    /// Error page: closed round.
    pub closed_heading: &'static str,
    /// Error page: closed round, explanation.
    pub closed_text: &'static str,
    /// Error page: already submitted.
    pub already_heading: &'static str,
    /// Error page: already submitted, explanation.
    pub already_text: &'static str,
    /// Error page: a form we cannot read.
    pub bad_form_heading: &'static str,
    /// Error page: a form we cannot read, explanation (the detail follows).
    pub bad_form_text: &'static str,
    /// Error page: too large.
    pub too_large_heading: &'static str,
    /// Error page: too large, explanation.
    pub too_large_text: &'static str,
    /// Error page: our fault.
    pub internal_heading: &'static str,
    /// Error page: our fault, explanation.
    pub internal_text: &'static str,
    /// Detail: a question id that is not in the survey.
    pub detail_unknown_question: &'static str,
    /// Detail: an answer that is not one of the options.
    pub detail_not_an_option: &'static str,
    /// Detail: a field the form does not have.
    pub detail_unknown_field: &'static str,
    /// Detail: a field sent twice.
    pub detail_repeated_field: &'static str,
    /// Detail: the button pressed is missing or unknown.
    pub detail_action: &'static str,
    /// Detail: the open form's one-time id is missing or malformed.
    pub detail_form_id: &'static str,
    /// Detail: the body is not a form.
    pub detail_not_a_form: &'static str,
}

/// English.
pub const EN: Messages = Messages {
    lang: "en",
    product: "partnerscope",
    consent_heading: "Before you start",
    consent_label: "I agree to take part",
    comments_heading: "Your comments",
    comments_hint: "Optional. Please do not name individual people.",
    answer_hint: "Choose one answer.",
    sector_heading: "About your organisation",
    save_button: "Save and finish later",
    save_hint: "Your answers are kept on this link. Open it again to carry on.",
    open_hint: "Answers on this link are stored when you submit.",
    submit_button: "Submit",
    draft_saved: "Your answers are saved. Open the same link to carry on.",
    error_summary_heading: "Please check these answers",
    error_consent: "Tick the box to agree to take part",
    error_item: "Choose an answer for",
    error_sector: "Choose the description that best fits your organisation",
    thanks_heading: "Thank you",
    thanks_text: "Your answers have been submitted. The partnership will see the results for groups of partners together, never yours alone.",
    not_found_heading: "We cannot find this survey",
    not_found_text: "Check that the link is complete. If it came in an email, copy the whole link into your browser.",
    closed_heading: "This survey has closed",
    closed_text: "The survey is no longer taking answers. Thank you for your interest.",
    already_heading: "Already submitted",
    already_text: "Answers from this link have already been submitted, so nothing new was saved. Thank you for taking part.",
    bad_form_heading: "We could not read your answers",
    bad_form_text: "Nothing was saved. Please go back, reload the survey and try again.",
    too_large_heading: "Too much text",
    too_large_text: "What was sent is larger than the survey accepts, so nothing was saved. Please shorten your comments and try again.",
    internal_heading: "Something went wrong on our side",
    internal_text: "Nothing you did caused this. Please try again in a few minutes.",
    detail_unknown_question: "A question is not part of this survey",
    detail_not_an_option: "An answer is not one of the options",
    detail_unknown_field: "The form contained a field the survey does not have",
    detail_repeated_field: "The form contained the same field twice",
    detail_action: "The form did not say whether to save or submit",
    detail_form_id: "The form's one-time id is missing or damaged",
    detail_not_a_form: "What was sent is not a survey form",
};
