//! The CloudEvents abuse-protection handshake: an `OPTIONS` whose `WebHook-Request-Origin`
//! must name the configured service before the handler allows deliveries from it.

/// The request header carrying the caller's origin.
pub const REQUEST_ORIGIN: &str = "webhook-request-origin";
/// The response header that allows delivery.
pub const ALLOWED_ORIGIN: &str = "WebHook-Allowed-Origin";

/// Decides a handshake: `Some(origin)` to echo in `WebHook-Allowed-Origin` when the request
/// names `service_host` (case-insensitive; the header may list several origins), else `None`.
pub fn allowed_origin(request_origin: Option<&str>, service_host: &str) -> Option<String> {
    let service_host = service_host.trim();
    if service_host.is_empty() {
        return None;
    }
    request_origin?
        .split(',')
        .map(str::trim)
        .find(|origin| origin.eq_ignore_ascii_case(service_host))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configured_service_is_allowed() {
        assert_eq!(
            allowed_origin(Some("x.webpubsub.azure.com"), "x.webpubsub.azure.com"),
            Some("x.webpubsub.azure.com".into())
        );
        assert_eq!(
            allowed_origin(Some("LocalHost"), "localhost"),
            Some("LocalHost".into())
        );
        assert_eq!(
            allowed_origin(Some("a.com, localhost"), "localhost"),
            Some("localhost".into())
        );
    }

    #[test]
    fn any_other_origin_is_refused() {
        assert_eq!(
            allowed_origin(Some("evil.example.com"), "x.webpubsub.azure.com"),
            None
        );
        assert_eq!(
            allowed_origin(
                Some("x.webpubsub.azure.com.evil.com"),
                "x.webpubsub.azure.com"
            ),
            None
        );
        assert_eq!(allowed_origin(Some("*"), "x.webpubsub.azure.com"), None);
        assert_eq!(allowed_origin(Some(""), "x.webpubsub.azure.com"), None);
    }

    #[test]
    fn a_missing_origin_is_refused() {
        assert_eq!(allowed_origin(None, "x.webpubsub.azure.com"), None);
    }
}
