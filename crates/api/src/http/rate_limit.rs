//! Rate limits: anonymous requests per client IP, mutations per token subject (GCRA, from the
//! `governor` crate), and who the client is behind trusted proxies.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;

use crate::config::RateLimitSettings;

/// The server's rate limiters; a limiter is `None` when its rate is 0 (off).
pub struct RateLimits {
    anonymous: Option<DefaultKeyedRateLimiter<IpAddr>>,
    writes: Option<DefaultKeyedRateLimiter<String>>,
    clock: DefaultClock,
}

/// A request refused by a limit: how long until one would pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// Whole seconds to wait (at least 1), for `Retry-After`.
    pub retry_after_secs: u64,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(
    rps: u32,
    burst: u32,
) -> Option<DefaultKeyedRateLimiter<K>> {
    let rate = NonZeroU32::new(rps)?;
    let burst = NonZeroU32::new(burst).unwrap_or(rate);
    Some(RateLimiter::keyed(
        Quota::per_second(rate).allow_burst(burst),
    ))
}

impl RateLimits {
    /// Limiters for `settings`.
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self {
            anonymous: limiter(settings.anonymous_rps, settings.anonymous_burst),
            writes: limiter(settings.write_rps, settings.write_burst),
            clock: DefaultClock::default(),
        }
    }

    /// Counts an anonymous request from `client`.
    pub fn check_anonymous(&self, client: IpAddr) -> Result<(), Refused> {
        let Some(limiter) = &self.anonymous else {
            return Ok(());
        };
        limiter
            .check_key(&bucket(client))
            .map_err(|not_until| self.refused(not_until.wait_time_from(self.clock.now())))
    }

    /// Counts a mutation by the token subject `sub`.
    pub fn check_write(&self, sub: &str) -> Result<(), Refused> {
        let Some(limiter) = &self.writes else {
            return Ok(());
        };
        limiter
            .check_key(&sub.to_owned())
            .map_err(|not_until| self.refused(not_until.wait_time_from(self.clock.now())))
    }

    fn refused(&self, wait: Duration) -> Refused {
        Refused {
            retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
        }
    }

    /// Forgets clients whose buckets are full again, so the key maps do not grow without
    /// bound; the server calls it every minute.
    pub fn forget_idle_clients(&self) {
        if let Some(l) = &self.anonymous {
            l.retain_recent();
            l.shrink_to_fit();
        }
        if let Some(l) = &self.writes {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// The key a client's requests count against: its address, or its /64 for IPv6, where one
/// subscriber usually holds a whole /64 and could otherwise rotate addresses freely.
fn bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy, in which case the
/// rightmost `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    let entries = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect::<Vec<_>>();
    for entry in entries.iter().rev() {
        let Ok(ip) = entry.trim().parse::<IpAddr>() else {
            // Garbage cannot be attributed: stop at the last proxy that spoke sense.
            return client;
        };
        client = ip;
        if !is_trusted(&ip) {
            return ip;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn xff(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(v).expect("header"));
        h
    }

    #[test]
    fn forwarded_for_counts_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("cidr")];
        let peer: IpAddr = "10.1.1.1".parse().expect("ip");
        let stranger: IpAddr = "203.0.113.9".parse().expect("ip");
        // A stranger cannot claim another address.
        assert_eq!(
            client_ip(stranger, &xff("198.51.100.1"), &trusted),
            stranger
        );
        // Behind a trusted proxy, the rightmost untrusted entry is the client; entries the
        // client wrote itself (further left) are ignored.
        assert_eq!(
            client_ip(peer, &xff("1.2.3.4, 198.51.100.7, 10.2.2.2"), &trusted).to_string(),
            "198.51.100.7"
        );
        assert_eq!(client_ip(peer, &HeaderMap::new(), &trusted), peer);
        assert_eq!(
            client_ip(peer, &xff("not-an-ip"), &trusted),
            peer,
            "garbage stops the walk"
        );
    }

    #[test]
    fn a_burst_passes_then_the_client_waits() {
        let limits = RateLimits::new(&RateLimitSettings {
            anonymous_rps: 1,
            anonymous_burst: 3,
            write_rps: 0,
            write_burst: 0,
        });
        let ip: IpAddr = "192.0.2.1".parse().expect("ip");
        for _ in 0..3 {
            assert!(limits.check_anonymous(ip).is_ok());
        }
        let refused = limits.check_anonymous(ip).expect_err("over the burst");
        assert_eq!(refused.retry_after_secs, 1);
        for i in 0..5 {
            assert!(limits.check_anonymous(ip).is_err(), "still refused ({i})");
        }
        // Other clients have their own bucket; a rate of 0 turns a limit off.
        assert!(
            limits
                .check_anonymous("192.0.2.2".parse().expect("ip"))
                .is_ok()
        );
        for _ in 0..100 {
            assert!(limits.check_write("alice").is_ok());
        }
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().expect("ip");
        assert_eq!(bucket(a), bucket(b));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().expect("ip");
        assert_eq!(bucket(mapped).to_string(), "192.0.2.1");
    }
}
