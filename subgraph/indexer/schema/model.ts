// The subgraph's GraphQL schema as a typed model: entity types, interfaces, enums, and for every field how it is
// stored. The store (tables, validation), the runtime (store.set checks) and the query API all read this model,
// so that the three agree on what a field is.
import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type TypeNode,
} from "graphql";
import { SchemaError } from "../errors";
import { queryFieldNames } from "./naming";

/** How a value is stored and compared: graph-node's ValueType. Enums are Strings, references their target's id type. */
export type ValueType = "String" | "Bytes" | "BigInt" | "BigDecimal" | "Int" | "Int8" | "Boolean" | "Timestamp";
export type IdType = "String" | "Bytes";

export type FieldKind = "scalar" | "enum" | "entity" | "interface";

export interface FieldModel {
  readonly name: string;
  /** The named type as written in the schema: `ID`, `BigInt`, `Provider`, `Tier`... */
  readonly typeName: string;
  readonly kind: FieldKind;
  readonly valueType: ValueType;
  readonly list: boolean;
  readonly nonNull: boolean;
  /** `@derivedFrom(field:)`: not stored, computed from the other side. */
  readonly derivedFrom: string | null;
  /** SQL column name; null for derived fields. */
  readonly column: string | null;
}

export interface EntityTypeModel {
  readonly kind: "entity";
  readonly name: string;
  readonly immutable: boolean;
  readonly idType: IdType;
  readonly fields: readonly FieldModel[];
  readonly fieldsByName: ReadonlyMap<string, FieldModel>;
  /** Stored (non-derived) fields, `id` first, in schema order: the table's columns. */
  readonly storedFields: readonly FieldModel[];
  /** Position of each stored field in `storedFields`, by name: entities travel as arrays in that order. */
  readonly storedIndex: ReadonlyMap<string, number>;
  readonly table: string;
  readonly interfaces: readonly string[];
  readonly singular: string;
  readonly plural: string;
}

export interface InterfaceTypeModel {
  readonly kind: "interface";
  readonly name: string;
  readonly idType: IdType;
  readonly fields: readonly FieldModel[];
  readonly fieldsByName: ReadonlyMap<string, FieldModel>;
  readonly implementations: readonly string[];
  readonly singular: string;
  readonly plural: string;
}

export type CompositeTypeModel = EntityTypeModel | InterfaceTypeModel;

const SCALARS: Record<string, ValueType> = {
  ID: "String",
  String: "String",
  Bytes: "Bytes",
  BigInt: "BigInt",
  BigDecimal: "BigDecimal",
  Int: "Int",
  Int8: "Int8",
  Boolean: "Boolean",
  Timestamp: "Timestamp",
};

interface UnwrappedType {
  name: string;
  list: boolean;
  nonNull: boolean;
}

function unwrap(type: TypeNode, where: string): UnwrappedType {
  let nonNull = false;
  let node = type;
  if (node.kind === Kind.NON_NULL_TYPE) {
    nonNull = true;
    node = node.type;
  }
  if (node.kind === Kind.LIST_TYPE) {
    let inner = node.type;
    if (inner.kind === Kind.NON_NULL_TYPE) inner = inner.type;
    if (inner.kind !== Kind.NAMED_TYPE) throw new SchemaError(`${where}: nested lists are not supported`);
    return { name: inner.name.value, list: true, nonNull };
  }
  if (node.kind !== Kind.NAMED_TYPE) throw new SchemaError(`${where}: unsupported type`);
  return { name: node.name.value, list: false, nonNull };
}

function directive(directives: readonly ConstDirectiveNode[] | undefined, name: string): ConstDirectiveNode | undefined {
  return directives?.find((d) => d.name.value === name);
}

function argumentValue(d: ConstDirectiveNode, name: string): string | boolean | undefined {
  const arg = d.arguments?.find((a) => a.name.value === name);
  if (arg === undefined) return undefined;
  if (arg.value.kind === Kind.STRING || arg.value.kind === Kind.ENUM) return arg.value.value;
  if (arg.value.kind === Kind.BOOLEAN) return arg.value.value;
  return undefined;
}

export class SchemaModel {
  readonly entities = new Map<string, EntityTypeModel>();
  readonly interfaces = new Map<string, InterfaceTypeModel>();
  readonly enums = new Map<string, readonly string[]>();

  private constructor(readonly source: string) {}

  static parse(source: string): SchemaModel {
    let document: DocumentNode;
    try {
      document = parse(source);
    } catch (error) {
      throw new SchemaError(`schema.graphql does not parse: ${(error as Error).message}`, { cause: error });
    }
    const model = new SchemaModel(source);
    model.build(document);
    return model;
  }

  composite(name: string): CompositeTypeModel | undefined {
    return this.entities.get(name) ?? this.interfaces.get(name);
  }

  entity(name: string): EntityTypeModel {
    const type = this.entities.get(name);
    if (type === undefined) throw new SchemaError(`unknown entity type \`${name}\``);
    return type;
  }

  /** The concrete entity types behind a type name: itself, or an interface's implementations. */
  concreteTypes(name: string): EntityTypeModel[] {
    const entity = this.entities.get(name);
    if (entity !== undefined) return [entity];
    const iface = this.interfaces.get(name);
    if (iface === undefined) throw new SchemaError(`unknown type \`${name}\``);
    return iface.implementations.map((n) => this.entity(n));
  }

  private build(document: DocumentNode): void {
    const objectDefs: Array<{ name: string; fields: readonly FieldDefinitionNode[]; immutable: boolean; interfaces: string[] }> =
      [];
    const interfaceDefs: Array<{ name: string; fields: readonly FieldDefinitionNode[] }> = [];
    for (const def of document.definitions) {
      if (def.kind === Kind.ENUM_TYPE_DEFINITION) {
        this.enums.set(def.name.value, (def.values ?? []).map((v) => v.name.value));
      } else if (def.kind === Kind.OBJECT_TYPE_DEFINITION) {
        const name = def.name.value;
        if (name === "_Schema_") continue; // fulltext search definitions: not supported, and they define no entity
        const entityDirective = directive(def.directives, "entity");
        if (entityDirective === undefined) {
          if (directive(def.directives, "aggregation") !== undefined) {
            throw new SchemaError(`type ${name}: @aggregation is not supported by the embedded indexer`);
          }
          throw new SchemaError(`type ${name} has no @entity directive`);
        }
        if (argumentValue(entityDirective, "timeseries") === true) {
          throw new SchemaError(`type ${name}: timeseries entities are not supported by the embedded indexer`);
        }
        objectDefs.push({
          name,
          fields: def.fields ?? [],
          immutable: argumentValue(entityDirective, "immutable") === true,
          interfaces: (def.interfaces ?? []).map((i) => i.name.value),
        });
      } else if (def.kind === Kind.INTERFACE_TYPE_DEFINITION) {
        interfaceDefs.push({ name: def.name.value, fields: def.fields ?? [] });
      } else if (def.kind === Kind.SCALAR_TYPE_DEFINITION || def.kind === Kind.UNION_TYPE_DEFINITION) {
        // graph-node ignores these too.
      } else if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || def.kind === Kind.DIRECTIVE_DEFINITION) {
        // Not part of the entity model.
      } else {
        throw new SchemaError(`unsupported definition in schema.graphql: ${def.kind}`);
      }
    }

    // Id types first: references need their target's id type.
    const idTypes = new Map<string, IdType>();
    for (const obj of objectDefs) {
      const idField = obj.fields.find((f) => f.name.value === "id");
      if (idField === undefined) throw new SchemaError(`entity ${obj.name} has no \`id\` field`);
      const t = unwrap(idField.type, `${obj.name}.id`);
      if (!t.nonNull || t.list) throw new SchemaError(`${obj.name}.id must be a non-null scalar`);
      if (t.name === "ID" || t.name === "String") idTypes.set(obj.name, "String");
      else if (t.name === "Bytes") idTypes.set(obj.name, "Bytes");
      else if (t.name === "Int8") throw new SchemaError(`${obj.name}.id: Int8 ids are not supported by the embedded indexer`);
      else throw new SchemaError(`${obj.name}.id has type ${t.name}; ids must be ID, String or Bytes`);
    }
    const implementations = new Map<string, string[]>();
    for (const obj of objectDefs) {
      for (const i of obj.interfaces) {
        const list = implementations.get(i) ?? [];
        list.push(obj.name);
        implementations.set(i, list);
      }
    }
    for (const iface of interfaceDefs) {
      const impls = implementations.get(iface.name) ?? [];
      idTypes.set(iface.name, impls.length > 0 ? idTypes.get(impls[0]!)! : "String");
    }

    const fieldModel = (owner: string, node: FieldDefinitionNode): FieldModel => {
      const where = `${owner}.${node.name.value}`;
      const t = unwrap(node.type, where);
      const derived = directive(node.directives, "derivedFrom");
      const derivedFrom = derived === undefined ? null : (argumentValue(derived, "field") as string | undefined) ?? null;
      if (derived !== undefined && derivedFrom === null) throw new SchemaError(`${where}: @derivedFrom needs a field`);
      let kind: FieldKind;
      let valueType: ValueType;
      const scalar = SCALARS[t.name];
      if (scalar !== undefined) {
        kind = "scalar";
        valueType = scalar;
      } else if (this.enums.has(t.name)) {
        kind = "enum";
        valueType = "String";
      } else if (objectDefs.some((o) => o.name === t.name)) {
        kind = "entity";
        valueType = idTypes.get(t.name)!;
      } else if (interfaceDefs.some((i) => i.name === t.name)) {
        kind = "interface";
        valueType = idTypes.get(t.name)!;
      } else if (t.name === "Float") {
        throw new SchemaError(`${where}: Float is not a valid subgraph type; use BigDecimal`);
      } else {
        throw new SchemaError(`${where}: unknown type ${t.name}`);
      }
      if (derivedFrom !== null && kind !== "entity" && kind !== "interface") {
        throw new SchemaError(`${where}: @derivedFrom is only allowed on entity or interface fields`);
      }
      return {
        name: node.name.value,
        typeName: t.name,
        kind,
        valueType,
        list: t.list,
        nonNull: t.nonNull,
        derivedFrom,
        column: derivedFrom === null ? node.name.value : null,
      };
    };

    for (const iface of interfaceDefs) {
      const fields = iface.fields.map((f) => fieldModel(iface.name, f));
      const names = queryFieldNames(iface.name);
      this.interfaces.set(iface.name, {
        kind: "interface",
        name: iface.name,
        idType: idTypes.get(iface.name)!,
        fields,
        fieldsByName: new Map(fields.map((f) => [f.name, f])),
        implementations: implementations.get(iface.name) ?? [],
        singular: names.singular,
        plural: names.plural,
      });
    }
    for (const obj of objectDefs) {
      const fields = obj.fields.map((f) => fieldModel(obj.name, f));
      for (const f of fields) {
        if (f.name.startsWith("__")) throw new SchemaError(`${obj.name}.${f.name}: names starting with __ are reserved`);
      }
      const idField = fields.find((f) => f.name === "id")!;
      const stored = [idField, ...fields.filter((f) => f.derivedFrom === null && f.name !== "id")];
      const names = queryFieldNames(obj.name);
      this.entities.set(obj.name, {
        kind: "entity",
        name: obj.name,
        immutable: obj.immutable,
        idType: idTypes.get(obj.name)!,
        fields,
        fieldsByName: new Map(fields.map((f) => [f.name, f])),
        storedFields: stored,
        storedIndex: new Map(stored.map((f, i) => [f.name, i])),
        table: `ent_${obj.name}`,
        interfaces: obj.interfaces,
        singular: names.singular,
        plural: names.plural,
      });
    }
    this.checkDerivedFields();
  }

  /** A derived field must point at a stored reference back to its owner (or to an interface the owner implements). */
  private checkDerivedFields(): void {
    for (const type of [...this.entities.values(), ...this.interfaces.values()]) {
      for (const field of type.fields) {
        if (field.derivedFrom === null) continue;
        for (const target of this.concreteTypes(field.typeName)) {
          const back = target.fieldsByName.get(field.derivedFrom);
          if (back === undefined || back.derivedFrom !== null || (back.kind !== "entity" && back.kind !== "interface")) {
            throw new SchemaError(
              `${type.name}.${field.name}: @derivedFrom(field: "${field.derivedFrom}") must name a stored reference field of ${target.name}`,
            );
          }
        }
      }
    }
  }

  /** The stored reference fields some @derivedFrom names: what `store.loadRelated` looks children up by. */
  referencedColumns(): Set<FieldModel> {
    const out = new Set<FieldModel>();
    for (const type of [...this.entities.values(), ...this.interfaces.values()]) {
      for (const field of type.fields) for (const { field: back } of this.derivedSources(field)) out.add(back);
    }
    return out;
  }

  /** For a derived field, the child types and the child field that holds the parent's id. */
  derivedSources(field: FieldModel): Array<{ child: EntityTypeModel; field: FieldModel }> {
    if (field.derivedFrom === null) return [];
    return this.concreteTypes(field.typeName).map((child) => ({
      child,
      field: child.fieldsByName.get(field.derivedFrom!)!,
    }));
  }
}
