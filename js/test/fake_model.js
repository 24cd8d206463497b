// A stand-in for the anywidget model: traits in a Map, events, and a record of sent messages and saves.

export function makeRow(overrides = {}) {
  return {
    location: "acquisition/ephys/data",
    group: "acquisition/ephys",
    dataset_name: "data",
    object_name: "ephys",
    neurodata_type: "TimeSeries",
    dtype: "int16",
    full_shape: [20000, 4],
    size: "160.00 KB",
    size_bytes: 160000,
    chunk_shape: [20000, 4],
    buffer_shape: [20000, 4],
    compression_method: "gzip",
    compression_options: {},
    filter_methods: [],
    chunk_size: "160.00 KB",
    number_of_chunks: 1,
    number_of_chunks_text: "1",
    ram: "160.00 KB",
    ram_bytes: 160000,
    lossy: false,
    drafts: {},
    errors: {},
    notes: {},
    warnings: [],
    invalid: false,
    edited: [],
    ...overrides,
  };
}

export function makeGroup(row, overrides = {}) {
  return { path: row.group, object_name: row.object_name, neurodata_type: row.neurodata_type, count: 1, size: row.size,
    size_bytes: row.size_bytes, ...overrides };
}

export class FakeModel {
  constructor(state = {}) {
    const rows = state.rows || [makeRow()];
    this.state = new Map(Object.entries({
      rows,
      groups: rows.map((row) => makeGroup(row)),
      totals: { datasets: rows.length, datasets_text: String(rows.length), uncompressed: "160.00 KB", chunks_text: "1", peak_ram: "160.00 KB", invalid: 0, edited: 0 },
      codecs: { backend: "hdf5", compression_methods: ["gzip", "lzf", "Zstd"], default_method: "gzip",
        backends: [{ name: "hdf5", label: "HDF5" }, { name: "zarr", label: "Zarr" }], compression_options: { gzip: ["level"], lzf: [], Zstd: ["clevel"] },
        filter_methods: ["shuffle", "fletcher32"], lossy: [] },
      unconfigurable: [],
      backend: "hdf5",
      mode: "write",
      source_path: "",
      output_path: "out.nwb",
      overwrite: false,
      target_exists: false,
      output_info: "Writes an HDF5 file at /tmp/out.nwb",
      apply_blockers: [],
      status: "idle",
      progress: {},
      result: {},
      error: {},
      notices: [],
      ...state,
    }));
    this.handlers = new Map();
    this.sent = [];
    this.saved = [];
  }

  get(name) {
    return this.state.get(name);
  }

  set(name, value) {
    this.state.set(name, value);
    this.emit(`change:${name}`);
  }

  save_changes() {
    this.saved.push(Object.fromEntries(this.state));
  }

  send(message) {
    this.sent.push(message);
  }

  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event).add(handler);
  }

  off(event, handler) {
    this.handlers.get(event)?.delete(handler);
  }

  emit(event, ...args) {
    for (const handler of this.handlers.get(event) || []) handler(...args);
  }

  /** What Python does: set a trait, which fires change events in the view. */
  python(name, value) {
    this.set(name, value);
  }

  /** A custom message from Python. */
  message(content) {
    this.emit("msg:custom", content, []);
  }

  edits() {
    return this.sent.filter((message) => message.type === "edit");
  }
}
