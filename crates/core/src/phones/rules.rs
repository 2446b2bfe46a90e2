//! The phone server's rules, as pure functions: which addresses it may listen on, join codes,
//! the cookie a phone carries, and what an answer may be. Tested without a socket.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use rand::Rng;

use crate::error::{Error, Result};

/// Characters of a join code: capitals and digits without the ones easily misread (0/O, 1/I/L).
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Characters in a join code: 31^10, about 2^49 codes, too many to guess at the rate allowed.
pub const CODE_LENGTH: usize = 10;

/// The most characters an answer may have (a few KB of text).
pub const MAX_ANSWER_CHARS: usize = 1_000;

/// The most characters of a name typed on a phone.
pub const MAX_NAME_CHARS: usize = 100;

/// The largest request body the server reads, in bytes: an answer of
/// [`MAX_ANSWER_CHARS`] in any script, form-encoded, fits; anything larger is refused unread.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The cookie that carries the join code and the phone's own token after the first visit.
pub const COOKIE_NAME: &str = "fieldbook_phone";

/// Where a phone may reach the laptop: a private (RFC 1918) or link-local IPv4 address, or a
/// unique-local IPv6 address. Never a public address, loopback or "every interface".
/// IPv6 link-local addresses are left out: a browser cannot open them (they need a zone).
pub fn is_local_network(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_local_network(IpAddr::V4(v4)),
            None => is_unique_local(v6),
        },
    }
}

fn is_unique_local(v6: Ipv6Addr) -> bool {
    (v6.segments()[0] & 0xfe00) == 0xfc00
}

/// Refuses to listen on an address phones should not reach through: anything but the local
/// network or this laptop itself (loopback, for tests and for trying the page on the laptop).
pub fn check_listen_address(ip: IpAddr) -> Result<()> {
    if ip.is_loopback() || is_local_network(ip) {
        return Ok(());
    }
    let why = if ip.is_unspecified() {
        "that means every network the laptop is on, including any public one"
    } else {
        "it is not a local network address (such as 192.168.x.x, 10.x.x.x or 172.16-31.x.x)"
    };
    Err(Error::invalid(format!(
        "Fieldbook will not listen for phones on {ip}: {why}. Give one of the laptop's local network addresses. Nothing has been changed."
    )))
}

/// Of the laptop's addresses, those phones may use, best first: private IPv4 (what Wi-Fi and
/// hotspots hand out), then link-local IPv4, then unique-local IPv6. Duplicates are dropped.
pub fn phone_addresses(addresses: &[IpAddr]) -> Vec<IpAddr> {
    let rank = |ip: &IpAddr| match ip {
        IpAddr::V4(v4) if v4.is_private() => 0,
        IpAddr::V4(_) => 1,
        IpAddr::V6(_) => 2,
    };
    let mut chosen: Vec<IpAddr> = addresses
        .iter()
        .copied()
        .filter(|ip| is_local_network(*ip))
        .collect();
    chosen.sort_by_key(|ip| (rank(ip), *ip));
    chosen.dedup();
    chosen
}

/// A new join code of [`CODE_LENGTH`] characters from [`CODE_ALPHABET`].
pub fn new_join_code(rng: &mut impl Rng) -> String {
    (0..CODE_LENGTH)
        .map(|_| char::from(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())]))
        .collect()
}

/// A phone's own token: 128 random bits as hex.
pub fn new_phone_token(rng: &mut impl Rng) -> String {
    format!("{:032x}", rng.gen::<u128>())
}

/// A code as typed or scanned, in the form codes are made: capitals, no spaces or dashes.
pub fn normalise_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether `given` is the join code, compared in time that does not depend on where they
/// first differ.
pub fn code_matches(code: &str, given: &str) -> bool {
    let given = normalise_code(given);
    let (a, b) = (code.as_bytes(), given.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The join address a phone opens (and the QR code holds): the raw IP address and port, not a
/// `.local` name, which phones often cannot resolve.
pub fn join_url(addr: SocketAddr, code: &str) -> String {
    format!("http://{addr}/join/{code}")
}

/// The cookie's value for a phone: the join code and the phone's token.
pub fn cookie_value(code: &str, token: &str) -> String {
    format!("{code}.{token}")
}

/// The `Set-Cookie` header for a phone: only sent back to this server, never to scripts, and
/// never on requests started by another site.
pub fn set_cookie_header(code: &str, token: &str) -> String {
    format!(
        "{COOKIE_NAME}={}; Path=/; HttpOnly; SameSite=Strict",
        cookie_value(code, token)
    )
}

/// The join code and phone token from a `Cookie` header, if it carries Fieldbook's.
pub fn phone_from_cookies(header: &str) -> Option<(String, String)> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        if name != COOKIE_NAME {
            return None;
        }
        let (code, token) = value.split_once('.')?;
        let well_formed = token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit());
        well_formed.then(|| (code.to_owned(), token.to_owned()))
    })
}

/// An answer as it will be saved: trimmed, not empty, not too long.
pub fn check_answer(text: &str) -> std::result::Result<String, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Write your answer first, then press Send.");
    }
    if text.chars().count() > MAX_ANSWER_CHARS {
        return Err("That answer is too long: keep it to 1,000 characters or fewer.");
    }
    Ok(text.to_owned())
}

/// A name typed on a phone, trimmed, or `None` when left empty.
pub fn check_name(name: &str) -> std::result::Result<Option<String>, &'static str> {
    let name = name.trim();
    if name.chars().count() > MAX_NAME_CHARS {
        return Err("That name is too long: keep it under 100 characters.");
    }
    if name.chars().any(char::is_control) {
        return Err("A name cannot hold line breaks or control characters.");
    }
    Ok((!name.is_empty()).then(|| name.to_owned()))
}

/// A form as the phone page posts it (`application/x-www-form-urlencoded`), read strictly:
/// another content type, a `%` not followed by two hex digits, or text that is not UTF-8 is
/// refused rather than read with replacement characters.
pub fn parse_form<T: serde::de::DeserializeOwned>(
    content_type: Option<&str>,
    body: &[u8],
) -> std::result::Result<T, &'static str> {
    const UNREADABLE: &str = "not a form the answer page sends";
    let is_form = content_type
        .and_then(|t| t.split(';').next())
        .is_some_and(|t| {
            t.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form || !body.is_ascii() {
        return Err(UNREADABLE);
    }
    for part in body.split(|b| *b == b'&' || *b == b'=') {
        let mut i = 0;
        while i < part.len() {
            if part[i] == b'%' {
                let hex = part.get(i + 1..i + 3).unwrap_or_default();
                if hex.len() != 2 || !hex.iter().all(u8::is_ascii_hexdigit) {
                    return Err(UNREADABLE);
                }
                i += 3;
            } else {
                i += 1;
            }
        }
        if percent_encoding::percent_decode(part)
            .decode_utf8()
            .is_err()
        {
            return Err(UNREADABLE);
        }
    }
    serde_urlencoded::from_bytes(body).map_err(|_| UNREADABLE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn private_and_link_local_addresses_are_the_local_network_and_public_ones_are_not() {
        for local in [
            "192.168.1.20",
            "10.0.0.5",
            "172.16.0.1",
            "172.31.255.254",
            "169.254.10.1",
            "fd12:3456::1",
            "::ffff:192.168.0.2",
        ] {
            assert!(is_local_network(ip(local)), "{local}");
        }
        for public in [
            "8.8.8.8",
            "172.32.0.1",
            "100.64.0.1",
            "127.0.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "2001:db8::1",
            "2a00:1450::1",
            "fe80::1",
            "::1",
            "::",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_local_network(ip(public)), "{public}");
        }
    }

    #[test]
    fn the_server_may_listen_on_loopback_and_the_local_network_but_never_everywhere_or_public() {
        assert!(check_listen_address(ip("127.0.0.1")).is_ok());
        assert!(check_listen_address(ip("::1")).is_ok());
        assert!(check_listen_address(ip("192.168.4.1")).is_ok());
        for refused in [ip("0.0.0.0"), ip("::"), ip("81.2.69.160")] {
            let message = check_listen_address(refused).unwrap_err().to_string();
            assert!(
                message.contains("will not listen")
                    && message.ends_with("Nothing has been changed."),
                "{message}"
            );
        }
        assert!(check_listen_address(ip("0.0.0.0"))
            .unwrap_err()
            .to_string()
            .contains("every network"));
    }

    #[test]
    fn phone_addresses_keep_only_local_ones_with_wifi_addresses_first() {
        let laptop = [
            ip("127.0.0.1"),
            ip("fe80::1c2b:3ff:fe4d:5e6f"),
            ip("fd00::5"),
            ip("169.254.3.4"),
            ip("81.2.69.160"),
            ip("192.168.43.10"),
            ip("10.1.2.3"),
            ip("192.168.43.10"),
        ];
        assert_eq!(
            phone_addresses(&laptop),
            vec![
                ip("10.1.2.3"),
                ip("192.168.43.10"),
                ip("169.254.3.4"),
                ip("fd00::5")
            ]
        );
        assert!(phone_addresses(&[ip("127.0.0.1"), ip("8.8.4.4")]).is_empty());
    }

    #[test]
    fn join_codes_are_ten_unambiguous_characters_and_differ_each_time() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let codes: Vec<String> = (0..200).map(|_| new_join_code(&mut rng)).collect();
        for code in &codes {
            assert_eq!(code.len(), CODE_LENGTH);
            assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
    }

    #[test]
    fn a_code_matches_as_typed_with_spaces_or_small_letters_and_nothing_else_does() {
        assert!(code_matches("ABCDEFGHJK", "ABCDEFGHJK"));
        assert!(code_matches("ABCDEFGHJK", "abcde fghjk"));
        assert!(code_matches("ABCDEFGHJK", "ABCDE-FGHJK"));
        assert!(!code_matches("ABCDEFGHJK", "ABCDEFGHJM"));
        assert!(!code_matches("ABCDEFGHJK", "ABCDEFGHJ"));
        assert!(!code_matches("ABCDEFGHJK", "ABCDEFGHJKA"));
        assert!(!code_matches("ABCDEFGHJK", ""));
    }

    #[test]
    fn the_join_address_holds_the_raw_ip_address_port_and_code() {
        assert_eq!(
            join_url("192.168.1.5:8765".parse().unwrap(), "ABCDEFGHJK"),
            "http://192.168.1.5:8765/join/ABCDEFGHJK"
        );
        assert_eq!(
            join_url("[fd00::5]:80".parse().unwrap(), "ABCDEFGHJK"),
            "http://[fd00::5]:80/join/ABCDEFGHJK"
        );
    }

    #[test]
    fn the_cookie_reads_back_and_a_forged_or_foreign_one_is_not_a_phone() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let token = new_phone_token(&mut rng);
        let header = set_cookie_header("ABCDEFGHJK", &token);
        assert!(header.contains("HttpOnly") && header.contains("SameSite=Strict"));
        let sent = format!("theme=dark; {}; other=1", header.split(';').next().unwrap());
        assert_eq!(
            phone_from_cookies(&sent),
            Some(("ABCDEFGHJK".to_owned(), token.clone()))
        );
        assert_eq!(phone_from_cookies("theme=dark"), None);
        assert_eq!(
            phone_from_cookies(&format!("{COOKIE_NAME}=ABCDEFGHJK.not-hex")),
            None
        );
        assert_eq!(
            phone_from_cookies(&format!("{COOKIE_NAME}=ABCDEFGHJK")),
            None
        );
    }

    #[test]
    fn an_answer_is_trimmed_and_an_empty_or_overlong_one_is_refused() {
        assert_eq!(check_answer("  Trust first \n").unwrap(), "Trust first");
        assert!(check_answer(" \n ").is_err());
        assert!(check_answer(&"é".repeat(MAX_ANSWER_CHARS)).is_ok());
        assert!(check_answer(&"é".repeat(MAX_ANSWER_CHARS + 1)).is_err());
        // The longest answer in four-byte characters, percent-encoded, with room for the
        // form's other fields, fits in the body limit.
        assert!(MAX_ANSWER_CHARS * "%F0%9F%98%80".len() + 2048 <= MAX_BODY_BYTES);
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Text {
        text: String,
    }

    #[test]
    fn a_form_is_read_only_when_well_formed() {
        let form = Some("application/x-www-form-urlencoded");
        assert_eq!(
            parse_form::<Text>(form, b"text=Caf%C3%A9+au+lait"),
            Ok(Text {
                text: "Café au lait".into()
            })
        );
        assert_eq!(
            parse_form::<Text>(
                Some("application/x-www-form-urlencoded; charset=UTF-8"),
                b"text=a"
            ),
            Ok(Text { text: "a".into() })
        );
        for bad in [
            &b"text=%FF%FE"[..],
            b"text=%zz",
            b"text=%4",
            b"text=\xff\xfe",
            "text=é".as_bytes(),
        ] {
            assert!(parse_form::<Text>(form, bad).is_err(), "{bad:?}");
        }
        assert!(parse_form::<Text>(Some("application/json"), b"text=a").is_err());
        assert!(parse_form::<Text>(None, b"text=a").is_err());
    }

    #[test]
    fn a_name_is_optional_and_a_line_break_or_overlong_one_is_refused() {
        assert_eq!(check_name("  Asha "), Ok(Some("Asha".to_owned())));
        assert_eq!(check_name("   "), Ok(None));
        assert!(check_name("Asha\nBell").is_err());
        assert!(check_name(&"a".repeat(MAX_NAME_CHARS + 1)).is_err());
    }
}
