// Every benchmark part, in the order `npm run bench` runs them. Adding a part: a module in this folder and
// one line here. Part ids in use: 1-2 scan, 3 parallel, 4 writer, 5 daemon; reserved: 6 daemon scale with the
// number of crates, 7 spool replay after an outage, 8 event mode vs polling, 9 web page viewers.
import type { BenchPart } from '../part.js';
import { daemonPart } from './daemon.js';
import { eventsPart } from './events.js';
import { parallelPart } from './parallel.js';
import { replayPart } from './replay.js';
import { scalePart } from './scale.js';
import { scanPart } from './scan.js';
import { webPart } from './web.js';
import { writerPart } from './writer.js';

export const PARTS: readonly BenchPart[] = [scanPart, parallelPart, writerPart, daemonPart, scalePart, replayPart, eventsPart, webPart];
