import type { AttachmentKind } from '../attachments.js';
import type { DraftContext } from '../steps.js';
import type { StepResult } from './fields.js';
import type { OpleidingData } from './opleiding.js';

/** Step 5 Bijlagen: the files are stored as they are uploaded; this checks that what the training needs is there. */

export const BIJLAGEN_FIELDS = [] as const;

export interface BijlagenData {
  attachmentKinds: AttachmentKind[];
}

export function judgeBijlagen(
  _input: unknown,
  ctx: Pick<DraftContext, 'attachmentKinds'>,
  { opleiding }: { opleiding: OpleidingData },
): StepResult<BijlagenData> {
  if (opleiding.type === 'loopbaan' && !ctx.attachmentKinds.includes('loopbaanattest')) {
    const text = 'Voeg het attest van loopbaanbegeleiding toe. Voor een loopbaangerichte opleiding is het verplicht.';
    return { ok: false, errors: [{ text, href: '#loopbaanattest' }] };
  }
  return { ok: true, data: { attachmentKinds: [...new Set(ctx.attachmentKinds)] } };
}
