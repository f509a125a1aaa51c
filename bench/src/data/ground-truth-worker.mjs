/** Worker thread of ground-truth.mjs: computes one slice of queries. */
import { parentPort, workerData } from "node:worker_threads";
import { truthSlice } from "./ground-truth.mjs";

parentPort.postMessage(truthSlice(workerData));
