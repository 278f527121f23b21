//! Property tests of the identifier parsers and the service's request parsing: round trips, and no
//! panic on any input.

use proptest::prelude::*;

use paycrypt::keys::{AccountId, AliasName, KeyArn, KeyId, KeyIdentifier, MemoryStore, Region};
use paycrypt::service::{EncryptDataInput, PaymentCryptography, Settings};

proptest! {
    #[test]
    fn key_arn_round_trips(region in "[a-z]{2}-[a-z]{1,16}-[0-9]{1,2}", account in "[0-9]{12}", id in "[0-9a-zA-Z]{16,64}") {
        let (region, account, id) = (Region::parse(&region).unwrap(), AccountId::parse(&account).unwrap(), KeyId::parse(&id).unwrap());
        let arn = KeyArn::new(&region, &account, &id);
        let parsed = KeyArn::parse(arn.as_str()).unwrap();
        prop_assert_eq!(parsed.key_id(), id);
        prop_assert_eq!(parsed.region(), region);
        prop_assert_eq!(parsed.account(), account);
        prop_assert_eq!(KeyIdentifier::parse(arn.as_str()).unwrap(), KeyIdentifier::Arn(arn));
    }

    #[test]
    fn alias_round_trips(name in "[a-zA-Z0-9/_-]{1,250}") {
        let text = format!("alias/{name}");
        let alias = AliasName::parse(&text).unwrap();
        prop_assert_eq!(alias.as_str(), text.as_str());
        prop_assert_eq!(KeyIdentifier::parse(&text).unwrap(), KeyIdentifier::Alias(alias));
    }

    #[test]
    fn parsers_never_panic(s in ".{0,400}") {
        let _ = KeyArn::parse(&s);
        let _ = AliasName::parse(&s);
        let _ = KeyIdentifier::parse(&s);
        let _ = KeyId::parse(&s);
        let _ = Region::parse(&s);
        let _ = AccountId::parse(&s);
    }

    #[test]
    fn encrypt_data_never_panics(key in "alias/(zone|tdes|bdk|disabled|encrypt-only|x)|.{0,40}", plain in "[0-9A-Fa-fz]{0,80}",
                                 mode in "ECB|CBC|CFB|CFB1|CFB8|CFB64|CFB128|OFB", iv in proptest::option::of("[0-9A-F]{0,40}")) {
        let svc = PaymentCryptography::new(MemoryStore::new(), Settings::default());
        let seed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cmd/pc/fixtures/seed.json")).unwrap();
        svc.seed(&serde_json::from_str(&seed).unwrap()).unwrap();
        let input = EncryptDataInput::symmetric(&key, &plain, mode.parse().unwrap(), iv.as_deref());
        let _ = svc.encrypt_data(input);
    }
}
