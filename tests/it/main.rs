//! The integration tests, one binary: each module is one area of the product.

mod anonymity;
mod browser;
mod cli_export;
mod cli_score;
mod csp;
mod dashboard;
mod deletion;
mod engines;
mod hostile_text;
mod instruments;
mod migrate_data;
mod privacy;
mod properties;
mod reference;
mod security_headers;
mod serve_binary;
mod server;
mod sign_in;
mod slow_clients;
mod spreadsheets;
mod storage;
mod support;
mod two_servers;
mod web_facilitate;
mod web_respond;
mod workbook;
