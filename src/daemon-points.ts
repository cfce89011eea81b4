// Measurements of the points gemcaen writes about itself (HELPERS "Database points of the daemon
// itself"): events (alarms, set points, external changes), its crate connections and its sinks.
// Read by the Grafana dashboards and alert rules (src/grafana), written through the extensions.
export const EVENT_MEASUREMENT = 'gemcaen_event';
export const CRATE_MEASUREMENT = 'gemcaen_crate';
export const SINK_MEASUREMENT = 'gemcaen_sink';
