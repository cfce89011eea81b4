#!/usr/bin/env -S node --max-semi-space-size=2
// `gemcaen` / `npx gemcaen`: the compiled CLI (npm install builds dist/).
import '../dist/src/cli/main.js';
