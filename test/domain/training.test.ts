import { describe, it, expect } from 'vitest';
import {
  INITIATIVES,
  SIZE_KINDS,
  TRAINING_TYPES,
  initiativeLabels,
  sizeKindLabels,
  sizeKindUnits,
  trainingTypeLabels,
} from '../../src/domain/training.js';

describe('training ids and labels', () => {
  it('has the four training types with their Dutch labels', () => {
    expect(TRAINING_TYPES).toEqual(['odb', 'loopbaan', 'examencommissie', 'evc']);
    expect(trainingTypeLabels).toEqual({
      odb: 'ODB-opleiding (opleidingsdatabank)',
      loopbaan: 'Loopbaangerichte opleiding',
      examencommissie: 'Examen bij de examencommissie',
      evc: 'EVC-examen',
    });
  });

  it('has size kinds and initiatives with labels for every id', () => {
    expect(SIZE_KINDS).toEqual(['contacturen', 'studiepunten', 'lestijden']);
    expect(Object.keys(sizeKindLabels)).toEqual([...SIZE_KINDS]);
    expect(Object.keys(sizeKindUnits)).toEqual([...SIZE_KINDS]);
    expect(sizeKindUnits.studiepunten).toEqual({ one: 'studiepunt', other: 'studiepunten' });
    expect(INITIATIVES).toEqual(['werknemer', 'werkgever']);
    expect(initiativeLabels).toEqual({ werknemer: 'Werknemer', werkgever: 'Werkgever' });
  });

  it('label maps are frozen', () => {
    expect(Object.isFrozen(trainingTypeLabels)).toBe(true);
    expect(Object.isFrozen(sizeKindUnits.contacturen)).toBe(true);
  });
});
