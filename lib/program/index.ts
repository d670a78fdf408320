/**
 * The program container: write compiled graphs into `programqpc.bin`, open and verify programs, link several
 * programs into one with shared weights. The byte layout is documented in `format.ts`.
 *
 * @packageDocumentation
 */
export { writeProgram, onnxruntimeVersion } from './write.js';
export type { WrittenProgram } from './write.js';
export { openProgram, readManifestSync, programFilePath, findGraph } from './open.js';
export type { OpenProgramOptions, OpenedProgramWithManifest } from './open.js';
export { link } from './link.js';
export type { LinkOptions, LinkResult } from './link.js';
export { hostCpuFeatures, hostFeatureMismatch, missingHostFeatures } from './host.js';
export { PROGRAM_FILE, PROGRAM_MAGIC, PROGRAM_FORMAT_MINOR, graphFileName } from './format.js';
export type { Manifest, ManifestSection, ManifestWeight } from './format.js';
export { PROGRAM_FORMAT_VERSION } from './types.js';
export type { GraphToStore, LoadableGraph, ManifestGraph, OpenedProgram, ProgramProvenance } from './types.js';
