// Node `jose`: JWE RSA-OAEP-256 + A256GCM of a 200-byte JSON payload, encrypt and decrypt, ops/s.
// Run by compare.py from a directory where `npm install jose` was done; prints one JSON object.
import { generateKeyPairSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';

const payload = new TextEncoder().encode(process.argv[2]);
const seconds = Number(process.argv[3] || 2);
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const header = { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'bench' };
const encrypt = () => new CompactEncrypt(payload).setProtectedHeader(header).encrypt(publicKey);

async function rate(op) {
  for (let i = 0; i < 20; i++) await op();
  let n = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - start < limit) {
    await op();
    n++;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

const token = await encrypt();
const out = {
  jwe_encrypt: await rate(encrypt),
  jwe_decrypt: await rate(() => compactDecrypt(token, privateKey)),
};
console.log(JSON.stringify(out));
