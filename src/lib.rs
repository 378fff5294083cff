//! partnerscope: a partnership self-assessment survey engine.
//!
//! The modules, from the inside out:

/// Facilitator accounts: password hashes, session secrets and the sign-in slowdown.
pub mod accounts;
/// What one partner answered on the survey form.
pub mod answers;
/// The demo partnership of `serve --demo`.
pub mod demo;
/// The raw responses and invitation links CSV files a facilitator downloads.
pub mod export;
/// Instruments: scales, dimensions, factors, items and bands, loaded from TOML files.
pub mod instrument;
/// Reading a list of partner organisations to invite.
pub mod partners;
/// Report tables and the CSV files they are written to.
pub mod report;
/// Reading a responses CSV file into rows for scoring.
pub mod responses;
/// Statistics of responses: scores, summaries, reliability, agreement, change, suppression.
pub mod scoring;
/// The instruments that ship inside the binary.
pub mod shipped;
/// Storage of partnerships, rounds, invitations and responses, one implementation per database.
pub mod store;
/// The web application: routes, pages, errors and serving.
pub mod web;
