//! Request payloads from the command line. Test code: it may unwrap.
#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn json_payloads_keep_their_key_order() {
    let sent = payload(None, None, Some(r#"{"b": 1, "a": {"z": 2, "y": 3}}"#)).unwrap();
    assert_eq!(sent.as_slice(), br#"{"b":1,"a":{"z":2,"y":3}}"#);
}

#[test]
fn hex_payloads() {
    assert_eq!(
        payload(Some("0x0aff"), None, None).unwrap().as_slice(),
        [10, 255]
    );
    assert!(parse_hex("0x0g")
        .unwrap_err()
        .contains("not a hex digit pair at 2"));
    assert!(parse_hex("0x012")
        .unwrap_err()
        .contains("odd number of digits"));
    assert_eq!(to_hex(&[0, 0xab]), "0x00ab");
}
