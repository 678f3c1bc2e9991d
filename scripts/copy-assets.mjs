#!/usr/bin/env node
// After `tsc` (npm run build): copies what the compiled server reads at run time besides code — the login page
// templates and their static assets — next to the compiled files.
import { cpSync } from 'node:fs';

for (const dir of ['src/web/pages/views', 'src/web/assets']) cpSync(dir, `dist/${dir}`, { recursive: true });
