//! The interface text of the web pages: one catalogue per language, every message keyed by the
//! field name, so templates and handlers never spell out a sentence themselves.
//!
//! Instrument texts (items, scales, introduction) come from the instrument; these are the words
//! around them. A language is one file here holding one `Messages` value, listed in
//! [`CATALOGUES`].

use crate::store::Contents;

mod en;
mod es;

pub use en::EN;
pub use es::ES;

/// Declares [`Messages`] and [`Messages::entries`] from one list of fields, so that the tests
/// can walk every message of every catalogue without the field names being written twice.
/// Each field keeps its `///` doc comment, which becomes the field's documentation.
macro_rules! messages {
    ($($(#[$doc:meta])* $field:ident: $ty:ty,)*) => {
        /// Every interface message, by id.
        #[derive(Debug)]
        pub struct Messages {
            $($(#[$doc])* pub $field: $ty,)*
        }

        impl Messages {
            /// Every message with its id, in declaration order: one text for most, the
            /// singular and plural forms for counts.
            pub fn entries(&self) -> Vec<(&'static str, &[&'static str])> {
                vec![$((stringify!($field), Texts::texts(&self.$field)),)*]
            }
        }
    };
}

/// A message's texts as a slice, whether it is one text or a singular and plural pair.
trait Texts {
    fn texts(&self) -> &[&'static str];
}

impl Texts for &'static str {
    fn texts(&self) -> &[&'static str] {
        std::slice::from_ref(self)
    }
}

impl<const N: usize> Texts for [&'static str; N] {
    fn texts(&self) -> &[&'static str] {
        self
    }
}

messages! {
    /// Language tag of the catalogue.
    lang: &'static str,
    /// Name of the product, in page titles.
    product: &'static str,
    /// The catalogue's language by its own name, in every page's language switch ("Español").
    language_name: &'static str,
    /// What the language switch is, for screen readers.
    language_switch_label: &'static str,
    /// A date as people read it: `{weekday}`, `{day}` (a number), `{month}`, `{year}`.
    long_date: &'static str,
    /// The days of the week, Monday first, as `long_date` writes them.
    weekdays: [&'static str; 7],
    /// The months, January first, as `long_date` writes them.
    months: [&'static str; 12],
    /// How results are reported, on the form; `{n}` is the round's minimum group size.
    privacy_note: &'static str,
    /// The link from the form to the privacy page.
    privacy_link: &'static str,
    /// Title of the privacy page.
    privacy_title: &'static str,
    /// Heading above the consent statement.
    consent_heading: &'static str,
    /// Label of the consent checkbox.
    consent_label: &'static str,
    /// Heading of the comments section.
    comments_heading: &'static str,
    /// Hint under the comments heading.
    comments_hint: &'static str,
    /// Hint under each statement's options.
    answer_hint: &'static str,
    /// Heading of the sector question.
    sector_heading: &'static str,
    /// Button that stores a draft.
    save_button: &'static str,
    /// Explanation of the draft button.
    save_hint: &'static str,
    /// Explanation on the open link, which keeps no drafts.
    open_hint: &'static str,
    /// Button that submits.
    submit_button: &'static str,
    /// Banner after a draft was saved.
    draft_saved: &'static str,
    /// Banner on an instrument author's preview.
    preview_notice: &'static str,
    /// Heading of the error summary.
    error_summary_heading: &'static str,
    /// Error: consent not given.
    error_consent: &'static str,
    /// Error: a statement was left unanswered.
    error_item: &'static str,
    /// Error: no sector chosen.
    error_sector: &'static str,
    /// Thank-you page heading.
    thanks_heading: &'static str,
    /// Thank-you page text.
    thanks_text: &'static str,
    /// Error page: no page at this address.
    not_found_heading: &'static str,
    /// Error page: no page at this address, explanation.
    not_found_text: &'static str,
    /// Error page: closed round.
    closed_heading: &'static str,
    /// Error page: closed round, explanation.
    closed_text: &'static str,
    /// Error page: already submitted.
    already_heading: &'static str,
    /// Error page: already submitted, explanation.
    already_text: &'static str,
    /// Error page: a form we cannot read.
    bad_form_heading: &'static str,
    /// Error page: a form we cannot read, explanation (the detail follows).
    bad_form_text: &'static str,
    /// Error page: too large.
    too_large_heading: &'static str,
    /// Error page: too large, explanation.
    too_large_text: &'static str,
    /// Heading of the page for a request whose body arrived too slowly (408).
    timeout_heading: &'static str,
    /// Text of that page.
    timeout_text: &'static str,
    /// Error page: our fault.
    internal_heading: &'static str,
    /// Error page: our fault, explanation.
    internal_text: &'static str,
    /// Detail: a question id that is not in the survey.
    detail_unknown_question: &'static str,
    /// Detail: an answer that is not one of the options.
    detail_not_an_option: &'static str,
    /// Detail: a field the form does not have.
    detail_unknown_field: &'static str,
    /// Detail: a field sent twice.
    detail_repeated_field: &'static str,
    /// Detail: the button pressed is missing or unknown.
    detail_action: &'static str,
    /// Detail: the open form's one-time id is missing or malformed.
    detail_form_id: &'static str,
    /// Detail: the body is not a form.
    detail_not_a_form: &'static str,
    /// Detail when an upload holds no file.
    detail_no_file: &'static str,
    /// Detail: a `%` escape of the form body is malformed; `{field}` is the field in words.
    detail_bad_escape: &'static str,
    /// Detail: a field of the form body is not UTF-8 text; `{field}` is the field in words.
    detail_not_utf8: &'static str,
    /// Detail: a field holds a control character; `{field}` is the field in words.
    detail_control_character: &'static str,
    /// Detail: a one-line field holds a tab or line break; `{field}` is the field in words.
    detail_not_one_line: &'static str,
    /// Detail: a field is longer than `{max}` characters; `{field}` is the field in words.
    detail_too_long: &'static str,
    /// Detail: a field is longer than `{max}` bytes; `{field}` is the field in words.
    detail_too_long_bytes: &'static str,
    /// A field in words, by its position `{n}` in the form (its name is not plain text).
    field_numbered: &'static str,
    /// A field in words, by its name `{name}` (a field of none of our forms).
    field_named: &'static str,
    /// The field `name` (a new partnership's), in words.
    field_partnership_name: &'static str,
    /// The field `wave`, in words.
    field_wave: &'static str,
    /// The field `organisation`, in words.
    field_organisation: &'static str,
    /// The field `sector`, in words.
    field_sector: &'static str,
    /// The field `email`, in words.
    field_email: &'static str,
    /// The field `language`, in words.
    field_language: &'static str,
    /// The field `password`, in words.
    field_password: &'static str,
    /// The field `list` (the pasted partner list), in words.
    field_list: &'static str,
    /// A `comment-…` field, in words.
    field_comment: &'static str,
    /// Error page: a facilitator form without its security token.
    csrf_heading: &'static str,
    /// Error page: CSRF refusal, explanation.
    csrf_text: &'static str,
    /// Detail: a blank partnership name.
    detail_name: &'static str,
    /// Detail: a blank wave label.
    detail_wave: &'static str,
    /// Detail: a bad minimum group size.
    detail_min_group_size: &'static str,
    /// The minimum group size of an identified round is out of range.
    detail_min_group_size_identified: &'static str,
    /// Detail: an unknown instrument.
    detail_instrument: &'static str,
    /// Sign-in page heading.
    sign_in_heading: &'static str,
    /// Label of e-mail fields.
    email_label: &'static str,
    /// Label of the password field.
    password_label: &'static str,
    /// Sign-in button.
    sign_in_button: &'static str,
    /// Sign-in refused: wrong address or password (never says which).
    sign_in_wrong: &'static str,
    /// Sign-in refused after repeated failures, for a wait of one and of several (`{n}`) seconds.
    sign_in_wait: [&'static str; 2],
    /// Sign-in refused because every password checker is busy (status 503).
    sign_in_busy: &'static str,
    /// Sign-out button.
    sign_out_button: &'static str,
    /// Button that ends every session of the facilitator, on every device.
    sign_out_everywhere_button: &'static str,
    /// Before the signed-in address.
    signed_in_as: &'static str,
    /// Heading of the partnerships list.
    partnerships_heading: &'static str,
    /// When there are no partnerships.
    no_partnerships: &'static str,
    /// Heading of the new partnership form.
    new_partnership_heading: &'static str,
    /// Label of the partnership name.
    name_label: &'static str,
    /// Button that creates.
    create_button: &'static str,
    /// Heading of a partnership's rounds.
    rounds_heading: &'static str,
    /// When a partnership has no rounds.
    no_rounds: &'static str,
    /// Heading of the new round form.
    new_round_heading: &'static str,
    /// Label of the instrument choice.
    instrument_label: &'static str,
    /// Label of the wave field.
    wave_label: &'static str,
    /// Label of the minimum group size.
    min_group_size_label: &'static str,
    /// Label of the open link checkbox.
    open_link_label: &'static str,
    /// Explains the minimum group size's range.
    min_group_size_hint: &'static str,
    /// Label of the identified-round checkbox.
    identified_label: &'static str,
    /// What an identified round means.
    identified_hint: &'static str,
    /// Shown to partners of an identified round, above its consent statement.
    identified_heading: &'static str,
    /// A round's state: open.
    round_open: &'static str,
    /// A round's state: closed.
    round_closed: &'static str,
    /// Button that closes a round.
    close_button: &'static str,
    /// Button that reopens a round.
    reopen_button: &'static str,
    /// Heading of the next round form.
    next_round_heading: &'static str,
    /// Button that starts the next round.
    next_round_button: &'static str,
    /// Link back to the list.
    all_partnerships: &'static str,
    /// Heading of the partners page.
    partners_heading: &'static str,
    /// Heading of the one-partner form.
    add_partner_heading: &'static str,
    /// Label of the organisation field.
    organisation_label: &'static str,
    /// Label of the sector field.
    sector_label: &'static str,
    /// Label of the language field.
    language_label: &'static str,
    /// Label of the partner's e-mail field.
    optional_email_label: &'static str,
    /// Button that adds partners.
    add_button: &'static str,
    /// Heading of the CSV paste form.
    paste_heading: &'static str,
    /// Explains the CSV columns.
    paste_hint: &'static str,
    /// Heading of the form that uploads a partner list file.
    upload_heading: &'static str,
    /// Label of the partner list file field.
    upload_hint: &'static str,
    /// Button that uploads the file.
    upload_button: &'static str,
    /// Heading of a list of problems.
    problems_heading: &'static str,
    /// Heading of the response rate table.
    progress_heading: &'static str,
    /// Link to the response rate page.
    progress_live_link: &'static str,
    /// Note on the response rate page, before its refresh button.
    progress_live_note: &'static str,
    /// Column: invited partners.
    invited_label: &'static str,
    /// Column: partners who started.
    started_label: &'static str,
    /// Column: partners who submitted.
    submitted_label: &'static str,
    /// Column: responses submitted through the open link.
    via_open_link_label: &'static str,
    /// Column of the progress table: responses keyed in from paper or imported.
    by_staff_label: &'static str,
    /// Before the number of submitted responses (all links).
    submitted_total: &'static str,
    /// Link to the invitation links CSV.
    links_download: &'static str,
    /// Before the open link.
    open_link_heading: &'static str,
    /// Heading of the downloads.
    downloads_heading: &'static str,
    /// Heading of the downloads of every round of the partnership with the round's instrument.
    series_heading: &'static str,
    /// What the series' downloads hold.
    series_note: &'static str,
    /// A wave label two rounds of a series share, with the round's number (`{wave}`, `{round}`).
    series_wave: &'static str,
    /// Heading of the dashboard.
    dashboard_heading: &'static str,
    /// When nothing is submitted yet.
    no_responses: &'static str,
    /// Title of the dimensions chart.
    chart_title: &'static str,
    /// Title of a sector chart; `{dimension}` is its title.
    chart_by_sector: &'static str,
    /// Chart note of a suppressed sector; `{n}` is its size.
    chart_too_few: &'static str,
    /// Warning: low alpha; `{alpha}` is its value.
    warn_low_alpha: &'static str,
    /// Warning: small sample; `{n}` is its size.
    warn_small_sample: &'static str,
    /// Band change into the top band.
    became_top: &'static str,
    /// Band change out of the top band.
    left_top: &'static str,
    /// Band change upwards.
    moved_up: &'static str,
    /// Band change downwards.
    moved_down: &'static str,
    /// Column: mean.
    mean_label: &'static str,
    /// Column: 95 % interval.
    ci_label: &'static str,
    /// Column: band.
    band_label: &'static str,
    /// Column: alpha.
    alpha_label: &'static str,
    /// Column: respondents.
    n_label: &'static str,
    /// Column: within-group agreement.
    rwg_label: &'static str,
    /// Column: standard deviation.
    sd_label: &'static str,
    /// Column: corrected item-total correlation.
    r_drop_label: &'static str,
    /// Column: alpha without the item.
    alpha_if_deleted_label: &'static str,
    /// Heading of a card's factors.
    factors_label: &'static str,
    /// Before the change since the previous round; `{wave}` is its label.
    change_label: &'static str,
    /// Label of a p-value.
    p_label: &'static str,
    /// Label of Cohen's d.
    d_label: &'static str,
    /// When a round was too small to compare.
    change_suppressed: &'static str,
    /// Heading of the sector breakdown.
    sectors_heading: &'static str,
    /// The release the figures come from; `{number}`, `{date}` and `{submitted}` (the
    /// responses, counted with `count_submitted`).
    release_summary: &'static str,
    /// Why figures lag behind, for one and for several later responses (`{n}`); `{threshold}` is
    /// the minimum group size.
    release_waiting: [&'static str; 2],
    /// Before the first release.
    release_none: &'static str,
    /// Above the comments: what removing one does.
    comments_redact_note: &'static str,
    /// Button that removes a comment's text.
    comment_remove_button: &'static str,
    /// Interim releases are on.
    interim_on_text: &'static str,
    /// Interim releases are off.
    interim_off_text: &'static str,
    /// Button that turns interim releases on.
    interim_on_button: &'static str,
    /// Button that turns interim releases off.
    interim_off_button: &'static str,
    /// A suppressed cell.
    suppressed_label: &'static str,
    /// Heading of the item analysis.
    items_heading: &'static str,
    /// Column: the statement.
    item_label: &'static str,
    /// Marks an item that fits its dimension poorly.
    weak_item: &'static str,
    /// Marks a reverse-keyed item.
    reverse_label: &'static str,
    /// Column: share of an item's answers in the top two points.
    agree_label: &'static str,
    /// Column: share of an item's answers in the bottom two points.
    disagree_label: &'static str,
    /// What the agree and disagree columns count, under the item table.
    poles_note: &'static str,
    /// Heading of the comments on the dashboard.
    comments_list_heading: &'static str,
    /// Banner after a draft was saved, with the resume code below it.
    draft_saved_code: &'static str,
    /// Label of the resume code shown after saving.
    resume_code_label: &'static str,
    /// Why to keep the resume code.
    resume_code_hint: &'static str,
    /// Heading when the link has a draft this browser cannot open.
    draft_elsewhere_heading: &'static str,
    /// What to do about a draft saved elsewhere.
    draft_elsewhere_text: &'static str,
    /// Label of the resume code field.
    resume_field: &'static str,
    /// Button that opens a draft with its resume code.
    resume_button: &'static str,
    /// Error: the resume code does not open the draft.
    resume_wrong: &'static str,
    /// On the form: withdrawing is possible.
    withdraw_note: &'static str,
    /// Heading of the receipt on the thank-you page.
    receipt_heading: &'static str,
    /// Explanation of the receipt code.
    receipt_text: &'static str,
    /// Link to the withdrawal page.
    withdraw_link: &'static str,
    /// Title of the withdrawal page.
    withdraw_title: &'static str,
    /// Explanation on the withdrawal page.
    withdraw_text: &'static str,
    /// Label of the receipt code field.
    withdraw_field: &'static str,
    /// Button that withdraws a response.
    withdraw_button: &'static str,
    /// Error: no response has this receipt code.
    withdraw_wrong: &'static str,
    /// After withdrawing.
    withdraw_done: &'static str,
    /// Error page: a form id the server did not issue.
    forged_heading: &'static str,
    /// Error page: a form id the server did not issue, explanation.
    forged_text: &'static str,
    /// Banner: the open-link form was renewed after it expired.
    form_expired: &'static str,
    /// Banner: too many submissions from one address.
    rate_limited: &'static str,
    /// Error page: the open link's cap is reached.
    cap_heading: &'static str,
    /// Error page: the open link's cap is reached, explanation.
    cap_text: &'static str,
    /// Heading of the responses section of a round.
    responses_heading: &'static str,
    /// Explanation of excluding and deleting responses.
    responses_text: &'static str,
    /// Label of the pseudonym field.
    pseudonym_field: &'static str,
    /// Button that excludes a response.
    exclude_button: &'static str,
    /// Button that deletes a response.
    delete_response_button: &'static str,
    /// Button that includes an excluded response again.
    include_button: &'static str,
    /// Heading of the list of excluded responses.
    excluded_heading: &'static str,
    /// An exclusion no release has applied yet.
    excluded_waiting: &'static str,
    /// Label of the open-link cap field.
    open_cap_field: &'static str,
    /// Button that sets the open-link cap.
    open_cap_button: &'static str,
    /// Refusal: the pseudonym field.
    detail_pseudonym: &'static str,
    /// Refusal: no such response.
    detail_no_such_response: &'static str,
    /// Refusal: the open-link limit.
    detail_open_cap: &'static str,

    // Deletion and retention.
    /// Button leading to a deletion's confirmation page.
    delete_button: &'static str,
    /// Heading of a deletion's confirmation page.
    delete_heading: &'static str,
    /// Before what a deletion takes away (the sentence of [`Messages::deletion`] follows).
    delete_intro: &'static str,
    /// What a deletion does not reach.
    delete_warning: &'static str,
    /// Button that deletes, on the confirmation page.
    delete_confirm_button: &'static str,
    /// Link back from a confirmation page.
    cancel_link: &'static str,
    /// A partnership, by `{name}`.
    named_partnership: &'static str,
    /// A round, by `{wave}`.
    named_round: &'static str,
    /// A partner, by `{organisation}` and their round's `{wave}`.
    named_partner: &'static str,
    /// Counts of what a deletion takes away, singular and plural; `{n}` is the count.
    count_rounds: [&'static str; 2],
    /// See `count_rounds`.
    count_partners: [&'static str; 2],
    /// See `count_rounds`.
    count_submitted: [&'static str; 2],
    /// See `count_rounds`.
    count_drafts: [&'static str; 2],
    /// See `count_rounds`.
    count_comments: [&'static str; 2],
    /// See `count_rounds`.
    count_releases: [&'static str; 2],
    /// Why a partner cannot be deleted while their submitted response is linked to them.
    delete_refused_linked: &'static str,
    /// Heading of the list of a round's partners.
    invited_partners_heading: &'static str,
    /// Column: how far a partner's response got.
    response_label: &'static str,
    /// A partner's progress: nothing saved yet.
    status_none: &'static str,
    /// A partner's progress: a draft.
    status_draft: &'static str,
    /// A partner's progress: submitted.
    status_submitted: &'static str,
    /// Button leading to the confirmation of removing a closed round's partner addresses.
    emails_button: &'static str,
    /// Heading of that confirmation page.
    emails_heading: &'static str,
    /// What removing the addresses does, for one and for several (`{n}`) addresses; `{wave}` is
    /// the round.
    emails_text: [&'static str; 2],
    /// Button that removes the addresses.
    emails_confirm_button: &'static str,
    /// Detail: the addresses of an open round cannot be removed.
    detail_round_open: &'static str,
    /// On the form: before the invited counts per sector.
    invited_note: &'static str,
    /// A sector left blank.
    no_sector: &'static str,
    // The front door, and what a round tells its partners (issue 15).
    /// Error page: a link to a survey that does not exist.
    unknown_link_heading: &'static str,
    /// Error page: a link to a survey that does not exist, explanation.
    unknown_link_text: &'static str,
    /// The home page's title.
    home_title: &'static str,
    /// The home page's introduction of partnerscope.
    home_text: &'static str,
    /// The home page's link for facilitators.
    home_sign_in: &'static str,
    /// The home page's note for partners, who come through their own link.
    home_partners: &'static str,
    /// On the form, before the round's title: who asks.
    asked_by: &'static str,
    /// On the form: until when it takes answers; `{date}` is the closing date.
    answer_by: &'static str,
    /// On the form, before the round's contact line.
    contact_intro: &'static str,
    /// Label of a round's title field.
    round_title_label: &'static str,
    /// Hint under a round's title field.
    round_title_hint: &'static str,
    /// Label of a round's contact field.
    contact_label: &'static str,
    /// Hint under a round's contact field.
    contact_hint: &'static str,
    /// Label of a round's closing date field.
    closes_on_label: &'static str,
    /// Hint under a round's closing date field; `{zone}` is the server's time zone.
    closes_on_hint: &'static str,
    /// Heading of the round page's section with what partners are told.
    details_heading: &'static str,
    /// Button that stores what partners are told.
    details_button: &'static str,
    /// On the round page: the closing date; `{date}` is the date, `{zone}` the time zone.
    closes_note: &'static str,
    /// On the round page: no closing date.
    no_closing_date: &'static str,
    /// Form error: the closing date is not a date.
    detail_closes_on_malformed: &'static str,
    /// Form error: the closing date is over.
    detail_closes_on_past: &'static str,
    /// The field of a round's title, in words.
    field_round_title: &'static str,
    /// The field of a round's contact line, in words.
    field_contact: &'static str,
    // The meeting report and its share link (issue 15).
    /// Title of the meeting report; `{title}` is the round's title, `{wave}` its wave.
    report_title: &'static str,
    /// The report's response count with invited partners, for one and several responses (`{n}`);
    /// `{invited}`, `{rate}`.
    report_responses: [&'static str; 2],
    /// The report's response count without invited partners (open link only), for one and several
    /// responses (`{n}`).
    report_responses_open: [&'static str; 2],
    /// The report's release line; `{date}` and `{number}`.
    report_release: &'static str,
    /// The report before any release.
    report_no_release: &'static str,
    /// The report's note on small groups; `{n}` is the threshold.
    report_small_groups: &'static str,
    /// The shared report's note on who shares it.
    report_shared_note: &'static str,
    /// The facilitator's report: how to take it to the meeting.
    report_print_hint: &'static str,
    /// The facilitator's report: the way back to the round.
    report_back: &'static str,
    /// Heading of the report's dimension scores.
    report_dimensions_heading: &'static str,
    /// Column of the report's dimension table.
    report_dimension_label: &'static str,
    /// Column of the report's dimension table: the change; `{wave}` is the previous round's.
    report_change_label: &'static str,
    /// Heading of the report's strengths and concerns.
    report_bands_heading: &'static str,
    /// What the strengths and concerns list.
    report_bands_text: &'static str,
    /// The strengths and concerns when no factor is published.
    report_bands_none: &'static str,
    /// Heading of the report's statements.
    report_statements_heading: &'static str,
    /// Heading of the report's comments.
    report_comments_heading: &'static str,
    /// Link from the round page to its meeting report.
    report_link: &'static str,
    /// Heading of the round page's share section.
    share_heading: &'static str,
    /// What a share link does.
    share_text: &'static str,
    /// Button that makes a share link.
    share_button: &'static str,
    /// Button that replaces the share link with a new one.
    share_again_button: &'static str,
    /// Button that stops sharing.
    share_stop_button: &'static str,
    /// Label of the share link.
    share_link_label: &'static str,
    // Partners' status and details (issue 15).
    /// A partner's status: opened the link, saved nothing.
    status_opened: &'static str,
    /// Link to a partner's details.
    edit_partner_link: &'static str,
    /// Heading of a partner's details page; `{organisation}` is the partner.
    edit_partner_heading: &'static str,
    /// What a partner's details page changes.
    edit_partner_text: &'static str,
    /// Button that stores a partner's details.
    edit_partner_button: &'static str,
    /// Form error: the partner has submitted.
    detail_partner_submitted: &'static str,
    /// Link to the links of the partners who have not submitted.
    links_unsubmitted: &'static str,
    // A forgotten password, reset by e-mail (issue 15).
    /// Link from the sign-in page.
    forgot_link: &'static str,
    /// Heading of the forgotten password page.
    forgot_heading: &'static str,
    /// What the forgotten password page does.
    forgot_text: &'static str,
    /// The forgotten password page on a server without e-mail.
    forgot_no_mail: &'static str,
    /// Button that asks for a reset link.
    forgot_button: &'static str,
    /// After asking: the same words whether or not the address has an account.
    forgot_sent: &'static str,
    /// The reset e-mail's subject.
    reset_mail_subject: &'static str,
    /// The reset e-mail's body; `{link}` and `{minutes}`.
    reset_mail_body: &'static str,
    /// Heading of the new password page.
    reset_heading: &'static str,
    /// What the new password page does; `{email}` is the account.
    reset_text: &'static str,
    /// Label of the new password field.
    new_password_label: &'static str,
    /// Label of the repeated new password field.
    new_password_again_label: &'static str,
    /// Button that sets the new password.
    reset_button: &'static str,
    /// A reset link that expired or was used.
    reset_gone: &'static str,
    /// Heading of the page of a link that no longer works.
    link_gone_heading: &'static str,
    /// Heading of the page refusing to change what can no longer change.
    settled_heading: &'static str,
    /// The two new passwords differ.
    reset_mismatch: &'static str,
    /// Link in the facilitator's menu to the page that changes their password; its heading.
    password_link: &'static str,
    /// Heading of the page that changes a facilitator's password.
    password_heading: &'static str,
    /// What changing the password does.
    password_text: &'static str,
    /// Label of the current password.
    current_password_label: &'static str,
    /// The button that changes the password.
    password_button: &'static str,
    /// The current password typed is not right.
    password_wrong: &'static str,
    /// After the reset, on the sign-in page.
    reset_done: &'static str,

    // Co-facilitators and facilitator accounts (issue 15).
    /// Heading of a partnership's facilitators section.
    facilitators_heading: &'static str,
    /// After a facilitator's address: they own the partnership.
    owner_label: &'static str,
    /// After a facilitator's address: they co-facilitate the partnership.
    co_facilitator_label: &'static str,
    /// The facilitators section of a partnership without an owner.
    no_owner: &'static str,
    /// Label of the field that adds a co-facilitator.
    add_co_facilitator_label: &'static str,
    /// What adding a co-facilitator gives them, under its field.
    add_co_facilitator_hint: &'static str,
    /// Button that adds a co-facilitator.
    add_co_facilitator_button: &'static str,
    /// Button that removes a co-facilitator.
    remove_co_facilitator_button: &'static str,
    /// What a co-facilitator is told instead of the form.
    co_facilitator_note: &'static str,
    /// The button with which a co-facilitator stops co-facilitating a partnership.
    leave_partnership_button: &'static str,
    /// A typed e-mail address that cannot be one.
    detail_email: &'static str,
    /// Adding a co-facilitator: no account has the address.
    co_facilitator_unknown: &'static str,
    /// Adding a co-facilitator: the address is the owner's.
    co_facilitator_owner: &'static str,
    /// Adding a co-facilitator: they already are one.
    co_facilitator_already: &'static str,
    /// Error page: only the owner may do this, heading.
    owner_only_heading: &'static str,
    /// Error page: only the owner may do this, explanation.
    owner_only_text: &'static str,
    /// Navigation link to the accounts page, for administrators.
    accounts_link: &'static str,
    /// Heading of the accounts page.
    accounts_heading: &'static str,
    /// Column of the accounts list: administrator or not.
    administrator_label: &'static str,
    /// Column of the accounts list: when it was created.
    created_label: &'static str,
    /// A yes in a table.
    yes: &'static str,
    /// A no in a table.
    no: &'static str,
    /// Heading of the form that creates an account.
    new_account_heading: &'static str,
    /// Label of the checkbox that makes the new account an administrator.
    new_account_admin_label: &'static str,
    /// Button that creates an account.
    create_account_button: &'static str,
    /// After creating an account, before its password; `{email}` is its address.
    account_created: &'static str,
    /// After the new account's password.
    account_password_note: &'static str,
    /// Creating an account: the address already has one.
    account_duplicate: &'static str,

    // Paper and other tools (issue 15).
    /// Link from the round page to its printable paper form.
    paper_link: &'static str,
    /// Heading of the paper form page.
    paper_heading: &'static str,
    /// How to print the paper form, above the sheets (not printed).
    paper_print_hint: &'static str,
    /// Before the links that print more sheets at once.
    paper_sheets_label: &'static str,
    /// Why a paper form's number of sheets was refused.
    detail_sheets: &'static str,
    /// Before a sheet's id, printed on every page of the sheet.
    sheet_label: &'static str,
    /// Above the statements on paper.
    paper_tick_hint: &'static str,
    /// Above the comment questions on paper.
    paper_comments_hint: &'static str,
    /// Link from the round page to keying in paper sheets.
    paper_entry_link: &'static str,
    /// Heading of the page that keys in paper sheets.
    paper_entry_heading: &'static str,
    /// What the paper entry page does.
    paper_entry_text: &'static str,
    /// Label of the sheet id field.
    sheet_id_label: &'static str,
    /// The consent box on the paper entry page.
    paper_consent_label: &'static str,
    /// Button that stores a keyed-in sheet.
    paper_enter_button: &'static str,
    /// After a sheet was stored; `{sheet}` is its id.
    paper_stored: &'static str,
    /// Error summary: the sheet id is missing.
    error_sheet_id: &'static str,
    /// Error summary: the sheet id was keyed in already.
    error_sheet_taken: &'static str,
    /// Heading of the responses file upload.
    import_heading: &'static str,
    /// What a responses file holds, beside its upload field.
    import_hint: &'static str,
    /// Button that uploads a responses file.
    import_button: &'static str,
    /// After a file was imported, for one and several responses (`{n}`).
    import_stored: [&'static str; 2],
    /// Above the problems of a refused responses file.
    import_refused: &'static str,
    // Invitations and reminders by e-mail (issue 15).
    /// The invitation message's subject; `{asker}` is the round's title.
    invitation_mail_subject: &'static str,
    /// The invitation message's opening; `{asker}` and `{link}`, the personal link.
    invitation_mail_body: &'static str,
    /// The reminder's subject; `{asker}`.
    reminder_mail_subject: &'static str,
    /// The reminder's opening; `{asker}` and `{link}`.
    reminder_mail_body: &'static str,
    /// A message's line about the closing date; `{date}`.
    mail_closes: &'static str,
    /// A message's contact line; `{contact}`.
    mail_contact: &'static str,
    /// A message's last lines, with the link that stops reminders; `{link}`.
    mail_stop: &'static str,
    /// Heading of the partners page's e-mail section.
    mailing_heading: &'static str,
    /// What the e-mail section does.
    mailing_text: &'static str,
    /// Button that queues the invitations.
    send_invitations_button: &'static str,
    /// Button that queues the reminders.
    send_reminders_button: &'static str,
    /// The mail job's progress; `{queued}`, `{sent}` and `{failed}`.
    mailing_progress: &'static str,
    /// Link that reloads the partners page to see the progress.
    mailing_refresh: &'static str,
    /// The e-mail section on a server without SMTP.
    mailing_not_set_up: &'static str,
    /// The e-mail section of a closed round.
    mailing_closed: &'static str,
    /// Heading of the partners table's e-mail column.
    mail_column: &'static str,
    /// A partner's invitation was sent; `{date}`.
    mail_invited_on: &'static str,
    /// Reminders sent to a partner: one, and `{n}`.
    mail_reminders: [&'static str; 2],
    /// A message waits to be tried again; `{error}` is the SMTP server's reply.
    mail_retrying: &'static str,
    /// A message failed after its attempts; `{error}`.
    mail_failed: &'static str,
    /// A message was refused for good; `{error}`.
    mail_bounced: &'static str,
    /// The partner stopped reminders.
    mail_opted_out: &'static str,
    /// Heading of the page that stops reminders.
    stop_heading: &'static str,
    /// What stopping reminders does; `{asker}` is the round's title.
    stop_text: &'static str,
    /// Button that stops reminders.
    stop_button: &'static str,
    /// After reminders were stopped.
    stop_done: &'static str,
    // Plain words on the dashboard (issue 16).
    /// What a dimension's interval means, with its ends `{low}` and `{high}`.
    explain_interval: &'static str,
    /// What a dimension's band means: `{band}` covers averages from `{from}` to `{to}`.
    explain_band: &'static str,
    /// Alpha `{alpha}` of at least 0.8, in plain words.
    explain_alpha_good: &'static str,
    /// Alpha `{alpha}` from 0.7 to 0.8, in plain words.
    explain_alpha_enough: &'static str,
    /// What the sector tables' agreement column means.
    explain_agreement: &'static str,
    /// Heading of the dashboard's breakdown by language.
    languages_heading: &'static str,
    /// What that breakdown shows, and how it is protected.
    languages_text: &'static str,
    /// Its first column's heading.
    language_column: &'static str,
    // Problems in a partner list or the partner form, in the reader's words; placed as a
    // responses file's problems are (`file_at_row`, `file_at_column`).
    /// A partner list without even a header row.
    partner_list_empty: &'static str,
    /// A row the CSV reader cannot read; `{reason}` is its own (English) words.
    partner_unreadable: &'static str,
    /// A partner list that is not UTF-8 text.
    partner_not_utf8: &'static str,
    /// A heading, the `{n}`th, holding a control character.
    partner_heading_control: &'static str,
    /// A column's heading `{name}` given twice.
    partner_column_twice: &'static str,
    /// The `{n}`th heading, `{name}`, naming no column.
    partner_unknown_column: &'static str,
    /// The required column `{name}` is missing.
    partner_no_column: &'static str,
    /// A list with a header and no partner.
    partner_none: &'static str,
    /// A required `{field}` left blank.
    partner_blank: &'static str,
    /// `{email}` is not an e-mail address.
    partner_not_email: &'static str,
    /// `{language}` is not a language tag.
    partner_not_language: &'static str,
    /// A new password shorter than `{n}` characters.
    password_too_short: &'static str,
    /// A new password longer than `{n}` bytes.
    password_too_long: &'static str,
    /// What partners of an identified round are told; in English, the statement the round
    /// stores (`survey::IDENTIFIED_CONSENT`).
    identified_statement: &'static str,
    /// Why figures repeat an earlier release when no later response waits; `{threshold}` is the
    /// minimum group size.
    release_repeats: &'static str,
    // Problems of an uploaded responses file, in the reader's language (issue 16).
    /// A problem of an uploaded responses file or a partner list on row `{row}`: `{problem}`.
    file_at_row: &'static str,
    /// A problem in column `{column}` (a responses file's column without a name, by number; a
    /// partner list's, by name) of row `{row}`.
    file_at_column: &'static str,
    /// A problem in column `{column}`, named `{name}`, of row `{row}`.
    file_at_cell: &'static str,
    /// A `{problem}` about a name, and the column `{name}` that looks like it but for case and spaces.
    file_did_you_mean: &'static str,
    /// A name or text of the file, quoted, in lists.
    file_quoted: &'static str,
    /// The file could not be read; `{error}` is the system's own words.
    file_unreadable: &'static str,
    /// The file's text is not UTF-8; `{encoding}` is the encoding it looks like.
    file_not_utf8: &'static str,
    /// An encoding `{label}` that partnerscope cannot read.
    file_unknown_encoding: &'static str,
    /// The file is not CSV as the reader understands it; `{error}` is the reader's own words.
    file_csv: &'static str,
    /// The file is empty.
    file_empty: &'static str,
    /// The first row, of column names, cannot be used; `{problems}` lists why.
    file_header: &'static str,
    /// There is no respondent column called `{name}`.
    file_no_respondent_column: &'static str,
    /// There is no group (sector) column called `{name}`.
    file_no_group_column: &'static str,
    /// There is no wave column called `{name}`.
    file_no_wave_column: &'static str,
    /// Columns `{first}` and `{second}` have the same name `{name}`.
    file_same_name: &'static str,
    /// Columns `{first}` (`{first_name}`) and `{second}` (`{second_name}`) are both statement `{item}`.
    file_same_item: &'static str,
    /// A file with one row per answer has no column `{name}`.
    file_long_column: &'static str,
    /// Statements without a column; `{columns}` lists them.
    file_missing_items: &'static str,
    /// A statement's two possible column names, `{id}` and `{column}`.
    file_either: &'static str,
    /// Columns that are not statements nor respondent, group or wave; `{columns}` lists them.
    file_extra_columns: &'static str,
    /// A row with one and with several (`{n}`) cells where the first row has `{expected}`.
    file_cells: [&'static str; 2],
    /// A row without a respondent id.
    file_blank_id: &'static str,
    /// A respondent id `{respondent}` already on row `{row}`.
    file_repeated: &'static str,
    /// A respondent `{respondent}` of a file with one row per answer, whose rows started on row `{row}` and stopped.
    file_not_together: &'static str,
    /// A group `{value}` other than the `{kept}` of the same respondent's row `{row}`.
    file_group_differs: &'static str,
    /// A wave `{value}` other than the `{kept}` of the same respondent's row `{row}`.
    file_wave_differs: &'static str,
    /// A `{name}` that is not a statement of the survey.
    file_not_an_item: &'static str,
    /// A statement `{item}` answered twice by one respondent, first on row `{row}`.
    file_already_answered: &'static str,
    /// A cell `{cell}` that is no answer to its statement; `{accepted}` lists what is.
    file_not_an_answer: &'static str,
    /// Accepted: the scale's numbers from `{min}` to `{max}`.
    file_accepted_numbers: &'static str,
    /// Accepted: the scale's `{labels}`.
    file_accepted_labels: &'static str,
    /// Accepted: a missing option's `{code}` and `{label}`.
    file_accepted_missing: &'static str,
    /// Accepted: the instrument's `{codes}`.
    file_accepted_codes: &'static str,
    /// Accepted: nothing, for no answer.
    file_accepted_blank: &'static str,
    /// A row's wave `{wave}` that is not the round's `{round}`.
    file_wave_not_round: &'static str,
    /// A group or sector `{group}` that is none of the survey's `{sectors}`.
    file_not_a_sector: &'static str,
    /// A row that answers no statement.
    file_no_answer: &'static str,
}

/// `template` with each `{key}` of `values` replaced, in one pass: a value is text from the file
/// and may hold braces, which must not be read as a placeholder in turn.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let found = after.find('}').and_then(|end| {
            let key = &after[..end];
            let value = values.iter().find(|(k, _)| *k == key)?.1;
            Some((value, &after[end + 1..]))
        });
        match found {
            Some((value, next)) => {
                out.push_str(value);
                rest = next;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `n` in words with the singular or plural of `forms` (`["{n} response", "{n} responses"]`).
pub fn counted(forms: [&str; 2], n: u64) -> String {
    let [one, many] = forms;
    let form = if n == 1 { one } else { many };
    form.replace("{n}", &n.to_string())
}

/// The thing a deletion is about, as [`Messages::deletion`] names it.
#[derive(Debug, Clone, Copy)]
pub enum Named<'a> {
    /// A partnership and its name.
    Partnership(&'a str),
    /// A round and its wave label.
    Round(&'a str),
    /// A partner's organisation and their round's wave label.
    Partner(&'a str, &'a str),
}

/// Every catalogue; the first, English, is the one for a language without its own.
pub const CATALOGUES: &[&Messages] = &[&EN, &ES];

impl Messages {
    /// The catalogue of the language `tag` (such as `es` or `en-GB`, by its primary subtag),
    /// English when there is none.
    pub fn for_language(tag: Option<&str>) -> &'static Messages {
        tag.and_then(Messages::of).unwrap_or(&EN)
    }

    /// The catalogue of the language `tag`, by its primary subtag, if there is one.
    pub fn of(tag: &str) -> Option<&'static Messages> {
        let primary = tag.split(['-', '_']).next()?;
        CATALOGUES
            .iter()
            .copied()
            .find(|m| primary.eq_ignore_ascii_case(m.lang))
    }

    /// `on` as people of this language read a date: "Friday 4 December 2026".
    pub fn long_date(&self, on: jiff::civil::Date) -> String {
        // Both are in range for any date: weekdays count from Monday = 0, months from 1.
        let weekday =
            self.weekdays[usize::from(on.weekday().to_monday_zero_offset().unsigned_abs())];
        let month = self.months[usize::from(on.month().unsigned_abs()) - 1];
        self.long_date
            .replace("{weekday}", weekday)
            .replace("{day}", &on.day().to_string())
            .replace("{month}", month)
            .replace("{year}", &on.year().to_string())
    }

    /// What a deletion takes away, in words: `named`, then the counts of `contents` that such a
    /// thing can hold, e.g. "the round 2026 spring: 12 partners, 9 submitted responses, 3 drafts,
    /// 4 comments, 2 releases".
    pub fn deletion(&self, named: Named<'_>, contents: &Contents) -> String {
        let (name, holds_rounds, holds_partners) = match named {
            Named::Partnership(name) => {
                (self.named_partnership.replace("{name}", name), true, true)
            }
            Named::Round(wave) => (self.named_round.replace("{wave}", wave), false, true),
            Named::Partner(organisation, wave) => (
                self.named_partner
                    .replace("{organisation}", organisation)
                    .replace("{wave}", wave),
                false,
                false,
            ),
        };
        let counts = [
            (holds_rounds, contents.rounds, self.count_rounds),
            (holds_partners, contents.partners, self.count_partners),
            (holds_partners, contents.submitted, self.count_submitted),
            (true, contents.drafts, self.count_drafts),
            (true, contents.comments, self.count_comments),
            (holds_partners, contents.releases, self.count_releases),
        ];
        let counts: Vec<String> = counts
            .into_iter()
            .filter(|&(holds, _, _)| holds)
            .map(|(_, n, forms)| counted(forms, n))
            .collect();
        format!("{name}: {}", counts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The `{name}` placeholders of a text, each once.
    fn placeholders(text: &str) -> BTreeSet<&str> {
        let mut found = BTreeSet::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let after = &rest[start + 1..];
            match after.find('}') {
                Some(end) => {
                    found.insert(&after[..end]);
                    rest = &after[end + 1..];
                }
                None => break,
            }
        }
        found
    }

    /// Every way a translated message may differ from the English one and break where the code
    /// uses it: a blank text, other placeholders, another number of line breaks.
    fn problems(catalogue: &Messages) -> Vec<String> {
        let english = EN.entries();
        let translated = catalogue.entries();
        assert_eq!(
            english.len(),
            translated.len(),
            "entries() lists every field"
        );
        let mut problems = Vec::new();
        for ((key, en_texts), (same_key, texts)) in english.into_iter().zip(translated) {
            assert_eq!(key, same_key, "entries() lists the fields in one order");
            for (en_text, text) in en_texts.iter().zip(texts) {
                if text.trim().is_empty() {
                    problems.push(format!("{}.{key}: empty", catalogue.lang));
                }
                if placeholders(text) != placeholders(en_text) {
                    problems.push(format!(
                        "{}.{key}: placeholders {:?}, English has {:?}",
                        catalogue.lang,
                        placeholders(text),
                        placeholders(en_text)
                    ));
                }
                if text.matches('\n').count() != en_text.matches('\n').count() {
                    problems.push(format!(
                        "{}.{key}: {} line breaks, English has {}",
                        catalogue.lang,
                        text.matches('\n').count(),
                        en_text.matches('\n').count()
                    ));
                }
            }
        }
        problems
    }

    #[test]
    fn every_catalogue_has_every_message_with_the_english_placeholders_and_line_breaks() {
        let problems: Vec<String> = CATALOGUES.iter().flat_map(|m| problems(m)).collect();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn the_check_finds_a_lost_placeholder_a_blank_text_and_a_lost_line_break() {
        let broken = Messages {
            privacy_note: "Sus respuestas se combinan.",
            consent_label: " ",
            reset_mail_body: "{link} {minutes}",
            ..ES
        };
        let found = problems(&broken);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].contains("privacy_note"));
        assert!(found[1].contains("consent_label"));
        assert!(found[2].contains("reset_mail_body"));
    }

    #[test]
    fn the_english_identified_statement_is_the_one_rounds_store() {
        assert_eq!(EN.identified_statement, crate::survey::IDENTIFIED_CONSENT);
    }

    #[test]
    fn entries_lists_every_field_once() {
        let keys: BTreeSet<&str> = EN.entries().iter().map(|(key, _)| *key).collect();
        assert_eq!(keys.len(), EN.entries().len());
        assert!(keys.contains("privacy_note") && keys.contains("stop_done"));
        let reminders = EN
            .entries()
            .into_iter()
            .find(|(key, _)| *key == "mail_reminders");
        assert_eq!(reminders.map(|(_, texts)| texts.len()), Some(2));
    }

    #[test]
    fn a_spanish_tag_gets_spanish_and_any_other_or_none_english() {
        assert_eq!(Messages::for_language(Some("es-MX")).lang, "es");
        assert_eq!(Messages::for_language(Some("es")).lang, "es");
        assert_eq!(Messages::for_language(Some("ES_us")).lang, "es");
        assert_eq!(Messages::for_language(Some("fr")).lang, "en");
        assert_eq!(Messages::for_language(Some("")).lang, "en");
        assert_eq!(Messages::for_language(None).lang, "en");
    }

    #[test]
    fn every_catalogue_has_its_own_language_tag() {
        let tags: BTreeSet<&str> = CATALOGUES.iter().map(|m| m.lang).collect();
        assert_eq!(tags.len(), CATALOGUES.len());
        assert_eq!(CATALOGUES[0].lang, "en", "English is the fallback");
    }

    #[test]
    fn a_date_reads_as_a_weekday_day_month_and_year_in_each_language() {
        let on = jiff::civil::date(2026, 12, 4);
        assert_eq!(EN.long_date(on), "Friday 4 December 2026");
        assert_eq!(ES.long_date(on), "viernes 4 de diciembre de 2026");
        // Sunday ends the week and December the year: the last entries of both lists.
        assert_eq!(
            ES.long_date(jiff::civil::date(2028, 12, 31)),
            "domingo 31 de diciembre de 2028"
        );
    }
}
