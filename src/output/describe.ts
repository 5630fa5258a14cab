import { z } from 'zod';
import { moneyJsonSchema } from '../money/json.js';
import { daySchema, hashSchema, instantSchema } from './contract.js';
import { OUTPUT_SCHEMAS } from './registry.js';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  $ref?: string;
  additionalProperties?: JsonSchema | boolean;
  pattern?: string;
};

/**
 * The shape of a command's JSON for docs/OUTPUT.md, written from its zod schema (through JSON
 * Schema) so the document cannot say what the code does not print. `Money` is moneyJson.
 */
function describeOutput(schema: z.ZodType): string {
  const metadata = z.registry<{ id: string }>();
  metadata.add(moneyJsonSchema, { id: 'Money' });
  metadata.add(instantSchema, { id: 'Instant' });
  metadata.add(daySchema, { id: 'Day' });
  metadata.add(hashSchema, { id: 'Hash' });
  const json = z.toJSONSchema(schema, {
    metadata,
    unrepresentable: 'any',
    io: 'output',
  }) as JsonSchema;
  return render(json, '');
}

/** Every registered command: "### `payops X --json`" and its shape, in command order. */
export function describeOutputs(): string {
  return Object.keys(OUTPUT_SCHEMAS)
    .sort()
    .map(
      (commandPath) =>
        `### \`payops ${commandPath} --json\`\n\n\`\`\`ts\n${describeOutput(OUTPUT_SCHEMAS[commandPath] as z.ZodType)}\n\`\`\`\n`,
    )
    .join('\n');
}

function render(node: JsonSchema, indent: string): string {
  if (node.$ref !== undefined) return node.$ref.replace(/^#\/\$defs\//, '');
  if (node.anyOf !== undefined)
    return node.anyOf.map((option) => render(option, indent)).join(' | ');
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum !== undefined) return node.enum.map((value) => JSON.stringify(value)).join(' | ');
  const type = Array.isArray(node.type) ? node.type.join(' | ') : node.type;
  if (type === 'array') {
    const items = node.items ?? {};
    const item = render(items, indent);
    return items.anyOf !== undefined || (items.enum?.length ?? 0) > 1 ? `(${item})[]` : `${item}[]`;
  }
  if (type === 'object' && node.properties !== undefined) {
    const inner = `${indent}  `;
    const fields = Object.entries(node.properties).map(
      ([key, value]) =>
        `${inner}${key}${node.required?.includes(key) ? '' : '?'}: ${render(value, inner)}`,
    );
    return `{\n${fields.join('\n')}\n${indent}}`;
  }
  if (type === 'object')
    return typeof node.additionalProperties === 'object'
      ? `Record<string, ${render(node.additionalProperties, indent)}>`
      : 'object';
  if (type === 'integer') return 'integer';
  if (type === undefined) return 'unknown';
  return type;
}
