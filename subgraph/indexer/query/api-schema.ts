// The GraphQL API graph-node generates from a subgraph schema (graph/src/schema/api.rs), built with graphql-js
// and wired to the SQL reader: per entity and interface a singular field `provider(id, block)` and a plural
// `providers(skip, first, orderBy, orderDirection, where, block)`; `<T>_filter` inputs with the operators of
// each field type, nested `f_` filters, `and`/`or` and `_change_block`; `<T>_orderBy` enums including
// `parent__child` values; collection arguments on list fields; `_meta`.
import DataLoader from "dataloader";
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLError,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  Kind,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLResolveInfo,
  type GraphQLInputFieldConfigMap,
  type GraphQLOutputType,
  type GraphQLScalarType,
} from "graphql";
import type { CompositeTypeModel, EntityTypeModel, FieldModel, SchemaModel } from "../schema/model";
import { outputList, outputScalar, type SqlValue } from "../store/codec";
import type { BlockPointer, FatalError } from "../store/database";
import { UnattestableQueryError } from "./attestable";
import type { FilterInput } from "./filters";
import { idKey, type EntityReader, type EntityRecord, type ListArgs } from "./reader";
import { BigDecimalScalar, BigIntScalar, BytesScalar, Int8Scalar, TimestampScalar } from "./scalars";

// graph-node's defaults (graph/src/env/graphql.rs): GRAPH_GRAPHQL_MAX_FIRST 1000, GRAPH_GRAPHQL_MAX_SKIP u32::MAX, so
// that a dApp paging deep with `skip` is answered here as there (a hosted service's 5,000 is no graph-node default).
export const MAX_FIRST = 1000;
export const MAX_SKIP = 4_294_967_295;
const DEFAULT_FIRST = 100;

/** What resolvers need for one request. */
export interface RequestContext {
  readonly reader: EntityReader;
  /** The indexed head when the request started: "latest" for every field of this request. */
  readonly latest: BlockPointer;
  /** The first block the subgraph has data for (graph-node's earliest block: the earliest start block - 1, or 0). */
  readonly earliest: number;
  readonly deployment: string;
  readonly fatalError: FatalError | null;
  /** Nothing indexes the database now (its indexer's worker died): reported as indexing errors. */
  readonly indexerDown: boolean;
  blockByHash(hash: string): BlockPointer | null;
  blockByNumber(number: number): BlockPointer | null;
  readonly loaders: Map<string, DataLoader<EntityRecord, unknown>>;
  /** Each top-level field's block constraint and error policy, by response key (see indexing-error.ts). */
  readonly rootFields: Map<string, RootField>;
}

/** How graph-node groups a top-level field (graphql/src/execution/query.rs, block_constraint). */
export interface RootField {
  /** Equal for the fields graph-node reads under one block constraint. */
  readonly constraint: string;
  /** The block it reads; null for the head (no `block`, or `number_gte`). */
  readonly block: number | null;
  readonly policy: ErrorPolicy;
}

export type ErrorPolicy = "allow" | "deny";

interface BlockHeightInput {
  hash?: Buffer | null;
  number?: number | null;
  number_gte?: number | null;
}

interface CollectionArgsInput {
  skip?: number | null;
  first?: number | null;
  where?: FilterInput | null;
  orderBy?: string | null;
  orderDirection?: "asc" | "desc" | null;
  block?: BlockHeightInput | null;
}

const SCALAR_TYPES: Record<string, GraphQLScalarType> = {
  ID: GraphQLID,
  String: GraphQLString,
  Int: GraphQLInt,
  Boolean: GraphQLBoolean,
  BigInt: BigIntScalar,
  BigDecimal: BigDecimalScalar,
  Bytes: BytesScalar,
  Int8: Int8Scalar,
  Timestamp: TimestampScalar,
};

/** graph-node's operator sets per scalar type (api.rs `field_filter_ops`). */
function scalarOps(typeName: string): readonly string[] {
  switch (typeName) {
    case "Boolean":
      return ["", "not", "in", "not_in"];
    case "Bytes":
      return ["", "not", "gt", "lt", "gte", "lte", "in", "not_in", "contains", "not_contains"];
    case "ID":
    case "BigInt":
    case "BigDecimal":
    case "Int":
    case "Int8":
    case "Timestamp":
      return ["", "not", "gt", "lt", "gte", "lte", "in", "not_in"];
    case "String":
      return [
        "",
        "not",
        "gt",
        "lt",
        "gte",
        "lte",
        "in",
        "not_in",
        "contains",
        "contains_nocase",
        "not_contains",
        "not_contains_nocase",
        "starts_with",
        "starts_with_nocase",
        "not_starts_with",
        "not_starts_with_nocase",
        "ends_with",
        "ends_with_nocase",
        "not_ends_with",
        "not_ends_with_nocase",
      ];
    default:
      return ["", "not"];
  }
}

function fieldKey(name: string, op: string): string {
  return op === "" ? name : `${name}_${op}`;
}

/**
 * graph-node's range check (graphql/src/store/query.rs, build_range): `skip` may be 0, `first` may not, although its
 * message says "between 0 and": `first: 0` is refused, not answered with an empty list.
 */
function checkRange(name: "first" | "skip", value: number, max: number): void {
  const min = name === "first" ? 1 : 0;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UnattestableQueryError(`The \`${name}\` argument must be between 0 and ${max}, but is ${value}`);
  }
}

function listArgs(args: CollectionArgsInput): ListArgs {
  const first = args.first ?? DEFAULT_FIRST;
  const skip = args.skip ?? 0;
  checkRange("first", first, MAX_FIRST);
  checkRange("skip", skip, MAX_SKIP);
  return {
    first,
    skip,
    where: args.where ?? null,
    orderBy: args.orderBy ?? null,
    orderDirection: args.orderDirection ?? "asc",
  };
}

/**
 * A `block` argument graph-node refuses. It checks every top-level field's block before it runs any
 * (graphql/src/store/resolver.rs, locate_blocks) and answers the first such error alone, without `data`: the engine
 * turns this error into that answer, whatever else the query held.
 */
export class BlockArgumentError extends GraphQLError {}

/** A block graph-node cannot serve: unknown, not indexed yet, or before the earliest block. */
export class BlockConstraintError extends BlockArgumentError {
  constructor(
    readonly argument: "block.hash" | "block.number" | "block.number_gte",
    readonly reason: string,
  ) {
    super(`Failed to decode \`${argument}\` value: \`${reason}\``);
  }
}

/** A `block` object that names no block, or a null one; `value` is the object as graph-node shows it (Rust's Debug). */
export class InvalidBlockArgumentError extends BlockArgumentError {
  constructor(readonly value: string) {
    super(`Invalid value provided for argument \`block\`: ${value}`);
  }
}

const BLOCK_KEYS = ["hash", "number", "number_gte"] as const;

/**
 * graph-node reads the first of `hash`, `number` and `number_gte` that the object names, and refuses the object when
 * it names none or that one is null (graphql/src/query/ext.rs, BlockConstraint::try_from_value). An object written
 * in the query names what it writes, a variable left out being null there (GraphQL.js leaves the key out instead).
 */
function checkBlockArgument(block: BlockHeightInput | null | undefined, info: GraphQLResolveInfo): void {
  if (block === null || block === undefined) return;
  const node = info.fieldNodes[0]?.arguments?.find((a) => a.name.value === "block")?.value;
  const named = new Set<string>(node?.kind === Kind.OBJECT ? node.fields.map((f) => f.name.value) : Object.keys(block));
  const first = BLOCK_KEYS.find((key) => named.has(key));
  if (first !== undefined && block[first] !== null && block[first] !== undefined) return;
  // Rust's Debug of graph-node's value: a BTreeMap, its keys in byte order.
  const shown = [...named].sort().map((key) => {
    const value = (block as Record<string, unknown>)[key];
    const debug = Buffer.isBuffer(value) ? `String("0x${value.toString("hex")}")` : typeof value === "number" ? `Int(Number(${value}))` : "Null";
    return `"${key}": ${debug}`;
  });
  throw new InvalidBlockArgumentError(`Object({${shown.join(", ")}})`);
}

/** The block a top-level field reads at (graph-node's block constraint rules and messages). */
function resolveBlock(ctx: RequestContext, block: BlockHeightInput | null | undefined): number {
  const latest = ctx.latest.number;
  const notYet = (argument: "block.number" | "block.number_gte", n: number): BlockConstraintError =>
    new BlockConstraintError(
      argument,
      `subgraph ${ctx.deployment} has only indexed up to block number ${latest} and data for block number ${n} is therefore not yet available`,
    );
  // graph-node's DeploymentState::block_queryable, for a block given by number or by hash.
  const queryable = (n: number): number => {
    if (n > latest) throw notYet("block.number", n);
    if (n < ctx.earliest) {
      throw new BlockConstraintError(
        "block.number",
        `subgraph ${ctx.deployment} only has data starting at block number ${ctx.earliest} and data for block number ${n} is therefore not available`,
      );
    }
    return n;
  };
  if (block === null || block === undefined) return latest;
  if (block.hash !== null && block.hash !== undefined) {
    const ptr = ctx.blockByHash("0x" + block.hash.toString("hex"));
    if (ptr === null) throw new BlockConstraintError("block.hash", "no block with that hash found");
    return queryable(ptr.number);
  }
  if (block.number !== null && block.number !== undefined) return queryable(block.number);
  if (block.number_gte !== null && block.number_gte !== undefined) {
    if (latest < block.number_gte) throw notYet("block.number_gte", block.number_gte);
    return latest;
  }
  return latest;
}

/** resolveBlock for a top-level field, recorded under its response key with its error policy. */
function rootBlock(ctx: RequestContext, info: GraphQLResolveInfo, block: BlockHeightInput | null | undefined, policy: ErrorPolicy): number {
  checkBlockArgument(block, info);
  const number = resolveBlock(ctx, block);
  let constraint = "latest";
  let at: number | null = null;
  if (block?.hash !== null && block?.hash !== undefined) [constraint, at] = [`hash:${block.hash.toString("hex")}`, number];
  else if (block?.number !== null && block?.number !== undefined) [constraint, at] = [`number:${number}`, number];
  else if (block?.number_gte !== null && block?.number_gte !== undefined) constraint = `number_gte:${block.number_gte}`;
  ctx.rootFields.set(String(info.path.key), { constraint, block: at, policy });
  return number;
}

export function buildApiSchema(model: SchemaModel): GraphQLSchema {
  const orderDirection = new GraphQLEnumType({
    name: "OrderDirection",
    description: "Defines the order direction, either ascending or descending",
    values: { asc: { value: "asc" }, desc: { value: "desc" } },
  });
  const errorPolicy = new GraphQLEnumType({
    name: "_SubgraphErrorPolicy_",
    values: {
      allow: { value: "allow", description: "Data will be returned even if the subgraph has indexing errors" },
      deny: { value: "deny", description: "If the subgraph has indexing errors, data will be omitted. The default." },
    },
  });
  const blockHeight = new GraphQLInputObjectType({
    name: "Block_height",
    description: "The block at which the query should be executed.",
    fields: { hash: { type: BytesScalar }, number: { type: GraphQLInt }, number_gte: { type: GraphQLInt } },
  });
  const blockChanged = new GraphQLInputObjectType({
    name: "BlockChangedFilter",
    fields: { number_gte: { type: new GraphQLNonNull(GraphQLInt) } },
  });
  const metaBlock = new GraphQLObjectType<BlockPointer & { known: boolean }>({
    name: "_Block_",
    fields: {
      hash: { type: BytesScalar, resolve: (b) => (b.known ? b.hash : null) },
      number: { type: new GraphQLNonNull(GraphQLInt), resolve: (b) => b.number },
      timestamp: { type: GraphQLInt, resolve: (b) => (b.known ? b.timestamp : null) },
      parentHash: { type: BytesScalar, resolve: (b) => (b.known ? b.parentHash : null) },
    },
  });
  const meta = new GraphQLObjectType<{ block: BlockPointer & { known: boolean }; deployment: string; hasIndexingErrors: boolean }>({
    name: "_Meta_",
    description: "The type for the top-level _meta field",
    fields: {
      block: { type: new GraphQLNonNull(metaBlock) },
      deployment: { type: new GraphQLNonNull(GraphQLString) },
      hasIndexingErrors: { type: new GraphQLNonNull(GraphQLBoolean) },
    },
  });

  const enums = new Map<string, GraphQLEnumType>();
  for (const [name, values] of model.enums) {
    enums.set(name, new GraphQLEnumType({ name, values: Object.fromEntries(values.map((v) => [v, { value: v }])) }));
  }

  const filterTypes = new Map<string, GraphQLInputObjectType>();
  const orderByTypes = new Map<string, GraphQLEnumType>();
  const objectTypes = new Map<string, GraphQLObjectType<EntityRecord, RequestContext>>();
  const interfaceTypes = new Map<string, GraphQLInterfaceType>();
  const composites: CompositeTypeModel[] = [...model.entities.values(), ...model.interfaces.values()];


  for (const type of composites) {
    // <T>_orderBy: every field, plus `field__child` for single references (graph-node's child sorting).
    const values: Record<string, { value: string }> = {};
    for (const field of type.fields) {
      values[field.name] = { value: field.name };
      if ((field.kind === "entity" || field.kind === "interface") && !field.list) {
        const target = model.composite(field.typeName)!;
        for (const child of target.fields) {
          if (child.list || child.kind === "entity" || child.kind === "interface") continue;
          values[`${field.name}__${child.name}`] = { value: `${field.name}__${child.name}` };
        }
      }
    }
    orderByTypes.set(type.name, new GraphQLEnumType({ name: `${type.name}_orderBy`, values }));
  }

  for (const type of composites) {
    filterTypes.set(
      type.name,
      new GraphQLInputObjectType({
        name: `${type.name}_filter`,
        fields: (): GraphQLInputFieldConfigMap => {
          const fields: GraphQLInputFieldConfigMap = {};
          for (const field of type.fields) {
            if (field.kind === "entity" || field.kind === "interface") {
              const target = model.composite(field.typeName)!;
              if (field.derivedFrom === null) {
                // graph-node accepts ids of referenced entities as strings, whatever their id type.
                const idType = GraphQLString;
                if (field.list) {
                  const listType = new GraphQLList(new GraphQLNonNull(idType));
                  const ops = target.idType === "String" ? ["", "not", "contains", "contains_nocase", "not_contains", "not_contains_nocase"] : ["", "not", "contains", "not_contains"];
                  for (const op of ops) fields[fieldKey(field.name, op)] = { type: listType };
                } else {
                  for (const op of scalarOps("String")) {
                    fields[fieldKey(field.name, op)] = {
                      type: op === "in" || op === "not_in" ? new GraphQLList(new GraphQLNonNull(idType)) : idType,
                    };
                  }
                }
              }
              fields[`${field.name}_`] = { type: filterTypes.get(field.typeName)! };
            } else if (field.kind === "enum") {
              const enumType = enums.get(field.typeName)!;
              if (field.list) {
                const listType = new GraphQLList(new GraphQLNonNull(enumType));
                for (const op of ["", "not", "contains", "not_contains"]) fields[fieldKey(field.name, op)] = { type: listType };
              } else {
                for (const op of ["", "not", "in", "not_in"]) {
                  fields[fieldKey(field.name, op)] = {
                    type: op === "in" || op === "not_in" ? new GraphQLList(new GraphQLNonNull(enumType)) : enumType,
                  };
                }
              }
            } else {
              const scalar = SCALAR_TYPES[field.typeName]!;
              if (field.list) {
                const listType = new GraphQLList(new GraphQLNonNull(scalar));
                const ops = field.typeName === "String" ? ["", "not", "contains", "contains_nocase", "not_contains", "not_contains_nocase"] : ["", "not", "contains", "not_contains"];
                for (const op of ops) fields[fieldKey(field.name, op)] = { type: listType };
              } else {
                for (const op of scalarOps(field.typeName)) {
                  fields[fieldKey(field.name, op)] = {
                    type: op === "in" || op === "not_in" ? new GraphQLList(new GraphQLNonNull(scalar)) : scalar,
                  };
                }
              }
            }
          }
          fields._change_block = { type: blockChanged, description: "Filter for the block changed event." };
          fields.and = { type: new GraphQLList(filterTypes.get(type.name)!) };
          fields.or = { type: new GraphQLList(filterTypes.get(type.name)!) };
          return fields;
        },
      }),
    );
  }

  const collectionArgs = (typeName: string): GraphQLFieldConfigArgumentMap => ({
    skip: { type: GraphQLInt, defaultValue: 0 },
    first: { type: GraphQLInt, defaultValue: DEFAULT_FIRST },
    orderBy: { type: orderByTypes.get(typeName)! },
    orderDirection: { type: orderDirection },
    where: { type: filterTypes.get(typeName)! },
  });

  const outputType = (name: string): GraphQLOutputType =>
    objectTypes.get(name) ?? interfaceTypes.get(name) ?? enums.get(name) ?? SCALAR_TYPES[name]!;

  const wrap = (field: FieldModel, base: GraphQLOutputType): GraphQLOutputType => {
    let t: GraphQLOutputType = base;
    if (field.list) t = new GraphQLList(new GraphQLNonNull(t));
    return field.nonNull ? new GraphQLNonNull(t) : t;
  };

  /** The resolver-bearing field configs of a composite type. */
  const fieldConfigs = (owner: CompositeTypeModel): Record<string, GraphQLFieldConfig<EntityRecord, RequestContext>> => {
    const configs: Record<string, GraphQLFieldConfig<EntityRecord, RequestContext>> = {};
    for (const field of owner.fields) {
      const base = outputType(field.typeName);
      const type = wrap(field, base);
      if (field.kind === "scalar" || field.kind === "enum") {
        const column = field.column!;
        configs[field.name] = {
          type,
          resolve: field.list
            ? (record) => outputList(field.valueType, record.row[column])
            : (record) => outputScalar(field.valueType, record.row[column]),
        };
        continue;
      }
      if (!field.list && field.derivedFrom === null) {
        configs[field.name] = { type, resolve: (record, _args, ctx) => loadReference(ctx, record, field) };
      } else if (!field.list) {
        configs[field.name] = {
          type,
          resolve: async (record, _args, ctx) => {
            // Two are enough to know it is not one: graph-node then refuses to pick (AmbiguousDerivedFromResult).
            const found = await loadChildren(ctx, record, field, { first: 2, skip: 0, where: null, orderBy: null, orderDirection: "asc" });
            if (found.length > 1) {
              throw new UnattestableQueryError(
                `Ambiguous result for derived field \`${field.name}\`: Multiple \`${field.typeName}\` entities refer back via \`${field.derivedFrom}\``,
              );
            }
            return found[0] ?? null;
          },
        };
      } else {
        configs[field.name] = {
          type,
          args: collectionArgs(field.typeName),
          resolve: (record, args: CollectionArgsInput, ctx) => loadChildren(ctx, record, field, listArgs(args)),
        };
      }
    }
    return configs;
  };

  for (const iface of model.interfaces.values()) {
    interfaceTypes.set(
      iface.name,
      new GraphQLInterfaceType({
        name: iface.name,
        fields: () => fieldConfigs(iface),
        resolveType: (record: EntityRecord) => record.__typename,
      }),
    );
  }
  for (const entity of model.entities.values()) {
    objectTypes.set(
      entity.name,
      new GraphQLObjectType<EntityRecord, RequestContext>({
        name: entity.name,
        interfaces: () => entity.interfaces.map((i) => interfaceTypes.get(i)!),
        fields: () => fieldConfigs(entity),
      }),
    );
  }

  const queryFields: Record<string, GraphQLFieldConfig<unknown, RequestContext>> = {};
  for (const type of composites) {
    const gqlType = (objectTypes.get(type.name) ?? interfaceTypes.get(type.name))!;
    queryFields[type.singular] = {
      type: gqlType,
      args: {
        id: { type: new GraphQLNonNull(GraphQLID) },
        block: { type: blockHeight, description: "The block at which the query should be executed." },
        subgraphError: { type: new GraphQLNonNull(errorPolicy), defaultValue: "deny" },
      },
      resolve: (_root, args: { id: string; block?: BlockHeightInput | null; subgraphError: ErrorPolicy }, ctx, info) =>
        ctx.reader.byId(type.name, args.id, rootBlock(ctx, info, args.block, args.subgraphError)),
    };
    queryFields[type.plural] = {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(gqlType))),
      args: {
        ...collectionArgs(type.name),
        block: { type: blockHeight, description: "The block at which the query should be executed." },
        subgraphError: { type: new GraphQLNonNull(errorPolicy), defaultValue: "deny" },
      },
      resolve: (_root, args: CollectionArgsInput & { subgraphError: ErrorPolicy }, ctx, info) =>
        ctx.reader.list(type.name, listArgs(args), rootBlock(ctx, info, args.block, args.subgraphError)),
    };
  }
  queryFields._meta = {
    type: meta,
    description: "Access to subgraph metadata",
    args: { block: { type: blockHeight } },
    resolve: (_root, args: { block?: BlockHeightInput | null }, ctx, info) => {
      // `_meta` has no subgraphError: graph-node takes it as deny.
      const number = rootBlock(ctx, info, args.block, "deny");
      let block: BlockPointer & { known: boolean };
      if (args.block?.number !== undefined && args.block.number !== null) {
        // graph-node: with a block number constraint the hash is not looked up.
        block = { number, hash: "", timestamp: 0, parentHash: null, known: false };
      } else {
        const ptr = number === ctx.latest.number ? ctx.latest : ctx.blockByNumber(number);
        block = ptr === null ? { number, hash: "", timestamp: 0, parentHash: null, known: false } : { ...ptr, known: true };
      }
      // graph-node records the error at the failing block, where it moves the head: a read of the head sees it, a
      // read of an earlier block does not (DeploymentState::has_deterministic_errors).
      const read = ctx.rootFields.get(String(info.path.key))!;
      const failed = ctx.fatalError !== null && (read.block === null || read.block >= ctx.fatalError.blockNumber);
      return { block, deployment: ctx.deployment, hasIndexingErrors: failed || ctx.indexerDown };
    },
  };

  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: "Query", fields: queryFields }),
    types: [...objectTypes.values()],
  });
}

function loader<R>(ctx: RequestContext, key: string, batch: (parents: readonly EntityRecord[]) => R[]): DataLoader<EntityRecord, R> {
  let l = ctx.loaders.get(key) as DataLoader<EntityRecord, R> | undefined;
  if (l === undefined) {
    l = new DataLoader<EntityRecord, R>(async (parents) => batch(parents), { cache: false });
    ctx.loaders.set(key, l as DataLoader<EntityRecord, unknown>);
  }
  return l;
}

/** A single stored reference: all parents of the level are resolved with one query per target type. */
function loadReference(ctx: RequestContext, record: EntityRecord, field: FieldModel): Promise<EntityRecord | null> | null {
  const raw = record.row[field.column!];
  if (raw === null || raw === undefined) return null;
  const l = loader<EntityRecord | null>(ctx, `${record.__typename}.${field.name}@${record.block}`, (parents) => {
    const ids = parents.map((p) => p.row[field.column!] as SqlValue);
    const found = ctx.reader.byIds(field.typeName, ids, record.block);
    return parents.map((p) => found.get(idKey(p.row[field.column!])) ?? null);
  });
  return l.load(record);
}

/** A list or derived field: all parents of the level are resolved with one query (per args). */
function loadChildren(ctx: RequestContext, record: EntityRecord, field: FieldModel, args: ListArgs): Promise<EntityRecord[]> {
  const parentType = ctx.reader.schema.entity(record.__typename) as EntityTypeModel;
  const key = `${record.__typename}.${field.name}@${record.block}:${JSON.stringify(args, (_k, v: unknown) =>
    typeof v === "bigint" ? v.toString() : Buffer.isBuffer(v) ? v.toString("hex") : v,
  )}`;
  const l = loader<EntityRecord[]>(ctx, key, (parents) => ctx.reader.children(parentType, field, parents, args, record.block));
  return l.load(record);
}
