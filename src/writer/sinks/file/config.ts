// The FILE block of a setup: daily line-protocol files in a directory instead of a database.
import type { SchemaNode } from '../../../config/schema.js';
import type { ParsedSink, SinkParseContext } from '../plugin.js';

export type FileSinkConfig = {
  kind: 'file';
  id: string;
  /** directory of the daily line-protocol files */
  directory: string;
};

/** definitions.file of config/gemcaen.schema.json */
export const FILE_SCHEMA: SchemaNode = {
  title: 'Line-protocol file sink',
  description: 'Writes the readings as InfluxDB line protocol into daily files instead of a database (demo, offline labs).',
  type: 'object',
  required: ['DIRECTORY'],
  additionalProperties: false,
  properties: {
    DIRECTORY: {
      title: 'Directory',
      description: 'Directory of the daily .lp files. A relative path is resolved against the current working directory.',
      type: 'string',
      minLength: 1,
      examples: ['data/demo'],
    },
  },
};

/** The FILE block → a file sink config: a file sink IS its directory (setups naming one directory share it). */
export function parseFile(raw: Readonly<Record<string, unknown>>, ctx: SinkParseContext): ParsedSink<FileSinkConfig> | undefined {
  if (typeof raw.DIRECTORY !== 'string') return undefined; // reported by the schema
  const directory = ctx.resolvePath(raw.DIRECTORY);
  return { config: { kind: 'file', id: `file:${directory}`, directory }, credentials: '', credentialKey: 'DIRECTORY', sameTarget: 'DIRECTORY' };
}
