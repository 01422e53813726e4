// The subgraph's one WASM module: every data source's handlers, one file per contract. graph-cli compiles a mapping
// file once however many data sources use it, so one entry point builds in a fraction of the time of eight, and the
// embedded indexer instantiates a single module. Handler names are unique across files for that reason.
export * from "./token";
export * from "./pause";
export * from "./registry";
export * from "./staking";
export * from "./escrow";
export * from "./disputes";
export * from "./governor";
export * from "./timelock";
