import { writeFileSync } from 'node:fs';
import { renderNodeDocs } from '../src/nodes/docs.js';

writeFileSync('docs/nodes.md', renderNodeDocs());
console.log('wrote docs/nodes.md');
