// Limits checked on the resolved operation, with its variables, before anything executes: depth, estimated cost,
// page sizes, and `live` (chain reads) selected only outside lists. One walk of the operation does all four;
// fragments are analysed once each, so a query built of fragments that spread each other many times costs its
// analysis no more than its size.
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  getVariableValues,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { limitExceeded } from "../errors";
import { dayCount, pageSize, type ListCaps } from "./page-size";

export interface QueryLimits extends ListCaps {
  /** Deepest field nesting (default 12). */
  maxDepth: number;
  /** Highest estimated cost (default 5000); see the cost model below. */
  maxCost: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 5000, maxPageSize: 100, maxDays: 365 };

/**
 * Cost model: an object-typed field costs 1 (a root field 10: each is at least one source request; a `live` field
 * 10: it reads the chain), scalars are free; a field
 * with a page size (`first`, or `days` for histories) multiplies the cost of what is selected under it by that
 * size; other lists count as LIST_SIZE items, except a connection's edges/nodes (already counted by its `first`).
 */
const LIVE_COST = 10;
const ROOT_FIELD_COST = 10;
const LIST_SIZE = 20;
const LIVE_FIELD = "live";

/**
 * The root fields (queries and subscriptions) that return one object with a `live` field: where `live` may be
 * selected, in the liveInList refusal. Read from the schema, so that a new such field is named without anyone
 * remembering this message (a hand-written list had left jobOpened and clientJobsUpdated out).
 */
const liveRootsBySchema = new WeakMap<GraphQLSchema, string[]>();
function liveRoots(schema: GraphQLSchema): string[] {
  let names = liveRootsBySchema.get(schema);
  if (names === undefined) {
    names = [schema.getQueryType(), schema.getSubscriptionType()].flatMap((root) =>
      Object.values(root?.getFields() ?? {})
        .filter((field) => {
          const type = getNamedType(field.type);
          return !isListType(getNullableType(field.type)) && (isObjectType(type) || isInterfaceType(type)) && LIVE_FIELD in type.getFields();
        })
        .map((field) => field.name),
    );
    liveRootsBySchema.set(schema, names);
  }
  return names;
}

/** "a", "a and b", "a, b and c". */
const inWords = (names: readonly string[]) => (names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`);

interface Analysis {
  cost: number;
  depth: number;
  selectsLive: boolean;
}

type Variables = Record<string, unknown>;

export interface LimitCheckResult {
  errors: GraphQLError[];
  cost: number;
  depth: number;
}

export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
  limits: QueryLimits,
): LimitCheckResult {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const rootType =
    operation.operation === "query"
      ? schema.getQueryType()
      : operation.operation === "mutation"
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (rootType === null || rootType === undefined) return { errors: [], cost: 0, depth: 0 };

  // Page sizes are read as execution will see them: a variable the request leaves out takes the default its
  // definition gives, not the argument's (`query($n: Int = 100) { providers(first: $n) ... }`). Variables that do
  // not coerce are left to execution, which refuses them before anything runs and names the variable: judged here
  // as sent, `$n: "5"` for `first` was refused as a page size out of range, naming neither the variable nor the fault.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 });
  if (coerced.coerced === undefined) return { errors: [], cost: 0, depth: 0 };
  const values: Variables = coerced.coerced;

  const errors: GraphQLError[] = [];
  const memo = new Map<string, Analysis>();
  const analysing = new Set<string>();

  const fieldDef = (parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined =>
    isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;

  const argValue = (field: FieldNode, def: GraphQLField<unknown, unknown>, name: string): unknown => {
    const argDef = def.args.find((a) => a.name === name);
    if (argDef === undefined) return undefined;
    const node = field.arguments?.find((a) => a.name.value === name);
    if (node === undefined) return argDef.defaultValue;
    return valueFromAST(node.value, argDef.type, values) ?? argDef.defaultValue;
  };

  /** The multiplier a field applies to what is selected under it (and page-size errors on the way). */
  const multiplierOf = (field: FieldNode, def: GraphQLField<unknown, unknown>, parent: GraphQLCompositeType): number => {
    const first = argValue(field, def, "first");
    if (first !== undefined) {
      try {
        return pageSize(first as number | null, LIST_SIZE, limits, `${parent.name}.${def.name}`);
      } catch (error) {
        errors.push(error as GraphQLError);
        return limits.maxPageSize;
      }
    }
    const days = argValue(field, def, "days");
    if (days !== undefined) {
      try {
        return dayCount(days as number | null, LIST_SIZE, limits, `${parent.name}.${def.name}`);
      } catch (error) {
        errors.push(error as GraphQLError);
        return limits.maxDays;
      }
    }
    if (isListType(getNullableType(def.type))) return parent.name.endsWith("Connection") ? 1 : LIST_SIZE;
    return 1;
  };

  const analyseSelectionSet = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType): Analysis => {
    let cost = 0;
    let depth = 0;
    let selectsLive = false;
    for (const selection of selectionSet.selections) {
      let part: Analysis;
      if (selection.kind === Kind.FIELD) {
        part = analyseField(selection, parent);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const narrowed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (narrowed === undefined || !isCompositeType(narrowed)) continue;
        part = analyseSelectionSet(selection.selectionSet, narrowed);
      } else {
        part = analyseFragment(selection.name.value);
      }
      cost += part.cost;
      depth = Math.max(depth, part.depth);
      selectsLive ||= part.selectsLive;
    }
    return { cost, depth, selectsLive };
  };

  const analyseFragment = (name: string): Analysis => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    // Unknown or cyclic fragments are the validation rules' business; count them as nothing here.
    if (fragment === undefined || analysing.has(name)) return { cost: 0, depth: 0, selectsLive: false };
    const type = schema.getType(fragment.typeCondition.name.value);
    if (type === undefined || !isCompositeType(type)) return { cost: 0, depth: 0, selectsLive: false };
    analysing.add(name);
    const result = analyseSelectionSet(fragment.selectionSet, type);
    analysing.delete(name);
    memo.set(name, result);
    return result;
  };

  const analyseField = (field: FieldNode, parent: GraphQLCompositeType): Analysis => {
    const name = field.name.value;
    // Introspection is answered from the schema in memory: free, and its own depth does not count.
    if (name.startsWith("__")) return { cost: 0, depth: 0, selectsLive: false };
    const def = fieldDef(parent, name);
    if (def === undefined) return { cost: 0, depth: 1, selectsLive: false };
    const type = getNamedType(def.type);
    const isLive = name === LIVE_FIELD;
    if (field.selectionSet === undefined || !isCompositeType(type)) {
      return { cost: 0, depth: 1, selectsLive: false };
    }
    const multiplier = multiplierOf(field, def, parent);
    const inner = analyseSelectionSet(field.selectionSet, type);
    const listLike = multiplier > 1 || isListType(getNullableType(def.type)) || type.name.endsWith("Connection");
    if (listLike && inner.selectsLive) {
      errors.push(
        limitExceeded(
          "liveInList",
          `\`${LIVE_FIELD}\` reads the chain, so it is only available outside lists (on ${inWords(liveRoots(schema))}, and the objects they nest), not through the list \`${parent.name}.${name}\``,
          { field: `${parent.name}.${name}` },
        ),
      );
    }
    return {
      cost: (isLive ? LIVE_COST : parent === rootType ? ROOT_FIELD_COST : 1) + multiplier * inner.cost,
      depth: 1 + inner.depth,
      // Reported once, at the innermost list, rather than again by every list around it.
      selectsLive: isLive || (inner.selectsLive && !listLike),
    };
  };

  const total = analyseSelectionSet(operation.selectionSet, rootType);
  if (total.depth > limits.maxDepth) {
    errors.push(
      limitExceeded("depth", `query depth ${total.depth} is over the maximum of ${limits.maxDepth}`, {
        depth: total.depth,
        maximum: limits.maxDepth,
      }),
    );
  }
  if (total.cost > limits.maxCost) {
    errors.push(
      limitExceeded("cost", `query cost ${total.cost} is over the maximum of ${limits.maxCost}: select fewer fields or smaller pages`, {
        cost: total.cost,
        maximum: limits.maxCost,
      }),
    );
  }
  return { errors, cost: total.cost, depth: total.depth };
}
