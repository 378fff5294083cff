//! The integration tests, one binary: each module is one area of the product.

mod anonymity;
mod cli_export;
mod cli_score;
mod dashboard;
mod deletion;
mod engines;
mod instruments;
mod migrate_data;
mod privacy;
mod properties;
mod reference;
mod serve_binary;
mod server;
mod sign_in;
mod storage;
mod support;
mod two_servers;
mod web_facilitate;
mod web_respond;
mod workbook;
