import type { TrainingType } from '../domain/training.js';

/**
 * What makes two requests "the same training" for the one-request-per-employee-training-school-year rule
 * (and the unique index on dossier.training_key). An ODB training is its ODB number; any other training
 * is its type, name and provider number, compared without case, accents or punctuation.
 */
export function trainingKey(training: {
  type: TrainingType;
  odbNumber: string | null;
  name: string;
  providerNumber: string;
}): string {
  if (training.type === 'odb' && training.odbNumber) return `odb:${training.odbNumber}`;
  return `${training.type}:${simplify(training.name)}|${simplify(training.providerNumber)}`;
}

function simplify(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
