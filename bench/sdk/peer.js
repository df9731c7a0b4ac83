// The SDK peer: what hubsync does, written the plain way with HubSpot's
// official Node.js SDK, so that bench/run.sh can compare their CPU on the
// same file. It streams a CSV file whose first column is the record id
// (bench/gen's), sends 100 records per
// POST /crm/v3/objects/{objectType}/batch/update through @hubspot/api-client
// with at most 4 requests in flight, and exits non-zero unless every record
// came back as updated.
//
//   (cd bench/sdk && npm ci)    # once
//   PEER=sdk bench/run.sh       # measured against the emulator, as hubsync is
//
//   # by hand, against an emulator already running:
//   HUBSPOT_ACCESS_TOKEN=TOKEN node bench/sdk/peer.js --base-url http://127.0.0.1:8080 --object communications in.csv
import fs from "node:fs";
import http from "node:http";
import { parseArgs } from "node:util";
import hubspot from "@hubspot/api-client";
import { parse } from "csv-parse";

const batchSize = 100; // HubSpot's limit per batch request
const inFlight = 4; // hubsync's default number of concurrent requests

const { values: opts, positionals } = parseArgs({
  options: {
    "base-url": { type: "string", default: "https://api.hubapi.com" },
    object: { type: "string", default: "communications" },
  },
  allowPositionals: true,
});
if (positionals.length !== 1 || !process.env.HUBSPOT_ACCESS_TOKEN) {
  console.error("usage: HUBSPOT_ACCESS_TOKEN=TOKEN node peer.js [--base-url URL] [--object TYPE] FILE.csv");
  process.exit(2);
}

// No rate limiter (the emulator's limits are off, as for hubsync); a
// keep-alive agent with one connection per request in flight, and the SDK's
// own retries of 5xx and 429 answers.
const client = new hubspot.Client({
  accessToken: process.env.HUBSPOT_ACCESS_TOKEN,
  basePath: opts["base-url"],
  numberOfApiCallRetries: 3,
  httpAgent: new http.Agent({ keepAlive: true, maxSockets: inFlight }),
});

let records = 0;
let updated = 0;

// send updates one batch and counts the records HubSpot says it updated.
async function send(inputs) {
  const res = await client.crm.objects.batchApi.update(opts.object, { inputs });
  updated += res.results.length;
  if (res.errors?.length) {
    throw new Error(`batch of ${inputs.length}: ${res.errors.length} errors, first: ${res.errors[0].message}`);
  }
}

const pending = new Set();

// dispatch sends a batch once fewer than inFlight are pending. Waiting here
// stops the loop below, and with it the parser: the file is read no faster
// than it is sent.
async function dispatch(inputs) {
  while (pending.size >= inFlight) {
    await Promise.race(pending);
  }
  const p = send(inputs).finally(() => pending.delete(p));
  pending.add(p);
}

const rows = fs.createReadStream(positionals[0]).pipe(parse({ columns: true }));
let batch = [];
for await (const { id, ...properties } of rows) {
  batch.push({ id, properties });
  records++;
  if (batch.length === batchSize) {
    await dispatch(batch);
    batch = [];
  }
}
if (batch.length > 0) {
  await dispatch(batch);
}
await Promise.all(pending);

console.error(`sdk peer: ${records} records read, ${updated} updated`);
if (updated !== records) {
  process.exit(1);
}
