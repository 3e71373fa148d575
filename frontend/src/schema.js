// Validates a JSON Schema text as you type: JSON syntax first, then the schema's shape (a
// pragmatic subset of the meta-schema the server checks with `jsonschema`).

const TYPES = new Set(["object", "array", "string", "number", "integer", "boolean", "null"]);
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
const SCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems"];
const SCHEMA_ONES = ["not", "if", "then", "else", "additionalItems", "contains", "propertyNames"];

function shapeError(schema, path) {
  const at = path ? ` at ${path}` : "";
  if (typeof schema === "boolean") return null;
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    return `A schema must be an object${at}.`;
  }
  if ("type" in schema) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.length) return `"type" must not be empty${at}.`;
    for (const t of types) {
      if (!TYPES.has(t)) return `"type" ${JSON.stringify(t)} is not a JSON Schema type${at}.`;
    }
  }
  if ("required" in schema) {
    if (!Array.isArray(schema.required) || schema.required.some((r) => typeof r !== "string")) {
      return `"required" must be a list of property names${at}.`;
    }
    if (new Set(schema.required).size !== schema.required.length) {
      return `"required" has duplicate names${at}.`;
    }
  }
  if ("enum" in schema && !Array.isArray(schema.enum)) return `"enum" must be a list${at}.`;
  if ("description" in schema && typeof schema.description !== "string") {
    return `"description" must be a string${at}.`;
  }
  for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]) {
    if (key in schema && typeof schema[key] !== "number") return `"${key}" must be a number${at}.`;
  }
  for (const key of ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]) {
    if (key in schema && !(Number.isInteger(schema[key]) && schema[key] >= 0)) {
      return `"${key}" must be a non-negative integer${at}.`;
    }
  }
  for (const key of SCHEMA_MAPS) {
    if (!(key in schema)) continue;
    const map = schema[key];
    if (map === null || typeof map !== "object" || Array.isArray(map)) {
      return `"${key}" must be an object${at}.`;
    }
    for (const [name, sub] of Object.entries(map)) {
      const problem = shapeError(sub, `${path}/${key}/${name}`);
      if (problem) return problem;
    }
  }
  for (const key of SCHEMA_LISTS) {
    if (!(key in schema)) continue;
    if (!Array.isArray(schema[key]) || !schema[key].length) {
      return `"${key}" must be a non-empty list of schemas${at}.`;
    }
    for (let i = 0; i < schema[key].length; i++) {
      const problem = shapeError(schema[key][i], `${path}/${key}/${i}`);
      if (problem) return problem;
    }
  }
  for (const key of [...SCHEMA_ONES, "additionalProperties", "items"]) {
    if (!(key in schema)) continue;
    const problem =
      key === "items" && Array.isArray(schema.items)
        ? schema.items.map((s, i) => shapeError(s, `${path}/items/${i}`)).find(Boolean)
        : shapeError(schema[key], `${path}/${key}`);
    if (problem) return problem;
  }
  return null;
}

/** `{value}` when `text` is a usable JSON Schema object, else `{error}`. */
export function parseSchema(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `Invalid JSON: ${error.message}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { error: "A JSON Schema must be an object, e.g. {\"type\": \"object\"}." };
  }
  const problem = shapeError(value, "");
  return problem ? { error: `Not a valid JSON Schema: ${problem}` } : { value };
}
