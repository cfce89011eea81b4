// The FILE sink plugin: line protocol appended to daily files (file-sink.ts), for labs without a database
// and for the demo. It is its own durable store: no spool. Grafana reads the files once they are loaded
// into a database (one datasource for every file sink).
import { DEFAULT_FILE_DATABASE, DEFAULT_GRAFANA_INFLUX_URL } from '../../../grafana/options.js';
import { definePlugin } from '../plugin.js';
import { FILE_SCHEMA, type FileSinkConfig, parseFile } from './config.js';

export const filePlugin = definePlugin<FileSinkConfig>({
  block: 'FILE',
  kinds: ['file'],
  schema: { definition: 'file', node: FILE_SCHEMA },
  keysHint: 'DIRECTORY',
  secretKeys: [],
  spooled: false,
  parse: parseFile,
  describe: (c) => `line-protocol files in ${c.directory}/ (one per day)`,
  secrets: () => [],
  grafana: (_c, database) => ({ key: 'file', target: { version: 1, url: DEFAULT_GRAFANA_INFLUX_URL, database: database ?? DEFAULT_FILE_DATABASE } }),
  load: async () => (await import('./file-sink.js')).buildFileSink,
});
