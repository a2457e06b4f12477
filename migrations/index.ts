import type { Knex } from 'knex';
import * as m001 from './001_foundation.js';
import * as m002 from './002_auth.js';
import * as m003 from './003_organisations.js';
import * as m004 from './004_refund.js';
import * as m005 from './005_bulk.js';
import * as m006 from './006_mail_templates.js';
import * as m007 from './007_dossier_list_index.js';
import * as m008 from './008_membership_contact.js';
import * as m009 from './009_privacy.js';
import * as m010 from './010_dossier_life.js';
import * as m011 from './011_saml_request_browser.js';
import * as m013 from './013_rate_limit_window.js';
import * as m014 from './014_dossier_school_year_index.js';

export interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Every migration in the order it runs; add new ones at the end (knex records them by these names). */
export const migrations: Record<string, Migration> = {
  '001_foundation': m001,
  '002_auth': m002,
  '003_organisations': m003,
  '004_refund': m004,
  '005_bulk': m005,
  '006_mail_templates': m006,
  '007_dossier_list_index': m007,
  '008_membership_contact': m008,
  '009_privacy': m009,
  '010_dossier_life': m010,
  '011_saml_request_browser': m011,
  '013_rate_limit_window': m013,
  '014_dossier_school_year_index': m014,
};
