// Unit tests of the value layer: graph-node's BigDecimal arithmetic, the order-preserving encodings the store
// relies on, graph-ts BigInt bytes, the event decoder against ethers, and graph-node's query field naming.
import { expect } from "chai";
import fc from "fast-check";
import { AbiCoder, EventFragment, Interface } from "ethers";
import { BigDecimal } from "../../../subgraph/indexer/values/bigdecimal";
import { decodeBigDecimal, decodeBigInt, encodeBigDecimal, encodeBigInt } from "../../../subgraph/indexer/values/sortable";
import { bigIntToSignedLE, signedLEToBigInt, toBase58 } from "../../../subgraph/indexer/values/bytes";
import { queryFieldNames, toCamelCase, toPlural } from "../../../subgraph/indexer/schema/naming";
import { AbiKind, EventDecoder, wordToSignedLE, type AbiValue } from "../../../subgraph/indexer/chain/abi-decoder";
import { parseJson } from "../../../subgraph/indexer/runtime/json-values";

const D = (s: string): BigDecimal => BigDecimal.parse(s);

describe("indexer values", function () {
  describe("BigDecimal (graph-node semantics)", function () {
    it("rounds a positive quotient half-up to 34 significant digits", function () {
      expect(D("1").dividedBy(D("3")).toString()).to.equal("0.3333333333333333333333333333333333");
      expect(D("2").dividedBy(D("3")).toString()).to.equal("0.6666666666666666666666666666666667");
    });

    it("truncates negative values and may keep 35 digits, like bigdecimal 0.1.2's with_prec", function () {
      expect(D("-2").dividedBy(D("3")).toString()).to.equal("-0.66666666666666666666666666666666666");
      expect(D("-5").dividedBy(D("3")).toString()).to.equal("-1.6666666666666666666666666666666666");
    });

    it("normalises parsed values: trailing zeros stripped, exponents resolved, no exponent notation", function () {
      expect(D("1.500").toString()).to.equal("1.5");
      expect(D("1e3").toString()).to.equal("1000");
      expect(D("1.5e-3").toString()).to.equal("0.0015");
      expect(D("-0.000").toString()).to.equal("0");
      expect(D("123456789012345678901234567890123456").toString()).to.equal("123456789012345678901234567890123500");
      expect(D("1.5").equals(D("1.50"))).to.equal(true);
    });

    it("adds, subtracts and multiplies exactly before normalising", function () {
      expect(D("0.1").plus(D("0.2")).toString()).to.equal("0.3");
      expect(D("1").minus(D("1.0000000001")).toString()).to.equal("-0.0000000001");
      expect(D("1.5e-3").times(D("1000")).toString()).to.equal("1.5");
    });

    it("rejects text that is not a decimal", function () {
      expect(() => D("abc")).to.throw("not a BigDecimal");
      expect(() => D("")).to.throw();
    });

    it("parses like bigdecimal 0.1.2's from_str: num-bigint digits with underscores, an i64 exponent after one optional '+'", function () {
      expect(D("1_000").toString()).to.equal("1000");
      expect(D("-1_0.2_5").toString()).to.equal("-1.025"); // the fraction's length counts its underscores
      expect(D("+.5").toString()).to.equal("0.5");
      expect(D("1e++2").toString()).to.equal("100");
      expect(D("1e+-2").toString()).to.equal("0.01");
      for (const bad of ["_1", "-_1", "1._5e", "+-1", "--1", "1e-+2", "1e2_0", "1e", "e5", ".", "-", "1e9223372036854775808", " 1", "1.5.5"]) {
        expect(() => D(bad), bad).to.throw("not a BigDecimal");
      }
    });
  });

  describe("sortable encodings", function () {
    // Small magnitudes (below 2^47) are encoded arithmetically, the rest in 48-bit chunks: both, and the boundary.
    const bigints = fc.oneof(
      fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }),
      fc.bigInt({ min: -(2n ** 48n), max: 2n ** 48n }),
      fc.bigInt({ min: -300n, max: 300n }),
      fc.constantFrom(0n, 2n ** 47n - 1n, 2n ** 47n, -(2n ** 47n) + 1n, -(2n ** 47n), 255n, 256n, -255n, -256n),
    );

    it("encode BigInt so that byte order is numeric order, reversibly", function () {
      fc.assert(
        fc.property(bigints, bigints, (a, b) => {
          expect(decodeBigInt(encodeBigInt(a))).to.equal(a);
          const order = Buffer.compare(encodeBigInt(a), encodeBigInt(b));
          expect(Math.sign(order)).to.equal(a < b ? -1 : a > b ? 1 : 0);
        }),
      );
    });

    it("encode BigInt as a byte-at-a-time reference does, and back, on both sides of every power of two to 2^200", function () {
      // Large magnitudes are converted in 48-bit chunks: the edges of a chunk are where a byte could go missing.
      const reference = (v: bigint): number[] => {
        const magnitude: number[] = [];
        for (let rest = v < 0n ? -v : v; rest > 0n; rest >>= 8n) magnitude.unshift(Number(rest & 0xffn));
        const len = magnitude.length;
        return v < 0n ? [0x00, (0xffff - len) >> 8, (0xffff - len) & 0xff, ...magnitude.map((b) => 0xff - b)] : [0x01, len >> 8, len & 0xff, ...magnitude];
      };
      for (let b = 0n; b <= 200n; b++) {
        for (const base of [2n ** b, -(2n ** b)]) {
          for (const v of [base - 1n, base, base + 1n]) {
            expect(Array.from(encodeBigInt(v)), `encoding of ${v}`).to.deep.equal(reference(v));
            expect(decodeBigInt(Uint8Array.from(reference(v))), `decoding of ${v}`).to.equal(v);
          }
        }
      }
    });

    it("encode BigDecimal so that byte order is numeric order, reversibly", function () {
      const decimals = fc.tuple(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.integer({ min: -60, max: 60 })).map(([d, e]) => BigDecimal.of(d, e));
      fc.assert(
        fc.property(decimals, decimals, (a, b) => {
          expect(decodeBigDecimal(encodeBigDecimal(a)).equals(a)).to.equal(true);
          const order = Math.sign(Buffer.compare(encodeBigDecimal(a), encodeBigDecimal(b)));
          expect(order).to.equal(a.compare(b));
        }),
      );
    });
  });

  describe("graph-ts byte layouts", function () {
    it("round-trips BigInt through minimal little-endian two's complement", function () {
      // Small magnitudes take a path through doubles: sample them densely, and every power-of-two boundary.
      const boundaries = Array.from({ length: 70 }, (_, b) => [2n ** BigInt(b), -(2n ** BigInt(b))]).flat();
      const values = fc.oneof(fc.bigInt({ min: -(2n ** 520n), max: 2n ** 520n }), fc.bigInt({ min: -(2n ** 50n), max: 2n ** 50n }), fc.constantFrom(...boundaries));
      fc.assert(
        fc.property(values, fc.integer({ min: -1, max: 1 }), (boundary, nudge) => {
          const v = boundary + BigInt(nudge);
          const bytes = bigIntToSignedLE(v);
          expect(signedLEToBigInt(bytes)).to.equal(v);
          // Minimal: dropping the top byte would change the value.
          if (bytes.length > 1) expect(signedLEToBigInt(bytes.subarray(0, bytes.length - 1))).to.not.equal(v);
        }),
      );
      expect(Array.from(bigIntToSignedLE(0n))).to.deep.equal([0]);
      expect(Array.from(bigIntToSignedLE(128n))).to.deep.equal([0x80, 0x00]);
      expect(Array.from(bigIntToSignedLE(-129n))).to.deep.equal([0x7f, 0xff]);
    });

    it("lays out and reads BigInt bytes as a byte-at-a-time reference does, on both sides of every power of two to 2^200", function () {
      // The conversions work in 48-bit chunks: the edges of a chunk and of the byte after the last chunk are where a
      // sign byte or a carry could go missing.
      const reference = (v: bigint): number[] => {
        const out: number[] = [];
        for (let rest = v; ; rest >>= 8n) {
          const byte = Number(BigInt.asUintN(8, rest));
          out.push(byte);
          if ((rest >> 8n === 0n && byte < 0x80) || (rest >> 8n === -1n && byte >= 0x80)) return out;
        }
      };
      for (let b = 0n; b <= 200n; b++) {
        for (const base of [2n ** b, -(2n ** b)]) {
          for (const v of [base - 1n, base, base + 1n]) {
            const bytes = reference(v);
            expect(Array.from(bigIntToSignedLE(v)), `bytes of ${v}`).to.deep.equal(bytes);
            const framed = Uint8Array.from([0xee, ...bytes, 0xee]);
            expect(signedLEToBigInt(framed, 1, bytes.length), `value of ${v}`).to.equal(v);
          }
        }
      }
    });

    it("reads BigInt bytes at an offset, and non-minimal encodings by their value", function () {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat({ max: 8 }), (bytes, pad) => {
          let expected = 0n;
          for (let i = bytes.length - 1; i >= 0; i--) expected = (expected << 8n) | BigInt(bytes[i]!);
          if (bytes.length > 0 && bytes[bytes.length - 1]! >= 0x80) expected -= 1n << BigInt(8 * bytes.length);
          const framed = new Uint8Array(pad + bytes.length + 3).fill(0xee);
          framed.set(bytes, pad);
          expect(signedLEToBigInt(bytes)).to.equal(expected);
          expect(signedLEToBigInt(framed, pad, bytes.length)).to.equal(expected);
        }),
      );
    });

    it("turns 32-byte ABI words into the same BigInt bytes", function () {
      const coder = AbiCoder.defaultAbiCoder();
      fc.assert(
        fc.property(fc.bigInt({ min: -(2n ** 255n), max: 2n ** 255n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), (i, u) => {
          const iw = Buffer.from(coder.encode(["int256"], [i]).slice(2), "hex");
          const uw = Buffer.from(coder.encode(["uint256"], [u]).slice(2), "hex");
          expect(Array.from(wordToSignedLE(iw, true))).to.deep.equal(Array.from(bigIntToSignedLE(i)));
          expect(Array.from(wordToSignedLE(uw, false))).to.deep.equal(Array.from(bigIntToSignedLE(u)));
        }),
      );
    });

    it("encodes base58 like bs58 (leading zero bytes become 1s)", function () {
      expect(toBase58(Buffer.from("0000287fb4cd", "hex"))).to.equal("11233QC4");
    });
  });

  describe("event decoder", function () {
    const iface = new Interface([
      "event Mixed(address indexed who, string indexed tag, int256 delta, bytes blob, string text, uint256[] amounts, (uint64 a, address b, bytes32 c) terms, bool[2] flags, string[] labels)",
    ]);
    const fragment = iface.getEvent("Mixed") as EventFragment;

    it("decodes what ethers encodes: static, dynamic, indexed, arrays and tuples", function () {
      const decoder = new EventDecoder(fragment.inputs);
      const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => "0x" + Buffer.from(b).toString("hex"));
      fc.assert(
        fc.property(
          address,
          fc.string(),
          fc.bigInt({ min: -(2n ** 255n), max: 2n ** 255n - 1n }),
          fc.uint8Array({ maxLength: 80 }),
          fc.string({ unit: "grapheme" }),
          fc.array(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), { maxLength: 4 }),
          fc.array(fc.string(), { maxLength: 3 }),
          (who, tag, delta, blob, text, amounts, labels) => {
            const values = [who, tag, delta, blob, text, amounts, [7n, who, "0x" + "ab".repeat(32)], [true, false], labels];
            const { data, topics } = iface.encodeEventLog(fragment, values);
            const out = decoder.decode(topics.map((t) => Buffer.from(t.slice(2), "hex")), Buffer.from(data.slice(2), "hex"));
            const bytes = (v: AbiValue): string => "0x" + Buffer.from((v as { bytes: Uint8Array }).bytes).toString("hex");
            expect(out[0]!.kind).to.equal(AbiKind.Address);
            expect(bytes(out[0]!)).to.equal(who.toLowerCase());
            expect(out[1]!.kind).to.equal(AbiKind.FixedBytes); // indexed string: only its hash
            expect(bytes(out[1]!)).to.equal(topics[2]);
            expect(signedLEToBigInt(wordToSignedLE((out[2] as { word: Uint8Array }).word, true))).to.equal(delta);
            expect(bytes(out[3]!)).to.equal("0x" + Buffer.from(blob).toString("hex"));
            expect((out[4] as { value: string }).value).to.equal(text);
            const items = (out[5] as { items: readonly AbiValue[] }).items;
            expect(items.map((i) => signedLEToBigInt(wordToSignedLE((i as { word: Uint8Array }).word, false)))).to.deep.equal(amounts);
            expect(out[6]!.kind).to.equal(AbiKind.Tuple);
            expect(out[7]!.kind).to.equal(AbiKind.FixedArray);
            expect((out[8] as unknown as { items: ReadonlyArray<{ value: string }> }).items.map((i) => i.value)).to.deep.equal(labels);
          },
        ),
        { numRuns: 60 },
      );
    });

    it("rejects data shorter than the signature needs", function () {
      const decoder = new EventDecoder(fragment.inputs);
      const topics = [fragment.topicHash, "0x" + "00".repeat(32), "0x" + "11".repeat(32)].map((t) => Buffer.from(t.slice(2), "hex"));
      expect(() => decoder.decode(topics, Buffer.alloc(64))).to.throw("ABI");
    });
  });

  describe("json.fromBytes parsing", function () {
    it("keeps numbers as their source text (serde_json arbitrary_precision), sorts keys, keeps the last duplicate", function () {
      expect(parseJson(`{"a": [1, -2.50, 1e400, 123456789012345678901234567890], "b": {"c": null, "d": true}, "a2": "x\\u00e9", "a2": "y"}`)).to.deep.equal({
        kind: 5,
        value: [
          ["a", { kind: 4, value: [{ kind: 2, value: "1" }, { kind: 2, value: "-2.50" }, { kind: 2, value: "1e400" }, { kind: 2, value: "123456789012345678901234567890" }] }],
          ["a2", { kind: 3, value: "y" }],
          ["b", { kind: 5, value: [["c", { kind: 0 }], ["d", { kind: 1, value: true }]] }],
        ],
      });
    });

    it("rejects malformed JSON", function () {
      for (const bad of ["{", "[1,]", "tru", "{} x", "01"]) expect(() => parseJson(bad), bad).to.throw();
    });
  });

  describe("query field names (graph-node's Inflector rules)", function () {
    it("derives singular and plural names like graph-node", function () {
      const cases: Array<[string, string, string]> = [
        ["Provider", "provider", "providers"],
        ["GpuListing", "gpuListing", "gpuListings"],
        ["Activity", "activity", "activities"],
        ["Status", "status", "statuses"],
        ["Match", "match", "matches"],
        ["Stats", "stats", "stats_collection"],
        ["BatchEvent", "batchEvent", "batchEvents"],
        ["NFTToken", "nfttoken", "nfttokens"],
        ["Erc20Transfer", "erc20Transfer", "erc20Transfers"],
      ];
      for (const [type, singular, plural] of cases) {
        expect(queryFieldNames(type), type).to.deep.equal({ singular, plural });
      }
      expect(toCamelCase("foo_bar")).to.equal("fooBar");
      // Inflector's rules match case-sensitively, so capitalised irregular words take the default "s".
      expect(toPlural("Person")).to.equal("Persons");
    });
  });
});
