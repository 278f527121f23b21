// The AWS SDK for JavaScript v3, unmodified, against `paycrypt serve` (argv[2] is its URL).
// Prints one line per check, "ok <what>" or "FAILED <what>: <why>", and exits non-zero on a failure.
import {
  KMSClient, CreateKeyCommand, CreateAliasCommand, EncryptCommand, DecryptCommand, DisableKeyCommand,
  GenerateDataKeyCommand, DescribeKeyCommand,
} from "@aws-sdk/client-kms";
import {
  PaymentCryptographyClient, ListAliasesCommand, CreateKeyCommand as PcCreateKey, GetKeyCommand,
} from "@aws-sdk/client-payment-cryptography";

const endpoint = process.argv[2];
const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 };
let failed = 0;
async function check(what, fn) {
  try { await fn(); console.log(`ok ${what}`); } catch (e) { failed += 1; console.log(`FAILED ${what}: ${e.name} ${e.message}`); }
}
async function expectError(name, status, fn) {
  try { await fn(); } catch (e) {
    if (e.name !== name) throw new Error(`expected ${name}, got ${e.name}: ${e.message}`);
    if (e.$metadata.httpStatusCode !== status) throw new Error(`expected HTTP ${status}, got ${e.$metadata.httpStatusCode}`);
    return;
  }
  throw new Error(`expected ${name}, got success`);
}
function assert(cond, why) { if (!cond) throw new Error(why); }

const kms = new KMSClient(config);
const pc = new PaymentCryptographyClient(config);
let key;
await check("kms CreateKey, CreateAlias, DescribeKey by alias", async () => {
  key = (await kms.send(new CreateKeyCommand({ Description: "js" }))).KeyMetadata;
  await kms.send(new CreateAliasCommand({ AliasName: "alias/js", TargetKeyId: key.KeyId }));
  const d = await kms.send(new DescribeKeyCommand({ KeyId: "alias/js" }));
  assert(d.KeyMetadata.Arn === key.Arn, `describe ${d.KeyMetadata.Arn}`);
});
await check("kms Encrypt/Decrypt with a context; KeyId is the ARN", async () => {
  const enc = await kms.send(new EncryptCommand({ KeyId: "alias/js", Plaintext: Buffer.from("hello js"), EncryptionContext: { tenant: "t1" } }));
  assert(enc.KeyId === key.Arn, `encrypt KeyId ${enc.KeyId}`);
  const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { tenant: "t1" } }));
  assert(Buffer.from(dec.Plaintext).toString() === "hello js" && dec.KeyId === key.Arn, "round trip");
  await expectError("InvalidCiphertextException", 400, () =>
    kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { tenant: "t2" } })));
});
await check("kms GenerateDataKey", async () => {
  const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: "AES_256" }));
  const dec = await kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob }));
  assert(Buffer.from(dec.Plaintext).equals(Buffer.from(dk.Plaintext)) && dk.Plaintext.length === 32, "data key");
});
await check("kms DisabledException (409), NotFoundException (404)", async () => {
  await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
  await expectError("DisabledException", 409, () => kms.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: Buffer.from("x") })));
  await expectError("NotFoundException", 404, () => kms.send(new EncryptCommand({ KeyId: "alias/none", Plaintext: Buffer.from("x") })));
});
await check("payment-cryptography ListAliases, CreateKey, GetKey, ResourceNotFoundException", async () => {
  const aliases = await pc.send(new ListAliasesCommand({}));
  assert(aliases.Aliases.some((a) => a.AliasName === "alias/zone"), "seeded alias/zone");
  const created = await pc.send(new PcCreateKey({ Exportable: true, KeyAttributes: { KeyAlgorithm: "AES_128",
    KeyClass: "SYMMETRIC_KEY", KeyUsage: "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", KeyModesOfUse: { NoRestrictions: true } } }));
  const got = await pc.send(new GetKeyCommand({ KeyIdentifier: created.Key.KeyArn }));
  assert(got.Key.KeyCheckValue === created.Key.KeyCheckValue, "get-key");
  await expectError("ResourceNotFoundException", 400, () => pc.send(new GetKeyCommand({ KeyIdentifier: "alias/none" })));
});
await check("a wrong secret is InvalidSignatureException (403)", async () => {
  const bad = new KMSClient({ ...config, credentials: { accessKeyId: "test", secretAccessKey: "wrong" } });
  await expectError("InvalidSignatureException", 403, () => bad.send(new DescribeKeyCommand({ KeyId: "alias/js" })));
});
process.exit(failed ? 1 : 0);
