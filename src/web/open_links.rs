//! What keeps an open link from being stuffed: form ids the server signs when it renders the
//! form (see [`FormIds`]), and a budget of submissions per client address.
//!
//! The signing key lives in the database, so every app server behind a load balancer accepts the
//! ids the others issued. The budget is per server process: behind a load balancer of `k`
//! servers a client gets at most `k` times it.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::OnceCell;

use super::AppState;
use super::errors::AppError;
use crate::store::Store;
use crate::survey::secrets::{FormIds, new_form_key, read_form_key};

/// The name of the form-id key among the database's secrets.
const FORM_KEY: &str = "open-link-form-key";

/// Open-link submissions a client address may make per hour, unless configured.
pub const DEFAULT_BUDGET: u32 = 20;

/// Addresses the limiter remembers before it forgets those whose budget is full again.
const REMEMBERED: usize = 10_000;

/// The defences of every open link of one server.
pub struct OpenLinks {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// Whether the client address comes from `X-Forwarded-For` (behind a trusted proxy).
    trust_proxy: bool,
    ids: OnceCell<FormIds>,
}

impl OpenLinks {
    /// Allows `budget` submissions per client address per hour (at least one); reads the client
    /// address from `X-Forwarded-For` when `trust_proxy`.
    pub fn new(budget: u32, trust_proxy: bool) -> OpenLinks {
        let budget = NonZeroU32::new(budget).unwrap_or(NonZeroU32::MIN);
        OpenLinks {
            limiter: RateLimiter::keyed(Quota::per_hour(budget)),
            trust_proxy,
            ids: OnceCell::new(),
        }
    }

    /// The form ids signed with the database's key, made on first use.
    pub async fn ids(&self, store: &dyn Store) -> Result<&FormIds, AppError> {
        self.ids
            .get_or_try_init(|| async {
                let hex = store.secret(FORM_KEY, &new_form_key()).await?;
                let key = read_form_key(&hex)
                    .ok_or(AppError::Internal(super::errors::Failure::Secret(FORM_KEY)))?;
                Ok(FormIds::new(key))
            })
            .await
    }

    /// Takes one submission from `client`'s budget; `false` when it is spent.
    pub fn admit(&self, client: Client) -> bool {
        let Client(Some(address)) = client else {
            // No address known (not served over TCP): nothing to count against.
            return true;
        };
        if self.limiter.len() > REMEMBERED {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&address).is_ok()
    }
}

impl Default for OpenLinks {
    fn default() -> Self {
        OpenLinks::new(DEFAULT_BUDGET, false)
    }
}

/// The address a request comes from: the peer, or behind a trusted proxy the last address of
/// `X-Forwarded-For` (the one the proxy saw; earlier ones are the client's to invent).
#[derive(Debug, Clone, Copy)]
pub struct Client(Option<IpAddr>);

impl Client {
    /// The address, if the request came over TCP.
    pub fn address(self) -> Option<IpAddr> {
        self.0
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        if !state.open_links.trust_proxy {
            return Ok(Client(peer));
        }
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .next_back()
            .and_then(|last| last.trim().parse().ok());
        Ok(Client(forwarded.or(peer)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_past_its_budget_is_refused_and_others_are_not() {
        let links = OpenLinks::new(2, false);
        let one = Client(Some("192.0.2.1".parse().unwrap()));
        let other = Client(Some("192.0.2.2".parse().unwrap()));
        assert!(links.admit(one) && links.admit(one));
        assert!(!links.admit(one));
        assert!(links.admit(other));
        assert!(links.admit(Client(None)), "no address, nothing to count");
    }
}
