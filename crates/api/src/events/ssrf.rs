//! Where webhooks may point: http(s) URLs whose addresses are public, unless
//! `JOBRISK_WEBHOOK_ALLOW_PRIVATE=true`. Checked when an endpoint is registered and again for
//! every address a name resolves to when sending (a name may change what it points at).

use std::net::{IpAddr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether `ip` is loopback, link-local, private, shared, documentation, unspecified,
/// broadcast or multicast: nowhere a webhook should go from a server's network.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                // 100.64.0.0/10, carrier-grade NAT; 0.0.0.0/8; 198.18.0.0/15 benchmarking
                || (a == 100 && (64..128).contains(&b))
                || a == 0
                || (a == 198 && (b == 18 || b == 19))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // fc00::/7 unique local, fe80::/10 link-local
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Why `url` cannot be a webhook endpoint, if it cannot: not http(s), no host, credentials in
/// it, or (without `allow_private`) a literal internal address or `localhost`.
pub fn refusal(url: &str, allow_private: bool) -> Option<String> {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Some("is not a URL".into());
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return Some(format!("must be http or https, not {}", parsed.scheme()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Some("must not carry credentials".into());
    }
    let Some(host) = parsed.host() else {
        return Some("has no host".into());
    };
    if allow_private {
        return None;
    }
    let internal = match host {
        url::Host::Ipv4(ip) => is_internal(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => is_internal(IpAddr::V6(ip)),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    internal.then(|| {
        "points at a loopback, link-local or private address (JOBRISK_WEBHOOK_ALLOW_PRIVATE=true allows it)"
            .to_owned()
    })
}

/// A resolver that drops internal addresses (unless allowed) from every name it resolves, so
/// that a public name pointed at an internal address is refused at sending time.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    /// Whether internal addresses are allowed.
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| allow_private || !is_internal(a.ip()))
                .collect();
            if found.is_empty() {
                let e: Box<dyn std::error::Error + Send + Sync> = format!(
                    "{} resolves to no public address (JOBRISK_WEBHOOK_ALLOW_PRIVATE=true allows internal ones)",
                    name.as_str()
                )
                .into();
                return Err(e);
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_and_odd_urls_are_refused() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://api.localhost/hook",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://0.0.0.0/",
            "http://100.64.0.1/",
            "ftp://example.com/",
            "file:///etc/passwd",
            "http://user:pw@example.com/",
            "not a url",
        ] {
            assert!(refusal(url, false).is_some(), "{url} should be refused");
        }
        assert_eq!(refusal("https://hooks.example.com/jobrisk", false), None);
        assert_eq!(refusal("http://93.184.216.34/", false), None);
        assert_eq!(refusal("http://127.0.0.1:8080/hook", true), None);
        assert!(refusal("ftp://127.0.0.1/", true).is_some());
    }
}
