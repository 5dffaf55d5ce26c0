/**
 * Validates an OCSF event against the extract of the OCSF schema in test/fixtures/ocsf (made by
 * extract.js from the schema repository at a release tag): required attributes (per applied
 * profile), no attribute the schema does not define, JSON types, enum values, the class's
 * at_least_one / just_one constraints, and the class / category / type identifiers.
 */
import * as fs from "node:fs";
import * as path from "node:path";

interface Attribute {
  type: string;
  array?: true;
  requirement: "required" | "recommended" | "optional";
  profile?: string;
  enum?: number[];
}
interface ObjectSchema {
  attributes: Record<string, Attribute>;
  constraints: { at_least_one?: string[]; just_one?: string[] };
}
export interface OcsfExtract {
  source: { repository: string; version: string };
  class: ObjectSchema & { name: string; class_uid: number; category_uid: number; caption: string };
  objects: Record<string, ObjectSchema>;
  types: Record<string, string>;
}

export function loadExtract(version: string): OcsfExtract {
  const file = path.join(__dirname, "..", "fixtures", "ocsf", `detection_finding-${version}.json`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as OcsfExtract;
}

/** The identifiers base_event enumerates only as 0 (Uncategorized); the class fixes their values. */
const CLASS_FIXED = new Set(["category_uid", "class_uid", "type_uid"]);

function baseType(schema: OcsfExtract, type: string): string {
  let t = type;
  for (let i = 0; i < 5 && schema.types[t] && schema.types[t] !== t; i++) t = schema.types[t];
  return t;
}

function checkScalar(schema: OcsfExtract, type: string, value: unknown): boolean {
  switch (baseType(schema, type)) {
    case "integer_t":
    case "long_t":
      return Number.isInteger(value);
    case "float_t":
      return typeof value === "number";
    case "boolean_t":
      return typeof value === "boolean";
    case "json_t":
      return value !== undefined;
    default:
      return typeof value === "string";
  }
}

export function validateOcsf(schema: OcsfExtract, event: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const metadata = event.metadata as { profiles?: unknown; version?: unknown } | undefined;
  const profiles = new Set(Array.isArray(metadata?.profiles) ? (metadata.profiles as string[]) : []);

  const checkObject = (value: unknown, def: ObjectSchema, at: string, isClass: boolean): void => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    const obj = value as Record<string, unknown>;
    for (const [name, attr] of Object.entries(def.attributes)) {
      const applies = !attr.profile || profiles.has(attr.profile);
      if (attr.requirement === "required" && applies && obj[name] === undefined)
        problems.push(`${at}${name}: required attribute missing`);
    }
    const present = (names: string[] = []) => names.filter((n) => obj[n] !== undefined).length;
    if (def.constraints.at_least_one && present(def.constraints.at_least_one) === 0)
      problems.push(`${at || "event"}: needs at least one of ${def.constraints.at_least_one.join(", ")}`);
    if (def.constraints.just_one && present(def.constraints.just_one) !== 1)
      problems.push(`${at || "event"}: needs exactly one of ${def.constraints.just_one.join(", ")}`);
    for (const [name, v] of Object.entries(obj)) {
      const attr = def.attributes[name];
      const where = `${at}${name}`;
      if (!attr) {
        problems.push(`${where}: not an attribute of ${at ? "this object" : schema.class.name}`);
        continue;
      }
      if (attr.profile && !profiles.has(attr.profile)) {
        problems.push(`${where}: belongs to profile "${attr.profile}", which metadata.profiles does not list`);
      }
      const items = attr.array ? (Array.isArray(v) ? v : undefined) : [v];
      if (!items) {
        problems.push(`${where}: must be an array`);
        continue;
      }
      items.forEach((item, i) => {
        const itemAt = attr.array ? `${where}[${i}]` : where;
        const objectDef = schema.objects[attr.type];
        if (objectDef) checkObject(item, objectDef, `${itemAt}.`, false);
        else if (attr.type === "object") {
          if (typeof item !== "object" || item === null) problems.push(`${itemAt}: must be an object`);
        } else if (!checkScalar(schema, attr.type, item)) problems.push(`${itemAt}: not a valid ${attr.type}`);
        else if (attr.enum && !(isClass && CLASS_FIXED.has(name)) && !attr.enum.includes(item as number))
          problems.push(`${itemAt}: ${JSON.stringify(item)} is not one of ${attr.enum.join(", ")}`);
      });
    }
  };

  checkObject(event, schema.class, "", true);
  if (event.class_uid !== schema.class.class_uid) problems.push(`class_uid: must be ${schema.class.class_uid}`);
  if (event.category_uid !== schema.class.category_uid)
    problems.push(`category_uid: must be ${schema.class.category_uid}`);
  if (event.type_uid !== schema.class.class_uid * 100 + (event.activity_id as number))
    problems.push("type_uid: must be class_uid * 100 + activity_id");
  if (metadata?.version !== schema.source.version)
    problems.push(`metadata.version: must be ${schema.source.version} (the schema validated against)`);
  return problems;
}
