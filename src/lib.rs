//! partnerscope: a partnership self-assessment survey engine.
//!
//! A guided tour, from the inside out.

// What is asked: instruments, loaded from TOML into a checked model, and the library of them.
/// Instruments: scales, dimensions, factors, items, bands and their texts.
pub mod instrument;

// What is answered: the survey's domain and the responses file, all plain data.
/// Responses as rows to score (from a CSV file or the store), the raw export, and the one scoring
/// pipeline.
pub mod responses;
/// Partnerships, rounds, invitations, responses, answers and partner lists.
pub mod survey;

// What it means: statistics, and the tables and charts that report them.
/// Report tables, CSV and workbook files, and the dashboard's view model.
pub mod report;
/// Statistics of responses: scores, summaries, reliability, agreement, change, suppression.
pub mod scoring;

// Who runs it: facilitator accounts (pure), and the demo partnership.
/// Facilitator accounts: password hashes, session secrets and the sign-in slowdown.
pub mod accounts;
/// The demo partnership of `serve --demo`.
pub mod demo;

// Where it lives and how it is reached: the database, the releases made from it, e-mail, and
// the web application.
/// E-mail over SMTP.
pub mod mail;
/// Publishing a round's figures as releases, stored beside its responses.
pub mod releases;
/// Storage behind one trait, on SQLite or PostgreSQL.
pub mod store;
/// The web application: routes, pages, errors and serving.
pub mod web;
