//! Files a facilitator uploads to a round (a partner list, a responses file): read from a
//! multipart body whose CSRF token comes first, and spooled to a temporary file as they arrive,
//! so the server's memory does not grow with them. The routes that take them have their own body
//! limit, [`crate::web::UPLOAD_LIMIT`], instead of the forms'.

use std::fs::File;
use std::io::{Seek, Write};

use axum::extract::Multipart;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::http::StatusCode;

use crate::web::errors::{AppError, Failure};
use crate::web::language::interface;
use crate::web::session::SignedIn;

/// The longest CSRF token read from an upload (ours are 32 characters).
const MAX_TOKEN: usize = 256;

/// The file of a multipart upload (fields `csrf`, then `file`), spooled and rewound, once the
/// token matched the session of `signed_in`. A forged post is refused before anything is
/// spooled; a missing file, another field or a broken body is refused whole.
pub(super) async fn spooled_file(
    signed_in: &SignedIn,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<File, AppError> {
    let mut multipart = multipart.map_err(|_| AppError::NotAForm(None))?;
    let mut csrf_checked = false;
    let mut spooled = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("csrf") => {
                let mut token = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    token.extend_from_slice(&chunk);
                    if token.len() > MAX_TOKEN {
                        return Err(AppError::Csrf);
                    }
                }
                csrf_checked = std::str::from_utf8(&token).is_ok_and(|t| signed_in.accepts(t));
            }
            // The token comes first in the form, so nothing is spooled for a forged post.
            Some("file") if !csrf_checked => return Err(AppError::Csrf),
            Some("file") if spooled.is_none() => {
                let mut file = tempfile::tempfile().map_err(Failure::Io)?;
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    file.write_all(&chunk).map_err(Failure::Io)?;
                }
                file.rewind().map_err(Failure::Io)?;
                spooled = Some(file);
            }
            _ => return Err(AppError::NotAForm(None)),
        }
    }
    if !csrf_checked {
        return Err(AppError::Csrf);
    }
    spooled.ok_or(AppError::BadForm(interface().detail_no_file))
}

/// A multipart body that breaks off or runs past its limit.
fn multipart_error(error: MultipartError) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge
    } else {
        AppError::NotAForm(None)
    }
}
