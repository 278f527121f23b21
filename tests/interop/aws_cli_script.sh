#!/usr/bin/env bash
# A shell script written for the AWS CLI, as a payments team would write one: no paycrypt in it.
# tests/interop/test_aws_cli_dropin.py runs it twice: with the real `aws` against `paycrypt serve`, and
# with `aws` being `paycrypt` on a local store seeded the same way. Both runs must print the same.
# The store holds the seeded keys and aliases of tests/cmd/pc/fixtures/seed.json and
# tests/cmd/kms/fixtures/seed.json (alias/zone, alias/tdes, alias/app, ...).
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
IV=00000000000000000000000000000000

echo "== payment-cryptography: a key of our own, with an alias"
KEY_ARN=$(aws payment-cryptography create-key --exportable \
  --key-attributes '{"KeyAlgorithm":"AES_128","KeyClass":"SYMMETRIC_KEY","KeyUsage":"TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY","KeyModesOfUse":{"Encrypt":true,"Decrypt":true,"Wrap":true,"Unwrap":true}}' \
  --query Key.KeyArn --output text)
echo "created $KEY_ARN"
aws payment-cryptography create-alias --alias-name alias/script-dek --key-arn "$KEY_ARN"
aws payment-cryptography get-alias --alias-name alias/script-dek --query Alias.KeyArn --output text
aws payment-cryptography get-key --key-identifier alias/script-dek \
  --query 'Key.[KeyState, Enabled, Exportable, KeyOrigin, KeyAttributes.KeyAlgorithm, KeyCheckValueAlgorithm]' --output text
aws payment-cryptography get-key --key-identifier alias/script-dek --query Key.KeyAttributes --output text
aws payment-cryptography list-aliases --query 'Aliases[].AliasName' --output text
aws payment-cryptography list-keys --query 'length(Keys)'
aws payment-cryptography list-aliases --page-size 2 --output text --query 'Aliases[].AliasName'
aws payment-cryptography list-aliases --max-results 2 --output text
aws payment-cryptography get-key --key-identifier alias/zone --query Key.KeyCheckValue --output text

echo "== payment-cryptography-data: encrypt, decrypt, re-encrypt"
CT=$(aws payment-cryptography-data encrypt-data --key-identifier alias/zone \
  --plain-text 31323334353637383132333435363738 \
  --encryption-attributes "{\"Symmetric\":{\"Mode\":\"CBC\",\"InitializationVector\":\"$IV\"}}" \
  --query CipherText --output text)
echo "ciphertext $CT"
aws payment-cryptography-data decrypt-data --key-identifier alias/zone --cipher-text "$CT" \
  --decryption-attributes "{\"Symmetric\":{\"Mode\":\"CBC\",\"InitializationVector\":\"$IV\"}}" --output text
aws payment-cryptography-data re-encrypt-data --incoming-key-identifier alias/zone --outgoing-key-identifier alias/tdes \
  --cipher-text "$CT" \
  --incoming-encryption-attributes "{\"Symmetric\":{\"Mode\":\"CBC\",\"InitializationVector\":\"$IV\"}}" \
  --outgoing-encryption-attributes '{"Symmetric":{"Mode":"ECB"}}'
OWN=$(aws payment-cryptography-data encrypt-data --key-identifier alias/script-dek --plain-text 00112233445566778899AABBCCDDEEFF \
  --encryption-attributes '{"Symmetric":{"Mode":"ECB"}}' --query CipherText --output text)
aws payment-cryptography-data decrypt-data --key-identifier "$KEY_ARN" --cipher-text "$OWN" \
  --decryption-attributes '{"Symmetric":{"Mode":"ECB"}}' --query PlainText --output text
aws payment-cryptography get-alias --alias-name alias/zone --output table
aws payment-cryptography list-aliases --query 'Aliases[?starts_with(AliasName, `alias/t`)]' --output table

echo "== kms: a key, an alias, encrypt and decrypt through files"
KMS_KEY=$(aws kms create-key --description "script key" --query KeyMetadata.KeyId --output text)
echo "created $KMS_KEY"
aws kms create-alias --alias-name alias/script-app --target-key-id "$KMS_KEY"
aws kms describe-key --key-id alias/script-app --query 'KeyMetadata.[KeySpec, KeyUsage, KeyState, Enabled, Description]' --output text
printf 'hello from a shell script' > "$work/plain.txt"
aws kms encrypt --key-id alias/script-app --plaintext "fileb://$work/plain.txt" \
  --encryption-context purpose=test --query CiphertextBlob --output text | base64 --decode > "$work/blob.bin"
aws kms decrypt --ciphertext-blob "fileb://$work/blob.bin" --encryption-context purpose=test \
  --query Plaintext --output text | base64 --decode
echo
aws kms decrypt --ciphertext-blob "fileb://$work/blob.bin" --encryption-context purpose=test --query '[KeyId, EncryptionAlgorithm]' --output text
aws kms re-encrypt --ciphertext-blob "fileb://$work/blob.bin" --source-encryption-context purpose=test \
  --destination-key-id alias/app --query CiphertextBlob --output text | base64 --decode > "$work/again.bin"
aws kms decrypt --ciphertext-blob "fileb://$work/again.bin" --query Plaintext --output text | base64 --decode
echo
aws kms describe-key --key-id alias/app --query 'KeyMetadata.[KeyId, Description]' --output text
aws kms list-aliases --query 'Aliases[?starts_with(AliasName, `alias/script`)].[AliasName, TargetKeyId]' --output text

echo "== errors"
aws payment-cryptography get-alias --alias-name alias/does-not-exist
echo "exit status $?"
aws payment-cryptography-data encrypt-data --key-identifier alias/disabled --plain-text 00112233445566778899AABBCCDDEEFF \
  --encryption-attributes '{"Symmetric":{"Mode":"ECB"}}'
echo "exit status $?"
aws kms decrypt --ciphertext-blob "fileb://$work/blob.bin" --query Plaintext --output text
echo "exit status $?"

echo "== clean up"
aws payment-cryptography delete-alias --alias-name alias/script-dek
echo "exit status $?"
aws payment-cryptography delete-key --key-identifier "$KEY_ARN" --query Key.KeyState --output text
aws kms schedule-key-deletion --key-id "$KMS_KEY" --pending-window-in-days 7 --query KeyState --output text
