//! The interface text of the web pages: one catalogue per language, every message keyed by the
//! field name, so templates and handlers never spell out a sentence themselves.
//!
//! Instrument texts (items, scales, introduction) come from the instrument; these are the words
//! around them. A translation is one more `Messages` value.

use crate::store::Contents;

/// Every interface message, by id.
#[derive(Debug)]
pub struct Messages {
    /// Language tag of the catalogue.
    pub lang: &'static str,
    /// Name of the product, in page titles.
    pub product: &'static str,
    /// How results are reported, on the form; `{n}` is the round's minimum group size.
    pub privacy_note: &'static str,
    /// The link from the form to the privacy page.
    pub privacy_link: &'static str,
    /// Title of the privacy page.
    pub privacy_title: &'static str,
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
    /// Banner on an instrument author's preview.
    pub preview_notice: &'static str,
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
    /// Error page: no page at this address.
    pub not_found_heading: &'static str,
    /// Error page: no page at this address, explanation.
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
    /// Heading of the page for a request whose body arrived too slowly (408).
    pub timeout_heading: &'static str,
    /// Text of that page.
    pub timeout_text: &'static str,
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
    /// Detail when an upload holds no file.
    pub detail_no_file: &'static str,
    /// Detail: a `%` escape of the form body is malformed; `{field}` is the field in words.
    pub detail_bad_escape: &'static str,
    /// Detail: a field of the form body is not UTF-8 text; `{field}` is the field in words.
    pub detail_not_utf8: &'static str,
    /// Detail: a field holds a control character; `{field}` is the field in words.
    pub detail_control_character: &'static str,
    /// Detail: a one-line field holds a tab or line break; `{field}` is the field in words.
    pub detail_not_one_line: &'static str,
    /// Detail: a field is longer than `{max}` characters; `{field}` is the field in words.
    pub detail_too_long: &'static str,
    /// Detail: a field is longer than `{max}` bytes; `{field}` is the field in words.
    pub detail_too_long_bytes: &'static str,
    /// A field in words, by its position `{n}` in the form (its name is not plain text).
    pub field_numbered: &'static str,
    /// A field in words, by its name `{name}` (a field of none of our forms).
    pub field_named: &'static str,
    /// The field `name` (a new partnership's), in words.
    pub field_partnership_name: &'static str,
    /// The field `wave`, in words.
    pub field_wave: &'static str,
    /// The field `organisation`, in words.
    pub field_organisation: &'static str,
    /// The field `sector`, in words.
    pub field_sector: &'static str,
    /// The field `email`, in words.
    pub field_email: &'static str,
    /// The field `language`, in words.
    pub field_language: &'static str,
    /// The field `password`, in words.
    pub field_password: &'static str,
    /// The field `list` (the pasted partner list), in words.
    pub field_list: &'static str,
    /// A `comment-…` field, in words.
    pub field_comment: &'static str,
    /// Error page: a facilitator form without its security token.
    pub csrf_heading: &'static str,
    /// Error page: CSRF refusal, explanation.
    pub csrf_text: &'static str,
    /// Detail: a blank partnership name.
    pub detail_name: &'static str,
    /// Detail: a blank wave label.
    pub detail_wave: &'static str,
    /// Detail: a bad minimum group size.
    pub detail_min_group_size: &'static str,
    /// The minimum group size of an identified round is out of range.
    pub detail_min_group_size_identified: &'static str,
    /// Detail: an unknown instrument.
    pub detail_instrument: &'static str,
    /// Sign-in page heading.
    pub sign_in_heading: &'static str,
    /// Label of e-mail fields.
    pub email_label: &'static str,
    /// Label of the password field.
    pub password_label: &'static str,
    /// Sign-in button.
    pub sign_in_button: &'static str,
    /// Sign-in refused: wrong address or password (never says which).
    pub sign_in_wrong: &'static str,
    /// Sign-in refused after repeated failures; `{seconds}` is the wait.
    pub sign_in_wait: &'static str,
    /// Sign-in refused because every password checker is busy (status 503).
    pub sign_in_busy: &'static str,
    /// Sign-out button.
    pub sign_out_button: &'static str,
    /// Button that ends every session of the facilitator, on every device.
    pub sign_out_everywhere_button: &'static str,
    /// Before the signed-in address.
    pub signed_in_as: &'static str,
    /// Heading of the partnerships list.
    pub partnerships_heading: &'static str,
    /// When there are no partnerships.
    pub no_partnerships: &'static str,
    /// Heading of the new partnership form.
    pub new_partnership_heading: &'static str,
    /// Label of the partnership name.
    pub name_label: &'static str,
    /// Button that creates.
    pub create_button: &'static str,
    /// Heading of a partnership's rounds.
    pub rounds_heading: &'static str,
    /// When a partnership has no rounds.
    pub no_rounds: &'static str,
    /// Heading of the new round form.
    pub new_round_heading: &'static str,
    /// Label of the instrument choice.
    pub instrument_label: &'static str,
    /// Label of the wave field.
    pub wave_label: &'static str,
    /// Label of the minimum group size.
    pub min_group_size_label: &'static str,
    /// Label of the open link checkbox.
    pub open_link_label: &'static str,
    /// Explains the minimum group size's range.
    pub min_group_size_hint: &'static str,
    /// Label of the identified-round checkbox.
    pub identified_label: &'static str,
    /// What an identified round means.
    pub identified_hint: &'static str,
    /// Shown to partners of an identified round, above its consent statement.
    pub identified_heading: &'static str,
    /// A round's state: open.
    pub round_open: &'static str,
    /// A round's state: closed.
    pub round_closed: &'static str,
    /// Button that closes a round.
    pub close_button: &'static str,
    /// Button that reopens a round.
    pub reopen_button: &'static str,
    /// Heading of the next round form.
    pub next_round_heading: &'static str,
    /// Button that starts the next round.
    pub next_round_button: &'static str,
    /// Link back to the list.
    pub all_partnerships: &'static str,
    /// Heading of the partners page.
    pub partners_heading: &'static str,
    /// Heading of the one-partner form.
    pub add_partner_heading: &'static str,
    /// Label of the organisation field.
    pub organisation_label: &'static str,
    /// Label of the sector field.
    pub sector_label: &'static str,
    /// Label of the language field.
    pub language_label: &'static str,
    /// Label of the partner's e-mail field.
    pub optional_email_label: &'static str,
    /// Button that adds partners.
    pub add_button: &'static str,
    /// Heading of the CSV paste form.
    pub paste_heading: &'static str,
    /// Explains the CSV columns.
    pub paste_hint: &'static str,
    /// Heading of the form that uploads a partner list file.
    pub upload_heading: &'static str,
    /// Label of the partner list file field.
    pub upload_hint: &'static str,
    /// Button that uploads the file.
    pub upload_button: &'static str,
    /// Heading of a list of problems.
    pub problems_heading: &'static str,
    /// Heading of the response rate table.
    pub progress_heading: &'static str,
    /// Link to the self-refreshing response rate page.
    pub progress_live_link: &'static str,
    /// Note on the self-refreshing response rate page.
    pub progress_live_note: &'static str,
    /// Column: invited partners.
    pub invited_label: &'static str,
    /// Column: partners who started.
    pub started_label: &'static str,
    /// Column: partners who submitted.
    pub submitted_label: &'static str,
    /// Column: responses submitted through the open link.
    pub via_open_link_label: &'static str,
    /// Column of the progress table: responses keyed in from paper or imported.
    pub by_staff_label: &'static str,
    /// Before the number of submitted responses (all links).
    pub submitted_total: &'static str,
    /// Link to the invitation links CSV.
    pub links_download: &'static str,
    /// Before the open link.
    pub open_link_heading: &'static str,
    /// Heading of the downloads.
    pub downloads_heading: &'static str,
    /// Heading of the downloads of every round of the partnership with the round's instrument.
    pub series_heading: &'static str,
    /// What the series' downloads hold.
    pub series_note: &'static str,
    /// A wave label two rounds of a series share, with the round's number (`{wave}`, `{round}`).
    pub series_wave: &'static str,
    /// Heading of the dashboard.
    pub dashboard_heading: &'static str,
    /// When nothing is submitted yet.
    pub no_responses: &'static str,
    /// Title of the dimensions chart.
    pub chart_title: &'static str,
    /// Title of a sector chart; `{dimension}` is its title.
    pub chart_by_sector: &'static str,
    /// Chart note of a suppressed sector; `{n}` is its size.
    pub chart_too_few: &'static str,
    /// Warning: low alpha; `{alpha}` is its value.
    pub warn_low_alpha: &'static str,
    /// Warning: small sample; `{n}` is its size.
    pub warn_small_sample: &'static str,
    /// Band change into the top band.
    pub became_top: &'static str,
    /// Band change out of the top band.
    pub left_top: &'static str,
    /// Band change upwards.
    pub moved_up: &'static str,
    /// Band change downwards.
    pub moved_down: &'static str,
    /// Column: mean.
    pub mean_label: &'static str,
    /// Column: 95 % interval.
    pub ci_label: &'static str,
    /// Column: band.
    pub band_label: &'static str,
    /// Column: alpha.
    pub alpha_label: &'static str,
    /// Column: respondents.
    pub n_label: &'static str,
    /// Column: within-group agreement.
    pub rwg_label: &'static str,
    /// Column: standard deviation.
    pub sd_label: &'static str,
    /// Column: corrected item-total correlation.
    pub r_drop_label: &'static str,
    /// Column: alpha without the item.
    pub alpha_if_deleted_label: &'static str,
    /// Heading of a card's factors.
    pub factors_label: &'static str,
    /// Before the change since the previous round; `{wave}` is its label.
    pub change_label: &'static str,
    /// Label of a p-value.
    pub p_label: &'static str,
    /// Label of Cohen's d.
    pub d_label: &'static str,
    /// When a round was too small to compare.
    pub change_suppressed: &'static str,
    /// Heading of the sector breakdown.
    pub sectors_heading: &'static str,
    /// The release the figures come from; `{number}`, `{date}` and `{n}` (responses).
    pub release_summary: &'static str,
    /// Why figures lag behind; `{n}` later responses, `{threshold}` the minimum group size.
    pub release_waiting: &'static str,
    /// Before the first release.
    pub release_none: &'static str,
    /// Above the comments: what removing one does.
    pub comments_redact_note: &'static str,
    /// Button that removes a comment's text.
    pub comment_remove_button: &'static str,
    /// Interim releases are on.
    pub interim_on_text: &'static str,
    /// Interim releases are off.
    pub interim_off_text: &'static str,
    /// Button that turns interim releases on.
    pub interim_on_button: &'static str,
    /// Button that turns interim releases off.
    pub interim_off_button: &'static str,
    /// A suppressed cell.
    pub suppressed_label: &'static str,
    /// Heading of the item analysis.
    pub items_heading: &'static str,
    /// Column: the statement.
    pub item_label: &'static str,
    /// Marks an item that fits its dimension poorly.
    pub weak_item: &'static str,
    /// Marks a reverse-keyed item.
    pub reverse_label: &'static str,
    /// Column: share of an item's answers in the top two points.
    pub agree_label: &'static str,
    /// Column: share of an item's answers in the bottom two points.
    pub disagree_label: &'static str,
    /// What the agree and disagree columns count, under the item table.
    pub poles_note: &'static str,
    /// Heading of the comments on the dashboard.
    pub comments_list_heading: &'static str,
    /// Banner after a draft was saved, with the resume code below it.
    pub draft_saved_code: &'static str,
    /// Label of the resume code shown after saving.
    pub resume_code_label: &'static str,
    /// Why to keep the resume code.
    pub resume_code_hint: &'static str,
    /// Heading when the link has a draft this browser cannot open.
    pub draft_elsewhere_heading: &'static str,
    /// What to do about a draft saved elsewhere.
    pub draft_elsewhere_text: &'static str,
    /// Label of the resume code field.
    pub resume_field: &'static str,
    /// Button that opens a draft with its resume code.
    pub resume_button: &'static str,
    /// Error: the resume code does not open the draft.
    pub resume_wrong: &'static str,
    /// On the form: withdrawing is possible.
    pub withdraw_note: &'static str,
    /// Heading of the receipt on the thank-you page.
    pub receipt_heading: &'static str,
    /// Explanation of the receipt code.
    pub receipt_text: &'static str,
    /// Link to the withdrawal page.
    pub withdraw_link: &'static str,
    /// Title of the withdrawal page.
    pub withdraw_title: &'static str,
    /// Explanation on the withdrawal page.
    pub withdraw_text: &'static str,
    /// Label of the receipt code field.
    pub withdraw_field: &'static str,
    /// Button that withdraws a response.
    pub withdraw_button: &'static str,
    /// Error: no response has this receipt code.
    pub withdraw_wrong: &'static str,
    /// After withdrawing.
    pub withdraw_done: &'static str,
    /// Error page: a form id the server did not issue.
    pub forged_heading: &'static str,
    /// Error page: a form id the server did not issue, explanation.
    pub forged_text: &'static str,
    /// Banner: the open-link form was renewed after it expired.
    pub form_expired: &'static str,
    /// Banner: too many submissions from one address.
    pub rate_limited: &'static str,
    /// Error page: the open link's cap is reached.
    pub cap_heading: &'static str,
    /// Error page: the open link's cap is reached, explanation.
    pub cap_text: &'static str,
    /// Heading of the responses section of a round.
    pub responses_heading: &'static str,
    /// Explanation of excluding and deleting responses.
    pub responses_text: &'static str,
    /// Label of the pseudonym field.
    pub pseudonym_field: &'static str,
    /// Button that excludes a response.
    pub exclude_button: &'static str,
    /// Button that deletes a response.
    pub delete_response_button: &'static str,
    /// Button that includes an excluded response again.
    pub include_button: &'static str,
    /// Heading of the list of excluded responses.
    pub excluded_heading: &'static str,
    /// An exclusion no release has applied yet.
    pub excluded_waiting: &'static str,
    /// Label of the open-link cap field.
    pub open_cap_field: &'static str,
    /// Button that sets the open-link cap.
    pub open_cap_button: &'static str,
    /// Refusal: the pseudonym field.
    pub detail_pseudonym: &'static str,
    /// Refusal: no such response.
    pub detail_no_such_response: &'static str,
    /// Refusal: the open-link limit.
    pub detail_open_cap: &'static str,

    // Deletion and retention.
    /// Button leading to a deletion's confirmation page.
    pub delete_button: &'static str,
    /// Heading of a deletion's confirmation page.
    pub delete_heading: &'static str,
    /// Before what a deletion takes away (the sentence of [`Messages::deletion`] follows).
    pub delete_intro: &'static str,
    /// What a deletion does not reach.
    pub delete_warning: &'static str,
    /// Button that deletes, on the confirmation page.
    pub delete_confirm_button: &'static str,
    /// Link back from a confirmation page.
    pub cancel_link: &'static str,
    /// A partnership, by `{name}`.
    pub named_partnership: &'static str,
    /// A round, by `{wave}`.
    pub named_round: &'static str,
    /// A partner, by `{organisation}` and their round's `{wave}`.
    pub named_partner: &'static str,
    /// Counts of what a deletion takes away, singular and plural; `{n}` is the count.
    pub count_rounds: [&'static str; 2],
    /// See `count_rounds`.
    pub count_partners: [&'static str; 2],
    /// See `count_rounds`.
    pub count_submitted: [&'static str; 2],
    /// See `count_rounds`.
    pub count_drafts: [&'static str; 2],
    /// See `count_rounds`.
    pub count_comments: [&'static str; 2],
    /// See `count_rounds`.
    pub count_releases: [&'static str; 2],
    /// Why a partner cannot be deleted while their submitted response is linked to them.
    pub delete_refused_linked: &'static str,
    /// Heading of the list of a round's partners.
    pub invited_partners_heading: &'static str,
    /// Column: how far a partner's response got.
    pub response_label: &'static str,
    /// A partner's progress: nothing saved yet.
    pub status_none: &'static str,
    /// A partner's progress: a draft.
    pub status_draft: &'static str,
    /// A partner's progress: submitted.
    pub status_submitted: &'static str,
    /// Button leading to the confirmation of removing a closed round's partner addresses.
    pub emails_button: &'static str,
    /// Heading of that confirmation page.
    pub emails_heading: &'static str,
    /// What removing the addresses does; `{n}` addresses, `{wave}` the round.
    pub emails_text: &'static str,
    /// Button that removes the addresses.
    pub emails_confirm_button: &'static str,
    /// Detail: the addresses of an open round cannot be removed.
    pub detail_round_open: &'static str,
    /// On the form: before the invited counts per sector.
    pub invited_note: &'static str,
    /// A sector left blank.
    pub no_sector: &'static str,
    // The front door, and what a round tells its partners (issue 15).
    /// Error page: a link to a survey that does not exist.
    pub unknown_link_heading: &'static str,
    /// Error page: a link to a survey that does not exist, explanation.
    pub unknown_link_text: &'static str,
    /// The home page's title.
    pub home_title: &'static str,
    /// The home page's introduction of partnerscope.
    pub home_text: &'static str,
    /// The home page's link for facilitators.
    pub home_sign_in: &'static str,
    /// The home page's note for partners, who come through their own link.
    pub home_partners: &'static str,
    /// On the form, before the round's title: who asks.
    pub asked_by: &'static str,
    /// On the form: until when it takes answers; `{date}` is the closing date.
    pub answer_by: &'static str,
    /// On the form, before the round's contact line.
    pub contact_intro: &'static str,
    /// Label of a round's title field.
    pub round_title_label: &'static str,
    /// Hint under a round's title field.
    pub round_title_hint: &'static str,
    /// Label of a round's contact field.
    pub contact_label: &'static str,
    /// Hint under a round's contact field.
    pub contact_hint: &'static str,
    /// Label of a round's closing date field.
    pub closes_on_label: &'static str,
    /// Hint under a round's closing date field; `{zone}` is the server's time zone.
    pub closes_on_hint: &'static str,
    /// Heading of the round page's section with what partners are told.
    pub details_heading: &'static str,
    /// Button that stores what partners are told.
    pub details_button: &'static str,
    /// On the round page: the closing date; `{date}` is the date, `{zone}` the time zone.
    pub closes_note: &'static str,
    /// On the round page: no closing date.
    pub no_closing_date: &'static str,
    /// Form error: the closing date is not a date.
    pub detail_closes_on_malformed: &'static str,
    /// Form error: the closing date is over.
    pub detail_closes_on_past: &'static str,
    /// The field of a round's title, in words.
    pub field_round_title: &'static str,
    /// The field of a round's contact line, in words.
    pub field_contact: &'static str,
    // The meeting report and its share link (issue 15).
    /// Title of the meeting report; `{title}` is the round's title, `{wave}` its wave.
    pub report_title: &'static str,
    /// The report's response count with invited partners; `{n}`, `{invited}`, `{rate}`.
    pub report_responses: &'static str,
    /// The report's response count without invited partners (open link only); `{n}`.
    pub report_responses_open: &'static str,
    /// The report's release line; `{date}` and `{number}`.
    pub report_release: &'static str,
    /// The report before any release.
    pub report_no_release: &'static str,
    /// The report's note on small groups; `{n}` is the threshold.
    pub report_small_groups: &'static str,
    /// The shared report's note on who shares it.
    pub report_shared_note: &'static str,
    /// The facilitator's report: how to take it to the meeting.
    pub report_print_hint: &'static str,
    /// The facilitator's report: the way back to the round.
    pub report_back: &'static str,
    /// Heading of the report's dimension scores.
    pub report_dimensions_heading: &'static str,
    /// Column of the report's dimension table.
    pub report_dimension_label: &'static str,
    /// Column of the report's dimension table: the change; `{wave}` is the previous round's.
    pub report_change_label: &'static str,
    /// Heading of the report's strengths and concerns.
    pub report_bands_heading: &'static str,
    /// What the strengths and concerns list.
    pub report_bands_text: &'static str,
    /// The strengths and concerns when no factor is published.
    pub report_bands_none: &'static str,
    /// Heading of the report's statements.
    pub report_statements_heading: &'static str,
    /// Heading of the report's comments.
    pub report_comments_heading: &'static str,
    /// Link from the round page to its meeting report.
    pub report_link: &'static str,
    /// Heading of the round page's share section.
    pub share_heading: &'static str,
    /// What a share link does.
    pub share_text: &'static str,
    /// Button that makes a share link.
    pub share_button: &'static str,
    /// Button that replaces the share link with a new one.
    pub share_again_button: &'static str,
    /// Button that stops sharing.
    pub share_stop_button: &'static str,
    /// Label of the share link.
    pub share_link_label: &'static str,
    // Partners' status and details (issue 15).
    /// A partner's status: opened the link, saved nothing.
    pub status_opened: &'static str,
    /// Link to a partner's details.
    pub edit_partner_link: &'static str,
    /// Heading of a partner's details page; `{organisation}` is the partner.
    pub edit_partner_heading: &'static str,
    /// What a partner's details page changes.
    pub edit_partner_text: &'static str,
    /// Button that stores a partner's details.
    pub edit_partner_button: &'static str,
    /// Form error: the partner has submitted.
    pub detail_partner_submitted: &'static str,
    /// Link to the links of the partners who have not submitted.
    pub links_unsubmitted: &'static str,
    // A forgotten password, reset by e-mail (issue 15).
    /// Link from the sign-in page.
    pub forgot_link: &'static str,
    /// Heading of the forgotten password page.
    pub forgot_heading: &'static str,
    /// What the forgotten password page does.
    pub forgot_text: &'static str,
    /// The forgotten password page on a server without e-mail.
    pub forgot_no_mail: &'static str,
    /// Button that asks for a reset link.
    pub forgot_button: &'static str,
    /// After asking: the same words whether or not the address has an account.
    pub forgot_sent: &'static str,
    /// The reset e-mail's subject.
    pub reset_mail_subject: &'static str,
    /// The reset e-mail's body; `{link}` and `{minutes}`.
    pub reset_mail_body: &'static str,
    /// Heading of the new password page.
    pub reset_heading: &'static str,
    /// What the new password page does; `{email}` is the account.
    pub reset_text: &'static str,
    /// Label of the new password field.
    pub new_password_label: &'static str,
    /// Label of the repeated new password field.
    pub new_password_again_label: &'static str,
    /// Button that sets the new password.
    pub reset_button: &'static str,
    /// A reset link that expired or was used.
    pub reset_gone: &'static str,
    /// Heading of the page of a link that no longer works.
    pub link_gone_heading: &'static str,
    /// Heading of the page refusing to change what can no longer change.
    pub settled_heading: &'static str,
    /// The two new passwords differ.
    pub reset_mismatch: &'static str,
    /// Link in the facilitator's menu to the page that changes their password; its heading.
    pub password_link: &'static str,
    /// Heading of the page that changes a facilitator's password.
    pub password_heading: &'static str,
    /// What changing the password does.
    pub password_text: &'static str,
    /// Label of the current password.
    pub current_password_label: &'static str,
    /// The button that changes the password.
    pub password_button: &'static str,
    /// The current password typed is not right.
    pub password_wrong: &'static str,
    /// After the reset, on the sign-in page.
    pub reset_done: &'static str,

    // Co-facilitators and facilitator accounts (issue 15).
    /// Heading of a partnership's facilitators section.
    pub facilitators_heading: &'static str,
    /// After a facilitator's address: they own the partnership.
    pub owner_label: &'static str,
    /// After a facilitator's address: they co-facilitate the partnership.
    pub co_facilitator_label: &'static str,
    /// The facilitators section of a partnership without an owner.
    pub no_owner: &'static str,
    /// Label of the field that adds a co-facilitator.
    pub add_co_facilitator_label: &'static str,
    /// What adding a co-facilitator gives them, under its field.
    pub add_co_facilitator_hint: &'static str,
    /// Button that adds a co-facilitator.
    pub add_co_facilitator_button: &'static str,
    /// Button that removes a co-facilitator.
    pub remove_co_facilitator_button: &'static str,
    /// What a co-facilitator is told instead of the form.
    pub co_facilitator_note: &'static str,
    /// The button with which a co-facilitator stops co-facilitating a partnership.
    pub leave_partnership_button: &'static str,
    /// A typed e-mail address that cannot be one.
    pub detail_email: &'static str,
    /// Adding a co-facilitator: no account has the address.
    pub co_facilitator_unknown: &'static str,
    /// Adding a co-facilitator: the address is the owner's.
    pub co_facilitator_owner: &'static str,
    /// Adding a co-facilitator: they already are one.
    pub co_facilitator_already: &'static str,
    /// Error page: only the owner may do this, heading.
    pub owner_only_heading: &'static str,
    /// Error page: only the owner may do this, explanation.
    pub owner_only_text: &'static str,
    /// Navigation link to the accounts page, for administrators.
    pub accounts_link: &'static str,
    /// Heading of the accounts page.
    pub accounts_heading: &'static str,
    /// Column of the accounts list: administrator or not.
    pub administrator_label: &'static str,
    /// Column of the accounts list: when it was created.
    pub created_label: &'static str,
    /// A yes in a table.
    pub yes: &'static str,
    /// A no in a table.
    pub no: &'static str,
    /// Heading of the form that creates an account.
    pub new_account_heading: &'static str,
    /// Label of the checkbox that makes the new account an administrator.
    pub new_account_admin_label: &'static str,
    /// Button that creates an account.
    pub create_account_button: &'static str,
    /// After creating an account, before its password; `{email}` is its address.
    pub account_created: &'static str,
    /// After the new account's password.
    pub account_password_note: &'static str,
    /// Creating an account: the address already has one.
    pub account_duplicate: &'static str,

    // Paper and other tools (issue 15).
    /// Link from the round page to its printable paper form.
    pub paper_link: &'static str,
    /// Heading of the paper form page.
    pub paper_heading: &'static str,
    /// How to print the paper form, above the sheets (not printed).
    pub paper_print_hint: &'static str,
    /// Before the links that print more sheets at once.
    pub paper_sheets_label: &'static str,
    /// Why a paper form's number of sheets was refused.
    pub detail_sheets: &'static str,
    /// Before a sheet's id, printed on every page of the sheet.
    pub sheet_label: &'static str,
    /// Above the statements on paper.
    pub paper_tick_hint: &'static str,
    /// Above the comment questions on paper.
    pub paper_comments_hint: &'static str,
    /// Link from the round page to keying in paper sheets.
    pub paper_entry_link: &'static str,
    /// Heading of the page that keys in paper sheets.
    pub paper_entry_heading: &'static str,
    /// What the paper entry page does.
    pub paper_entry_text: &'static str,
    /// Label of the sheet id field.
    pub sheet_id_label: &'static str,
    /// The consent box on the paper entry page.
    pub paper_consent_label: &'static str,
    /// Button that stores a keyed-in sheet.
    pub paper_enter_button: &'static str,
    /// After a sheet was stored; `{sheet}` is its id.
    pub paper_stored: &'static str,
    /// Error summary: the sheet id is missing.
    pub error_sheet_id: &'static str,
    /// Error summary: the sheet id was keyed in already.
    pub error_sheet_taken: &'static str,
    /// Heading of the responses file upload.
    pub import_heading: &'static str,
    /// What a responses file holds, beside its upload field.
    pub import_hint: &'static str,
    /// Button that uploads a responses file.
    pub import_button: &'static str,
    /// After a file was imported; `{n}` is how many responses.
    pub import_stored: &'static str,
    /// Above the problems of a refused responses file.
    pub import_refused: &'static str,
    // Invitations and reminders by e-mail (issue 15).
    /// The invitation message's subject; `{asker}` is the round's title.
    pub invitation_mail_subject: &'static str,
    /// The invitation message's opening; `{asker}` and `{link}`, the personal link.
    pub invitation_mail_body: &'static str,
    /// The reminder's subject; `{asker}`.
    pub reminder_mail_subject: &'static str,
    /// The reminder's opening; `{asker}` and `{link}`.
    pub reminder_mail_body: &'static str,
    /// A message's line about the closing date; `{date}`.
    pub mail_closes: &'static str,
    /// A message's contact line; `{contact}`.
    pub mail_contact: &'static str,
    /// A message's last lines, with the link that stops reminders; `{link}`.
    pub mail_stop: &'static str,
    /// Heading of the partners page's e-mail section.
    pub mailing_heading: &'static str,
    /// What the e-mail section does.
    pub mailing_text: &'static str,
    /// Button that queues the invitations.
    pub send_invitations_button: &'static str,
    /// Button that queues the reminders.
    pub send_reminders_button: &'static str,
    /// The mail job's progress; `{queued}`, `{sent}` and `{failed}`.
    pub mailing_progress: &'static str,
    /// Link that reloads the partners page to see the progress.
    pub mailing_refresh: &'static str,
    /// The e-mail section on a server without SMTP.
    pub mailing_not_set_up: &'static str,
    /// The e-mail section of a closed round.
    pub mailing_closed: &'static str,
    /// Heading of the partners table's e-mail column.
    pub mail_column: &'static str,
    /// A partner's invitation was sent; `{date}`.
    pub mail_invited_on: &'static str,
    /// Reminders sent to a partner: one, and `{n}`.
    pub mail_reminders: [&'static str; 2],
    /// A message waits to be tried again; `{error}` is the SMTP server's reply.
    pub mail_retrying: &'static str,
    /// A message failed after its attempts; `{error}`.
    pub mail_failed: &'static str,
    /// A message was refused for good; `{error}`.
    pub mail_bounced: &'static str,
    /// The partner stopped reminders.
    pub mail_opted_out: &'static str,
    /// Heading of the page that stops reminders.
    pub stop_heading: &'static str,
    /// What stopping reminders does; `{asker}` is the round's title.
    pub stop_text: &'static str,
    /// Button that stops reminders.
    pub stop_button: &'static str,
    /// After reminders were stopped.
    pub stop_done: &'static str,
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
pub const CATALOGUES: &[&Messages] = &[&EN];

impl Messages {
    /// The catalogue of the language `tag` (such as `es` or `en-GB`, by its primary subtag),
    /// English when there is none.
    pub fn for_language(tag: Option<&str>) -> &'static Messages {
        let primary = tag.and_then(|tag| tag.split(['-', '_']).next());
        CATALOGUES
            .iter()
            .copied()
            .find(|m| primary.is_some_and(|p| p.eq_ignore_ascii_case(m.lang)))
            .unwrap_or(&EN)
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
            .map(|(_, n, [one, many])| {
                let form = if n == 1 { one } else { many };
                form.replace("{n}", &n.to_string())
            })
            .collect();
        format!("{name}: {}", counts.join(", "))
    }
}

/// English.
pub const EN: Messages = Messages {
    lang: "en",
    product: "partnerscope",
    privacy_note: "Your answers are combined with others. Results are shown only for groups of at least {n} partners; for fewer, only how many answered is shown.",
    privacy_link: "How your answers are protected",
    privacy_title: "How your answers are protected",
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
    preview_notice: "Preview: this is the form partners will see. Nothing you enter here is stored.",
    error_summary_heading: "Please check these answers",
    error_consent: "Tick the box to agree to take part",
    error_item: "Choose an answer for",
    error_sector: "Choose the description that best fits your organisation",
    thanks_heading: "Thank you",
    thanks_text: "Your answers have been submitted. The partnership will see the results for groups of partners together, never yours alone.",
    not_found_heading: "Page not found",
    not_found_text: "There is no page at this address. Check the address, or start again from the home page.",
    closed_heading: "This survey has closed",
    closed_text: "The survey is no longer taking answers. Thank you for your interest.",
    already_heading: "Already submitted",
    already_text: "Answers from this link have already been submitted, so nothing new was saved. Thank you for taking part.",
    bad_form_heading: "We could not read your answers",
    bad_form_text: "Nothing was saved. Please go back, reload the survey and try again.",
    too_large_heading: "Too much text",
    too_large_text: "What was sent is larger than the survey accepts, so nothing was saved. Please shorten your comments and try again.",
    timeout_heading: "That took too long",
    timeout_text: "What was sent did not arrive in time, so nothing was saved. Please check your connection and send it again.",
    internal_heading: "Something went wrong on our side",
    internal_text: "Nothing you did caused this. Please try again in a few minutes.",
    detail_unknown_question: "A question is not part of this survey",
    detail_not_an_option: "An answer is not one of the options",
    detail_unknown_field: "The form contained a field the survey does not have",
    detail_repeated_field: "The form contained the same field twice",
    detail_action: "The form did not say whether to save or submit",
    detail_form_id: "The form's one-time id is missing or damaged",
    detail_not_a_form: "What was sent is not a survey form",
    detail_no_file: "No file was chosen",
    detail_bad_escape: "{field} has a “%” that is not followed by two hexadecimal digits",
    detail_not_utf8: "{field} is not valid UTF-8 text",
    detail_control_character: "{field} contains a control character (such as a NUL byte), which cannot be stored",
    detail_not_one_line: "{field} must be a single line, without tabs or line breaks",
    detail_too_long: "{field} is longer than {max} characters",
    detail_too_long_bytes: "{field} is longer than {max} bytes",
    field_numbered: "Field {n} of the form",
    field_named: "The field “{name}”",
    field_partnership_name: "The partnership name",
    field_wave: "The wave label",
    field_organisation: "The organisation",
    field_sector: "The sector",
    field_email: "The e-mail address",
    field_language: "The language",
    field_password: "The password",
    field_list: "The partner list",
    field_comment: "Your comment",
    csrf_heading: "This form has expired",
    csrf_text: "Nothing was changed. Go back, reload the page and try again.",
    detail_name: "The partnership needs a name",
    detail_wave: "The round needs a wave label, such as “2026 spring”",
    detail_min_group_size: "The minimum group size must be a whole number from 3 to 1000",
    detail_min_group_size_identified: "The minimum group size must be a whole number from 1 to 1000",
    detail_instrument: "Choose one of the listed instruments",
    sign_in_heading: "Sign in",
    email_label: "E-mail address",
    password_label: "Password",
    sign_in_button: "Sign in",
    sign_in_wrong: "The e-mail address or password is not right.",
    sign_in_wait: "Too many failed attempts. Try again in {seconds} seconds.",
    sign_in_busy: "Many sign-ins are being checked right now. Try again in a moment.",
    sign_out_button: "Sign out",
    sign_out_everywhere_button: "Sign out everywhere",
    signed_in_as: "Signed in as",
    partnerships_heading: "Your partnerships",
    no_partnerships: "No partnerships yet.",
    new_partnership_heading: "New partnership",
    name_label: "Name",
    create_button: "Create",
    rounds_heading: "Rounds",
    no_rounds: "No rounds yet.",
    new_round_heading: "New round",
    instrument_label: "Instrument",
    wave_label: "Wave label",
    min_group_size_label: "Minimum group size (smaller sectors are not reported)",
    open_link_label: "Also give the round an open link anyone can answer",
    min_group_size_hint: "At least 3 in an anonymous round. Smaller groups show only how many answered.",
    identified_label: "Identified round: answers are linked to each partner's organisation",
    identified_hint: "Partners are told so plainly before they answer, the downloads name each organisation, and rows are not hidden. Choose this only when the partnership agreed to it; it cannot be changed later.",
    identified_heading: "This round is not anonymous",
    round_open: "Open",
    round_closed: "Closed",
    close_button: "Close the round",
    reopen_button: "Reopen the round",
    next_round_heading: "Start the next round with the same partners",
    next_round_button: "Start next round",
    all_partnerships: "All partnerships",
    partners_heading: "Add partners",
    add_partner_heading: "One partner",
    organisation_label: "Organisation",
    sector_label: "Sector",
    language_label: "Language (optional, e.g. en)",
    optional_email_label: "E-mail address (optional)",
    add_button: "Add",
    paste_heading: "A list from a spreadsheet",
    paste_hint: "Paste CSV with a header row: organisation, sector, and optionally email and language. Nothing is added unless every row is right.",
    upload_heading: "A list in a file",
    upload_hint: "A CSV file (UTF-8) with the same columns, of any length up to about a million partners. Nothing is added unless every row is right.",
    upload_button: "Upload",
    problems_heading: "Nothing was added. Please fix these rows:",
    progress_heading: "Responses by sector",
    progress_live_link: "Watch responses as they arrive",
    progress_live_note: "This page updates itself every {seconds} seconds",
    invited_label: "Invited",
    started_label: "Started",
    submitted_label: "Submitted",
    via_open_link_label: "Via the open link",
    by_staff_label: "From paper or a file",
    submitted_total: "Submitted responses in total",
    links_download: "Invitation links (CSV for a mail merge)",
    open_link_heading: "Open link",
    downloads_heading: "Downloads",
    series_heading: "Downloads of all rounds",
    series_note: "Every round of this partnership with this questionnaire, each as its own downloads show it and as one wave: waves.csv and comparisons.csv hold the change between rounds that the dashboard shows, and the other files pool the answers the rounds list.",
    series_wave: "{wave} (round {round})",
    dashboard_heading: "What the partnership thinks of itself",
    no_responses: "No submitted responses yet: the numbers appear as partners submit.",
    chart_title: "Dimension means with 95% confidence intervals",
    chart_by_sector: "{dimension} by sector",
    chart_too_few: "too few to show (n = {n})",
    warn_low_alpha: "Reliability is low (alpha {alpha}): the statements may not measure one thing.",
    warn_small_sample: "Only {n} responses: the interval is wide.",
    became_top: "became a {band}",
    left_top: "is no longer a {band}",
    moved_up: "moved up from {from} to {to}",
    moved_down: "moved down from {from} to {to}",
    mean_label: "Mean",
    ci_label: "95% CI",
    band_label: "Band",
    alpha_label: "Alpha",
    n_label: "n",
    rwg_label: "Agreement rwg(j)",
    sd_label: "SD",
    r_drop_label: "Item-rest r",
    alpha_if_deleted_label: "Alpha without it",
    factors_label: "Factors",
    change_label: "Since {wave}:",
    p_label: "p",
    d_label: "d",
    change_suppressed: "too few responses to compare",
    sectors_heading: "By sector",
    suppressed_label: "too few to show",
    release_summary: "These figures are release {number}, published on {date}, from {n} submitted responses.",
    release_waiting: "{n} later responses are not in any release yet, and some figures may repeat an earlier release: a figure changes only once at least {threshold} more responses change it, so that nobody's answers can be found by comparing releases.",
    release_none: "No figures are published yet. A round publishes its figures when it closes; with interim releases on, also while it is open, whenever at least the minimum group size of new responses can be added. Response counts are always live.",
    comments_redact_note: "Comments are listed without who wrote them. Remove the text of any comment that names or points to its author before you share these results; the removal is recorded and cannot be undone.",
    comment_remove_button: "Remove text",
    interim_on_text: "Interim releases are on: figures are published while the round is open.",
    interim_off_text: "Figures are published when the round closes. Interim releases would publish them while it is open too.",
    interim_on_button: "Turn on interim releases",
    interim_off_button: "Turn off interim releases",
    items_heading: "Item analysis",
    item_label: "Statement",
    weak_item: "fits its dimension poorly",
    reverse_label: "reverse-keyed",
    agree_label: "Agree",
    disagree_label: "Disagree",
    poles_note: "Agree and disagree: the share of a statement's answers in the top two and in the bottom two points of its scale, as the statement is worded (also for a reverse-keyed one), not counting \"don't know\" or \"not applicable\". Shown for scales of four points or more.",
    comments_list_heading: "Comments (sorted, without who wrote them)",
    draft_saved_code: "Your answers are saved in this browser. Open the same link here to carry on; on another device, open the link and enter your resume code.",
    resume_code_label: "Your resume code",
    resume_code_hint: "Write it down or e-mail it to yourself. Nobody else has it, not even the facilitator, so without it a saved draft opens only in this browser.",
    draft_elsewhere_heading: "Answers from this link are saved elsewhere",
    draft_elsewhere_text: "A draft was saved from this link on another device or browser. Continue on the device where you saved it, or enter your resume code. If you answer here instead, saving or submitting replaces that draft.",
    resume_field: "Resume code",
    resume_button: "Open my saved answers",
    resume_wrong: "That code does not open the answers saved from this link. Check it and try again.",
    withdraw_note: "After you submit, you get a receipt code: with it you can withdraw your answers later.",
    receipt_heading: "Your receipt code",
    receipt_text: "Keep this code if you might want to withdraw your answers: enter it on the withdrawal page. Nobody else has it, not even the facilitator, and it is shown only here.",
    withdraw_link: "Withdraw your answers",
    withdraw_title: "Withdraw your answers",
    withdraw_text: "Enter the receipt code you were shown after submitting. Your answers and comments are erased, and they leave the published results at the next update that qualifies; results shared before stay as they were.",
    withdraw_field: "Receipt code",
    withdraw_button: "Withdraw my answers",
    withdraw_wrong: "No submitted answers have this receipt code; they may have been withdrawn already. Check the code and try again.",
    withdraw_done: "Your answers were withdrawn and erased. They leave the results at the next update that qualifies.",
    forged_heading: "This form cannot be sent",
    forged_text: "This form did not come from this survey, so nothing was saved. Open the survey link again to get a fresh form.",
    form_expired: "This form was open for more than a day, so it was renewed and nothing was saved yet. Your answers are kept: check them and send again.",
    rate_limited: "Many responses were sent from your network in the last hour, so this one was not saved yet. Your answers are kept: please wait a few minutes and send again.",
    cap_heading: "This survey is full",
    cap_text: "This survey's open link has received all the responses it accepts, so nothing was saved. Thank you for your interest.",
    responses_heading: "Set responses aside",
    responses_text: "Name a response by the pseudonym its rows show (respondents.csv, raw.csv). Excluding keeps it, and it can be included again; deleting erases its answers. Either way the figures change only at the next release that qualifies.",
    pseudonym_field: "Pseudonym",
    exclude_button: "Exclude from the figures",
    delete_response_button: "Delete the response",
    include_button: "Include again",
    excluded_heading: "Excluded responses",
    excluded_waiting: "waiting for the next release",
    open_cap_field: "Most responses the open link takes (blank: no limit)",
    open_cap_button: "Set the limit",
    detail_pseudonym: "The pseudonym field must be the 16-character id the downloads show",
    detail_no_such_response: "No response of this round has that pseudonym, or it is already set aside that way",
    detail_open_cap: "The open-link limit must be a whole number from 1 up, or blank",
    delete_button: "Delete…",
    delete_heading: "Delete for good?",
    delete_intro: "This deletes",
    delete_warning: "This cannot be undone: the rows are removed from the database at once. Files downloaded earlier and the server's backups are not reached.",
    delete_confirm_button: "Delete for good",
    cancel_link: "Cancel",
    named_partnership: "the partnership {name}",
    named_round: "the round {wave}",
    named_partner: "the partner {organisation} of the round {wave}",
    count_rounds: ["{n} round", "{n} rounds"],
    count_partners: ["{n} partner", "{n} partners"],
    count_submitted: ["{n} submitted response", "{n} submitted responses"],
    count_drafts: ["{n} draft", "{n} drafts"],
    count_comments: ["{n} comment", "{n} comments"],
    count_releases: ["{n} release", "{n} releases"],
    delete_refused_linked: "This round is identified, so this partner's submitted response is stored with their name. Delete the response first (by its pseudonym, on the round page under Set responses aside); then the partner can be deleted.",
    invited_partners_heading: "Invited partners",
    response_label: "Response",
    status_none: "not opened",
    status_draft: "draft",
    status_submitted: "submitted",
    emails_button: "Remove the partners' e-mail addresses…",
    emails_heading: "Remove the partners' e-mail addresses?",
    emails_text: "This removes the e-mail addresses of {n} partner(s) of the round {wave}. Their links, their answers and the round's figures stay; a next round started from this one will have no addresses.",
    emails_confirm_button: "Remove the addresses",
    detail_round_open: "The round is open: close it before removing its partners' e-mail addresses",
    invited_note: "Organisations invited to this round, by sector:",
    no_sector: "no sector",
    unknown_link_heading: "We cannot find this survey",
    unknown_link_text: "Check that the link is complete. If it came in an email, copy the whole link into your browser.",
    home_title: "Partnership self-assessment",
    home_text: "partnerscope helps coalitions and community partnerships ask their members how well they work together, and turns the answers into a report for the next meeting. Answers are anonymous: results are shown only for groups large enough that no one can be singled out.",
    home_sign_in: "Facilitators: sign in",
    home_partners: "Invited to answer a survey? Open the personal link you received; it takes you straight to your form.",
    asked_by: "A survey for",
    answer_by: "Please answer by {date}.",
    contact_intro: "Questions about this survey:",
    round_title_label: "Title partners see",
    round_title_hint: "Who is asking, at the top of the form and in messages. Blank: the partnership's name.",
    contact_label: "Contact for questions (optional)",
    contact_hint: "A name with an e-mail address or phone number, shown on the form and in messages.",
    closes_on_label: "Closing date (optional)",
    closes_on_hint: "The last day partners can answer. The round closes by itself at the end of that day ({zone} time).",
    details_heading: "What partners are told",
    details_button: "Save",
    closes_note: "Closes by itself at the end of {date} ({zone} time).",
    no_closing_date: "No closing date: the round stays open until you close it.",
    detail_closes_on_malformed: "The closing date must be a date written as YYYY-MM-DD, such as 2026-12-31",
    detail_closes_on_past: "The closing date must be today or later",
    field_round_title: "the title partners see",
    field_contact: "the contact for questions",
    report_title: "{title}: self-assessment {wave}",
    report_responses: "{n} responses from {invited} invited partners ({rate} %).",
    report_responses_open: "{n} responses.",
    report_release: "Figures as released on {date} (release {number}).",
    report_no_release: "No figures are released for this round yet. They appear when the round closes, or while it is open if the facilitator releases them as answers come in.",
    report_small_groups: "To protect partners, a group of fewer than {n} shows only how many answered.",
    report_shared_note: "Shared read-only by the partnership's facilitator.",
    report_print_hint: "Print this page or save it as PDF for the meeting. Your browser's print dialog sets the paper size (A4 or Letter).",
    report_back: "Back to the round",
    report_dimensions_heading: "How we rate ourselves",
    report_dimension_label: "Dimension",
    report_change_label: "Change since {wave}",
    report_bands_heading: "Strengths and concerns",
    report_bands_text: "Each factor's average, placed in the band it falls in.",
    report_bands_none: "No factor has enough answers to show yet.",
    report_statements_heading: "Statement by statement",
    report_comments_heading: "Comments",
    report_link: "Meeting report",
    share_heading: "Share the report",
    share_text: "A share link shows the meeting report, read-only, to anyone who has it, without an account: always the latest release, with removed comments removed. Stop sharing and the link stops working at once.",
    share_button: "Create a share link",
    share_again_button: "Replace with a new link",
    share_stop_button: "Stop sharing",
    share_link_label: "Share link",

    // Co-facilitators and facilitator accounts (issue 15).
    facilitators_heading: "Facilitators",
    owner_label: "owner",
    co_facilitator_label: "co-facilitator",
    no_owner: "No owner: only administrators and co-facilitators see this partnership.",
    add_co_facilitator_label: "Add a co-facilitator: the e-mail address of their facilitator account",
    add_co_facilitator_hint: "A co-facilitator sees and runs this partnership as its owner does: its rounds, dashboards, downloads and partners, closing rounds and starting the next. Only the owner and administrators choose co-facilitators or delete the partnership.",
    add_co_facilitator_button: "Add the co-facilitator",
    remove_co_facilitator_button: "Remove",
    co_facilitator_note: "Only the owner and administrators choose co-facilitators or delete the partnership.",
    leave_partnership_button: "Leave this partnership",
    detail_email: "The e-mail address is not an address such as ana@example.org (at most 254 bytes)",
    co_facilitator_unknown: "The e-mail address is not that of any facilitator account; an administrator can create the account first",
    co_facilitator_owner: "The e-mail address is the owner's, who runs this partnership already",
    co_facilitator_already: "The e-mail address is already a co-facilitator's of this partnership; nothing changed",
    owner_only_heading: "Only the owner can do this",
    owner_only_text: "Only the partnership's owner or an administrator chooses its co-facilitators or deletes it. Nothing was changed.",
    accounts_link: "Accounts",
    accounts_heading: "Facilitator accounts",
    administrator_label: "Administrator",
    created_label: "Created",
    yes: "yes",
    no: "no",
    new_account_heading: "Create a facilitator account",
    new_account_admin_label: "Administrator: sees and runs every partnership, and creates accounts",
    create_account_button: "Create the account",
    account_created: "The account {email} was created. Its password, shown only this once:",
    account_password_note: "Pass it on privately, apart from the address. It is stored only as a hash and cannot be shown again. The new facilitator should have it changed: an operator sets a new one with the command “partnerscope facilitator reset-password”, which also replaces a lost one.",
    account_duplicate: "The e-mail address already has a facilitator account; nothing was created",

    // Partners' status and details (issue 15).
    status_opened: "opened, nothing saved",
    edit_partner_link: "Change",
    edit_partner_heading: "Change {organisation}",
    edit_partner_text: "Until this partner submits, you can correct their organisation, sector, e-mail address and form language. Their link stays the same.",
    edit_partner_button: "Save",
    detail_partner_submitted: "This partner has submitted: their details can no longer change",
    links_unsubmitted: "Links of the partners who have not submitted (CSV, for a reminder)",

    // A forgotten password, reset by e-mail (issue 15).
    forgot_link: "Forgot your password?",
    forgot_heading: "Forgot your password?",
    forgot_text: "Enter the e-mail address you sign in with. If it has an account, we send a link there that sets a new password; it works for an hour, once.",
    forgot_no_mail: "This server does not send e-mail, so it cannot send you a link. Ask the person who runs partnerscope to set a new password for you with the command “partnerscope facilitator reset-password”.",
    forgot_button: "Send the link",
    forgot_sent: "If this address has an account, a link is on its way: check the inbox (and the spam folder) in a few minutes. No new link is sent for the same account within five minutes.",
    reset_mail_subject: "Set a new partnerscope password",
    reset_mail_body: "Someone (we hope you) asked for a new password for partnerscope.\n\nTo set one, open this link within {minutes} minutes:\n{link}\n\nIf you did not ask, ignore this message: your password stays as it is.\n",
    reset_heading: "Set a new password",
    reset_text: "A new password for {email}. Signing in again is needed everywhere afterwards.",
    new_password_label: "New password (at least 10 characters)",
    new_password_again_label: "New password again",
    reset_button: "Set the password",
    reset_gone: "This link has expired or was already used. Ask for a new one on the sign-in page.",
    link_gone_heading: "This link no longer works",
    settled_heading: "This can no longer change",
    reset_mismatch: "The two passwords differ",
    password_link: "Change password",
    password_heading: "Change your password",
    password_text: "Changing your password signs you out everywhere, here too; then sign in with the new one.",
    current_password_label: "Current password",
    password_button: "Change password",
    password_wrong: "The current password is not right.",
    reset_done: "Your password is set. Sign in with it.",
    // Paper and other tools (issue 15).
    paper_link: "Paper form",
    paper_heading: "Paper form",
    paper_print_hint: "Print this page, or save it as PDF, to hand out on paper: each sheet starts on a new page and carries its own sheet id. Your browser's print dialog sets the paper size (A4 or Letter).",
    paper_sheets_label: "Sheets to print:",
    detail_sheets: "The number of sheets must be a whole number from 1 to 200",
    sheet_label: "Sheet",
    paper_tick_hint: "Tick one box for each statement.",
    paper_comments_hint: "Optional. Please write clearly.",
    paper_entry_link: "Key in paper sheets",
    paper_entry_heading: "Key in a paper sheet",
    paper_entry_text: "Enter one paper sheet at a time, as the partner ticked it. It is checked as a partner's own answers are and counts like them; downloads mark it as paper.",
    sheet_id_label: "Sheet id (printed at the top of each page of the sheet, such as 12-007)",
    paper_consent_label: "The partner ticked the consent box",
    paper_enter_button: "Store this sheet",
    paper_stored: "Sheet {sheet} stored. The form is empty for the next sheet.",
    error_sheet_id: "Enter the sheet id printed on the sheet",
    error_sheet_taken: "This round already has a sheet with this id; nothing was stored",
    import_heading: "Upload a responses file",
    import_hint: "A CSV file with one row per response: respondent, group (the sector), wave (blank or this round's), and a column per statement, as partnerscope import reads it. All rows are stored, or with any problem none.",
    import_button: "Import the responses",
    import_stored: "{n} responses imported. They count from the round's next release.",
    import_refused: "Nothing was imported",
    // Invitations and reminders by e-mail (issue 15).
    invitation_mail_subject: "{asker}: your partnership self-assessment",
    invitation_mail_body: "{asker} invites you to take part in its partnership self-assessment. It takes about 15 minutes; your answers are combined with other partners' and reported only for groups, never on their own.\n\nYour personal link (it is yours alone, please do not forward it):\n{link}\n",
    reminder_mail_subject: "Reminder: {asker}'s partnership self-assessment",
    reminder_mail_body: "A reminder: {asker} has not yet received your answers to its partnership self-assessment. If you have started, your link opens your saved answers.\n\nYour personal link:\n{link}\n",
    mail_closes: "The survey closes at the end of {date}.",
    mail_contact: "Questions? Contact {contact}.",
    mail_stop: "To get no more reminders for this survey, open:\n{link}",
    mailing_heading: "Invitations and reminders by e-mail",
    mailing_text: "Invitations go to every partner with an e-mail address who has not had one; reminders to every partner with an address who has not submitted and has not asked for no more. Clicking twice sends nothing twice. Messages go out one by one in the background.",
    send_invitations_button: "Send invitations",
    send_reminders_button: "Send reminders",
    mailing_progress: "{queued} waiting, {sent} sent, {failed} failed",
    mailing_refresh: "Refresh the progress",
    mailing_not_set_up: "E-mail is not set up on this server, so partnerscope cannot send invitations or reminders. An operator sets it up by starting the server with --smtp-url and --mail-from (or PARTNERSCOPE_SMTP_URL and PARTNERSCOPE_MAIL_FROM). Until then, send the links yourself:",
    mailing_closed: "The round is closed: no more invitations or reminders go out.",
    mail_column: "E-mail",
    mail_invited_on: "invited on {date}",
    mail_reminders: ["1 reminder", "{n} reminders"],
    mail_retrying: "not sent yet, trying again: {error}",
    mail_failed: "failed: {error}",
    mail_bounced: "bounced: {error}",
    mail_opted_out: "opted out of reminders",
    stop_heading: "No more reminders",
    stop_text: "Confirm, and {asker} sends you no more reminders for this survey. Your link keeps working if you want to answer later.",
    stop_button: "Send me no more reminders",
    stop_done: "Done: you will get no more reminders for this survey.",
};
