// Loads a recorded card session from a file for the replay card (`posbridge sim card --transcript FILE`, tests).
import { readFile } from 'node:fs/promises';
import { parseTranscript, type CardTranscript } from '../apdu/card-transcript.js';
import { ApduError } from '../apdu/errors.js';

/** The transcript in `file`; TRANSCRIPT_INVALID when it is not JSON or breaks the format (naming the key). */
export async function loadTranscript(file: string): Promise<CardTranscript> {
  const text = await readFile(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ApduError('TRANSCRIPT_INVALID', `${file}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return parseTranscript(value, file);
}
