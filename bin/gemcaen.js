#!/usr/bin/env node
// `gemcaen` / `npx gemcaen`: the compiled CLI (npm install builds dist/).
import '../dist/src/cli/main.js';
