/**
 * Writing fitted values into a pack's manifest (glimpse-pack.json) and the face pack's faces.json,
 * leaving everything else as it was (keys, their order, other fields). The result is checked against the
 * manifest's schema before it is written, so a calibration never leaves a pack that does not open.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFaceManifest } from '../main/engine/faces/face-pack.js';
import { MANIFEST_FILE, type PackManifest, parseManifest } from '../main/engine/models/manifest.js';
import type { Grouping } from './face-grouping.js';
import { CalibrationError } from './held-out-set.js';
import type { SearchCalibration } from './search-cutoff.js';

type CaptionConfidence = NonNullable<NonNullable<PackManifest['captioner']>['confidence']>;

/** The manifest file of a pack folder; refused when there is none. */
export function manifestFile(packDir: string): string {
  const file = join(packDir, MANIFEST_FILE);
  if (!existsSync(file)) throw new CalibrationError(`${packDir} is not a model pack: ${MANIFEST_FILE} is missing`);
  return file;
}

/** The manifest as written (JSON), checked to parse as a manifest. */
export function readRawManifest(packDir: string): Record<string, unknown> {
  const file = manifestFile(packDir);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CalibrationError(`${file} is not valid JSON (${(error as Error).message})`);
  }
  try {
    parseManifest(json, file);
  } catch (error) {
    throw new CalibrationError((error as Error).message);
  }
  return json as Record<string, unknown>;
}

/** The manifest with these values in place (`search.calibration`, `captioner.confidence`); nothing else changes. */
export function withCalibration(manifest: Record<string, unknown>, fitted: { search?: SearchCalibration; confidence?: CaptionConfidence }): Record<string, unknown> {
  const out = structuredClone(manifest);
  if (fitted.search) out.search = { ...((out.search as Record<string, unknown> | undefined) ?? {}), calibration: fitted.search };
  if (fitted.confidence) {
    const captioner = out.captioner as Record<string, unknown> | undefined;
    if (!captioner) throw new CalibrationError('the pack has no captioner to calibrate');
    captioner.confidence = fitted.confidence;
  }
  return out;
}

/** Writes the fitted values into `<packDir>/glimpse-pack.json`; returns the file. */
export function writePackCalibration(packDir: string, fitted: { search?: SearchCalibration; confidence?: CaptionConfidence }): string {
  const file = manifestFile(packDir);
  const updated = withCalibration(readRawManifest(packDir), fitted);
  parseManifest(updated, file);
  writeFileSync(file, JSON.stringify(updated, null, 2) + '\n');
  return file;
}

/**
 * Writes grouping thresholds into `<faceDir>/faces.json`. The file is laid out by hand (one line per
 * small object), so only its `grouping` line is replaced when it is one line; otherwise it is rewritten.
 */
export function writeFaceGrouping(faceDir: string, grouping: Grouping): string {
  const file = join(faceDir, 'faces.json');
  if (!existsSync(file)) throw new CalibrationError(`${faceDir} is not a face pack: faces.json is missing`);
  const text = readFileSync(file, 'utf8');
  const json = JSON.parse(text) as Record<string, unknown>;
  const merged = { ...(json.grouping as Record<string, unknown>), ...grouping };
  const line = `{ ${Object.entries(merged)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(', ')} }`;
  const oneLine = /("grouping"\s*:\s*)\{[^{}\n]*\}/;
  const updated = oneLine.test(text) ? text.replace(oneLine, (_, key: string) => `${key}${line}`) : JSON.stringify({ ...json, grouping: merged }, null, 2) + '\n';
  parseFaceManifest(updated, file);
  writeFileSync(file, updated);
  return file;
}
