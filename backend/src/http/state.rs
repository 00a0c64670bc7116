//! What every handler can reach: the pool, the configuration, the rate limiters and the
//! clock.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Config;
use crate::db::PgPool;
use crate::domain::Clock;
use crate::error::AppError;

/// What every handler can reach.
pub struct AppState {
    pub pool: PgPool,
    pub config: Config,
    /// Attempts to prove ownership of a card or booking, per client address.
    /// (An IPv6 client counts by its /64, which it could otherwise walk through.)
    pub proof_limiter: DefaultKeyedRateLimiter<String>,
    /// Identification attempts per card number, whichever address they come from.
    pub card_limiter: DefaultKeyedRateLimiter<String>,
    /// Holds and bookings (made, moved, cancelled) by residents, per network (an IPv4
    /// address or an IPv6 /64) and per session.
    pub write_limiter_by_address: DefaultKeyedRateLimiter<String>,
    pub write_limiter_by_session: DefaultKeyedRateLimiter<String>,
    /// Staff login attempts per network and per city, checked before any hashing.
    pub login_limiter_by_address: DefaultKeyedRateLimiter<String>,
    pub login_limiter_by_tenant: DefaultKeyedRateLimiter<String>,
    /// Console forms sent, per network and per staff session: ten times a resident's
    /// share per network (a city office is many desks behind one address), a resident's
    /// per-network share per session.
    pub staff_write_limiter_by_address: DefaultKeyedRateLimiter<String>,
    pub staff_write_limiter_by_session: DefaultKeyedRateLimiter<String>,
}

impl AppState {
    pub fn new(pool: PgPool, config: Config) -> Arc<AppState> {
        let per_minute = NonZeroU32::new(config.proof_checks_per_minute).unwrap_or(NonZeroU32::MIN);
        // A person makes a handful of holds and bookings for one visit: 60 a minute from
        // one address leaves room for many residents behind one carrier address.
        let writes = |n: u32| {
            RateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN),
            ))
        };
        Arc::new(AppState {
            pool,
            proof_limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            card_limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            write_limiter_by_address: writes(config.writes_per_minute),
            write_limiter_by_session: writes((config.writes_per_minute / 5).max(1)),
            login_limiter_by_address: writes(config.logins_per_minute),
            login_limiter_by_tenant: writes(config.logins_per_minute.saturating_mul(10)),
            staff_write_limiter_by_address: writes(config.writes_per_minute.saturating_mul(10)),
            staff_write_limiter_by_session: writes(config.writes_per_minute),
            config,
        })
    }

    /// A resident's hold or booking, when neither its network nor its session has used up
    /// its minute's share; otherwise how long to wait.
    pub fn check_write_rate(
        &self,
        client_addr: Option<&str>,
        session: Option<&str>,
    ) -> Result<(), AppError> {
        let key = client_addr.and_then(crate::domain::client_key);
        throttled([
            key.map(|key| self.write_limiter_by_address.check_key(&key)),
            session.map(|token| self.write_limiter_by_session.check_key(&token.to_string())),
        ])
    }

    /// A console form may be taken: neither its network nor its staff session has used
    /// up its minute's share.
    pub fn check_staff_write_rate(
        &self,
        client_addr: Option<&str>,
        session: &str,
    ) -> Result<(), AppError> {
        let key = client_addr.and_then(crate::domain::client_key);
        throttled([
            key.map(|key| self.staff_write_limiter_by_address.check_key(&key)),
            Some(
                self.staff_write_limiter_by_session
                    .check_key(&session.to_string()),
            ),
        ])
    }

    /// A staff login may be checked: neither its network nor its city has used up its
    /// minute's attempts.
    pub fn check_login_rate(
        &self,
        client_addr: Option<&str>,
        tenant: &str,
    ) -> Result<(), AppError> {
        let key = client_addr.and_then(crate::domain::client_key);
        throttled([
            key.map(|key| self.login_limiter_by_address.check_key(&key)),
            Some(self.login_limiter_by_tenant.check_key(&tenant.to_string())),
        ])
    }

    /// Forgets the limiters' keys that have not been used lately, so that addresses and
    /// sessions seen once do not stay in memory.
    pub fn prune_limiters(&self) {
        for limiter in self.limiters() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// How many keys the limiters remember, for the pruning test.
    pub fn limiter_keys(&self) -> usize {
        self.limiters().iter().map(|limiter| limiter.len()).sum()
    }

    fn limiters(&self) -> [&DefaultKeyedRateLimiter<String>; 8] {
        [
            &self.staff_write_limiter_by_address,
            &self.staff_write_limiter_by_session,
            &self.proof_limiter,
            &self.card_limiter,
            &self.write_limiter_by_address,
            &self.write_limiter_by_session,
            &self.login_limiter_by_address,
            &self.login_limiter_by_tenant,
        ]
    }

    pub fn clock(&self) -> Clock {
        let mut clock = Clock::system(self.config.time_zone);
        clock.now += self.config.clock_shift;
        clock
    }

    pub fn check_proof_rate(&self, client: Option<IpAddr>) -> Result<(), AppError> {
        let key = client.and_then(|ip| crate::domain::client_key(&ip.to_string()));
        match key {
            Some(key) if self.proof_limiter.check_key(&key).is_err() => {
                Err(AppError::TooManyRequests)
            }
            _ => Ok(()),
        }
    }

    /// Limits identification attempts on one card number (as typed, folded and compacted).
    pub fn check_card_rate(&self, number: &str) -> Result<(), AppError> {
        let key = crate::domain::input::letters_and_digits(number);
        if self.card_limiter.check_key(&key).is_err() {
            return Err(AppError::TooManyRequests);
        }
        Ok(())
    }
}

/// The first refusal among limiter checks, as a 429 saying how long to wait.
fn throttled<const N: usize>(
    checks: [Option<Result<(), governor::NotUntil<governor::clock::QuantaInstant>>>; N],
) -> Result<(), AppError> {
    use governor::clock::{Clock as _, DefaultClock};
    match checks.into_iter().flatten().find_map(Result::err) {
        Some(refused) => Err(AppError::Throttled {
            seconds: refused
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiters_forget_the_keys_they_no_longer_need() {
        let mut config = Config::from_lookup(|_| None).expect("defaults");
        config.proof_checks_per_minute = 600;
        config.writes_per_minute = 600;
        // A pool that never connects: the limiters need no database.
        let state = AppState::new(crate::db::pool("postgresql://nobody@/none", 1), config);
        for i in 0..1000 {
            let addr = format!("198.51.100.{}", i % 250);
            let _ = state.check_write_rate(Some(&addr), Some(&format!("session-{i}")));
            let _ = state.check_card_rate(&format!("1SD-{i:06}"));
        }
        assert!(state.limiter_keys() >= 1000);
        // At 600 a minute (120 a session), a few requests are forgotten within a second.
        std::thread::sleep(std::time::Duration::from_millis(1200));
        state.prune_limiters();
        assert_eq!(state.limiter_keys(), 0);
    }
}
