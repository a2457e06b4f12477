import type { z } from 'zod';
import type { Db } from '../db/knex.js';
import { schoolYearLabel } from '../domain/school-year.js';
import {
  feedPage,
  listDossierAttachments,
  listEvents,
  type DossierAttachmentRow,
  type DossierEventRow,
  type DossierStateRow,
} from '../decisions/repository.js';
import type { EventDetails } from '../decisions/wording.js';
import type { DossierSnapshot } from '../refund/submission.js';
import type { attachment, dossier, dossierPage, dossierState, event } from './schemas.js';

/** How dossiers look in the API (the shapes of src/api/schemas.ts). */

const num = (v: string | null) => (v === null ? null : Number(v));

export function apiState(d: DossierStateRow): z.infer<typeof dossierState> {
  return {
    dossiernummer: d.dossiernummer,
    status: d.status as z.infer<typeof dossierState>['status'],
    versie: d.version,
    statusSinds: (d.status_changed_at ?? d.submitted_at).toISOString(),
    goedgekeurdeUren: num(d.approved_hours),
    goedgekeurdBedragCent: d.approved_amount_cents,
    stopzettingsdatum: d.stop_date,
  };
}

function apiAttachment(nummer: string, a: DossierAttachmentRow): z.infer<typeof attachment> {
  return {
    id: a.id,
    soort: a.kind as z.infer<typeof attachment>['soort'],
    bestandsnaam: a.filename,
    type: a.content_type as z.infer<typeof attachment>['type'],
    grootte: a.size_bytes,
    sha256: a.sha256,
    ontvangenOp: a.uploaded_at.toISOString(),
    href: `/api/v1/dossiers/${nummer}/bijlagen/${a.id}`,
  };
}

function apiEvent(e: DossierEventRow): z.infer<typeof event> {
  const d = e.details as EventDetails;
  const details = {
    vraag: d.question,
    antwoordTegen: d.dueDate,
    uren: d.hours,
    bedragCent: d.amountCents,
    reden: d.reason,
    stopzettingsdatum: d.stopDate,
    antwoord: d.text,
    bijlagen: d.attachments?.map((a) => a.id),
  };
  return {
    op: e.at.toISOString(),
    soort: e.kind as z.infer<typeof event>['soort'],
    statusVoor: e.status_before as z.infer<typeof event>['statusVoor'],
    statusNa: e.status_after as z.infer<typeof event>['statusNa'],
    door: { soort: e.actor_kind, naam: e.actor_name },
    details: Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined)),
  };
}

function apiDossier(
  d: DossierStateRow,
  events: DossierEventRow[],
  attachments: DossierAttachmentRow[],
): z.infer<typeof dossier> {
  const s = d.snapshot as DossierSnapshot;
  const unit = s.werkgever.unit;
  return {
    ...apiState(d),
    ingediendOp: d.submitted_at.toISOString(),
    ingediendDoor: s.submittedBy.name,
    werkgever: {
      kbo: s.organisation.kbo,
      naam: s.organisation.name,
      vestigingseenheid: {
        nummer: unit.number,
        naam: unit.name,
        straat: unit.street,
        postcode: unit.postcode,
        gemeente: unit.city,
      },
      contactpersoon: {
        naam: s.werkgever.contact.name,
        telefoon: s.werkgever.contact.phone,
        email: s.werkgever.contact.email,
      },
      iban: s.werkgever.iban,
      bic: s.werkgever.bic,
    },
    werknemer: {
      insz: d.employee_insz,
      voornaam: d.employee_first_name,
      achternaam: d.employee_last_name,
      email: d.employee_email,
      tewerkstellingspercentage: s.werknemer.twpPercent,
      urenPerWeek: s.werknemer.weeklyHours,
    },
    opleiding: {
      soort: d.training_type,
      naam: d.training_name,
      odbNummer: d.odb_number,
      verstrekker: s.opleiding.providerName,
      startdatum: d.training_start_date,
      einddatum: s.opleiding.endDate,
      schooljaar: schoolYearLabel(d.school_year_start),
      initiatief: d.initiative as 'werknemer' | 'werkgever',
    },
    bedragen: {
      opleidingsuren: Number(d.training_hours),
      aangevraagdeUren: Number(d.vov_hours),
      forfaitCent: d.forfait_cents,
      indicatiefBedragCent: d.amount_cents,
      goedgekeurdeUren: num(d.approved_hours),
      goedgekeurdBedragCent: d.approved_amount_cents,
    },
    bijlagen: attachments.map((a) => apiAttachment(d.dossiernummer, a)),
    geschiedenis: events.map(apiEvent),
    snapshot: s as unknown as Record<string, unknown>,
  };
}

/** Dossiers with their history and attachments, in three queries whatever their number. */
export async function apiDossiers(db: Db, rows: readonly DossierStateRow[]): Promise<z.infer<typeof dossier>[]> {
  const [events, attachments] = await Promise.all([
    listEvents(
      db,
      rows.map((r) => r.id),
    ),
    listDossierAttachments(
      db,
      rows.map((r) => r.draft_id),
    ),
  ]);
  return rows.map((r) =>
    apiDossier(
      r,
      events.filter((e) => e.dossier_id === r.id),
      attachments.filter((a) => a.draft_id === r.draft_id),
    ),
  );
}

export async function attachmentsOf(db: Db, d: DossierStateRow): Promise<z.infer<typeof attachment>[]> {
  return (await listDossierAttachments(db, [d.draft_id])).map((a) => apiAttachment(d.dossiernummer, a));
}

/** A page of the feed after the cursor `<transaction id>.<dossier id>`. */
export async function feed(db: Db, cursor: string | null, limit: number): Promise<z.infer<typeof dossierPage>> {
  const after = cursor ? { xid: cursor.split('.')[0], id: Number(cursor.split('.')[1]) } : null;
  const rows = await feedPage(db, after, limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    dossiers: await apiDossiers(db, page),
    volgende: last ? `${last.feed_xid}.${last.id}` : cursor,
    meer: rows.length > limit,
  };
}
