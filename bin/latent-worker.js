#!/usr/bin/env node
// Launcher for the `latent-worker` command: runs the worker from its TypeScript sources (the repository has no
// separate build step), whatever the current directory.
"use strict";
const path = require("node:path");

require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "tsconfig.json") });
require("../scripts/worker/cli").main();
