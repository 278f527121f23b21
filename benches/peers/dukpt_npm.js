// Times npm `dukpt` (3.0.0) deriving the TDES DUKPT data key (BDK -> IPEK -> transaction key -> data
// variant with its one-way step) for a KSN whose counter has 10 one-bits: the same work as paycrypt's
// `dukpt/tdes_data_request_10bits/uncached` bench. Prints the key (for a cross-check) and ns per derivation.
// Usage: node dukpt_npm.js <node_modules dir> [iterations]
'use strict';
const path = require('path');
const Dukpt = require(path.join(process.argv[2], 'dukpt'));

const bdk = '0123456789ABCDEFFEDCBA9876543210';
const ksn = 'FFFF9876543210E55555'; // counter 0x55555: 10 one-bits (bits 0, 2, ..., 18)
const iterations = Number(process.argv[3] || 20000);

let key = new Dukpt(bdk, ksn, 'datakey')._sessionKey;
for (let i = 0; i < 2000; i++) key = new Dukpt(bdk, ksn, 'datakey')._sessionKey; // warm up the JIT
const start = process.hrtime.bigint();
for (let i = 0; i < iterations; i++) key = new Dukpt(bdk, ksn, 'datakey')._sessionKey;
const ns = Number(process.hrtime.bigint() - start) / iterations;
console.log(JSON.stringify({ key: String(key).toUpperCase(), ns_per_derivation: ns }));
